"""Terminal IPython: the hidden prompt of ``%oncehub_auth --prompt``, in a pseudo-terminal."""

from __future__ import annotations

from collections.abc import Iterator

import pexpect
import pytest
from e2ekit.keys import DEMO_KEY
from e2ekit.terminal import Terminal
from e2ekit.workspace import Workspace

from oncehub_nb.sandbox import Sandbox

PROMPT = "OnceHub API key (typing is hidden): "


@pytest.fixture
def terminal(workspace: Workspace) -> Iterator[Terminal]:
    """A private HOME and IPYTHONDIR, no ONCEHUB_* variables, a cwd with no .env."""
    term = Terminal(workspace, "terminal")
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
    assert "from the hidden prompt" in after_prompt, after_prompt
    assert DEMO_KEY not in after_prompt, f"the key was echoed: {after_prompt!r}"
    transcript = terminal.transcript.read_text(encoding="utf-8")
    assert DEMO_KEY not in transcript, f"the key is in the terminal output: {terminal.transcript}"
    history = workspace.base / "terminal" / "ipython" / "profile_default" / "history.sqlite"
    assert history.is_file(), "IPython kept no history: nothing was checked there"
    assert DEMO_KEY.encode() not in history.read_bytes(), "the key is in IPython's history"
