"""Asking for the key with a hidden prompt, refusing at once where no one can answer, and
whether the sign-in form could show instead.

The form needs a front end with a Jupyter widget manager. A kernel knows it has one
when the front end opened ipywidgets' control channel (ipywidgets must have been
imported first), or when a Jupyter server started the kernel for a notebook
(``JPY_SESSION_NAME``: JupyterLab and Notebook 7 have widgets built in). Elsewhere (a
plain console, qtconsole, VS Code without a widget manager) the hidden prompt asks.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from oncehub_nb.constants import API_KEY_VAR
from oncehub_nb.errors import KeyProblem, NoInteractiveInput
from oncehub_nb.keys import ApiKey

__all__ = ["ask_for_key", "can_ask", "widgets_can_render"]

PROMPT = "OnceHub API key (typing is hidden): "


def can_ask(shell: Any) -> bool:
    """True when a hidden prompt can be answered: a kernel allowing stdin, or a terminal."""
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    stdin = sys.stdin
    return stdin is not None and not stdin.closed and stdin.isatty()


def widgets_can_render(shell: Any, environ: Any = None) -> bool:
    """Whether the sign-in form would show: a kernel whose front end has a widget manager."""
    if getattr(shell, "kernel", None) is None:
        return False
    try:
        if importlib.util.find_spec("ipywidgets") is None:
            return False
    except (ImportError, ValueError):
        return False
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and getattr(widgets.Widget, "_control_comm", None) is not None:
        return True  # the front end's widget manager has spoken to this kernel
    env = os.environ if environ is None else environ
    return bool(env.get("JPY_SESSION_NAME"))  # a notebook opened from a Jupyter server


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
