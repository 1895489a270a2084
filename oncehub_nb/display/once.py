"""Showing results inline: HTML in notebooks, text in terminals, once per cell.

A magic may show its result at once *and* return it (``r = %oncehub_test``). When the
magic is the cell's last line IPython would show the returned value again:
:class:`Shown` results skip that second showing, in that cell only. IPython is
imported only when something is displayed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Shown", "TextView", "display_now"]


class TextView:
    """Shown by terminal IPython as ``str(self)`` (notebooks use ``_repr_html_`` when given)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


class Shown(TextView):
    """A result with a text and an HTML view that IPython shows at most once per cell.

    Subclasses give ``__str__`` and ``_repr_html_`` and set ``shown_in_cells = []``.
    """

    shown_in_cells: list[int]

    def _repr_html_(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        """IPython's display hook: skip when a magic already showed this in this cell."""
        cell = _cell_number()
        if cell is not None and cell in self.shown_in_cells:
            self.shown_in_cells.remove(cell)
            return
        _display(self)

    def mark_shown(self) -> None:
        """Do not show this in the current cell (it was returned, and shown or kept quiet)."""
        cell = _cell_number()
        if cell is not None:
            self.shown_in_cells.append(cell)


def _cell_number() -> int | None:
    from IPython import get_ipython

    return getattr(get_ipython(), "execution_count", None)


def _display(obj: Any) -> None:
    from IPython.display import display

    display({"text/plain": str(obj), "text/html": obj._repr_html_()}, raw=True)


def display_now(obj: Any) -> None:
    """Show ``obj`` now; a :class:`Shown` is then not shown again when returned."""
    if isinstance(obj, Shown):
        obj.mark_shown()
    _display(obj)
