"""Mirror benchmarks: the first sync against the bound OnceHub's limits set, the second sync's
share of pages, ground truth after faults and an interruption, and a count by status.

- first sync of ``MIRROR_BENCH_BOOKINGS`` bookings (default 100,000; contacts a fifth of
  that) from a sandbox enforcing OnceHub's two limits (5 a second, 200 per 5 minutes): its
  time vs the bound the limits set for the requests it sent (paging.bound), target <= 1.05,
  and no 429. At 1,000+ pages the bound is about 25 minutes, so both sides run on a
  skipping clock: the client's and the sandbox's clock is real time plus every pause the
  client took (a pause moves the clock instead of sleeping), so the time measured is what
  the sync would take for real, its own work (fetching, dlt's loads) included;
- second sync after 1% of the bookings changed (spread over the three days after the
  newest change held): its pages vs the first sync's, target <= 0.03;
- ground truth: a sync with seeded faults (20% of requests: 500, 502, dropped, 429) and a
  Ctrl-C in the middle, then a sync that resumes it: objects lost + duplicated + extra vs
  1, target 0 (on ``MIRROR_BENCH_TRUTH_BOOKINGS``, default 20,000);
- ``select status, count(*) from bookings group by 1`` on the mirror: vs 100 ms (target
  <= 1.0), and vs asking the API for the same answer (paging every booking, limits off:
  the API's best case), target <= 0.01 (>= 100x faster).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

BOOKINGS = int(os.environ.get("MIRROR_BENCH_BOOKINGS", "100000"))
TRUTH_BOOKINGS = int(os.environ.get("MIRROR_BENCH_TRUTH_BOOKINGS", "20000"))
CHANGED = 0.01
COUNT = "select status, count(*) from bookings group by 1"


class SkipClock:
    """Real time plus every pause taken: ``sleep`` moves the clock instead of waiting."""

    def __init__(self) -> None:
        self._skipped = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return time.monotonic() + self._skipped

    def time(self) -> float:
        return time.time() + self._skipped

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._skipped += max(0.0, seconds)


def _change(box: Any, share: float, newest: Any, seed: int = 1) -> int:
    """Cancel ``share`` of the bookings in the sandbox's own data, each changed at a moment
    in the three days after ``newest``; how many."""
    from oncehub_nb.sandbox import DEMO_KEY

    account = box.account(DEMO_KEY)
    table = account.tables["bookings"]
    rng = random.Random(seed)
    chosen = rng.sample(sorted(table.by_id), int(len(table) * share))
    with account.lock:
        for object_id in chosen:
            moment = newest + timedelta(seconds=rng.randrange(3 * 86400))
            table.update(
                object_id,
                {"status": "canceled", "last_updated_time": f"{moment:%Y-%m-%dT%H:%M:%S}Z"},
            )
    return len(chosen)


def _truth_errors(box: Any, mirror: Any) -> int:
    """Objects lost, duplicated or extra, bookings and contacts, and last_updated_time kept."""
    from oncehub_nb.mirror.watermark import parse_time
    from oncehub_nb.sandbox import DEMO_KEY

    errors = 0
    for table in ("bookings", "contacts"):
        expected = {
            i: parse_time(o["last_updated_time"])
            for i, o in box.account(DEMO_KEY).tables[table].by_id.items()
        }
        frame = mirror.sql(f"select id, last_updated_time from {table}")
        got = dict(zip(frame.id, frame.last_updated_time, strict=True))
        errors += len(frame) - len(got)  # duplicated
        errors += len(set(expected) - set(got)) + len(set(got) - set(expected))
        errors += sum(1 for i in set(expected) & set(got) if expected[i] != got[i].to_pydatetime())
    return errors


def bench_syncs(row: Callable[..., Any], folder: Path) -> list[Any]:
    from paging import bound

    from oncehub_nb import OnceHub
    from oncehub_nb.http import ratelimit
    from oncehub_nb.mirror.mirror import Mirror
    from oncehub_nb.mirror.watermark import parse_time
    from oncehub_nb.sandbox import DEMO_KEY, Sandbox

    rows = []
    clock = SkipClock()
    ratelimit._windows.clear()
    with (
        Sandbox(bookings=BOOKINGS, contacts=BOOKINGS // 5, clock=clock.monotonic) as box,
        OnceHub(DEMO_KEY, base_url=box.base_url, clock=clock) as client,
    ):
        mirror = Mirror(folder / "oncehub.duckdb")
        started, real = clock.monotonic(), time.perf_counter()
        mirror.sync(client=client)
        took, real = clock.monotonic() - started, time.perf_counter() - real
        assert mirror.ok, mirror.report
        first = mirror.report
        refused = sum(1 for r in box.requests if r.status == 429)
        limit = bound(first.requests, [(5, 1.0), (200, 300.0)])
        print(
            f"  first sync: {BOOKINGS:,} bookings, {first.requests:,} requests "
            f"({first.pages:,} pages) in {took:,.1f} s with the limits' pauses "
            f"({real:,.1f} s of it real work), bound {limit:,.1f} s, {refused} answers 429"
        )
        # a 429 is reported, not fatal: the client backs off and asks again
        rows.append(
            row(
                f"first sync of {BOOKINGS:,} bookings vs the limits' bound ({refused} x 429)",
                [took],
                [limit],
                1.05,
            )
        )

        newest = max(
            parse_time(t) for t in mirror.sql("select max(last_updated_time) t from bookings").t
        )
        changed = _change(box, CHANGED, newest)
        box.clear_requests()
        real = time.perf_counter()
        mirror.sync(client=client)
        real = time.perf_counter() - real
        second = mirror.report
        part = second.stream("bookings")
        print(
            f"  second sync after {changed:,} bookings changed: {second.pages} pages "
            f"({part.pages} of bookings, {part.changed:,} changed) vs {first.pages:,}; "
            f"{real:.1f} s real work"
        )
        rows.append(
            row(
                "second sync after 1% changed: pages vs the first sync's",
                [second.pages],
                [first.pages],
                0.03,
            )
        )
        assert _truth_errors(box, mirror) == 0

        mirror.sql(COUNT)  # DuckDB's first-query costs
        times = []
        for _ in range(15):
            started = time.perf_counter()
            answer = mirror.sql(COUNT)
            times.append(time.perf_counter() - started)
        assert int(answer.iloc[:, 1].sum()) == BOOKINGS
        ours = statistics.median(times)
        rows.append(
            row(
                f"count by status over {BOOKINGS:,} mirrored bookings vs 100 ms",
                [ours],
                [0.1],
                1.0,
            )
        )
        box.key_limit = box.address_limit = None
        with OnceHub(DEMO_KEY, base_url=box.base_url, rate_limit=False) as fast:
            started = time.perf_counter()
            counts: dict[str, int] = {}
            for booking in fast.paginate("/bookings"):
                counts[booking["status"]] = counts.get(booking["status"], 0) + 1
            api = time.perf_counter() - started
        print(
            f"  count by status: mirror {ours * 1000:.1f} ms, "
            f"API (every page, no limits) {api:.1f} s"
        )
        rows.append(
            row(
                "count by status: mirror vs the API (paging all, limits off)",
                [ours],
                [api],
                0.01,
            )
        )
    return rows


def bench_truth(row: Callable[..., Any], folder: Path) -> Any:
    from oncehub_nb import OnceHub
    from oncehub_nb.http import ratelimit
    from oncehub_nb.mirror.mirror import Mirror
    from oncehub_nb.sandbox import DEMO_KEY, FaultPlan, Sandbox

    kinds = ("server_error", "bad_gateway", "drop", "rate_limited", "rate_limited_retry_after")
    clock = SkipClock()
    ratelimit._windows.clear()
    with (
        Sandbox(
            bookings=TRUTH_BOOKINGS,
            contacts=TRUTH_BOOKINGS // 5,
            key_limit=None,
            address_limit=None,
            faults=FaultPlan(rate=0.2, seed=7, kinds=kinds),
        ) as box,
        OnceHub(DEMO_KEY, base_url=box.base_url, rate_limit=False, clock=clock) as client,
    ):
        mirror = Mirror(folder / "truth.duckdb")
        stop_at = TRUTH_BOOKINGS // 200  # halfway through the bookings

        def interrupt(stream: str, progress: Any) -> None:
            if stream == "bookings" and progress.pages == stop_at and not progress.done:
                raise KeyboardInterrupt

        mirror.sync(client=client, on_progress=interrupt)
        assert mirror.report.interrupted
        kept = int(mirror.sql("select count(*) n from bookings").n[0])
        mirror.sync(client=client)
        assert mirror.ok, mirror.report
        _change(
            box,
            CHANGED,
            max(  # then a second sync after changes, faults still on
                __import__("oncehub_nb.mirror.watermark", fromlist=["parse_time"]).parse_time(t)
                for t in mirror.sql("select max(last_updated_time) t from bookings").t
            ),
        )
        mirror.sync(client=client)
        assert mirror.ok, mirror.report
        errors = _truth_errors(box, mirror)
        faults = sum(1 for r in box.requests if r.fault)
    print(
        f"  ground truth: {TRUTH_BOOKINGS:,} bookings, {faults} faults injected, interrupted "
        f"with {kept:,} bookings loaded, resumed, synced again: {errors} lost/duplicated/extra"
    )
    return row("ground truth after faults and an interruption: errors vs 1", [errors], [1], 0.0)


def rows(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> list[Any]:
    """Every mirror row (one round each: the first sync is long)."""
    with tempfile.TemporaryDirectory(prefix="oncehub-mirror-bench-") as folder:
        return [*bench_syncs(row, Path(folder)), bench_truth(row, Path(folder))]


if __name__ == "__main__":
    import run

    for result in rows(1, run.Row, run.alternating):
        print(result)
