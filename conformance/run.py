"""Schemathesis runs OnceHub's OpenAPI file against the sandbox; failures meet a baseline.

Run with the conformance venv's python (``make conformance`` does): it starts the sandbox with its
rate limits off, runs ``st run`` with every check and phase, reads the NDJSON report, prints a
summary and exits 0 only when every failure is an accepted deviation listed in ``baseline.toml``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

import oncehub_nb
from oncehub_nb.sandbox import DEMO_KEY, Sandbox
from oncehub_nb.sandbox.clock import StartingAt

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SCHEMA = "../shared/reference/oncehub-api-v2.yaml"  # relative to the repo root
PHASES = "examples,coverage,fuzzing,stateful"
# The sandbox's clock starts here on every run, so its data, and the verdict, never
# depend on the day the run happens.
SANDBOX_START = datetime(2025, 3, 14, 16, 0, tzinfo=timezone.utc)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MISSING_SCHEMA = """\
conformance: OnceHub's OpenAPI file is not at {path}
  It is OnceHub's published API reference (OpenAPI 3.1), kept read-only in the team's
  shared/reference folder beside this repo: shared/reference/oncehub-api-v2.yaml. It is never
  copied into the project. Point ONCEHUB_OPENAPI at your copy, e.g.
    ONCEHUB_OPENAPI=/path/to/shared/reference/oncehub-api-v2.yaml make conformance"""


@dataclass(frozen=True)
class Failure:
    """One failed check on one test case, reduced to what a reader needs."""

    operation: str
    check: str
    code: str
    status: int | None
    message: str
    request: str
    response: str


@dataclass(frozen=True)
class Accepted:
    """A baseline entry: an accepted deviation, matched on operation (one, or a list; globs
    allowed), check, and optionally status code and a text found in the message, request or
    response."""

    operation: str | tuple[str, ...]
    check: str
    reason: str
    status: int | None = None
    match: str | None = None

    @property
    def operations(self) -> tuple[str, ...]:
        return (self.operation,) if isinstance(self.operation, str) else self.operation

    def matches(self, failure: Failure) -> bool:
        """Whether this entry covers ``failure``."""
        return (
            any(fnmatchcase(failure.operation, pattern) for pattern in self.operations)
            and self.check in (failure.check, "*")
            and self.status in (None, failure.status)
            and (
                self.match is None
                or any(
                    self.match in text
                    for text in (failure.message, failure.request, failure.response)
                )
            )
        )

    def __str__(self) -> str:
        status = "" if self.status is None else f" [{self.status}]"
        match = "" if self.match is None else f" matching {self.match!r}"
        return f"{', '.join(self.operations)} {self.check}{status}{match}"


def schema_path() -> Path:
    """The reference file: ``$ONCEHUB_OPENAPI``, else the shared folder beside the repo."""
    raw = os.environ.get("ONCEHUB_OPENAPI") or DEFAULT_SCHEMA
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else ROOT / path).resolve()


def declared_operations(schema: dict[str, Any]) -> list[str]:
    """Every ``METHOD /path`` in the schema, in file order."""
    return [
        f"{method.upper()} {path}"
        for path, item in (schema.get("paths") or {}).items()
        for method in item
        if method in METHODS
    ]


def remote_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` that points outside the file (Schemathesis would fetch those)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref
        for value in node.values():
            yield from remote_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from remote_refs(value)


def load_baseline(path: Path) -> list[Accepted]:
    """The accepted deviations; ValueError if an entry lacks operation, check or reason."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text()).get("accepted", [])
    for n, entry in enumerate(entries, 1):
        missing = [key for key in ("operation", "check", "reason") if not entry.get(key)]
        unknown = set(entry) - set(Accepted.__dataclass_fields__)
        if missing or unknown:
            problem = f"lacks {', '.join(missing)}" if missing else f"has unknown {unknown}"
            raise ValueError(f"{path}: entry {n} {problem}")
    return [
        Accepted(**{**entry, "operation": tuple(op) if isinstance(op, list) else op})
        for entry in entries
        for op in [entry["operation"]]
    ]


def st_command(args: argparse.Namespace, schema: Path, base_url: str, reports: Path) -> list[str]:
    """The ``st run`` command line."""
    st = Path(sys.executable).with_name("st")
    return [
        str(st),
        "run",
        str(schema),
        f"--url={base_url}",
        f"--header=API-Key: {DEMO_KEY}",
        "--checks=all",
        f"--phases={PHASES}",
        # One pass of each phase with a fixed number of cases, generated deterministically: the
        # same sandbox always gets the same verdict. (--max-time would repeat fuzzing until
        # the time is spent, a verdict that changes with the machine's speed.)
        f"--max-examples={args.max_examples}",
        "--generation-deterministic",
        "--seed=1",  # the stateful phase still draws from it
        "--workers=1",  # two cores: one for Schemathesis, one for the sandbox
        "--continue-on-failure",  # all failing checks of an operation, not only the first
        "--request-timeout=10",
        "--no-color",
        "--report=junit,ndjson,json",
        f"--report-junit-path={reports / 'junit.xml'}",
        f"--report-ndjson-path={reports / 'events.ndjson'}",
        f"--report-json-path={reports / 'run.json'}",
        *args.st_args,
    ]


