"""A failure must not pass unnoticed because its result was assigned or silenced by ``;``.

Results are shown by IPython only as a cell's last expression. A failed call kept in a
variable would otherwise say nothing, so after the cell one line on stderr names the
failure, unless IPython showed the result itself (``ExecutionResult.result``).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["say_if_unseen"]


def say_if_unseen(shell: Any, result: Any, what: str) -> None:
    """After the running cell, print ``what`` unless IPython showed ``result`` in it."""
    events = getattr(shell, "events", None)
    if events is None:  # not a real shell: say it now
        print(_note(what), file=sys.stderr)
        return

    def after_cell(outcome: Any = None) -> None:
        events.unregister("post_run_cell", after_cell)
        if getattr(outcome, "result", None) is not result:
            print(_note(what), file=sys.stderr)

    events.register("post_run_cell", after_cell)


def _note(what: str) -> str:
    return f"{what} The result holds the details: show it (a cell's last line) for what to do."
