"""Scan benchmarks.

``oncehub_nb.scan`` over 200 notebooks of about 1 MB each vs ``grep -r -F`` of the literal
key over the same folder (the cost of just reading the bytes and finding the key); target:
median ratio <= 3. The notebooks are made in a temporary folder, seeded, like notebooks
people keep: markdown, ``%oncehub`` calls, pandas tables as HTML, figures as PNG
(incompressible base64), logs and JSON outputs, in nbformat's layout. A few hold the key in
an output. Both sides read the folder once before the rounds (so both find it in the page
cache), then take turns.

Many hits per file (linear time): one file of 4 MB vs four files of 1 MB each, the same
lines in both, scanned in turns; a scan linear in its input takes as long for both (target:
median ratio <= 1.3; a quadratic one takes four times as long). Two kinds of file: a log
with the configured key on every line, and one line of ``API-Key: …`` headers (key-shaped
literals, no key configured). The times for 1, 2 and 4 MB are printed too.
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import string
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOTEBOOKS = 200
SIZE = 1_000_000  # bytes per notebook, about
WITH_KEY = (7, 61, 113, 170)  # the notebooks holding the key (in an output)
WORDS = [
    "booking",
    "scheduled",
    "completed",
    "canceled",
    "contact",
    "event",
    "type",
    "owner",
    "page",
    "calendar",
    "week",
    "status",
    "guest",
    "time",
    "zone",
    "rows",
    "columns",
    "plot",
    "chart",
    "total",
    "mean",
    "count",
    "index",
    "value",
]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _table(rng: random.Random, rows: int) -> list[str]:
    head = [
        '<table border="1" class="dataframe">\n',
        "  <thead>\n",
        '    <tr style="text-align: right;">\n',
        "      <th></th>\n      <th>id</th>\n      <th>status</th>\n      <th>owner.id</th>\n",
        "    </tr>\n  </thead>\n  <tbody>\n",
    ]
    body = [
        f"    <tr>\n      <th>{i}</th>\n      <td>BKNG-{rng.randrange(10**8):08d}</td>\n"
        f"      <td>{rng.choice(('scheduled', 'completed', 'canceled'))}</td>\n"
        f"      <td>USR-{rng.randrange(10**6):06d}</td>\n    </tr>\n"
        for i in range(rows)
    ]
    return head + body + ["  </tbody>\n</table>\n"]


def _output(rng: random.Random, count: int) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.3:
        return {
            "data": {"text/html": _table(rng, 60), "text/plain": [_words(rng, 40)]},
            "execution_count": count,
            "metadata": {},
            "output_type": "execute_result",
        }
    if kind < 0.5:
        png = base64.b64encode(rng.randbytes(60_000)).decode()
        return {
            "data": {"image/png": png, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
            "metadata": {},
            "output_type": "display_data",
        }
    if kind < 0.8:
        lines = [f"{_words(rng, 12)}\n" for _ in range(80)]
        return {"name": "stdout", "output_type": "stream", "text": lines}
    objects = [
        {"id": f"BKNG-{i}", "status": "scheduled", "owner": {"id": "USR-1"}} for i in range(40)
    ]
    return {
        "data": {"application/json": {"data": objects}, "text/plain": ["{'data': [...]}"]},
        "execution_count": count,
        "metadata": {},
        "output_type": "execute_result",
    }


def notebook(rng: random.Random, size: int, key: str | None = None) -> str:
    """One notebook of about ``size`` bytes, in nbformat's layout; ``key`` in an output."""
    cells: list[dict[str, Any]] = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Bookings\n", _words(rng, 40)]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["✔ Key valid\n"]}],
            "source": ["%load_ext oncehub_nb\n", "%oncehub_auth --fallback-sandbox"],
        },
    ]
    if key:
        leak = {"name": "stdout", "output_type": "stream", "text": [f"key={key}\n"]}
        cells.append(
            {
                "cell_type": "code",
                "execution_count": 2,
                "metadata": {},
                "outputs": [leak],
                "source": ["print(f'key={key}')"],
            }
        )
    total = 0
    while total < size * 0.97:
        count = len(cells) + 1
        if rng.random() < 0.15:
            cell: dict[str, Any] = {
                "cell_type": "markdown",
                "metadata": {},
                "source": [f"## {_words(rng, 4)}\n", _words(rng, 60)],
            }
        else:
            source = [
                f"r = %oncehub bookings status==scheduled limit=={rng.randrange(10, 100)}\n",
                "df = r.df()\n",
                "df.groupby('status').size()",
            ]
            cell = {
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": [_output(rng, count)],
                "source": source,
            }
        cells.append(cell)
        total += len(json.dumps(cell))
    for number, cell in enumerate(cells):
        cell["id"] = f"{number:08x}"
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    document = {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def make_folder(folder: Path, key: str, count: int = NOTEBOOKS, size: int = SIZE) -> int:
    """Write the notebooks; return their total size in bytes."""
    rng = random.Random(2024)
    total = 0
    for number in range(count):
        text = notebook(rng, size, key if number in WITH_KEY else None)
        path = folder / f"notebook-{number:03d}.ipynb"
        path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
    return total


def bench_scan(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> Any:
    """oncehub_nb.scan vs grep -r -F of the key over the same folder, interleaved rounds."""
    from oncehub_nb import scan

    grep = shutil.which("grep")
    if grep is None:
        raise SystemExit("the scan benchmark needs grep")
    rng = random.Random(7)
    key = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(40))
    with tempfile.TemporaryDirectory(prefix="oncehub-scan-bench-") as folder:
        size = make_folder(Path(folder), key)

        def ours() -> float:
            started = time.perf_counter()
            findings = scan(folder, keys=[key])
            elapsed = time.perf_counter() - started
            assert len(findings) == len(WITH_KEY), len(findings)  # one output each
            return elapsed

        def baseline() -> float:
            started = time.perf_counter()
            done = subprocess.run(
                [grep, "-r", "-F", key, folder], stdout=subprocess.DEVNULL, check=False
            )
            elapsed = time.perf_counter() - started
            assert done.returncode == 0, "grep did not find the key"
            return elapsed

        ours(), baseline()  # both read the folder once: the page cache holds it for both
        mine, base = zip(*alternating([ours, baseline], rounds, 3), strict=True)
    return row(
        f"oncehub_nb.scan vs grep -r -F, {NOTEBOOKS} notebooks ({size / 1e6:.0f} MB)",
        list(mine),
        list(base),
        3.0,
    )


MB = 1_000_000
HITS_KEY = "FAKE-bench-key-0000-do-not-leak-9b1c"  # configured: reported however fake


def hits_text(kind: str, size: int) -> str:
    """``size`` bytes (about) of hits: the key on every line of a log, or one line of
    ``API-Key:`` headers holding key-shaped literals."""
    if kind == "lines":
        line = f"2025-01-01 12:00:00 INFO calling OnceHub with key {HITS_KEY}\n"
        return line * (size // len(line))
    item = "API-Key: k7Qz9Lm2Xv4Tr8WpBn3Hs6Jd; "
    return item * (size // len(item)) + "\n"


def bench_many_hits(
    rounds: int, row: Callable[..., Any], alternating: Callable[..., Any], kind: str
) -> Any:
    """One 4 MB file vs four 1 MB files of hits, interleaved rounds; 1, 2, 4 MB printed."""
    from oncehub_nb import scan

    keys = [HITS_KEY] if kind == "lines" else []
    what = "key on every line" if kind == "lines" else "one line of API-Key: headers"
    with tempfile.TemporaryDirectory(prefix="oncehub-scan-hits-") as folder:
        whole, parts = Path(folder, "whole"), Path(folder, "parts")
        whole.mkdir(), parts.mkdir()
        (whole / "big.log").write_text(hits_text(kind, 4 * MB))
        for number in range(4):
            (parts / f"part-{number}.log").write_text(hits_text(kind, MB))
        expected = len(scan(whole, keys=keys))
        assert expected > 10_000, expected

        def timed_scan(target: Path, findings: int | None = None) -> Callable[[], float]:
            def sample() -> float:
                started = time.perf_counter()
                found = scan(target, keys=keys)
                elapsed = time.perf_counter() - started
                assert findings is None or abs(len(found) - findings) <= 4, len(found)
                return elapsed

            return sample

        sizes = []
        for megabytes in (1, 2, 4):
            path = Path(folder, f"{megabytes}mb.log")
            path.write_text(hits_text(kind, megabytes * MB))
            sizes.append(f"{megabytes} MB {timed_scan(path)() * 1000:.0f} ms")
            path.unlink()
        print(f"  scan, {what}: {', '.join(sizes)} ({expected:,} findings in 4 MB)")
        mine, base = zip(
            *alternating([timed_scan(whole, expected), timed_scan(parts, expected)], rounds),
            strict=True,
        )
    return row(f"scan of 4 MB vs 4 x 1 MB, {what}", list(mine), list(base), 1.3)


def rows(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> list[Any]:
    """Every scan row."""
    return [
        bench_scan(rounds, row, alternating),
        bench_many_hits(rounds, row, alternating, "lines"),
        bench_many_hits(rounds, row, alternating, "headers"),
    ]


if __name__ == "__main__":
    import run

    for result in rows(run.QUICK_ROUNDS, run.Row, run.alternating):
        print(result)
