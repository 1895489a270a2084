"""Terminal IPython: the hidden prompt of ``%oncehub_auth --prompt``, in a pseudo-terminal."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from e2ekit.isolation import VENV_BIN
from e2ekit.keys import DEMO_KEY
from e2ekit.workspace import Workspace

from oncehub_nb.sandbox import Sandbox

PROMPT = "OnceHub API key (typing is hidden): "
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


class Terminal:
    """``ipython`` in a pseudo-terminal; everything it prints goes to a transcript file."""

    def __init__(self, home: Path, env: dict[str, str], transcript: Path) -> None:
        self.transcript = transcript
        self.log = transcript.open("w", encoding="utf-8")
        self.child = pexpect.spawn(
            str(VENV_BIN / "ipython"),
            ["--no-banner", "--colors=NoColor"],
            cwd=str(home / "cwd"),
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 200),
        )
        self.child.logfile_read = self.log
        self.count = 1

    def expect(self, pattern: str | type[pexpect.EOF], what: str) -> str:
        """Wait for ``pattern`` (exact text); the output before it, escape codes removed."""
        try:
            self.child.expect_exact(pattern)
        except (pexpect.TIMEOUT, pexpect.EOF) as error:
            raise AssertionError(
                f"terminal: {what}: {type(error).__name__}; transcript: {self.transcript}"
            ) from None
        return ANSI.sub("", str(self.child.before))

    def prompt(self) -> str:
        """Wait for the next ``In [n]:`` prompt; the output before it."""
        output = self.expect(f"In [{self.count}]:", f"prompt In [{self.count}]")
        self.count += 1
        return output

    def type(self, line: str) -> None:
        """Type ``line`` and press Enter."""
        self.child.send(line + "\r")

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendcontrol("d")
            with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):
                self.child.expect(pexpect.EOF, timeout=10)
        self.child.close(force=True)
        self.log.close()


@pytest.fixture
def terminal(workspace: Workspace) -> Iterator[Terminal]:
    """A private HOME and IPYTHONDIR, no ONCEHUB_* variables, a cwd with no .env."""
    home = workspace.base / "terminal"
    for name in ("home", "ipython", "cwd"):
        (home / name).mkdir(parents=True)
    env = dict(workspace.env, HOME=str(home / "home"), IPYTHONDIR=str(home / "ipython"))
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # no cursor-position queries to answer
    assert not any(key.startswith("ONCEHUB_") for key in env)
    assert not [p for p in [home / "cwd", *(home / "cwd").parents] if (p / ".env").exists()]
    term = Terminal(home, env, workspace.artifacts / "terminal-transcript.txt")
    yield term
    term.close()
    assert not term.child.isalive()


def test_hidden_prompt_validates_and_never_echoes(terminal: Terminal, workspace: Workspace) -> None:
    with Sandbox() as box:
        terminal.prompt()
        terminal.type("%load_ext oncehub_nb")
        terminal.prompt()
        terminal.type(f"%oncehub_auth --prompt --base-url {box.base_url}")
        terminal.expect(PROMPT, "the hidden prompt")
        terminal.type(DEMO_KEY)
        after_prompt = terminal.prompt()
        terminal.type("exit")
        terminal.expect(pexpect.EOF, "IPython exiting")
    assert "Key valid for demo@example.com" in after_prompt, after_prompt
    assert "from hidden prompt" in after_prompt, after_prompt
    assert DEMO_KEY not in after_prompt, f"the key was echoed: {after_prompt!r}"
    transcript = terminal.transcript.read_text(encoding="utf-8")
    assert DEMO_KEY not in transcript, f"the key is in the terminal output: {terminal.transcript}"
    history = workspace.base / "terminal" / "ipython" / "profile_default" / "history.sqlite"
    assert history.is_file(), "IPython kept no history: nothing was checked there"
    assert DEMO_KEY.encode() not in history.read_bytes(), "the key is in IPython's history"
