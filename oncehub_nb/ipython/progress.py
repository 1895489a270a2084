"""A progress line for long fetches, where the user is looking.

In a Jupyter kernel (JupyterLab, Notebook 7, VS Code) it is one display output,
updated in place through its ``display_id``: no widget, so a notebook run by nbclient
or papermill keeps just the final line. In terminal IPython it is a line on stderr
rewritten with ``\\r``, never wider than the terminal (middle parts left out first);
what a longer line before it left is cleared, with ``\\x1b[K`` on a terminal and spaces
on anything else (a file, a captured stream). Updates are throttled; the final state is
always shown.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from oncehub_nb.display.fit import fit_line, terminal_width
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
        self.last_line = self.render(progress)
        self.show(self.last_line, progress.done)

    def render(self, progress: Progress) -> str:
        """The label, then where ``progress`` stands."""
        return f"{self.label}: {progress.line()}"

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
    """A line on stderr, rewritten in place within ``width`` (default: the terminal's,
    read at each update); a newline once done."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        super().__init__(label, monotonic)
        self.stream = stream or sys.stderr
        self.width = width
        self._shown = 0  # characters of the line on screen now

    def render(self, progress: Progress) -> str:
        # One column spare: a line filling the last column leaves some terminals waiting
        # to wrap, and the next "\r" then returns to the wrong row.
        room = terminal_width(self.width) - 1
        return fit_line(super().render(progress).split(" · "), room)

    def show(self, line: str, done: bool) -> None:
        # What is left of a longer line: erased to the line's end on a terminal, else
        # written over with spaces (no escape codes in a file or a captured stream).
        erase = "\x1b[K" if _is_terminal(self.stream) else " " * max(0, self._shown - len(line))
        self._shown = len(line)
        self.stream.write(f"\r{line}{erase}" + ("\n" if done else ""))
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def progress_for(shell: Any, label: str) -> Callable[[Progress], None]:
    """The progress line that suits this shell: a display output in a kernel, else stderr."""
    if getattr(shell, "kernel", None) is not None:
        return NotebookProgress(label)
    return TerminalProgress(label)