def decode(payload: Any, limit: int = 300) -> str:
    """A request or response body from the report, as short text."""
    if payload is None:
        return ""
    if isinstance(payload, dict) and "$base64" in payload:
        text = base64.b64decode(payload["$base64"]).decode("utf-8", "replace")
    else:
        text = payload if isinstance(payload, str) else json.dumps(payload)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_message(message: str) -> str:
    """The first line of a check's message, plus where in the schema or request it applies."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    keep = lines[:1] + [
        line.rstrip(":")
        for line in lines[1:]
        if line.startswith(("Schema at", "Invalid component"))
    ]
    return "; ".join(keep)


@dataclass
class Events:
    """What the NDJSON event stream says: failed checks, operations answered, failing cases."""

    failures: list[Failure]
    covered: set[str]
    failing_cases: int


def read_events(ndjson: Path) -> Events:
    """Read every finished scenario (all phases, the stateful one included) and every error."""
    events = Events([], set(), 0)
    with ndjson.open() as lines:
        for line in lines:
            if line.startswith('{"ScenarioFinished"'):
                recorder = json.loads(line)["ScenarioFinished"]["recorder"]
                read_scenario(recorder, events)
            elif line.startswith('{"NonFatalError"'):
                events.failures.append(read_error(json.loads(line)["NonFatalError"]))
    return events


def read_scenario(recorder: dict[str, Any], events: Events) -> None:
    """Add one scenario's cases and failed checks to ``events``."""
    interactions = recorder.get("interactions") or {}
    for case_id, case in (recorder.get("cases") or {}).items():
        value = case.get("value") or {}
        answered = (interactions.get(case_id) or {}).get("response")
        if answered and value.get("method") and value.get("path"):
            events.covered.add(f"{value['method'].upper()} {value['path']}")
    for case_id, checks in (recorder.get("checks") or {}).items():
        failed = [check for check in checks if check.get("status") == "failure"]
        if not failed:
            continue
        events.failing_cases += 1
        interaction = interactions.get(case_id) or {}
        request = interaction.get("request") or {}
        response = interaction.get("response") or {}
        body = decode(request.get("body"), 200)
        shown_request = f"{request.get('method', '?')} {request.get('uri', '?')}"
        shown_request += f" {body}" if body else ""
        status = response.get("status_code")
        shown_response = f"{status} {decode(response.get('content'))}".strip()
        for check in failed:
            failure = check["failure_info"]["failure"]
            events.failures.append(
                Failure(
                    operation=failure.get("operation") or recorder["label"],
                    check=check["name"],
                    code=failure.get("code", ""),
                    status=status,
                    message=short_message(failure.get("message") or failure.get("title", "")),
                    request=shown_request,
                    response=shown_response,
                )
            )


def read_error(error: dict[str, Any]) -> Failure:
    """An error Schemathesis hit (not a failed check), as a failure of pseudo-check ``error``."""
    value = error.get("value") or {}
    text = f"{value.get('type', 'Error')}: {value.get('message', '')}"
    return Failure(error.get("label") or "(run)", "error", "", None, short_message(text), "", "")


def kind(failure: Failure) -> tuple[str, str, int | None]:
    """What a failure counts as for the summary and the baseline: operation, check, status."""
    return failure.operation, failure.check, failure.status


def print_table(title: str, counts: Iterable[tuple[str, int]]) -> None:
    """A titled two-column listing."""
    print(f"{title}:")
    for name, count in counts:
        print(f"  {count:6}  {name}")


def summarize(
    failures: list[Failure], declared: list[str], events: Events, report: dict[str, Any]
) -> None:
    """Operations covered, test cases generated, failures by check, status code and operation."""
    kinds = {kind(f): f for f in failures}
    hits = Counter(kind(f) for f in failures)
    codes = {f.check: f.code for f in failures}
    missing = [op for op in declared if op not in events.covered]
    cases = report.get("test_cases") or {}
    print("\n== conformance summary")
    print(f"Operations covered: {len(declared) - len(missing)}/{len(declared)}")
    for op in missing:
        print(f"  not covered: {op}")
    print(f"Test cases generated: {cases.get('generated', '?')}")
    print(
        f"Distinct failures (operation x check x status): {len(kinds)}, "
        f"{sum(hits.values())} failed checks in {events.failing_cases} test cases"
    )
    by_check = Counter(k[1] for k in kinds)
    print_table(
        "Failures by check",
        (
            (f"{check} ({codes[check]})" if codes[check] else check, n)
            for check, n in by_check.most_common()
        ),
    )
    by_status = Counter("-" if k[2] is None else str(k[2]) for k in kinds)
    print_table("Failures by status code", by_status.most_common())
    by_op = Counter(k[0] for k in kinds)
    print_table(
        "Failures by operation", sorted(by_op.items(), key=lambda item: (-item[1], item[0]))
    )


