"""Paging benchmarks: how close a long fetch comes to the bound OnceHub's limits set, and
what following the cursor costs over a raw httpx loop.

- 10,000 bookings, 100 a page, from a sandbox enforcing 5 requests per second: wall time
  vs the bound the limit sets for 100 pages, and the 429s the sandbox sent (must be 0);
- both limits together, the per-address one scaled down (40 per 10 s) so that it binds
  within seconds: wall time vs the bound of both limits, and the 429s (must be 0);
- limits off: ``client.paginate`` over 10,000 bookings vs a raw httpx loop following the
  ``Link`` header, interleaved rounds; target median <= 1.10.

The bound for N requests under limits (max_requests, period) is the earliest schedule a
perfect client could keep: request i goes at max over the limits of t[i - max] + period
(0 for the first ones), and N requests take until request N + 1 may go.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

PAGES = 100
PAGE_SIZE = 100
BOOKINGS = PAGES * PAGE_SIZE


def bound(requests: int, limits: list[tuple[int, float]]) -> float:
    """Seconds ``requests`` take under every limit: from the first one to the moment the
    next one may go (100 requests at 5 per second: 20 s)."""
    times: list[float] = []
    for i in range(requests + 1):
        times.append(max([0.0] + [times[i - n] + period for n, period in limits if i - n >= 0]))
    return times[-1]


def _limited_fetch(account: tuple[int, float], address: tuple[int, float]) -> tuple[float, int]:
    """Wall time of fetching every booking under both limits, and the sandbox's 429 count."""
    from oncehub_nb import OnceHub
    from oncehub_nb.constants import Limit
    from oncehub_nb.http import ratelimit
    from oncehub_nb.sandbox import DEMO_KEY, RateLimit, Sandbox

    ratelimit._windows.clear()  # a fresh start: no slots booked by an earlier benchmark
    with Sandbox(
        bookings=BOOKINGS, key_limit=RateLimit(*account), address_limit=RateLimit(*address)
    ) as box:
        with OnceHub(
            DEMO_KEY,
            base_url=box.base_url,
            account_limit=Limit(*account, "per account"),
            address_limit=Limit(*address, "per IP address"),
        ) as client:
            started = time.perf_counter()
            count = sum(1 for _ in client.paginate("/bookings", limit=PAGE_SIZE))
            wall = time.perf_counter() - started
        assert count == BOOKINGS, count
        refused = sum(1 for r in box.requests if r.status == 429)
    return wall, refused


def bench_limited(row: Callable[..., Any]) -> list[Any]:
    """The two rate-limited fetches, one round each (they take as long as the limits say)."""
    rows = []
    cases = [
        ("5 per second", (5, 1.0), (200, 300.0)),
        ("5 per second and 40 per 10 s", (5, 1.0), (40, 10.0)),
    ]
    for label, account, address in cases:
        wall, refused = _limited_fetch(account, address)
        limit = bound(PAGES, [account, address])
        print(
            f"  {BOOKINGS:,} bookings under {label}: {wall:.2f} s, bound {limit:.2f} s, "
            f"{refused} answers 429"
        )
        if refused:
            raise SystemExit(f"paging under {label} met {refused} 429 answers")
        rows.append(row(f"fetch {BOOKINGS:,} under {label} vs its bound", [wall], [limit], 1.05))
    return rows


def bench_paginate(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> Any:
    """client.paginate vs a raw httpx loop following Link, limits off, interleaved."""
    import httpx

    from oncehub_nb import OnceHub
    from oncehub_nb.sandbox import DEMO_KEY, Sandbox

    with Sandbox(bookings=BOOKINGS, key_limit=None, address_limit=None) as box:
        ours = OnceHub(DEMO_KEY, base_url=box.base_url, rate_limit=False)
        raw = httpx.Client(headers={"API-Key": DEMO_KEY, "Accept": "application/json"})

        def through_ours() -> float:
            started = time.perf_counter()
            count = sum(1 for _ in ours.paginate("/bookings", limit=PAGE_SIZE))
            assert count == BOOKINGS
            return time.perf_counter() - started

        def through_raw() -> float:
            started = time.perf_counter()
            url: str | None = f"{box.base_url}/bookings?limit={PAGE_SIZE}"
            count = 0
            while url:
                response = raw.get(url)
                response.raise_for_status()
                count += len(response.json()["data"])
                url = response.links.get("next", {}).get("url")
            assert count == BOOKINGS
            return time.perf_counter() - started

        try:
            through_ours(), through_raw()  # warm both
            mine, base = zip(*alternating([through_ours, through_raw], rounds), strict=True)
        finally:
            ours.close()
            raw.close()
    return row(
        f"client.paginate {BOOKINGS:,} bookings vs raw httpx following Link",
        list(mine),
        list(base),
        1.10,
    )


def rows(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> list[Any]:
    """Every paging row."""
    return [bench_paginate(rounds, row, alternating), *bench_limited(row)]


if __name__ == "__main__":
    import run

    for result in rows(run.QUICK_ROUNDS, run.Row, run.alternating):
        print(result)
