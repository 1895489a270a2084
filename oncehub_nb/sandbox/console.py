"""Running the sandbox in the foreground (``oncehub-nb sandbox``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .replies import DEMO_ACCOUNT, DEMO_KEY, FAULT_KEYS
from .server import Sandbox


def serve(
    port: int = 0,
    host: str = "127.0.0.1",
    out: Callable[[str], object] = print,
    *,
    stop_event: threading.Event | None = None,
    **options: Any,
) -> None:
    """Start a sandbox, describe it through ``out``, and block until Ctrl+C or ``stop_event``.

    ``options`` go to :class:`Sandbox` (``seed``, ``bookings``, ``contacts``, limits, faults).
    """
    event = stop_event if stop_event is not None else threading.Event()
    with Sandbox(host, port, **options) as sandbox:
        width = max(len(key) for key in FAULT_KEYS)
        out(f"OnceHub sandbox running at {sandbox.base_url}")
        out(f"Demo API key: {DEMO_KEY}  (account {DEMO_ACCOUNT})")
        out("Fault keys (send one as the API-Key header to provoke a failure):")
        for key, description in FAULT_KEYS.items():
            out(f"  {key:<{width}}  {description}")
        out("Press Ctrl+C to stop.")
        try:
            while not event.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass
    out("sandbox stopped")