def print_unexpected(failures: list[Failure], baseline_path: Path) -> None:
    """Failures the baseline does not accept, grouped by operation and check, one example each."""
    groups: dict[str, dict[str, list[Failure]]] = defaultdict(lambda: defaultdict(list))
    for failure in failures:
        groups[failure.operation][failure.check].append(failure)
    count = len({kind(f) for f in failures})
    print(f"\n== {count} unexpected failures (not in {baseline_path})")
    for operation in sorted(groups):
        print(operation)
        for check, found in sorted(groups[operation].items()):
            statuses = Counter(f.status for f in found)
            print(
                f"  {check}: {', '.join(f'{s} x{n}' for s, n in sorted(statuses.items(), key=str))}"
            )
            seen = set()
            for failure in found:
                if (failure.status, failure.message) in seen or len(seen) == 3:
                    continue
                seen.add((failure.status, failure.message))
                print(f"    - {failure.message}")
                if failure.request:
                    print(f"      > {failure.request}")
                    print(f"      < {failure.response}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options; anything after ``--`` goes to ``st run`` unchanged."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--time-limit",
        type=int,
        default=int(os.environ.get("CONFORMANCE_TIME_LIMIT", 900)),
        help="seconds Schemathesis may run before it is stopped and the run fails",
    )
    parser.add_argument("--max-examples", type=int, default=200, help="per operation and phase")
    parser.add_argument(
        "--allow-stale",
        action="store_true",
        help="do not fail on baseline entries that did not occur (for non-default settings)",
    )
    parser.add_argument("--baseline", type=Path, default=HERE / "baseline.toml")
    parser.add_argument("--reports", type=Path, default=HERE / "reports")
    parser.add_argument("st_args", nargs="*", help="extra `st run` options, after --")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run everything; 0 when all failures are accepted, 1 when some are not, 2 on a setup error."""
    started = time.monotonic()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    schema_file = schema_path()
    if not schema_file.is_file():
        print(MISSING_SCHEMA.format(path=schema_file), file=sys.stderr)
        return 2
    schema = yaml.load(
        schema_file.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    outside = sorted(set(remote_refs(schema)))
    if outside:
        print(
            f"conformance: {schema_file} has remote $refs, not fetched: {outside}", file=sys.stderr
        )
        return 2
    try:
        baseline = load_baseline(args.baseline)
    except (ValueError, TypeError) as exc:  # tomllib's errors are ValueErrors
        print(f"conformance: bad baseline: {exc}", file=sys.stderr)
        return 2
    reports = args.reports.resolve()
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    (reports / ".gitignore").write_text("*\n")

    print(f"Sandbox from {Path(oncehub_nb.__file__).parent}", flush=True)
    clock = StartingAt(SANDBOX_START)
    with Sandbox(key_limit=None, address_limit=None, clock=clock) as box:
        command = st_command(args, schema_file, box.base_url, reports)
        print("$", " ".join(command).replace(DEMO_KEY, "[demo key]"), flush=True)
        try:
            st = subprocess.run(command, cwd=reports, timeout=args.time_limit, check=False)
        except subprocess.TimeoutExpired:
            print(f"conformance: Schemathesis ran over {args.time_limit} s", file=sys.stderr)
            return 2
    run_json = reports / "run.json"
    if st.returncode not in (0, 1) or not run_json.exists():
        print(f"conformance: Schemathesis failed to run (exit {st.returncode})", file=sys.stderr)
        return 2

    report = json.loads(run_json.read_text())
    ndjson = reports / "events.ndjson"
    events = read_events(ndjson)
    failures = events.failures
    summarize(failures, declared_operations(schema), events, report)

    unexpected = [f for f in failures if not any(a.matches(f) for a in baseline)]
    stale = [a for a in baseline if not any(a.matches(f) for f in failures)]
    print(
        f"Baseline: {len(baseline)} entries, {len(baseline) - len(stale)} seen in this run; "
        f"{len(failures) - len(unexpected)} failed checks accepted"
    )
    for entry in stale:
        print(f"  stale entry, did not occur in this run: {entry}")
    elapsed = time.monotonic() - started
    print(f"Wall time: {elapsed:.0f} s (limit {args.time_limit} s); reports: {reports}")
    if unexpected:
        print_unexpected(unexpected, args.baseline)
    if stale and not args.allow_stale:
        print(
            f"\nconformance: {len(stale)} baseline entries accept failures that no longer occur: "
            "delete them (or pass --allow-stale when running with settings other than the defaults)"
        )
    if unexpected or (stale and not args.allow_stale):
        return 1
    print("conformance: OK, every failure is an accepted deviation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
