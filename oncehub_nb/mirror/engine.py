"""One sync: each stream read page by page with this package's client and loaded by dlt.

Large streams (bookings, contacts) are read in passes (see :mod:`watermark`): their
pages are loaded in batches as they come, each batch with the stream's state (its
cursor), so an interruption (Ctrl-C, an error, a storm of 429s) keeps what was loaded
and the next sync resumes the pass where it stopped: nothing is lost, and the merge on
``id`` keeps anything read twice from being held twice. A pass over everything
(``full``) ends with an ID sweep: rows no page of the pass brought are objects gone
from OnceHub, and are deleted. Small streams are replaced whole.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from oncehub_nb.errors import InvalidRequestError, OnceHubError
from oncehub_nb.http.clock import Clock
from oncehub_nb.http.paging import Listing, PageSource, Progress
from oncehub_nb.mirror.report import StreamReport, SyncReport
from oncehub_nb.mirror.state import Pass, StreamState
from oncehub_nb.mirror.store import Batch, Store, deletion
from oncehub_nb.mirror.streams import CURSOR, Stream, without_secrets
from oncehub_nb.mirror.watermark import later, parse_time, since_date, utc_date

__all__ = ["BATCH_ROWS", "StreamProgress", "sync_streams"]

BATCH_ROWS = 5_000  # objects loaded at a time (50 pages): what an interruption may cost
StreamProgress = Callable[[str, Progress], None]


class _Counting:
    """A page source that counts the requests its client sends, retries included."""

    def __init__(self, client: PageSource) -> None:
        self._client = client
        self.requests = 0

    @property
    def clock(self) -> Clock:
        return self._client.clock

    @property
    def last_call(self) -> Any:
        return self._client.last_call

    def request(self, method: str, path: str, **options: Any) -> Any:
        try:
            return self._client.request(method, path, **options)
        finally:
            info = self._client.last_call
            self.requests += 1 + (getattr(info, "retries", 0) if info else 0)

    def json_of(self, response: Any) -> Any:
        return self._client.json_of(response)


def _now_text() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _digest(row: Mapping[str, Any]) -> str:
    text = json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Loads:
    """Batches waiting to be loaded, one per stream: loaded together, in one dlt load, when
    a stream's batch is full or the sync ends (or stops: what came is kept)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.waiting: dict[str, Batch] = {}

    def add(self, batch: Batch) -> None:
        """Keep ``batch`` for the next load (a stream's earlier batch is loaded first if
        the two cannot go together)."""
        earlier = self.waiting.get(batch.stream.table)
        if earlier is not None and earlier.disposition != batch.disposition:
            self.flush()
            earlier = None
        if earlier is not None:
            batch = Batch(batch.stream, earlier.rows + batch.rows, batch.state, batch.disposition)
        self.waiting[batch.stream.table] = batch

    def flush(self) -> None:
        """Load every batch waiting; if loading fails they stay waiting (a stream's later
        rows join them), so no state is ever loaded ahead of its rows."""
        self.store.load(list(self.waiting.values()))
        self.waiting = {}


class _StreamSync:
    """One stream's part of a sync."""

    def __init__(
        self,
        loads: _Loads,
        client: PageSource,
        stream: Stream,
        part: StreamReport,
        on_progress: StreamProgress | None,
    ) -> None:
        self.loads = loads
        self.store = loads.store
        self.source = _Counting(client)
        self.stream = stream
        self.part = part
        self.on_progress = on_progress
        self.state = self.store.state(stream)
        self.started = time.monotonic()

    def _hook(self) -> Callable[[Progress], None] | None:
        if self.on_progress is None:
            return None
        name, report = self.stream.name, self.on_progress
        return lambda progress: report(name, progress)

    def _listing(self, params: dict[str, Any], keep: bool) -> Listing:
        return Listing.of_many(self.source, self.stream.path, params, keep=keep)

    def _close_part(self, listing: Listing | None) -> None:
        part = self.part
        if listing is not None:
            part.pages, part.waited = listing.pages, listing.waited
        part.requests = self.source.requests
        part.seconds = time.monotonic() - self.started
        part.finished = _now_text()
        self.state.last = part.as_dict()


class _Whole(_StreamSync):
    """A small stream: read whole, replaced whole."""

    def run(self) -> None:
        self.part.how = "replaced whole"
        listing = self._listing({}, keep=True)
        try:
            listing.fetch(None, self._hook())
        finally:
            self._close_part(listing)
        rows = [without_secrets(o) for o in listing.objects if isinstance(o, Mapping)]
        hashes = {str(r.get("id")): _digest(r) for r in rows}
        old = self.state.hashes
        self.part.fetched = len(rows)
        self.part.new = sum(1 for i in hashes if i not in old)
        self.part.changed = sum(1 for i, h in hashes.items() if i in old and old[i] != h)
        self.part.deleted = sum(1 for i in old if i not in hashes)
        self.state.hashes, self.state.complete = hashes, True
        self._close_part(listing)
        self.loads.add(Batch(self.stream, rows, self.state, "replace"))


