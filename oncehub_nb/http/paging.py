"""Following OnceHub's list cursor: every object once, in order, under the rate limits.

A :class:`Listing` remembers where it stopped, so fetching can end (a cap, an error,
Ctrl-C) and resume later from the same place. Rate-limit waits are booked without a
bound and reported through ``on_progress`` before they are slept, so a long wait is
visible, never silent. A page that fails after the client's own retries is tried
again a few times (backing off); every object still arrives exactly once, because a
page is kept only when it is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from oncehub_nb.constants import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from oncehub_nb.errors import (
    ConnectionFailed,
    RateLimitError,
    ServerError,
    TimeoutFailed,
    UnexpectedResponse,
)
from oncehub_nb.http.clock import Clock

__all__ = ["Listing", "PageSource", "Progress"]

PAGE_RETRIES = 4  # tries of one page after the client's own retries gave up
PAGE_BACKOFF = 2.0  # seconds before the first such try, doubling

# Failures worth trying the page again for: the answer may differ next time.
_TRANSIENT = (RateLimitError, ServerError, ConnectionFailed, TimeoutFailed, UnexpectedResponse)


class CallFacts(Protocol):
    """What a page source tells about its last call."""

    @property
    def status_code(self) -> int | None: ...

    @property
    def request_id(self) -> str | None: ...


class PageSource(Protocol):
    """What a :class:`Listing` needs of a client (``OnceHub`` is one)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def last_call(self) -> CallFacts | None: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> Any: ...

    def json_of(self, response: Any) -> Any: ...


@dataclass(frozen=True)
class Progress:
    """Where a fetch stands: for a progress line."""

    objects: int  # fetched so far, this listing in all
    pages: int
    waited: float  # seconds spent waiting on rate limits (and page retries)
    elapsed: float  # seconds since this fetch began
    has_more: bool
    cap: int | None = None  # the most objects this fetch will take
    waiting: float = 0.0  # a wait about to be slept, 0 when none
    done: bool = False
    stopped: str | None = None  # why it ended early: "interrupted", an error's title

    @property
    def seconds_left(self) -> float | None:
        """An estimate of the time left, known only when there is a cap to reach."""
        if self.done or not self.has_more:
            return 0.0
        if self.cap is None or self.objects <= 0 or self.elapsed <= 0:
            return None
        return max(0, self.cap - self.objects) * self.elapsed / self.objects

    def line(self) -> str:
        """One line of text: objects, pages, time waiting, what is left."""
        pages = f"{self.pages} page" + ("" if self.pages == 1 else "s")
        parts = [f"{self.objects:,} object" + ("" if self.objects == 1 else "s"), pages]
        if self.cap is not None and not self.done:
            parts[0] = f"{self.objects:,} of at most {self.cap:,} objects"
        parts.append(f"{self.waited:.1f} s waiting on rate limits")
        if self.waiting > 0:
            parts.append(f"now waiting {self.waiting:.1f} s")
        if self.stopped:
            parts.append(f"stopped: {self.stopped}")
        elif self.done:
            parts.append(
                f"done in {self.elapsed:.1f} s" + ("; more remain" if self.has_more else "")
            )
        else:
            left = self.seconds_left
            parts.append("more pages to come" if left is None else f"about {left:.0f} s left")
        return " · ".join(parts)


ProgressHook = Callable[[Progress], None]


