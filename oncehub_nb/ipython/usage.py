"""The one-line error every magic raises for an expected problem, and its common words.

A leaf of ``ipython/``: the magics and every handler import it, it imports none of them.
"""

from __future__ import annotations

from IPython.core.error import UsageError

__all__ = ["NOT_SIGNED_IN", "OnceHubUsageError"]

NOT_SIGNED_IN = (
    "No OnceHub key in this session: run %oncehub_auth first (or oncehub_nb.AuthWidget())."
)


class OnceHubUsageError(UsageError):
    """An expected problem, shown by IPython as one line without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows only plain UsageError without a traceback; subclasses say so here.
        return [f"UsageError: {self}"]