class _Passes(_StreamSync):
    """A large stream: a pass (new or resumed) over what changed, loaded in batches."""

    def __init__(self, *args: Any, full: bool, batch_rows: int) -> None:
        super().__init__(*args)
        self.full = full
        self.batch_rows = batch_rows
        self.held: dict[str, datetime | None] = {}
        self.rows: dict[str, dict[str, Any]] = {}  # read, not yet handed to the loads
        self.replace_next = False

    def _begin(self) -> Pass:
        state, target = self.state, self.store.target
        current = state.pass_
        wanted_full = self.full or not state.complete or not target.can_merge
        if current is not None and (current.full or not wanted_full):
            return current  # an interrupted pass: resume it
        since = None if wanted_full else since_date(state.newest, state.last_began)
        return Pass(
            since=since,
            began=utc_date(self.source.clock.time()).isoformat(),
            began_at=time.time(),
            mode="merge" if target.can_merge else "refresh",
        )

    def run(self) -> None:
        current = self.state.pass_ = self._begin()
        part = self.part
        part.how = (
            "everything" if current.since is None else f"changed since {current.since} (date)"
        )
        if current.mode == "refresh":
            part.how += ", replacing the table (this destination cannot merge)"
        self.held = self.store.held_times(self.stream)
        self.replace_next = current.mode == "refresh" and current.after is None
        listing: Listing | None = None
        try:
            listing = self._read(current)
        except BaseException:
            part.stopped = "interrupted"
            part.resumes = True
            self._close_part(listing)
            self._hand_over()  # what came is kept; the state says where to resume
            raise
        self._finish(current, listing)

    def _read(self, current: Pass) -> Listing:
        params: dict[str, Any] = {"after": current.after}
        if current.since is not None:
            params[f"{CURSOR}.gt"] = current.since
        listing = self._listing({k: v for k, v in params.items() if v}, keep=False)
        try:
            for page in listing.pages_iter(None, self._hook()):
                self._take(page, listing)
        except InvalidRequestError as error:
            if error.param != "after" or listing.pages:
                raise
            # the object the pass stopped at is gone: read the pass again from its start
            current.after = None
            self.replace_next = current.mode == "refresh"
            return self._read(current)
        return listing

    def _take(self, page: list[Any], listing: Listing) -> None:
        part, state, held = self.part, self.state, self.held
        for obj in page:
            if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
                continue
            row = without_secrets(obj)
            key, moment = row["id"], parse_time(row.get(CURSOR))
            if key not in held:
                part.new += 1
            elif held[key] != moment:
                part.changed += 1
            held[key] = moment
            state.newest = later(state.newest, row.get(CURSOR))
            self.rows[key] = row
        part.fetched += len(page)
        assert state.pass_ is not None
        state.pass_.after = listing.cursor
        if len(self.rows) >= self.batch_rows:
            self._hand_over()
            self.loads.flush()

    def _hand_over(self, extra: list[dict[str, Any]] | None = None) -> None:
        """Give the rows read (and ``extra``) to the loads, with the state they bring."""
        rows, self.rows = [*self.rows.values(), *(extra or [])], {}
        disposition = "merge"
        if self.state.pass_ is not None and self.state.pass_.mode == "refresh":
            disposition = "replace" if self.replace_next else "append"
        snapshot = StreamState.of(self.state.as_dict())
        self.loads.add(Batch(self.stream, rows, snapshot, disposition))
        self.replace_next = False

    def _finish(self, current: Pass, listing: Listing) -> None:
        gone: list[dict[str, Any]] = []
        if current.full and current.mode == "merge":
            # the ID sweep: held rows that no page of this pass brought are gone from OnceHub
            stale = set(self.store.stale_ids(self.stream, current.began_at)) - set(self.rows)
            self.part.deleted = len(stale)
            gone = [deletion(i) for i in sorted(stale)]
        state = self.state
        state.pass_, state.complete, state.last_began = None, True, current.began
        self._close_part(listing)
        self._hand_over(gone)


def sync_streams(
    client: PageSource,
    store: Store,
    streams: list[Stream],
    *,
    full: bool = False,
    sweep: bool = False,
    batch_rows: int = BATCH_ROWS,
    on_progress: StreamProgress | None = None,
) -> SyncReport:
    """Sync ``streams`` into ``store``; never raises for an API error or an interruption:
    the report says where it stopped (the next sync resumes from there)."""
    report = SyncReport()
    loads = _Loads(store)
    try:
        store.finish_pending()
        try:
            for stream in streams:
                part = StreamReport(stream.table)
                report.streams.append(part)
                if stream.incremental:
                    wants_full = full or (sweep and stream.table == "contacts")
                    _Passes(
                        loads,
                        client,
                        stream,
                        part,
                        on_progress,
                        full=wants_full,
                        batch_rows=batch_rows,
                    ).run()
                else:
                    _Whole(loads, client, stream, part, on_progress).run()
        finally:
            loads.flush()  # what came is loaded, even when the sync stops early
    except KeyboardInterrupt:
        report.interrupted = True
        _mark(report, "interrupted")
    except OnceHubError as error:
        report.error = error
        _mark(report, error.title)
    except Exception as error:  # dlt or the destination: said, not raised from a magic
        report.error = error
        _mark(report, f"loading failed: {type(error).__name__}")
    return report


def _mark(report: SyncReport, why: str) -> None:
    if report.streams:
        report.streams[-1].stopped = why
