"""One scan: which files, which keys, each file read once, then Git's view of the holders."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from oncehub_nb.keys import ApiKey

from . import gitcheck, quicklook, walk
from .configured import Keyring, gather
from .findings import NOT_A_NOTEBOOK, Finding, Report, mask
from .matching import Hits
from .notebooks import locate
from .rules import dismissal
from .textfiles import scan_text

__all__ = ["PathArg", "paths_of", "run", "run_with_keys", "scan_notebook"]

PathArg = str | os.PathLike[str]


def paths_of(paths: PathArg | Iterable[PathArg] | None) -> list[Path]:
    """The paths to scan as a list (one path alone is not a sequence of characters)."""
    if paths is None:
        return [Path(".")]
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    return [Path(path) for path in paths] or [Path(".")]


def scan_notebook(data: bytes, path: str, ring: Keyring) -> Hits:
    """Findings in a notebook's bytes; it is parsed only when something is there."""
    seen = quicklook.look(data, ring, path)
    if not seen.parse:
        return [], seen.dismissed
    try:
        notebook = json.loads(data)
    except ValueError:  # not JSON, or not UTF-8
        notebook = None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    only: set[int] | None = None
    if isinstance(cells, list) and len(cells) == seen.cell_count:  # the bytes were right
        only = seen.cells | {-1}  # and the notebook's metadata, wherever it is
    located = locate(notebook, path, ring, only)
    if located is None:
        return scan_text(data, path, ring, detail=f"{NOT_A_NOTEBOOK}: read as text")
    findings, dismissed = located
    return findings, seen.dismissed if only is not None else dismissed


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
) -> Report:
    """Scan ``paths`` (files or folders; default: the current folder) and report all.

    Raises FileNotFoundError when a path does not exist.
    """
    return run_with_keys(paths, keys=keys, environ=environ)[0]


def run_with_keys(
    paths: PathArg | Iterable[PathArg] | None = None,
    *,
    keys: Iterable[str | ApiKey] | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Report, Keyring]:
    """:func:`run`, and the keys it searched for (for --fix)."""
    roots = paths_of(paths)
    walked = list(walk.files(roots))
    dotenvs = [path for path, kind in walked if kind == "dotenv"]
    templates = [path for path, kind in walked if walk.is_template(path)]
    _shown = _shower(Path.cwd())
    ring = gather(roots, dotenvs, templates, keys=keys, environ=environ, show=_shown)
    report = Report(problems=list(ring.problems), keys=[(k.masked, k.source) for k in ring.keys])
    holders: dict[Path, list[tuple[str, int | None]]] = {}
    for path, kind in walked:
        if kind == "dotenv":
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.problems.append(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})")
            continue
        report.files += 1
        shown = _shown(path)
        scanner = scan_notebook if kind == "notebook" else scan_text
        findings, dismissed = scanner(data, shown, ring)
        report.findings += findings
        report.dismissed += dismissed
        for masked in dict.fromkeys(finding.masked for finding in findings):
            holders.setdefault(path, []).append((masked, None))
    for path, dotenv in ring.dotenvs.items():
        report.files += 1
        value = (dotenv.value or "").strip()
        if value and (ring.configured(value) or dismissal(value, ring.examples) is None):
            holders.setdefault(path, []).append((mask(value), dotenv.line))
    for path, state in gitcheck.states(holders).items():
        kind = "git-tracked" if state == gitcheck.TRACKED else "git-not-ignored"
        what = "dotenv file" if walk.kind_of(path) == "dotenv" else ""
        for masked, line in holders[path]:
            report.findings.append(
                Finding(_shown(path), line=line, kind=kind, place="git", masked=masked, detail=what)
            )
    report.findings.sort(key=Finding.sort_key)
    report.dismissed.sort(key=lambda d: (d.path, d.cell or 0, d.line or 0, d.kind))
    return report, ring