@dataclass
class Listing:
    """One list endpoint's objects, fetched page by page from where it last stopped."""

    client: PageSource = field(repr=False)
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    page_size: int | None = None  # None: the caller's `limit`, else OnceHub's default
    objects: list[Any] = field(default_factory=list, repr=False)
    keep: bool = True  # False: count the objects, keep none (a consumer takes each page)
    pages: int = 0
    has_more: bool = True
    waited: float = 0.0
    status_code: int | None = None
    request_id: str | None = None

    @classmethod
    def of_many(
        cls, client: PageSource, path: str, params: Mapping[str, Any], *, keep: bool = True
    ) -> Listing:
        """A listing for fetching many objects: ``limit`` in ``params`` is the page size,
        else OnceHub's largest (100). The one place that rule is written."""
        rest = dict(params)
        limit = rest.pop("limit", None)
        page_size = int(limit) if limit else MAX_PAGE_SIZE
        return cls(client, path, rest, page_size=page_size, keep=keep)

    def __post_init__(self) -> None:
        self.params = dict(self.params)
        self._dropped = 0  # objects fetched and not kept (keep=False)
        self._backward = "before" in self.params
        self._cursor: str | None = self.params.pop("before" if self._backward else "after", None)

    @property
    def fetched(self) -> int:
        """How many objects this listing has fetched, kept or not."""
        return len(self.objects) + self._dropped

    @property
    def next_page_size(self) -> int:
        """How many objects the next page holds at most."""
        return int(self.page_size or self.params.get("limit") or DEFAULT_PAGE_SIZE)

    @property
    def cursor(self) -> str | None:
        """The object ID the next page starts after (or before, going backward)."""
        return self._cursor

    def pages_iter(
        self, max_items: int | None = None, on_progress: ProgressHook | None = None
    ) -> Iterator[list[Any]]:
        """Fetch pages until the list ends or ``max_items`` more objects came; yield each.

        Objects of a page are added to :attr:`objects` (unless ``keep`` is False) before it
        is yielded; an error or
        ``KeyboardInterrupt`` leaves the listing as it was after the last whole page.
        """
        clock = self.client.clock
        started = clock.monotonic()
        taken = 0

        def report(**changes: Any) -> None:
            if on_progress is not None:
                on_progress(self._progress(started, max_items, taken, **changes))

        def on_wait(seconds: float) -> None:
            self.waited += seconds
            report(waiting=seconds)

        report()
        while self.has_more and (max_items is None or taken < max_items):
            want = None if max_items is None else max_items - taken
            try:
                page = self._fetch_page(want, on_wait)
            except KeyboardInterrupt:
                report(done=True, stopped="interrupted")
                raise
            except Exception as error:
                report(done=True, stopped=getattr(error, "title", type(error).__name__))
                raise
            data = page.get("data") if isinstance(page, dict) else None
            data = data if isinstance(data, list) else []
            kept = data if want is None else data[:want]
            self._advance(page, data, kept)
            taken += len(kept)
            report()
            yield kept
        report(done=True)

    def fetch(self, max_items: int | None = None, on_progress: ProgressHook | None = None) -> int:
        """Fetch up to ``max_items`` more objects (all, if None); return how many came."""
        before = len(self.objects)
        for _ in self.pages_iter(max_items, on_progress):
            pass
        return len(self.objects) - before

    def __iter__(self) -> Iterator[Any]:
        """Every object: those fetched already, then the rest, page by page."""
        yield from list(self.objects)
        for page in self.pages_iter():
            yield from page

    # -- one page ------------------------------------------------------------------

    def _page_params(self, want: int | None) -> dict[str, Any]:
        params = dict(self.params)
        size = self.page_size or params.get("limit")
        if want is not None and self.page_size is not None:
            size = min(self.page_size, want)  # no point asking for more than is wanted
        if size is not None:
            params["limit"] = size
        if self._cursor is not None:
            params["before" if self._backward else "after"] = self._cursor
        return params

    def _fetch_page(self, want: int | None, on_wait: Callable[[float], None]) -> Any:
        params = self._page_params(want)
        pause = PAGE_BACKOFF
        for attempt in range(PAGE_RETRIES + 1):
            try:
                response = self.client.request("GET", self.path, params=params, on_wait=on_wait)
                return self.client.json_of(response)
            except _TRANSIENT as error:
                if attempt == PAGE_RETRIES or (
                    isinstance(error, RateLimitError) and not error.sent
                ):
                    raise
                wait = max(pause, getattr(error, "retry_in", None) or 0.0)
                on_wait(wait)
                self.client.clock.sleep(wait)
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _advance(self, page: Any, data: list[Any], kept: list[Any]) -> None:
        info = self.client.last_call
        self.status_code = info.status_code if info else None
        self.request_id = info.request_id if info else None
        self.pages += 1
        if self.keep:
            self.objects.extend(kept)
        else:
            self._dropped += len(kept)
        last = kept[-1] if kept else None
        if self._backward and kept:
            last = kept[0]
        if isinstance(last, Mapping) and isinstance(last.get("id"), str):
            self._cursor = last["id"]
        more = bool(page.get("has_more")) if isinstance(page, dict) else False
        self.has_more = (more or len(kept) < len(data)) and bool(kept)

    def _progress(
        self, started: float, max_items: int | None, taken: int, **changes: Any
    ) -> Progress:
        base = Progress(
            objects=self.fetched,
            pages=self.pages,
            waited=self.waited,
            elapsed=self.client.clock.monotonic() - started,
            has_more=self.has_more,
            cap=None if max_items is None else self.fetched - taken + max_items,
        )
        return replace(base, **changes)
