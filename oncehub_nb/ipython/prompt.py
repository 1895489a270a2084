"""Asking for the key with a hidden prompt, and refusing at once where no one can answer."""

from __future__ import annotations

import sys
from typing import Any

from oncehub_nb.constants import API_KEY_VAR
from oncehub_nb.errors import KeyProblem, NoInteractiveInput
from oncehub_nb.keys import ApiKey

__all__ = ["ask_for_key", "can_ask"]

PROMPT = "OnceHub API key (typing is hidden): "


def can_ask(shell: Any) -> bool:
    """True when a hidden prompt can be answered: a kernel allowing stdin, or a terminal."""
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    stdin = sys.stdin
    return stdin is not None and not stdin.closed and stdin.isatty()


def ask_for_key(shell: Any, var: str = API_KEY_VAR) -> ApiKey:
    """Prompt with getpass (ipykernel forwards it to the front end, masked)."""
    if not can_ask(shell):
        raise NoInteractiveInput(var=var)
    import getpass

    from IPython.core.error import StdinNotImplementedError

    try:
        text = getpass.getpass(PROMPT)
    except (StdinNotImplementedError, EOFError):
        raise NoInteractiveInput(var=var) from None
    except KeyboardInterrupt:
        raise KeyProblem("Cancelled: no key was entered.", hint="Run the cell again.") from None
    return ApiKey(text, source="the hidden prompt")
