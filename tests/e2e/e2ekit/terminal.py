"""Terminal IPython in a pseudo-terminal (pexpect), for the terminal tests.

Each terminal gets a private HOME, IPYTHONDIR and working folder under the workspace, no
``ONCEHUB_*`` variables, and a transcript file in the artifacts folder.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pexpect

from e2ekit.isolation import VENV_BIN
from e2ekit.workspace import Workspace

# Escape sequences prompt_toolkit writes (colours, cursor moves, title, keypad mode).
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]")


class Terminal:
    """``ipython`` in a pseudo-terminal, counting its ``In [n]:`` prompts."""

    def __init__(self, workspace: Workspace, name: str) -> None:
        self.home = workspace.base / name
        for folder in ("home", "ipython", "cwd"):
            (self.home / folder).mkdir(parents=True)
        env = dict(
            workspace.env, HOME=str(self.home / "home"), IPYTHONDIR=str(self.home / "ipython")
        )
        env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # no cursor-position queries to answer
        assert not any(key.startswith("ONCEHUB_") for key in env)
        cwd = self.home / "cwd"
        assert not [p for p in [cwd, *cwd.parents] if (p / ".env").exists()]
        self.transcript: Path = workspace.artifacts / f"{name}-transcript.txt"
        self.log = self.transcript.open("w", encoding="utf-8")
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

    def expect(self, pattern: str | type[pexpect.EOF], what: str) -> str:
        """Wait for ``pattern`` (exact text); what came before it, raw (escape codes and
        carriage returns kept)."""
        try:
            self.child.expect_exact(pattern)
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

    def type(self, line: str) -> None:
        """Type ``line`` and press Enter."""
        self.child.send(line + "\r")

    def run(self, line: str) -> str:
        """Type ``line``, press Enter; its output (up to the next prompt)."""
        self.type(line)
        return self.prompt()

    def close(self) -> None:
        """Leave IPython (``exit``: Ctrl-D would ask to confirm) and close the transcript."""
        if self.child.isalive():
            self.child.send("exit\r")
            with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF):
                self.child.expect(pexpect.EOF, timeout=10)
        self.child.close(force=True)
        self.log.close()
