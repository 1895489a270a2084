"""IPython and Jupyter: the magics and their handlers (``auth``, ``call``, ``webhooks``,
each given a ``MagicContext``), the sign-in widget, the hidden prompt, the progress line
and the Tab-completion hook.

Thin shells over the rest of the package. Loading the extension imports IPython's
magic machinery and traitlets only; httpx and ipywidgets load on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics: ``%load_ext oncehub_nb``."""
    from oncehub_nb.ipython.magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo ``load_ipython_extension``: ``%unload_ext oncehub_nb``."""
    from oncehub_nb.ipython.magics import unload

    unload(ipython)
