"""Showing results inline: HTML in notebooks, text in terminals, once per cell.

A magic shows its result at once *and* returns it (``r = %oncehub_test``). When
the magic is the cell's last line IPython would show the returned value again:
``display_unless_shown`` skips that second showing, in that cell only.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["display_now", "display_unless_shown"]


class Showable(Protocol):
    shown_in_cells: list[int]

    def _repr_html_(self) -> str: ...


def _cell_number() -> int | None:
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "execution_count", None)


def _bundle(obj: Showable) -> dict[str, Any]:
    return {"text/plain": str(obj), "text/html": obj._repr_html_()}


def display_now(obj: Showable) -> None:
    """Show ``obj`` now and remember the cell, so its return value is not shown twice."""
    from IPython.display import display

    cell = _cell_number()
    shown = getattr(obj, "shown_in_cells", None)
    if cell is not None and shown is not None:
        shown.append(cell)
    display(_bundle(obj), raw=True)


def display_unless_shown(obj: Showable) -> None:
    """IPython's display hook for our results: skip if already shown in this cell."""
    from IPython.display import display

    cell = _cell_number()
    if cell is not None and cell in obj.shown_in_cells:
        obj.shown_in_cells.remove(cell)
        return
    display(_bundle(obj), raw=True)
