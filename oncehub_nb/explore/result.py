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

from oncehub_nb.display.cards import failure_rows, failure_title, html_card, text_card
from oncehub_nb.display.once import TextView
from oncehub_nb.errors import OnceHubError
from oncehub_nb.escape import printable
from oncehub_nb.http.paging import Listing, PageSource
from oncehub_nb.settings import DEFAULTS

if TYPE_CHECKING:
    import pandas

    from oncehub_nb.explore.call import ApiCall
    from oncehub_nb.http.api_client import OnceHub
    from oncehub_nb.http.paging import Progress

__all__ = ["ErrorResult", "ListResult", "ObjectResult"]

ProgressFactory = Callable[[], Callable[["Progress"], None] | None]


class ListResult(TextView):
    """A list endpoint's objects: ``r.data``, ``len(r)``, ``r[0]``, ``r.df()``, ``r.more()``."""

    def __init__(
        self,
        listing: Listing,
        *,
        displaylimit: int = DEFAULTS.displaylimit,
        command: str | None = None,
        progress: ProgressFactory | None = None,
        request: ApiCall | None = None,
        header: str | None = None,
    ) -> None:
        self._listing = listing
        self.displaylimit = displaylimit
        self.command = command  # how it was asked for, to say how to get more
        self._progress = progress
        self.interrupted = False
        #: the (first) request, to send again elsewhere: ``.curl()``, ``.python()``
        self.request = request if request is not None else _first_request(listing)
        self.header = header  # where it came from (profile, account), above the table

    @classmethod
    def fetch(
        cls,
        client: PageSource,
        path: str,
        *,
        max_items: int | None = None,
        displaylimit: int = DEFAULTS.displaylimit,
        **params: Any,
    ) -> ListResult:
        """Fetch a list endpoint's objects (all of them, or at most ``max_items``), ``limit``
        a page (100 unless given), into a result with tables, ``.df()``, ``.to_csv()`` and
        ``.more()``."""
        listing = Listing.of_many(client, path, params)
        listing.fetch(max_items)
        return cls(listing, displaylimit=displaylimit)

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

    def more(self, max_items: int | None = None, *, to_end: bool = False) -> ListResult:
        """Fetch more from where the listing stopped: the next page, at most ``max_items``
        more objects, or with ``to_end=True`` everything left. Returns this result, grown."""
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1
        ):
            raise ValueError(
                "more(max_items): a whole number of objects, 1 or more, not "
                f"{max_items!r} (to_end=True fetches everything left)."
            )
        if not self.has_more:
            return self
        if max_items is None and not to_end:
            max_items = self._listing.next_page_size
        hook = self._progress() if self._progress is not None else None
        self.interrupted = False
        try:
            self._listing.fetch(None if to_end else max_items, hook)
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
            parts.append("interrupted: .more(to_end=True) resumes")
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
            self.data,
            kind=self._kind(),
            limit=self.displaylimit,
            footer=self.footer(),
            header=self.header,
        )

    def _repr_html_(self) -> str:
        from oncehub_nb.explore.views import list_html

        return list_html(
            self.data,
            kind=self._kind(),
            limit=self.displaylimit,
            footer=self.footer(),
            header=self.header,
        )

    def __repr__(self) -> str:
        more = ", has_more" if self.has_more else ""
        return f"<ListResult {self.path}: {len(self)} objects, {self.pages} pages{more}>"


class ObjectResult(TextView):
    """One object (or any non-list answer): ``r.data``, ``r["field"]``, ``r.df()``."""

    def __init__(
        self,
        data: Any,
        *,
        path: str,
        status_code: int | None = None,
        request_id: str | None = None,
        request: ApiCall | None = None,
        header: str | None = None,
    ) -> None:
        self.data = data
        self.path = path
        self.status_code = status_code
        self.request_id = request_id
        self.request = request  # the request, to send again: ``.curl()``, ``.python()``
        self.header = header  # where it came from (profile, account), above the view

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
            text = "(no content)" if self.data is None else printable(str(self.data), "\n")
            return f"{self.header}\n{text}" if self.header else text
        return object_text(self.data, kind=self._kind(), header=self.header)

    def _repr_html_(self) -> str:
        from html import escape

        from oncehub_nb.display.origin import origin_html
        from oncehub_nb.explore.views import object_html

        if not isinstance(self.data, Mapping):
            text = "(no content)" if self.data is None else str(self.data)
            return f"{origin_html(self.header)}<pre>{escape(text)}</pre>"
        return object_html(self.data, kind=self._kind(), header=self.header)

    def __repr__(self) -> str:
        ident = self.data.get("id") if isinstance(self.data, Mapping) else None
        return f"<ObjectResult {self.path}{f' {ident}' if ident else ''}>"


class ErrorResult(TextView):
    """A call OnceHub (or the network) refused: the error, shown as a card, never raised.

    ``r.ok`` is False; ``r.error`` is the :class:`~oncehub_nb.OnceHubError`, with
    ``r.status_code``, ``r.request_id`` and ``r.message`` at hand.
    """

    ok = False

    def __init__(
        self,
        error: OnceHubError,
        *,
        method: str,
        path: str,
        base_url: str | None = None,
        key: str | None = None,
        elapsed: float = 0.0,
        waited: float = 0.0,
        request: ApiCall | None = None,
        header: str | None = None,
    ) -> None:
        self.error = error
        self.method = method
        self.path = path
        self.base_url = base_url
        self.key = key  # masked, with where it came from
        self.elapsed = elapsed
        self.waited = waited
        self.request = request  # the request, to send again: ``.curl()``, ``.python()``
        self.header = header  # where it came from (profile, account), above the card

    @classmethod
    def of(cls, client: OnceHub, error: OnceHubError, method: str, path: str) -> ErrorResult:
        """The failure of ``client``'s last call."""
        info = client.last_call
        return cls(
            error,
            method=method,
            path=path,
            base_url=client.base_url,
            key=client.key.described,
            elapsed=info.elapsed if info else 0.0,
            waited=info.waited if info else 0.0,
        )

    @property
    def status_code(self) -> int | None:
        return getattr(self.error, "status_code", None)

    @property
    def request_id(self) -> str | None:
        return getattr(self.error, "request_id", None)

    @property
    def message(self) -> str:
        return self.error.message

    def _card(self) -> tuple[str, list[tuple[str, str]]]:
        rows = failure_rows(
            self.error,
            key=self.key,
            base_url=self.base_url,
            retries=getattr(self.error, "retries", 0),
            waited=self.waited,
            elapsed=self.elapsed,
        )
        return failure_title(self.error, self.status_code), rows

    def __str__(self) -> str:
        title, rows = self._card()
        return text_card(title, False, rows, header=self.header)

    def _repr_html_(self) -> str:
        title, rows = self._card()
        return html_card(title, False, rows, header=self.header)

    def __repr__(self) -> str:
        return f"<ErrorResult {self.method} {self.path}: {self.error.title}>"


def _first_request(listing: Listing) -> ApiCall:
    """The first request a listing sends (its page size included), for ``r.request``."""
    from oncehub_nb.explore.call import ApiCall

    query = dict(listing.params)
    if listing.page_size is not None:
        query["limit"] = listing.page_size
    base_url = getattr(listing.client, "base_url", "")
    return ApiCall(
        "GET", listing.path, query, base_url=base_url if isinstance(base_url, str) else ""
    )
