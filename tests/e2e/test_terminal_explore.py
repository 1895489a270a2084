"""``%oncehub`` in terminal IPython (a pseudo-terminal): Tab completion and the progress line.

One IPython for the module, signed in to the built-in sandbox (400 bookings, no
network); everything it prints goes to a transcript in the artifacts folder.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from e2ekit.isolation import VENV_BIN
from e2ekit.workspace import Workspace

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")
FINAL = re.compile(
    r"GET /bookings: 400 objects · 4 pages · [\d.]+ s waiting on rate limits · done in [\d.]+ s"
)


class Session:
    """``ipython`` in a pseudo-terminal, counting its ``In [n]:`` prompts."""

    def __init__(self, cwd: Path, env: dict[str, str], transcript: Path) -> None:
        self.transcript = transcript
        self.log = transcript.open("w", encoding="utf-8")
        self.child = pexpect.spawn(
            str(VENV_BIN / "ipython"),
            ["--no-banner", "--colors=NoColor"],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 200),
        )
        self.child.logfile_read = self.log
        self.count = 1

    def expect(self, text: str, what: str) -> str:
        """Wait for ``text``; what came before it, raw (escape codes and carriage returns)."""
        try:
            self.child.expect_exact(text)
        except (pexpect.TIMEOUT, pexpect.EOF) as error:
            raise AssertionError(
                f"terminal: {what}: {type(error).__name__}; transcript: {self.transcript}"
            ) from None
        return str(self.child.before)

    def prompt(self) -> str:
        """Wait for the next ``In [n]:``; the output before it, escape codes removed."""
        raw = self.expect(f"In [{self.count}]:", f"prompt In [{self.count}]")
        self.count += 1
        return ANSI.sub("", raw)

    def run(self, line: str) -> str:
        """Type ``line``, press Enter; its output (up to the next prompt)."""
        self.child.send(line + "\r")
        return self.prompt()

    def close(self) -> None:
        if self.child.isalive():
            self.child.send("exit\r")  # Ctrl-D would ask "Do you really want to exit?"
            with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):
                self.child.expect(pexpect.EOF, timeout=10)
        self.child.close(force=True)
        self.log.close()


@pytest.fixture(scope="module")
def ipython(workspace: Workspace) -> Iterator[Session]:
    """Signed in to the sandbox; a private HOME and IPYTHONDIR, no ONCEHUB_* variables."""
    home = workspace.base / "terminal-explore"
    for name in ("home", "ipython", "cwd"):
        (home / name).mkdir(parents=True)
    env = dict(workspace.env, HOME=str(home / "home"), IPYTHONDIR=str(home / "ipython"))
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # no cursor-position queries to answer
    assert not any(key.startswith("ONCEHUB_") for key in env)
    session = Session(home / "cwd", env, workspace.artifacts / "terminal-explore-transcript.txt")
    try:
        session.prompt()
        session.run("%load_ext oncehub_nb")
        signed_in = session.run("%oncehub_auth --sandbox")
        assert "Key valid for demo@example.com" in signed_in, signed_in
        yield session
    finally:
        session.close()
    assert not session.child.isalive()


def test_tab_completes_the_path_after_oncehub(ipython: Session) -> None:
    ipython.child.send("%oncehub boo")
    ipython.expect("%oncehub boo", "the typed line echoed")
    ipython.child.send("\t")
    # Several paths start with "boo": the first Tab lists them, the next picks the first.
    menu = ANSI.sub("", ipython.expect("booking-pages", "the completion menu"))
    offered = set(menu.split())
    assert {"bookings", "booking-calendars"} <= offered, menu  # then booking-pages
    ipython.child.send("\t")
    ipython.child.send("\r")  # Enter with a completion selected takes it and runs nothing
    # What the line holds now shows in what it asks for: --dry-run prints the request.
    output = ipython.run(" --dry-run")
    assert re.search(r"^GET http://127\.0\.0\.1:\d+/v2/bookings\r?$", output, re.M), output
    assert "[hidden: the session's key]" in output, output
    assert "booking-calendars" not in output.split("--dry-run", 1)[-1], output


def test_fetching_all_leaves_the_final_progress_line_from_stderr(ipython: Session) -> None:
    output = ipython.run("%oncehub bookings --all")
    lines = [line for line in output.split("\n") if "GET /bookings:" in line]
    assert len(lines) == 1, f"progress lines: {lines!r}"
    # Updated in place with \r; what stays on screen is the last state, then a newline.
    states = [state.strip() for state in lines[0].split("\r") if state.strip()]
    assert FINAL.fullmatch(states[-1]), states
    assert "20 of 400 fetched shown" in output, output

    # The same fetch with sys.stderr caught: the line goes there, nothing to the screen.
    ipython.run("import io, sys; _stderr, sys.stderr = sys.stderr, io.StringIO()")
    quiet = ipython.run("r = %oncehub bookings --all --quiet")
    ipython.run("_caught, sys.stderr = sys.stderr.getvalue(), _stderr")
    shown = ipython.run('print("CAUGHT", repr(_caught), len(r))')
    assert "GET /bookings:" not in quiet, f"progress shown, not on sys.stderr: {quiet!r}"
    found = re.search(r"^CAUGHT ('.*') (\d+)\r?$", shown, re.M)
    assert found, shown
    caught, length = ast.literal_eval(found.group(1)), int(found.group(2))
    assert length == 400
    assert caught.endswith("\n"), repr(caught)
    assert caught.count("\n") == 1, repr(caught)
    assert FINAL.fullmatch(caught.rsplit("\r", 1)[-1].strip()), repr(caught)
