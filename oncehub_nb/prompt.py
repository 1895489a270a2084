"""Asking for the key with a hidden prompt, and refusing at once where no one can answer."""

from __future__ import annotations

import sys
from typing import Any

from oncehub_nb.errors import KeyProblem
from oncehub_nb.keys import DEFAULT_VAR, ApiKey

__all__ = ["NoInteractiveInput", "ask_for_key", "can_ask"]

PROMPT = "OnceHub API key (typing is hidden): "


class NoInteractiveInput(KeyProblem):
    """Nobody can answer a prompt here (nbclient, papermill, piped input)."""

    def __init__(self, var: str = DEFAULT_VAR) -> None:
        super().__init__(
            "No OnceHub API key found, and this session cannot ask for one "
            "(no interactive input, e.g. nbclient, papermill or Run All).",
            hint=f"Set {var} in the environment or add {var}=<your key> to a .env file "
            "next to the notebook, then run the cell again.",
        )

    @property
    def title(self) -> str:
        return "No API key"


def can_ask(shell: Any) -> bool:
    """True when a hidden prompt can be answered: a kernel allowing stdin, or a terminal."""
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    stdin = sys.stdin
    return stdin is not None and not stdin.closed and stdin.isatty()


def ask_for_key(shell: Any, var: str = DEFAULT_VAR) -> ApiKey:
    """Prompt with getpass (ipykernel forwards it to the front end, masked)."""
    if not can_ask(shell):
        raise NoInteractiveInput(var)
    import getpass

    from IPython.core.error import StdinNotImplementedError

    try:
        text = getpass.getpass(PROMPT)
    except (StdinNotImplementedError, EOFError):
        raise NoInteractiveInput(var) from None
    except KeyboardInterrupt:
        raise KeyProblem("Cancelled: no key was entered.", hint="Run the cell again.") from None
    return ApiKey(text, source="hidden prompt")
