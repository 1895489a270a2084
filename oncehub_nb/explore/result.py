"""What a call returns: the objects as plain Python, with views people read and reuse.

:class:`ListResult` holds a list endpoint's objects (fetched page by page, resumable
with :meth:`ListResult.more`); :class:`ObjectResult` holds one object. Both show as an
HTML table in notebooks and aligned text in terminals, at most ``displaylimit`` rows,
and give ``.data``, ``.raw``, ``.df()`` and ``.to_csv()``. Any ``secret`` is masked
in every view; ``.data`` and ``.raw`` hold what OnceHub sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb.settings import DEFAULTS

if TYPE_CHECKING:
    import pandas

    from oncehub_nb.http.paging import Listing, Progress

__all__ = ["ListResult", "ObjectResult"]

ProgressFactory = Callable[[], Callable[["Progress"], None] | None]


class _Shown:
    """Display plumbing shared by both results (cells in which a magic already showed it)."""

    shown_in_cells: list[int]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _ipython_display_(self) -> None:
        from oncehub_nb.ipython.display import display_unless_shown

        display_unless_shown(self)


class ListResult(_Shown):
    """A list endpoint's objects: ``r.data``, ``len(r)``, ``r[0]``, ``r.df()``, ``r.more()``."""

    def __init__(
        self,
        listing: Listing,
        *,
        displaylimit: int = DEFAULTS.displaylimit,
        command: str | None = None,
        progress: ProgressFactory | None = None,
    ) -> None:
        self._listing = listing
        self.displaylimit = displaylimit
        self.command = command  # how it was asked for, to say how to get more
        self._progress = progress
        self.interrupted = False
        self.shown_in_cells = []

    # -- the data ------------------------------------------------------------------

    @property
    def data(self) -> list[Any]:
        """The objects fetched so far, as OnceHub sent them."""
        return self._listing.objects

    @property
    def raw(self) -> dict[str, Any]:
        """The fetched objects as one OnceHub list document."""
        return {"object": "list", "data": self.data, "has_more": self.has_more}

    @property
    def has_more(self) -> bool:
        """Whether OnceHub has more objects after those fetched."""
        return self._listing.has_more

    @property
    def pages(self) -> int:
        return self._listing.pages

    @property
    def status_code(self) -> int | None:
        return self._listing.status_code

    @property
    def request_id(self) -> str | None:
        return self._listing.request_id

    @property
    def path(self) -> str:
        return self._listing.path

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data)

    def __getitem__(self, index: Any) -> Any:
        return self.data[index]

    def ids(self) -> list[str]:
        """The IDs of the fetched objects."""
        return [o["id"] for o in self.data if isinstance(o, Mapping) and "id" in o]

    # -- more ----------------------------------------------------------------------

    def more(self, n: int | None = None, *, all: bool = False) -> ListResult:
        """Fetch more from where the listing stopped: the next page, ``n`` more objects, or
        ``all=True`` everything left. Returns this result, grown."""
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ValueError(f"more(n): n must be a whole number of objects, 1 or more, not {n!r}.")
        if not self.has_more:
            return self
        if n is None and not all:
            n = self._listing.next_page_size
        hook = self._progress() if self._progress is not None else None
        self.interrupted = False
        try:
            self._listing.fetch(None if all else n, hook)
        except KeyboardInterrupt:
            self.interrupted = True
        return self

    # -- reuse ---------------------------------------------------------------------

    def df(self) -> pandas.DataFrame:
        """A pandas DataFrame, nested fields flattened into dotted columns (``owner.id``)."""
        from oncehub_nb.explore.frames import to_dataframe

        return to_dataframe(self.data)

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the objects to a CSV file (dotted columns, secrets masked); its path."""
        from oncehub_nb.explore.frames import write_csv

        return write_csv(self.data, path)

    # -- views ---------------------------------------------------------------------

    def footer(self) -> str:
        """Rows shown of fetched, whether more exist, and how to get them."""
        shown = min(self.displaylimit, len(self))
        parts = [f"{shown:,} of {len(self):,} fetched shown"]
        if self.interrupted:
            parts.append("interrupted: .more(all=True) resumes")
        elif self.has_more:
            again = f"{self.command} --all" if self.command else "--all"
            parts.append(f"more on OnceHub: .more() for the next page, or {again}")
        else:
            parts.append("no more pages")
        parts.append(".df() for a DataFrame")
        return " · ".join(parts)

    def _kind(self) -> str | None:
        from oncehub_nb.explore.views import object_kind

        return object_kind(self.data[:1], self.path)

    def __str__(self) -> str:
        from oncehub_nb.explore.views import list_text

        return list_text(
            self.data, kind=self._kind(), limit=self.displaylimit, footer=self.footer()
        )

    def _repr_html_(self) -> str:
        from oncehub_nb.explore.views import list_html

        return list_html(
            self.data, kind=self._kind(), limit=self.displaylimit, footer=self.footer()
        )

    def __repr__(self) -> str:
        more = ", has_more" if self.has_more else ""
        return f"<ListResult {self.path}: {len(self)} objects, {self.pages} pages{more}>"


class ObjectResult(_Shown):
    """One object (or any non-list answer): ``r.data``, ``r["field"]``, ``r.df()``."""

    def __init__(
        self,
        data: Any,
        *,
        path: str,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.data = data
        self.path = path
        self.status_code = status_code
        self.request_id = request_id
        self.shown_in_cells = []

    @property
    def raw(self) -> Any:
        """The JSON as OnceHub sent it."""
        return self.data

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter([self.data] if isinstance(self.data, Mapping) else self.data or [])

    def __len__(self) -> int:
        return 1 if isinstance(self.data, Mapping) else len(self.data or [])

    def df(self) -> pandas.DataFrame:
        """A one-row DataFrame of the object, nested fields in dotted columns."""
        from oncehub_nb.explore.frames import to_dataframe

        return to_dataframe(list(self))

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the object as one CSV row; its path."""
        from oncehub_nb.explore.frames import write_csv

        return write_csv(list(self), path)

    def _kind(self) -> str | None:
        from oncehub_nb.explore.views import object_kind

        return object_kind(self.data, self.path)

    def __str__(self) -> str:
        from oncehub_nb.explore.views import object_text

        if not isinstance(self.data, Mapping):
            return "(no content)" if self.data is None else str(self.data)
        return object_text(self.data, kind=self._kind())

    def _repr_html_(self) -> str:
        from html import escape

        from oncehub_nb.explore.views import object_html

        if not isinstance(self.data, Mapping):
            return f"<pre>{escape(str(self))}</pre>"
        return object_html(self.data, kind=self._kind())

    def __repr__(self) -> str:
        ident = self.data.get("id") if isinstance(self.data, Mapping) else None
        return f"<ObjectResult {self.path}{f' {ident}' if ident else ''}>"
