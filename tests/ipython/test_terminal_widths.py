"""Terminal IPython (prompt_toolkit, in a pseudo-terminal) signed in to the built-in
sandbox: tables, the endpoint list and error cards fit the terminal, 100 columns, then
80 after a resize (the width is read each time something is shown). No network.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.slow

# Escape sequences prompt_toolkit writes (colours, cursor moves, title, keypad mode).
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")
ID = re.compile(r"[A-Z]{2,5}-[A-Za-z0-9]+")
COMMANDS = (
    "%oncehub bookings limit==5",
    "%oncehub users",
    "%oncehub --endpoints",
    "%oncehub bookings/BKNG-3KM0HY2BF9SL",  # not in the sandbox: an error card
)


class IPythonInTerminal:
    """``python -m IPython`` in a pseudo-terminal ``columns`` wide, counting its prompts."""

    def __init__(self, folder: Path, columns: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(HOME=str(folder), PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "IPython", "--no-banner", "--colors=NoColor", "--HistoryManager.enabled=False"],
            cwd=str(folder),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, columns),
        )
        self.count = 1
        self.prompt()

    def prompt(self) -> str:
        """Wait for the next ``In [n]:``; what came before it."""
        self.child.expect_exact(f"In [{self.count}]:")
        self.count += 1
        return str(self.child.before)

    def run(self, line: str) -> str:
        """Type ``line`` and Enter; its output up to the next prompt, escape codes removed."""
        self.child.send(line + "\r")
        self.child.expect_exact(line)  # the echo of what was typed
        return ANSI.sub("", self.prompt())

    def resize(self, columns: int) -> None:
        self.child.setwinsize(40, columns)

    def close(self) -> None:
        if self.child.isalive():
            self.child.send("exit\r")
            self.child.expect(pexpect.EOF)
        self.child.close(force=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[IPythonInTerminal]:
    session = IPythonInTerminal(tmp_path, 100)
    try:
        session.run("%load_ext oncehub_nb")
        signed_in = session.run("%oncehub_auth --sandbox")
        assert "Key valid for demo@example.com" in signed_in, signed_in
        yield session
    finally:
        session.close()
    assert not session.child.isalive()


def too_wide(output: str, columns: int) -> list[str]:
    """The lines wider than ``columns`` (each part between carriage returns counts)."""
    parts = [part.rstrip() for line in output.split("\n") for part in line.split("\r")]
    return [part for part in parts if len(part) > columns]


def test_views_fit_the_terminal_and_follow_a_resize(terminal: IPythonInTerminal) -> None:
    for columns in (100, 80):
        terminal.resize(columns)
        shown = {command: terminal.run(command) for command in COMMANDS}
        for command, output in shown.items():
            assert not too_wide(output, columns), f"{command} at {columns}:\n{output}"
        bookings = shown["%oncehub bookings limit==5"]
        assert len(re.findall(r"^BKNG-\w+ ", bookings, re.M)) == 5, bookings
        assert "Not shown (too narrow):" in bookings
        assert not re.search(r"[A-Z]{2,5}-[A-Za-z0-9]*…", "".join(shown.values()))
        assert len(re.findall(r"^USR-\w+ ", shown["%oncehub users"], re.M)) == 10
        assert "/booking-calendars/{id}/one-time-links" in shown["%oncehub --endpoints"]
        assert "BKNG-3KM0HY2BF9SL" in shown["%oncehub bookings/BKNG-3KM0HY2BF9SL"]
