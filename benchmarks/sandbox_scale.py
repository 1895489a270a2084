"""The sandbox at 100,000 bookings: start-up, memory, and how fast a heavy page is served.

Figures are ratios, as everywhere in ``benchmarks/``:
- start-up and memory of an account with 100,000 bookings over the default account
  (informational: they grow with the data, the question is by how much);
- a page of 100 bookings with a filter and an expansion, over 100,000 bookings, against
  10 ms (target: single-digit milliseconds, ratio < 1);
- the same page against the 200 ms that OnceHub's limit of 5 requests per second leaves
  between two requests (target: ratio <= 0.05, the sandbox 20 times faster than a client
  may ask, so it is never the bottleneck of a client benchmark).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

LARGE = 100_000
PAGE = "/bookings?limit=100&status=scheduled&expand=data.event_type"
PAGE_REQUESTS = 30  # per round
ONCEHUB_INTERVAL = 0.2  # seconds between requests at 5 per second per account
SINGLE_DIGIT_MS = 0.010

_BUILD = """
import sys, time, tracemalloc
from oncehub_nb.sandbox import Sandbox
bookings = int(sys.argv[1])
box = Sandbox(bookings=bookings, contacts=max(20, bookings // 2))
if sys.argv[2] == "memory":
    tracemalloc.start()
    box.account()
    print(tracemalloc.get_traced_memory()[0])
else:
    started = time.perf_counter()
    box.account()
    print(time.perf_counter() - started)
"""


def _build(bookings: int, what: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, str(bookings), what],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def build_figures(rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per round: (large, default) start-up seconds and traced bytes, alternating order."""
    figures: dict[str, tuple[list[float], list[float]]] = {
        "startup": ([], []),
        "memory": ([], []),
    }
    for number in range(rounds):
        for what, (large, small) in figures.items():
            order = [(LARGE, large), (30, small)]
            for bookings, sink in order if number % 2 == 0 else order[::-1]:
                sink.append(_build(bookings, what))
    return figures


def page_seconds(rounds: int) -> list[float]:
    """Median seconds per heavy page request, one figure per round (warm server)."""
    import httpx

    from oncehub_nb.sandbox import DEMO_KEY, Sandbox

    medians = []
    with Sandbox(key_limit=None, address_limit=None, bookings=LARGE, contacts=LARGE // 2) as box:
        box.account()  # seed before timing
        with httpx.Client(base_url=box.base_url, headers={"API-Key": DEMO_KEY}) as http:
            assert http.get(PAGE).status_code == 200
            for _ in range(rounds):
                samples = []
                for _ in range(PAGE_REQUESTS):
                    started = time.perf_counter()
                    response = http.get(PAGE)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200 and len(response.json()["data"]) == 100
                medians.append(statistics.median(samples))
    return medians


def rows(rounds: int, row: Callable[..., object]) -> list[object]:
    """The benchmark rows, built with ``row(label, candidate, baseline, target)``."""
    build_rounds = max(1, min(rounds, 3))  # 100,000 bookings take seconds to invent
    figures = build_figures(build_rounds)
    pages = page_seconds(rounds)
    startup_large, startup_small = figures["startup"]
    memory_large, memory_small = figures["memory"]
    return [
        row(f"sandbox start-up, {LARGE:,} bookings vs default", startup_large, startup_small),
        row(f"sandbox memory, {LARGE:,} bookings vs default", memory_large, memory_small),
        row(
            f"sandbox page of 100 (filter + expand) at {LARGE:,} bookings vs 10 ms",
            pages,
            [SINGLE_DIGIT_MS] * len(pages),
            1.0,
        ),
        row(
            "sandbox page vs OnceHub's 200 ms between requests (5/s)",
            pages,
            [ONCEHUB_INTERVAL] * len(pages),
            0.05,
        ),
    ]
