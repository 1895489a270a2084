"""The terminal's progress line: rewritten in place, never wider than the terminal, and
nothing of a longer line left behind by a shorter one (on a terminal or any stream)."""

from __future__ import annotations

import itertools
import re

import pytest

from oncehub_nb.http.paging import Progress
from oncehub_nb.ipython.progress import TerminalProgress

# What `%oncehub bookings --max 250` reports: the first line is 101 characters with its
# label, which at 100 columns wrapped and left "…more pages to com" on the screen.
STATES = (
    Progress(objects=0, pages=0, waited=0.0, elapsed=0.0, has_more=True, cap=250),
    Progress(objects=100, pages=1, waited=0.0, elapsed=0.3, has_more=True, cap=250),
    Progress(objects=250, pages=3, waited=0.0, elapsed=0.5, has_more=True, done=True),
)
FINAL = "GET /bookings: 250 objects · 3 pages · 0.0 s waiting on rate limits · done in 0.5 s"
SHORT = "GET /bookings: 250 objects · 3 pages · done in 0.5 s"  # at 80: the middle gives way


class Screen:
    """What a terminal ``columns`` wide shows of what was written to it: a character past
    the last column goes to the next row, ``\\r`` back to the row's start, ``\\n`` to the
    next row, ``ESC[K`` erases to the row's end. ``tty`` says whether it is a terminal."""

    def __init__(self, columns: int, *, tty: bool) -> None:
        self.columns, self.tty = columns, tty
        self.rows: list[list[str]] = [[]]
        self.row = self.col = 0
        self.written: list[str] = []

    def write(self, text: str) -> int:
        self.written.append(text)
        for token in re.findall(r"\x1b\[K|.|\n", text):
            if token == "\r":
                self.col = 0
            elif token == "\n":
                self._next_row()
            elif token == "\x1b[K":
                del self.rows[self.row][self.col :]
            else:
                if self.col == self.columns:
                    self._next_row()
                line = self.rows[self.row]
                line.extend(" " * (self.col + 1 - len(line)))
                line[self.col] = token
                self.col += 1
        return len(text)

    def _next_row(self) -> None:
        self.row, self.col = self.row + 1, 0
        if self.row == len(self.rows):
            self.rows.append([])

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty

    def shown(self) -> list[str]:
        """The rows on screen, trailing blanks removed."""
        return ["".join(row).rstrip() for row in self.rows if "".join(row).strip()]


def run(screen: Screen, **options: object) -> TerminalProgress:
    clock = itertools.count(0.0, 1.0)  # each update a second later: none throttled
    line = TerminalProgress("GET /bookings", screen, lambda: next(clock), **options)  # type: ignore[arg-type]
    for state in STATES:
        line(state)
    return line


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "not-a-terminal"])
@pytest.mark.parametrize("columns", [80, 100])
def test_the_final_line_alone_stays_on_screen(
    columns: int, tty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))  # read when each line is drawn
    screen = Screen(columns, tty=tty)
    progress = run(screen)
    assert screen.shown() == [progress.last_line], screen.shown()
    assert screen.row == len(screen.rows) - 1 and screen.col == 0  # a newline once done
    drawn = [part for text in screen.written for part in re.split(r"[\r\n]|\x1b\[K", text)]
    assert max(len(part) for part in drawn) < columns  # one column spare
    expected = FINAL if columns == 100 else SHORT
    assert progress.last_line == expected + "; more remain"
    escapes = "".join(screen.written).count("\x1b")
    assert escapes == (len(STATES) if tty else 0)  # never escape codes into a file


def test_a_width_given_wins_over_the_terminal() -> None:
    screen = Screen(200, tty=False)
    progress = run(screen, width=60)
    assert len(progress.last_line) < 60
    assert screen.shown() == [progress.last_line]
