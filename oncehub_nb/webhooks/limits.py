"""What a webhook inbox takes on, at most: each bound, its default and its check, once.

Defined like the settings (:mod:`oncehub_nb.settings`), apart from them so that loading
the extension does not build what only an inbox needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from oncehub_nb.errors import ConfigError
from oncehub_nb.settings import setting

__all__ = ["INBOX_LIMITS", "InboxLimits"]


@dataclass(frozen=True)
class InboxLimits:
    """What a webhook inbox takes on, at most. ``InboxLimits()`` holds the defaults; a bad
    value raises ConfigError. ``WebhookInbox(limits=…)`` and ``listen(…, limits=…)`` take it."""

    max_events: int = setting(
        1000,
        "Deliveries an inbox keeps (verified or not); past it the oldest go, and the view "
        "counts them.",
    )
    max_body: int = setting(1_000_000, "Bytes a delivery's body may have (413 above).")
    max_headers: int = setting(
        65_536, "Bytes of request line and headers a delivery may send (431 above)."
    )
    request_timeout: float = setting(
        15.0, "Seconds a connection may take to send its whole request (then it is cut)."
    )
    idle_timeout: float = setting(
        5.0, "Seconds a connection may stay silent (idle ones are closed)."
    )
    max_connections: int = setting(
        32, "Connections served at once; one more is answered 503 and closed."
    )

    def __post_init__(self) -> None:
        for item in fields(self):
            value = _check_limit(item.name, getattr(self, item.name))
            object.__setattr__(self, item.name, value)

    @classmethod
    def help(cls, name: str) -> str:
        """The help text of one limit."""
        return str(_LIMITS[name].metadata["help"])


_LIMITS = {item.name: item for item in fields(InboxLimits)}


def _check_limit(name: str, value: Any) -> Any:
    """``value`` (normalised) if it suits inbox limit ``name``; else ConfigError."""
    if name in ("request_timeout", "idle_timeout"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name} must be a number of seconds, not {value!r}.")
        if not (value > 0 and math.isfinite(value)):
            raise ConfigError(f"{name} must be a finite number of seconds above 0, not {value!r}.")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        what = "bytes" if name.startswith("max_b") or name == "max_headers" else "a count"
        raise ConfigError(f"{name} is a whole number ({what}), 1 or more, not {value!r}.")
    return value


INBOX_LIMITS = InboxLimits()
