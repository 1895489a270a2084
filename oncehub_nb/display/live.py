"""The inbox's table in a notebook: one display output, updated in place as events arrive.

The output is made where the inbox is made (the cell that started it). Updates run on
a thread of their own, so the server's threads answer without waiting for rendering;
a burst of deliveries becomes one update. ``DisplayHandle.update`` sends on the kernel's
iopub channel, which is safe from any thread. Outside a kernel nothing is displayed.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["LiveTable", "in_kernel"]

logger = logging.getLogger("oncehub_nb.webhooks")


def in_kernel() -> bool:
    """Whether this runs inside a Jupyter kernel (never imports IPython itself)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    return getattr(ipython.get_ipython(), "kernel", None) is not None


class LiveTable:
    """A display output kept up to date by a thread: call :meth:`changed` after a change."""

    def __init__(self, render: Callable[[], dict[str, str]]) -> None:
        from IPython.display import display

        self._render = render
        self._handle: Any = display(render(), raw=True, display_id=True)
        self._state = threading.Condition()
        self._dirty = self._busy = self._closed = False
        self.updates = 0
        self._thread = threading.Thread(
            target=self._run, name="oncehub-webhooks-display", daemon=True
        )
        self._thread.start()

    def changed(self) -> None:
        """Something to show: the thread updates the output (once for many calls)."""
        with self._state:
            self._dirty = True
            self._state.notify_all()

    def _run(self) -> None:
        while True:
            with self._state:
                self._state.wait_for(lambda: self._dirty or self._closed)
                if self._closed:
                    return
                self._dirty, self._busy = False, True
            try:
                self._update()
            finally:
                with self._state:
                    self._busy = False
                    self._state.notify_all()

    def _update(self) -> None:
        try:
            self._handle.update(self._render(), raw=True)
        except Exception:  # a front end gone away must not stop the inbox
            logger.debug("inbox: display update failed", exc_info=True)
        self.updates += 1

    def settle(self, timeout: float) -> bool:
        """Wait until every change so far is shown; False after ``timeout`` seconds."""
        with self._state:
            return self._state.wait_for(
                lambda: self._closed or not (self._dirty or self._busy), timeout
            )

    def close(self) -> None:
        """Stop the thread, then show the final state once more."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            self._state.notify_all()
        self._thread.join()
        self._update()
