"""``--fix``: clear the outputs and widget models that hold a key, and nothing else.

Sources are never edited (the findings name the cells to edit by hand). The notebook is
rewritten in place atomically (a temporary file beside it, then a rename), with every
byte outside the removed outputs and models as it was; should that not give the
expected notebook, it is written in full in nbformat's layout instead. A notebook that
is not valid JSON is reported and never rewritten.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import reading
from .configured import Keyring
from .decoding import decode
from .findings import NOT_A_NOTEBOOK, Finding
from .notebooks import WIDGET_STATE, cells_of, fixable_parts, load, widget_models
from .spans import Edit, apply, elements, members, skip, without
from .walk import NOTEBOOK_SUFFIX

__all__ = ["NOT_REWRITTEN", "Fixed", "fix_findings", "fix_notebook", "write_atomically"]

NOT_REWRITTEN = f"{NOT_A_NOTEBOOK}: not rewritten (edit it by hand)"


@dataclass
class Fixed:
    """What --fix did to one notebook."""

    path: str
    outputs: list[tuple[int, int]] = field(default_factory=list)  # (cell, output), 1-based
    models: list[str] = field(default_factory=list)  # widget model ids
    error: str | None = None  # why it was left as it was
    normalised: bool = False  # written in full: its layout is nbformat's now

    @property
    def changed(self) -> bool:
        return self.error is None and bool(self.outputs or self.models)

    def describe(self) -> str:
        if self.error:
            return f"{self.path}: {self.error}"
        cells = sorted({cell for cell, _ in self.outputs})
        parts = []
        if self.outputs:
            plural = "s" * (len(self.outputs) != 1)
            parts.append(
                f"{len(self.outputs)} output{plural} (cell{'s' * (len(cells) != 1)} "
                f"{', '.join(map(str, cells))})"
            )
        if self.models:
            parts.append(f"{len(self.models)} widget model{'s' * (len(self.models) != 1)}")
        layout = "; rewritten in nbformat's layout" if self.normalised else ""
        return f"{self.path}: cleared {' and '.join(parts)}{layout}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "outputs": [{"cell": cell, "output": output} for cell, output in self.outputs],
            "widget_models": self.models,
            "error": self.error,
            "normalised": self.normalised,
        }


def _expected(notebook: dict[str, Any], outputs: dict[int, set[int]], models: set[str]) -> Any:
    result = copy.deepcopy(notebook)
    cells = cells_of(result) or []
    for cell, drop in outputs.items():
        cell_outputs = cells[cell]["outputs"]
        cell_outputs[:] = [out for index, out in enumerate(cell_outputs) if index not in drop]
    state = widget_models(result)
    for model in models:
        state.pop(model, None)
    return result


def _member(text: str, start: int, name: str) -> tuple[int, int] | None:
    found = [(value, end) for key, _, value, end in members(text, start) if key == name]
    return found[-1] if found else None  # json.loads keeps the last of duplicate names


def _cell_starts(text: str, root: int) -> list[int]:
    """Where each cell's object starts, in order (nbformat 3: in every worksheet)."""
    cells = _member(text, root, "cells")
    if cells:
        return [start for start, _ in elements(text, cells[0])]
    sheets = _member(text, root, "worksheets")
    starts: list[int] = []
    for sheet, _ in elements(text, sheets[0]) if sheets else []:
        found = _member(text, sheet, "cells")
        starts += [start for start, _ in elements(text, found[0])] if found else []
    return starts


def _edits(text: str, outputs: dict[int, set[int]], models: set[str]) -> list[Edit]:
    root = skip(text, 0)
    edits: list[Edit] = []
    if outputs:
        for index, cell_start in enumerate(_cell_starts(text, root)):
            found = _member(text, cell_start, "outputs") if index in outputs else None
            if found:
                edits.append(without(text, found[0], elements(text, found[0]), outputs[index]))
    at: tuple[int, int] | None = (root, 0)
    for name in ("metadata", "widgets", WIDGET_STATE, "state"):
        at = _member(text, at[0], name) if at and models else None
    if at:
        items = members(text, at[0])
        drop = {index for index, (name, *_) in enumerate(items) if name in models}
        edits.append(without(text, at[0], [(start, end) for _, start, _, end in items], drop))
    return edits


def write_atomically(path: Path, data: bytes) -> None:
    """Replace the file's content at once: a temporary file beside it, then a rename.

    Keeps the file's permissions; on any failure the file is left as it was and the
    temporary file removed.
    """
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def fix_notebook(path: Path, ring: Keyring, shown: str | None = None) -> Fixed:
    """Clear the outputs and widget models of one notebook that hold a configured key
    (or a key-shaped literal); sources are left alone."""
    fixed = Fixed(shown or str(path))
    try:
        data = reading.read(path)
    except OSError as error:
        fixed.error = f"could not be read ({reading.why(error)}): left as it was"
        return fixed
    decoded = decode(data) if data is not None else None
    if decoded is None or decoded.text is None:
        fixed.error = NOT_REWRITTEN
        return fixed
    text = decoded.text
    try:  # a member named twice (two "outputs"): which one counts depends on the reader
        notebook = load(text)
        if cells_of(notebook) is None:
            raise ValueError("no cells")
        outputs, models = fixable_parts(notebook, ring)
        expected = _expected(notebook, outputs, models)
    except (ValueError, RecursionError):
        fixed.error = NOT_REWRITTEN
        return fixed
    if not outputs and not models:
        return fixed
    try:
        new_text = apply(text, _edits(text, outputs, models))
        same = load(new_text) == expected
    except (ValueError, RecursionError):
        same = False
    if not same:  # the layout could not be kept: write it as nbformat would
        new_text = json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        fixed.normalised = True
    try:
        encoded = decoded.bom + new_text.encode(decoded.encoding, errors="surrogatepass")
        write_atomically(path, encoded)
    except OSError as exc:
        fixed.error = f"could not be written ({exc.strerror or type(exc).__name__}): left as it was"
        return fixed
    fixed.outputs = sorted((cell + 1, out + 1) for cell, drop in outputs.items() for out in drop)
    fixed.models = sorted(models)
    return fixed


def fix_findings(findings: list[Finding], ring: Keyring) -> list[Fixed]:
    """Fix every notebook with a finding --fix can clear; report the unparseable ones."""
    done: list[Fixed] = []
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.path.endswith(NOTEBOOK_SUFFIX):
            by_path.setdefault(finding.path, []).append(finding)
    for path, here in by_path.items():
        if any(f.fixable for f in here):
            done.append(fix_notebook(Path(path), ring, path))
        elif any(f.detail.startswith(NOT_A_NOTEBOOK) for f in here):
            done.append(Fixed(path, error=NOT_REWRITTEN))
    return done
