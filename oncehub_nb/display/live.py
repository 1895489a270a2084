"""Live tables in a notebook: each output showing an object is updated in place as it changes.

An object with a live table shows it when IPython displays it (a cell's last line, or
``display(obj)``): :meth:`LiveTable.show` makes a new output, and every output made so
far follows later changes. Updates run on a thread of their own, so whoever reports a
change (a server's thread) never waits for rendering; a burst of changes becomes one
update. ``DisplayHandle.update`` sends on the kernel's iopub channel, which is safe from
any thread. Outside a kernel nothing is live: terminals print the object's text.
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
    """Outputs kept up to date by a thread: :meth:`show` adds one, :meth:`changed` after
    a change."""

    def __init__(self, render: Callable[[], dict[str, str]]) -> None:
        self._render = render
        self._handles: list[Any] = []
        self._state = threading.Condition()
        self._dirty = self._busy = self._closed = False
        self._thread: threading.Thread | None = None
        self.updates = 0

    @property
    def outputs(self) -> int:
        """How many outputs show the table."""
        return len(self._handles)

    def show(self) -> None:
        """Display the table in a new output; it follows every later change."""
        from IPython.display import display

        handle = display(self._render(), raw=True, display_id=True)
        with self._state:
            if self._closed:
                return  # a final view: nothing will change it
            self._handles.append(handle)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="oncehub-webhooks-display", daemon=True
                )
                self._thread.start()

    def changed(self) -> None:
        """Something to show: the thread updates the outputs (once for many calls)."""
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
        with self._state:
            handles = list(self._handles)
        if not handles:
            return
        bundle = self._render()
        for handle in handles:
            try:
                handle.update(bundle, raw=True)
            except Exception:  # a front end gone away must not stop the inbox
                logger.debug("inbox: display update failed", exc_info=True)
        self.updates += 1

    def settle(self, timeout: float) -> bool:
        """Wait until every change so far is shown; False after ``timeout`` seconds."""
        with self._state:
            return self._state.wait_for(
                lambda: self._closed or self._thread is None or not (self._dirty or self._busy),
                timeout,
            )

    def close(self) -> None:
        """Stop the thread, then show the final state once more in every output."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            self._state.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        self._update()
