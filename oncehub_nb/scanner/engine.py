"""One scan: which files, which keys, each file read once, then Git's view of the holders.

One file that cannot be read, or that breaks a reader, never stops the scan: it is
reported (``Report.problems``, and ``Report.unscanned``: not scanned in full) and the scan
goes on with the next.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from oncehub_nb.keys import ApiKey

from . import gitcheck, walk
from .configured import Keyring, gather
from .files import scan_file, scan_notebook
from .findings import Finding, Report, mask
from .reading import DEFAULT_MAX_READ, why
from .rules import dismissal

__all__ = ["PathArg", "paths_of", "run", "run_with_keys", "scan_notebook"]

PathArg = str | os.PathLike[str]
Holders = dict[Path, list[tuple[str, int | None]]]  # file: (masked key, line) it holds


def paths_of(paths: PathArg | Iterable[PathArg] | None) -> list[Path]:
    """The paths to scan as a list (one path alone is not a sequence of characters)."""
    if paths is None:
        return [Path(".")]
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    return [Path(path) for path in paths] or [Path(".")]


def _shower(cwd: Path) -> Callable[[Path], str]:
    """Show a path as the user will recognise it: relative to ``cwd`` when inside it."""
    prefix = str(cwd).rstrip(os.sep) + os.sep

    def shown(path: Path) -> str:
        text = str(path)
        return text[len(prefix) :] if path.is_absolute() and text.startswith(prefix) else text

    return shown


def run(
    paths: PathArg | Iterable[PathArg] | None = None,
    *,
    keys: Iterable[str | ApiKey] | None = None,
    environ: Mapping[str, str] | None = None,
    max_read: int = DEFAULT_MAX_READ,
) -> Report:
    """Scan ``paths`` (files or folders; default: the current folder) and report all.

    ``max_read``: bytes read at once; a larger file is scanned in pieces of that size.
    Raises FileNotFoundError when a path does not exist.
    """
    return run_with_keys(paths, keys=keys, environ=environ, max_read=max_read)[0]


def _scan_one(
    path: Path, kind: str, shown: str, ring: Keyring, max_read: int, report: Report
) -> list[Finding] | None:
    """One file's findings (added to the report); None, and a problem, when it failed."""
    try:
        findings, dismissed = scan_file(path, kind, shown, ring, max_read)
    except OSError as error:
        reason = f"cannot be read ({why(error)})" if error.errno else why(error)
        report.unreadable(shown, reason)
        return None
    except Exception as error:  # a hostile file broke a reader: said, and the scan goes on
        report.unreadable(shown, f"could not be scanned ({type(error).__name__})")
        return None
    report.files += 1
    if kind != "dotenv":  # a dotenv file holds keys by design: only Git's view of it counts
        report.findings += findings
        report.dismissed += dismissed
    return findings


def run_with_keys(
    paths: PathArg | Iterable[PathArg] | None = None,
    *,
    keys: Iterable[str | ApiKey] | None = None,
    environ: Mapping[str, str] | None = None,
    max_read: int = DEFAULT_MAX_READ,
) -> tuple[Report, Keyring]:
    """:func:`run`, and the keys it searched for (for --fix)."""
    roots = paths_of(paths)
    _shown = _shower(Path.cwd())
    report = Report()
    walked = list(walk.files(roots, lambda path, why: report.unreadable(_shown(path), why)))
    dotenvs = [path for path, kind in walked if kind == "dotenv"]
    templates = [path for path, kind in walked if walk.is_template(path)]
    ring = gather(roots, dotenvs, templates, keys=keys, environ=environ, show=_shown)
    report.problems[:0] = ring.problems
    report.keys = [(k.masked, k.source) for k in ring.keys]
    holders: Holders = {}
    for path, kind in walked:
        findings = _scan_one(path, kind, _shown(path), ring, max_read, report)
        for finding in findings or []:
            line = finding.line if kind == "dotenv" else None
            holders.setdefault(path, []).append((finding.masked, line))
    for path, dotenv in ring.dotenvs.items():
        if path not in dotenvs:  # a .env beside or above the scanned folders
            report.files += 1
        value = (dotenv.value or "").strip()
        if value and (ring.configured(value) or dismissal(value, ring.examples) is None):
            holders.setdefault(path, []).append((mask(value), dotenv.line))
    _git_findings(holders, report, _shown)
    report.problems = list(dict.fromkeys(report.problems))
    report.unscanned = list(dict.fromkeys(report.unscanned))
    report.findings.sort(key=Finding.sort_key)
    report.dismissed.sort(key=lambda d: (d.path, d.cell or 0, d.line or 0, d.kind))
    return report, ring


def _git_findings(holders: Holders, report: Report, shown: Callable[[Path], str]) -> None:
    """A finding for each key a file holds that Git tracks or would take."""
    for path, state in gitcheck.states(holders).items():
        kind = "git-tracked" if state == gitcheck.TRACKED else "git-not-ignored"
        what = "dotenv file" if walk.kind_of(path) == "dotenv" else ""
        held: dict[str, int | None] = {}
        for masked, line in holders[path]:  # each key once, at its first line
            if masked not in held or (held[masked] is None and line is not None):
                held[masked] = line
        for masked, line in held.items():
            report.findings.append(
                Finding(shown(path), line=line, kind=kind, place="git", masked=masked, detail=what)
            )
