"""Benchmarks, printed as ratios against a baseline measured in the same run.

    make bench        (or: .venv/bin/python benchmarks/run.py)

Ratios, lower is better:
- import: ``import oncehub_nb`` (and the client) vs ``import httpx``, fresh interpreters;
- client: 200 sequential ``GET /test`` through OnceHub vs a raw httpx.Client with the
  same header, against the local sandbox with its limits and our limiter off;
- load_ext: ``%load_ext oncehub_nb`` vs ``%load_ext dotenv`` in a running IPython shell.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

ROUNDS = 5


def fresh_import_seconds(statement: str, repeats: int = 15) -> float:
    """Median wall time of a fresh interpreter running ``statement``, minus an empty one."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    samples = []
    for _ in range(repeats):
        empty = run("pass")
        samples.append(run(statement) - empty)
    return max(statistics.median(samples), 1e-6)


def bench_imports() -> list[tuple[str, float, float]]:
    httpx_cost = fresh_import_seconds("import httpx")
    package_cost = fresh_import_seconds("import oncehub_nb")
    client_cost = fresh_import_seconds("from oncehub_nb import OnceHub")
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, oncehub_nb; print(sorted(m for m in ('ipywidgets', 'IPython.display',"
            " 'IPython.core.display', 'httpx') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"  modules loaded by 'import oncehub_nb' among the heavy ones: {heavy}")
    return [
        ("import oncehub_nb / import httpx", package_cost, httpx_cost),
        ("from oncehub_nb import OnceHub / import httpx", client_cost, httpx_cost),
    ]


def interleaved(
    candidate: Callable[[], None], baseline: Callable[[], None], rounds: int = ROUNDS
) -> tuple[float, float]:
    """Median times of two callables, run alternately to share the machine's noise."""
    a, b = [], []
    for _ in range(rounds):
        for sink, func in ((a, candidate), (b, baseline)):
            started = time.perf_counter()
            func()
            sink.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def bench_client(calls: int = 200) -> tuple[str, float, float]:
    import httpx

    from oncehub_nb import OnceHub
    from oncehub_nb.sandbox import DEMO_KEY, Sandbox

    with Sandbox(key_limit=None, address_limit=None) as sandbox:
        ours = OnceHub(DEMO_KEY, base_url=sandbox.base_url, rate_limit=False)
        raw = httpx.Client(base_url=sandbox.base_url + "/", headers={"API-Key": DEMO_KEY})

        def through_ours() -> None:
            for _ in range(calls):
                assert ours.test().ok

        def through_raw() -> None:
            for _ in range(calls):
                response = raw.get("test")
                assert response.status_code == 200
                response.json()

        through_ours(), through_raw()  # warm both pools
        mine, base = interleaved(through_ours, through_raw)
        ours.close()
        raw.close()
    return (f"{calls} x GET /test: OnceHub client / raw httpx.Client", mine, base)


def bench_load_ext() -> tuple[str, float, float] | None:
    try:
        from IPython.core.interactiveshell import InteractiveShell
    except ImportError:  # pragma: no cover
        return None
    code = (
        "import time, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "started = time.perf_counter()\n"
        "shell.run_line_magic('load_ext', sys.argv[1])\n"
        "print(time.perf_counter() - started)\n"
    )
    del InteractiveShell

    import os
    import tempfile

    def once(extension: str, env: dict[str, str]) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code, extension],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
        return float(out.strip().splitlines()[-1])

    ours, dotenv = [], []
    with tempfile.TemporaryDirectory() as ipython_dir:  # the shells' profile, not ~/.ipython
        env = {**os.environ, "IPYTHONDIR": ipython_dir}
        for _ in range(9):
            ours.append(once("oncehub_nb", env))
            dotenv.append(once("dotenv", env))
    return (
        "%load_ext oncehub_nb / %load_ext dotenv (fresh shells)",
        statistics.median(ours),
        statistics.median(dotenv),
    )


def compile_package() -> None:
    """Byte-compile the package, as pip does for installed ones like dotenv (fair start)."""
    import compileall
    from pathlib import Path

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "oncehub_nb", quiet=1)


def main() -> None:
    compile_package()
    print("oncehub-nb benchmarks (ratios: candidate / baseline, lower is better)")
    rows = [*bench_imports(), bench_client()]
    load_ext = bench_load_ext()
    if load_ext is not None:
        rows.append(load_ext)
    for label, candidate, baseline in rows:
        print(
            f"  {label}: ratio {candidate / baseline:.2f} "
            f"({candidate * 1000:.1f} ms vs {baseline * 1000:.1f} ms)"
        )


if __name__ == "__main__":
    main()
