"""Keys in a parsed notebook: by cell, output (or widget model, metadata) and line.

nbformat 4 and 3 (cells in ``worksheets``, code in ``input``) are read alike. A cell's
stream outputs are also read joined, per stream, with their line breaks left out: nbclient
and papermill keep each write as an output of its own, and a key printed in pieces is
still shown whole. A notebook whose JSON names a member twice is not read as a notebook
(``load``): which of the two would count depends on the reader.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from .configured import Keyring
from .findings import Dismissed, Finding
from .matching import Hits, key_hits, literal_hits
from .quicklook import as_text, check_depth

__all__ = [
    "TWICE",
    "WIDGET_STATE",
    "Split",
    "cells_of",
    "fixable_parts",
    "load",
    "locate",
    "source_of",
    "split_streams",
    "widget_models",
]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_BREAK = re.compile("[\r\n]")
TWICE = "a member named twice"  # a notebook's JSON that names a member twice is refused


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, object keys included (depth first, without recursion:
    a value nested thousands deep is walked like any other)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for name, inner in reversed(item.items()):
                stack += [inner, name]
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _texts(value: Any, label: str, *, joiner: str = "") -> Iterator[tuple[str, str, bool]]:
    """(label, text, whether its lines count) for a value: a text (a string or a list of
    lines, joined) has lines; strings nested deeper (JSON data, widget models) do not."""
    if isinstance(value, str):
        yield label, value, True
    elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        yield label, joiner.join(value), True
    else:
        for text in _strings(value):
            yield label, text, False


def _output_texts(output: Any) -> Iterator[tuple[str, str, bool]]:
    if not isinstance(output, dict):
        yield from _texts(output, "output")
        return
    for name, value in output.items():
        if name == "data" and isinstance(value, dict):
            for mime, content in value.items():
                yield from _texts(content, mime)
        elif name == "traceback":
            yield from _texts(value, "traceback", joiner="\n")
        elif name == "text":
            yield from _texts(value, _stream_name(output))
        elif name not in ("output_type", "execution_count"):
            yield from _texts(value, "output metadata" if name == "metadata" else name)


def _stream_name(output: dict[str, Any]) -> str:
    """ "stdout", "stderr" (nbformat 4's ``name``, nbformat 3's ``stream``)."""
    return str(output.get("name") or output.get("stream") or "stream")


def _holds_key(value: Any, ring: Keyring) -> bool:
    """Whether a configured key is anywhere in a JSON value (serialised in C: fast)."""
    dumped = value if isinstance(value, str) else json.dumps(value)
    return any(form in dumped for known in ring.keys for form in known.texts)


def _output_holds_key(output: Any, ring: Keyring) -> bool:
    """Whether an output holds a configured key, whole in its JSON or only once a text
    written as a list of lines is joined (a key cut between two of them)."""
    if _holds_key(output, ring):
        return True
    if not isinstance(output, dict):
        return False
    values = [*output.values()]
    if isinstance(output.get("data"), dict):
        values += output["data"].values()
    return any(
        _holds_key("".join(value), ring)
        for value in values
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value)
    )


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        names = [name for name, _ in pairs]
        twice = next(name for name in names if names.count(name) > 1)
        raise ValueError(f"{TWICE}: {twice}")
    return found


def load(data: str | bytes) -> Any:
    """A notebook's JSON; ValueError when it is not JSON or names a member twice,
    RecursionError when nested too deeply (the same on every CPython version)."""
    return check_depth(json.loads(data, object_pairs_hook=_unique_members))


def cells_of(notebook: Any) -> list[Any] | None:
    """A notebook's cells, in order (nbformat 3: every worksheet's); None: not a notebook."""
    if not isinstance(notebook, dict):
        return None
    cells = notebook.get("cells")
    if isinstance(cells, list):
        return cells
    sheets = notebook.get("worksheets")
    if not isinstance(sheets, list):
        return None
    return [
        cell
        for sheet in sheets
        if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list)
        for cell in sheet["cells"]
    ]


def source_of(cell: dict[str, Any]) -> str | None:
    """A cell's source as one string (nbformat 3 code cells: its ``input``)."""
    value = cell.get("source")
    return as_text(value if value is not None else cell.get("input"))


def widget_models(notebook: dict[str, Any]) -> dict[str, Any]:
    """The widget models JupyterLab saved in the notebook's metadata (model id: model)."""
    metadata = notebook.get("metadata")
    widgets = metadata.get("widgets") if isinstance(metadata, dict) else None
    saved = widgets.get(WIDGET_STATE) if isinstance(widgets, dict) else None
    state = saved.get("state") if isinstance(saved, dict) else None
    return state if isinstance(state, dict) else {}


def locate(
    notebook: Any, path: str, ring: Keyring, only: Collection[int] | None = None
) -> Hits | None:
    """Every finding in a parsed notebook, by cell, output and line (None: not a notebook).

    ``only``: the (0-based) cells to look at, when the bytes already said which; then the
    notebook's metadata is looked at only if ``only`` holds -1.
    """
    cells = cells_of(notebook)
    if cells is None:
        return None
    findings: list[Finding] = []
    dismissed: list[Dismissed] = []
    if only is None or -1 in only:
        findings += _metadata_hits(notebook, path, ring)
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and (only is None or index in only):
            more, less = _cell_hits(cell, index + 1, path, ring)
            findings += more
            dismissed += less
    return _unique(findings), dismissed


