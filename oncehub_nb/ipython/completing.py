"""Tab completion in IPython (≥ 8.6) and Jupyter kernels for ``%oncehub`` and ``%%oncehub``.

One context matcher in ``shell.Completer.custom_matchers`` (ipykernel's ``do_complete``
runs the same matchers, so JupyterLab, Notebook 7 and VS Code get it). It is cheap to
install: the completion logic and the endpoint catalog load the first time a
``%oncehub`` line is completed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MATCHER_ID", "install", "uninstall"]

MATCHER_ID = "oncehub_nb.completion"
MAGIC = "%oncehub"
_NOT_OURS: dict[str, Any] = {"completions": [], "suppress": False}  # let other matchers answer


def _matcher(recent_ids: Callable[[str], Sequence[str]] | None) -> Any:
    from IPython.core.completer import context_matcher

    @context_matcher(identifier=MATCHER_ID)
    def oncehub_matcher(context: Any) -> Any:
        """``%oncehub`` lines: our completions only; any other text: none."""
        if MAGIC not in context.full_text:
            return _NOT_OURS
        return _answer(context, recent_ids)

    return oncehub_matcher


def _answer(context: Any, recent_ids: Callable[[str], Sequence[str]] | None) -> Any:
    """IPython's answer for one completion request (a ``CompletionContext``): ours only on
    ``%oncehub`` lines (others suppressed), nothing elsewhere."""
    from IPython.core.completer import SimpleCompletion

    from oncehub_nb.explore.completion import complete

    lines = context.full_text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: context.cursor_line])
    offset += context.cursor_position
    found = complete(context.full_text, offset, recent_ids=recent_ids)
    if not found.matches:
        return _NOT_OURS
    # A SimpleMatcherResult (a TypedDict whose stubs mark optional keys required).
    return {
        "completions": [SimpleCompletion(m, type="oncehub") for m in found.matches],
        "matched_fragment": context.full_text[found.start : offset],
        "suppress": True,
        "ordered": True,
    }


def install(shell: Any, recent_ids: Callable[[str], Sequence[str]] | None = None) -> None:
    """Add the ``%oncehub`` matcher to ``shell``'s completer; again replaces it (one only).

    ``recent_ids("BKNG")`` gives IDs of that kind seen lately, offered after ``bookings/``.
    """
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    uninstall(shell)
    completer.custom_matchers.append(_matcher(recent_ids))


def uninstall(shell: Any) -> None:
    """Remove the ``%oncehub`` matcher from ``shell``'s completer, if there."""
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    completer.custom_matchers[:] = [
        m for m in completer.custom_matchers if getattr(m, "matcher_identifier", None) != MATCHER_ID
    ]
