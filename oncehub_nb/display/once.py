"""Showing results the IPython way: by IPython, once, and only when asked.

A magic or function returns its result and never displays it itself. IPython shows a
value when it is the cell's last expression (``Out[N]`` in a terminal, an output in a
notebook) and not when it is assigned or the line ends with ``;``. Results give
``_repr_html_`` for notebooks and, through :class:`TextView`, ``str(self)`` for
terminals. Progress lines and notes are printed while work runs; they are not values.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TextView"]


class TextView:
    """Shown by terminal IPython as ``str(self)`` (notebooks use ``_repr_html_`` when given).

    IPython's printer prefers a class's own ``__repr__`` (a dataclass has one) to an
    inherited ``_repr_pretty_``, so every subclass gets ``_repr_pretty_`` of its own.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_repr_pretty_" not in cls.__dict__:
            cls._repr_pretty_ = TextView._repr_pretty_  # type: ignore[method-assign]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))
