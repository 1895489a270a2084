"""Benchmarks, printed as ratios against a baseline measured in the same run.

    make bench        (or: .venv/bin/python benchmarks/run.py [--quick] [--rounds N])

Every benchmark runs candidate and baseline in several rounds (15; --quick: 5). Within a
round they take turns in small blocks (the client: 20 blocks of 10 calls each; the fresh
interpreters: 3 samples each), and the one that goes first alternates from block to block
and from round to round, so both share the machine's drift and noise (another job on the
2 cores, say). Each round gives one ratio, candidate total / baseline total (lower is
better); a row reports the median of those ratios, their interquartile range and min–max,
and its target:

- import: ``import oncehub_nb`` (and the client) vs ``import httpx``, each timed inside
  a fresh interpreter; informational, no target;
- client: 200 sequential ``GET /test`` through OnceHub vs a raw httpx.Client with the
  same header, against the local sandbox with its limits and our limiter off;
  target: median <= 1.05;
- load_ext: ``%load_ext oncehub_nb`` vs ``%load_ext dotenv``, a fresh IPython shell per
  sample; target: median <= 1.0;
- display: the HTML table of a 10,000-row result vs a 20-row one, both shown 20 rows
  at a time (``list_html``, 200 calls in blocks of 10); target: median <= 1.2;
- to_dataframe: 10,000 bookings (fetched from the sandbox, 100 a page) as a DataFrame vs
  ``pandas.json_normalize`` of the same list (3 samples each); target: median <= 1.5;
- paging (paging.py): ``client.paginate`` over 10,000 bookings vs a raw httpx loop
  following ``Link``, target median <= 1.10; and 10,000 bookings fetched under 5 requests
  a second, then under both limits (the per-address one scaled down), each vs the bound
  the limits set, target <= 1.05, with no 429 (one round each: they take ~20 s);
- scan (scan.py): ``oncehub_nb.scan`` over 200 notebooks of about 1 MB each vs ``grep -r -F``
  of the key over the same folder; target median <= 3.0; and many hits per file, one 4 MB
  file vs four of 1 MB (the key on every line of a log; one line of ``API-Key:`` headers),
  target median <= 1.3 (linear time), with the times for 1, 2 and 4 MB printed;
- webhooks (webhooks.py): 500 signed deliveries verified and recorded by WebhookInbox vs a
  bare standard-library server answering 200; target median <= 1.25 (>= 0.8 of its rate);
- mirror (mirror.py): the first sync of 100,000 bookings vs the bound OnceHub's limits set
  (<= 1.05, no 429; on a clock that skips the pauses), the second sync's pages after 1%
  changed vs the first's (<= 0.03), ground truth after faults and a Ctrl-C (0 errors), and a
  count by status (under 100 ms, >= 100x faster than the API); MIRROR_BENCH_BOOKINGS scales it;
- sandbox (sandbox_scale.py): an account of 100,000 bookings: memory per booking vs 2 KB
  and start-up CPU seconds vs 3 s (targets <= 1.0), a filtered and expanded page of 100
  vs 10 ms (<= 1.0) and vs OnceHub's 200 ms between requests (<= 0.05);

Exits 1 when a median misses its target.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ROUNDS = 15  # per benchmark; --quick uses QUICK_ROUNDS
QUICK_ROUNDS = 5
CALLS = 200  # sequential requests per client round, per client
BLOCK = 10  # ... made in blocks of this many, the two clients taking turns
SAMPLES = 3  # fresh-interpreter samples per round, per candidate and baseline
RESULT_ROWS = 10_000  # bookings in the large result of the display and DataFrame benchmarks
SHOWN = 20  # rows a result displays


@dataclass
class Row:
    label: str
    candidate: list[float]  # seconds, one per round
    baseline: list[float]
    target: float | None = None  # the median ratio must be <= this; None: informational
    unit: str = "s"  # of candidate and baseline: "s" (in ms), "bytes" (in MB) or "B" (in KB)

    @property
    def ratios(self) -> list[float]:
        return [c / b for c, b in zip(self.candidate, self.baseline, strict=True)]

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def passed(self) -> bool:
        return self.target is None or self.median <= self.target

    def _show(self, value: float) -> str:
        if self.unit == "bytes":
            return f"{value / 1e6:.1f} MB"
        if self.unit == "B":
            return f"{value / 1024:.2f} KB"
        return f"{value * 1000:.1f} ms"

    def __str__(self) -> str:
        ratios = self.ratios
        if len(ratios) >= 2:
            q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        else:
            q1 = q3 = ratios[0]
        if self.target is None:
            verdict = "informational"
        else:
            verdict = f"target <= {self.target:.2f} {'PASS' if self.passed else 'FAIL'}"
        return (
            f"  {self.label}: median ratio {self.median:.3f} "
            f"(IQR {q1:.3f}–{q3:.3f}, min–max {min(ratios):.3f}–{max(ratios):.3f}, "
            f"{len(ratios)} round{'s' * (len(ratios) != 1)}) {verdict}\n"
            f"      median per round: {self._show(statistics.median(self.candidate))} "
            f"vs {self._show(statistics.median(self.baseline))}"
        )


def alternating(
    measures: list[Callable[[], float]], rounds: int, turns: int = 1
) -> Iterator[list[float]]:
    """Per round, each measure's total over ``turns`` samples, in the order of ``measures``.

    The measures take turns, and the one that goes first rotates with every turn and every
    round: for two, AB BA AB ... in even rounds and BA AB BA ... in odd ones.
    """
    count = len(measures)
    for number in range(rounds):
        gc.collect()  # a round starts without the previous round's garbage
        totals = [0.0] * count
        for turn in range(turns):
            for offset in range(count):
                index = (number + turn + offset) % count
                totals[index] += measures[index]()
        yield totals


def seconds_printed_by(code: str, *args: str, env: dict[str, str] | None = None) -> float:
    """Run ``code`` in a fresh interpreter; the last line it prints is a time in seconds."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
    )
    if done.returncode:
        sys.exit(f"benchmark sample failed ({' '.join(args) or code!r}):\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1])


# -- imports -------------------------------------------------------------------------------


def fresh_import(statement: str) -> Callable[[], float]:
    """One sample: a fresh interpreter times ``statement`` itself (not its own start-up)."""
    code = (
        "import time\n"
        "started = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - started)\n"
    )

    return lambda: seconds_printed_by(code)


def bench_imports(rounds: int) -> list[Row]:
    code = (
        "import sys, oncehub_nb; print(sorted(m for m in ('ipywidgets', 'IPython.display',"
        " 'IPython.core.display', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"import oncehub_nb failed:\n{done.stderr}")
    heavy = done.stdout.strip()
    print(f"  modules loaded by 'import oncehub_nb' among the heavy ones: {heavy}")
    measures = [
        fresh_import("import httpx"),
        fresh_import("import oncehub_nb"),
        fresh_import("from oncehub_nb import OnceHub"),
    ]
    httpx_s, package_s, client_s = zip(*alternating(measures, rounds, SAMPLES), strict=True)
    return [
        Row("import oncehub_nb vs import httpx", list(package_s), list(httpx_s)),
        Row("from oncehub_nb import OnceHub vs import httpx", list(client_s), list(httpx_s)),
    ]


# -- client --------------------------------------------------------------------------------


def timed(func: Callable[[int], None], calls: int) -> Callable[[], float]:
    def sample() -> float:
        started = time.perf_counter()
        func(calls)
        return time.perf_counter() - started

    return sample


def bench_client(rounds: int, calls: int = CALLS, block: int = BLOCK) -> Row:
    import httpx

    from oncehub_nb import OnceHub
    from oncehub_nb.sandbox import DEMO_KEY, Sandbox
    from oncehub_nb.validation import check

    with Sandbox(key_limit=None, address_limit=None) as sandbox:
        ours = OnceHub(DEMO_KEY, base_url=sandbox.base_url, rate_limit=False)
        raw = httpx.Client(base_url=sandbox.base_url + "/", headers={"API-Key": DEMO_KEY})

        def through_ours(count: int) -> None:
            for _ in range(count):
                assert check(ours).ok

        def through_raw(count: int) -> None:
            for _ in range(count):
                response = raw.get("test")
                assert response.status_code == 200
                response.json()

        try:
            through_ours(calls), through_raw(calls)  # warm both pools and code paths
            blocks = [timed(through_ours, block), timed(through_raw, block)]
            mine, base = zip(*alternating(blocks, rounds, calls // block), strict=True)
        finally:
            ours.close()
            raw.close()
    return Row(f"client {calls} x GET /test vs raw httpx", list(mine), list(base), target=1.05)


# -- %load_ext -----------------------------------------------------------------------------

LOAD_EXT = (
    "import time, sys\n"
    "from IPython.core.interactiveshell import InteractiveShell\n"
    "shell = InteractiveShell.instance()\n"
    "started = time.perf_counter()\n"
    "shell.run_line_magic('load_ext', sys.argv[1])\n"
    "print(time.perf_counter() - started)\n"
)


@contextmanager
def private_ipython_dir() -> Iterator[dict[str, str]]:
    """An environment whose shells keep their profile in a temporary dir, not ~/.ipython,
    and their bytecode in another, written by the first run: with PYTHONDONTWRITEBYTECODE
    set and a source newer than its cached bytecode, every round would compile it again."""
    with tempfile.TemporaryDirectory() as ipython_dir, tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "IPYTHONDIR": ipython_dir, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        yield env


def fresh_load_ext(extension: str, env: dict[str, str]) -> Callable[[], float]:
    return lambda: seconds_printed_by(LOAD_EXT, extension, env=env)


def bench_load_ext(rounds: int) -> Row | None:
    try:
        import IPython  # noqa: F401
    except ImportError:  # pragma: no cover
        return None
    with private_ipython_dir() as env:
        for extension in ("oncehub_nb", "dotenv"):  # profile and bytecode, outside the rounds
            fresh_load_ext(extension, env)()
        measures = [fresh_load_ext("oncehub_nb", env), fresh_load_ext("dotenv", env)]
        ours, dotenv = zip(*alternating(measures, rounds, SAMPLES), strict=True)
    return Row(
        "%load_ext oncehub_nb vs %load_ext dotenv (fresh shells)",
        list(ours),
        list(dotenv),
        target=1.0,
    )


# -- results: display and DataFrame ----------------------------------------------------------


def fetch_bookings(count: int) -> list[dict[str, object]]:
    """``count`` bookings from a sandbox of that many, 100 a page, following ``after``."""
    import httpx

    from oncehub_nb.sandbox import DEMO_KEY, Sandbox

    bookings: list[dict[str, object]] = []
    params = {"limit": "100", "expand": "data.event_type"}
    with (
        Sandbox(key_limit=None, address_limit=None, bookings=count) as box,
        httpx.Client(base_url=box.base_url, headers={"API-Key": DEMO_KEY}) as http,
    ):
        while True:
            response = http.get("/bookings", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            bookings.extend(page["data"])
            if not page["has_more"]:
                break
            params["after"] = page["data"][-1]["id"]
    assert len(bookings) == count, len(bookings)
    return bookings


def bench_results(rounds: int, calls: int = CALLS, block: int = BLOCK) -> list[Row]:
    from pandas import json_normalize

    from oncehub_nb.explore.frames import to_dataframe
    from oncehub_nb.explore.views import list_html

    large = fetch_bookings(RESULT_ROWS)
    small = large[:SHOWN]
    footer = f"{SHOWN} of {{:,}} fetched shown · .df() for a DataFrame"

    def show(objects: list[dict[str, object]]) -> Callable[[int], None]:
        text = footer.format(len(objects))

        def run(count: int) -> None:
            for _ in range(count):
                list_html(objects, kind="booking", limit=SHOWN, footer=text)

        return run

    show(large)(block), show(small)(block)  # warm both code paths
    blocks = [timed(show(large), block), timed(show(small), block)]
    big, few = zip(*alternating(blocks, rounds, calls // block), strict=True)
    to_dataframe(large), json_normalize(large, sep=".")  # pandas' first-call costs
    convert = [
        timed(lambda _: to_dataframe(large), 1),
        timed(lambda _: json_normalize(large, sep="."), 1),
    ]
    ours, pandas_s = zip(*alternating(convert, rounds, SAMPLES), strict=True)
    return [
        Row(
            f"display {RESULT_ROWS:,}-row result vs {SHOWN}-row result (list_html)",
            list(big),
            list(few),
            target=1.2,
        ),
        Row(
            f"to_dataframe vs pandas.json_normalize on {RESULT_ROWS:,} bookings",
            list(ours),
            list(pandas_s),
            target=1.5,
        ),
    ]


# -- main ----------------------------------------------------------------------------------


def bench_sandbox(rounds: int) -> list[Row]:
    """The sandbox at 100,000 bookings (see sandbox_scale.py)."""
    import sandbox_scale

    def row(
        label: str, candidate: list[float], baseline: list[float], target: float | None = None
    ) -> Row:
        unit = "B" if "memory" in label else "s"
        return Row(label, candidate, baseline, target, unit)

    return sandbox_scale.rows(rounds, row)  # type: ignore[return-value]


def bench_paging(rounds: int) -> list[Row]:
    """Paging under the rate limits and against a raw httpx loop (see paging.py)."""
    import paging

    return paging.rows(rounds, Row, alternating)


def bench_scan(rounds: int) -> list[Row]:
    """oncehub_nb.scan over 200 notebooks of 1 MB vs grep -r -F (see scan.py)."""
    import scan

    return scan.rows(rounds, Row, alternating)


def bench_webhooks(rounds: int) -> list[Row]:
    """The inbox verifying and recording deliveries vs a bare server (see webhooks.py)."""
    import webhooks

    return webhooks.rows(rounds, Row, alternating)


def bench_mirror(rounds: int) -> list[Row]:
    """The mirror: first and second sync, ground truth, a count by status (see mirror.py)."""
    import mirror

    return mirror.rows(rounds, Row, alternating)


def compile_package() -> None:
    """Byte-compile the package, as pip does for installed ones like dotenv (fair start)."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "oncehub_nb", quiet=1)


BENCHES = (
    bench_imports,
    bench_client,
    bench_load_ext,
    bench_results,
    bench_paging,
    bench_scan,
    bench_webhooks,
    bench_sandbox,
    bench_mirror,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds instead of {ROUNDS}"
    )
    parser.add_argument("--rounds", type=int, help="rounds per benchmark (overrides --quick)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[bench.__name__.removeprefix("bench_") for bench in BENCHES],
        help="run these benchmarks only (e.g. --only load_ext scan)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds if args.rounds is not None else QUICK_ROUNDS if args.quick else ROUNDS
    if rounds < 1:
        parser.error("--rounds must be at least 1")

    compile_package()
    print(
        f"oncehub-nb benchmarks: {rounds} interleaved rounds each; "
        "ratio = candidate / baseline per round, lower is better"
    )
    rows: list[Row] = []
    for bench in BENCHES:
        if args.only and bench.__name__.removeprefix("bench_") not in args.only:
            continue
        result = bench(rounds)
        for row in result if isinstance(result, list) else [result]:
            if row is not None:
                print(row, flush=True)
                rows.append(row)
    failed = [row.label for row in rows if not row.passed]
    if failed:
        print(f"FAIL: {len(failed)} target(s) missed: {'; '.join(failed)}")
        return 1
    print(f"all {sum(row.target is not None for row in rows)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
