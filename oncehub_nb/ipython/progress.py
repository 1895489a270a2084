"""A progress line for long fetches, where the user is looking.

In a Jupyter kernel (JupyterLab, Notebook 7, VS Code) it is one display output,
updated in place through its ``display_id``: no widget, so a notebook run by nbclient
or papermill keeps just the final line. In terminal IPython it is a line on stderr
rewritten with ``\\r``. Updates are throttled; the final state is always shown.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from oncehub_nb.http.paging import Progress

__all__ = ["NotebookProgress", "TerminalProgress", "progress_for"]

EVERY = 0.25  # seconds between updates, at most four a second


class _Throttled:
    def __init__(self, label: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self._monotonic = monotonic
        self._last = float("-inf")
        self.last_line = ""

    def __call__(self, progress: Progress) -> None:
        now = self._monotonic()
        final = progress.done or progress.waiting > 0
        if not final and now - self._last < EVERY:
            return
        self._last = now
        self.last_line = f"{self.label}: {progress.line()}"
        self.show(self.last_line, progress.done)

    def show(self, line: str, done: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class NotebookProgress(_Throttled):
    """One output line, updated in place by display id."""

    def __init__(self, label: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(label, monotonic)
        self._handle: Any = None

    def show(self, line: str, done: bool) -> None:
        from IPython.display import display

        bundle = {"text/plain": line}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


class TerminalProgress(_Throttled):
    """A line on stderr, rewritten in place; a newline once done."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(label, monotonic)
        self.stream = stream or sys.stderr
        self._width = 0

    def show(self, line: str, done: bool) -> None:
        pad = " " * max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write(f"\r{line}{pad}" + ("\n" if done else ""))
        self.stream.flush()


def progress_for(shell: Any, label: str) -> Callable[[Progress], None]:
    """The progress line that suits this shell: a display output in a kernel, else stderr."""
    if getattr(shell, "kernel", None) is not None:
        return NotebookProgress(label)
    return TerminalProgress(label)