def _metadata_hits(notebook: dict[str, Any], path: str, ring: Keyring) -> list[Finding]:
    findings: list[Finding] = []
    models = widget_models(notebook)
    for model_id, model in models.items():
        if not _holds_key(model, ring):
            continue
        name = model.get("model_name", "widget") if isinstance(model, dict) else "widget"
        for text in _strings(model):
            found = key_hits(text, ring, path, "widget-state", numbered=False)
            findings += [_with_detail(f, f"model {model_id} ({name})") for f in found]
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict):
        rest = dict(metadata)
        widgets = rest.get("widgets")
        if isinstance(widgets, dict) and models:
            rest["widgets"] = {k: v for k, v in widgets.items() if k != WIDGET_STATE}
        for name, value in rest.items() if _holds_key(rest, ring) else ():
            for label, text, _ in _texts(value, str(name)):
                findings += key_hits(text, ring, path, "metadata", label=label, numbered=False)
    return findings


def _cell_hits(cell: dict[str, Any], number: int, path: str, ring: Keyring) -> Hits:
    findings: list[Finding] = []
    source = source_of(cell)
    dismissed: list[Dismissed] = []
    if source is not None:
        findings += key_hits(source, ring, path, "source", cell=number)
        literals, dismissed = literal_hits(source, ring, path, "source", cell=number)
        findings += literals
    extras = {name: cell.get(name) for name in ("metadata", "attachments")}
    for name, value in extras.items() if _holds_key(extras, ring) else ():
        for label, text, _ in _texts(value, name):
            found = key_hits(text, ring, path, "cell-metadata", cell=number, label=label)
            findings += [replace(f, line=None) for f in found]
    outputs = cell.get("outputs")
    for index, output in enumerate(outputs if isinstance(outputs, list) else [], start=1):
        if not _output_holds_key(output, ring):
            continue
        for label, text, numbered in _output_texts(output):
            findings += key_hits(
                text, ring, path, "output", cell=number, output=index, label=label,
                numbered=numbered,
            )  # fmt: skip
    for split in split_streams(outputs, ring):
        label = f"{split.name}, split across " + (
            f"outputs {split.outputs[0] + 1}–{split.outputs[-1] + 1}"
            if len(split.outputs) > 1
            else "lines"
        )
        findings.append(
            Finding(path, number, split.outputs[0] + 1, split.line, place="output",
                    masked=split.masked, detail=label)
        )  # fmt: skip
    return findings, dismissed


@dataclass(frozen=True)
class Split:
    """A configured key shown whole only once a cell's stream outputs are joined."""

    name: str  # the stream: stdout, stderr
    outputs: list[int]  # 0-based, those it spans
    line: int  # in the first of them
    masked: str


def _streams(outputs: Any) -> dict[str, list[tuple[int, str]]]:
    """A cell's stream outputs' texts by stream name: (0-based output, text) each."""
    streams: dict[str, list[tuple[int, str]]] = {}
    for index, output in enumerate(outputs if isinstance(outputs, list) else []):
        if isinstance(output, dict) and output.get("output_type") == "stream":
            text = as_text(output.get("text"))
            if text:
                streams.setdefault(_stream_name(output), []).append((index, text))
    return streams


def split_streams(outputs: Any, ring: Keyring) -> list[Split]:
    """The keys a cell's stream outputs show only when joined (per stream, line breaks
    left out): printed in pieces, or across lines. A key whole in one line of one output
    is not among them (it is found there)."""
    found: list[Split] = []
    for name, parts in _streams(outputs).items():
        joined = "".join(text for _, text in parts)
        starts = list(accumulate((len(text) for _, text in parts[:-1]), initial=0))
        breaks = [match.start() for match in _BREAK.finditer(joined)]
        flat = joined.replace("\r", "").replace("\n", "") if breaks else joined
        shifts = [at - count for count, at in enumerate(breaks)]  # flat index of each break
        for known in ring.keys:
            for form in known.texts:
                at = flat.find(form)
                while at != -1:
                    first = at + bisect_right(shifts, at)  # back in the joined text
                    last = at + len(form) - 1 + bisect_right(shifts, at + len(form) - 1)
                    spanned = sorted({bisect_right(starts, i) - 1 for i in (first, last)})
                    if len(spanned) > 1 or last - first + 1 != len(form):
                        outputs_spanned = [parts[i][0] for i in range(spanned[0], spanned[-1] + 1)]
                        begin = starts[spanned[0]]
                        line = joined.count("\n", begin, first) + 1
                        found.append(Split(name, outputs_spanned, line, known.masked))
                    at = flat.find(form, at + len(form))
    return found


def _with_detail(finding: Finding, detail: str) -> Finding:
    return replace(finding, detail="; ".join(part for part in (detail, finding.detail) if part))


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        seen.setdefault((f.place, f.cell, f.output, f.line, f.kind, f.masked), f)
    return list(seen.values())


def fixable_parts(notebook: dict[str, Any], ring: Keyring) -> tuple[dict[int, set[int]], set[str]]:
    """What --fix clears, 0-based: {cell: outputs} and the widget model ids, those holding
    a configured key."""
    outputs: dict[int, set[int]] = {}
    located = locate(notebook, "", ring)
    for finding in located[0] if located else []:
        if finding.place == "output" and finding.cell and finding.output:
            outputs.setdefault(finding.cell - 1, set()).add(finding.output - 1)
    for index, cell in enumerate(cells_of(notebook) or []):
        splits = split_streams(cell.get("outputs"), ring) if isinstance(cell, dict) else []
        for split in splits:  # every output a key printed in pieces spans
            outputs.setdefault(index, set()).update(split.outputs)
    models = {key for key, model in widget_models(notebook).items() if _holds_key(model, ring)}
    return outputs, models
