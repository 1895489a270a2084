"""Keys in a parsed notebook: by cell, output (or widget model, metadata) and line."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

from .configured import Keyring
from .findings import Dismissed, Finding
from .matching import Hits, key_hits, literal_hits
from .quicklook import as_text

__all__ = ["WIDGET_STATE", "fixable_parts", "locate", "widget_models"]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, object keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(name)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


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
            yield from _texts(value, str(output.get("name") or "stream"))
        elif name not in ("output_type", "execution_count"):
            yield from _texts(value, "output metadata" if name == "metadata" else name)


def _holds_key(value: Any, ring: Keyring) -> bool:
    """Whether a configured key is anywhere in a JSON value (serialised in C: fast)."""
    dumped = value if isinstance(value, str) else json.dumps(value)
    return any(form in dumped for known in ring.keys for form in known.texts)


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
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    findings: list[Finding] = []
    dismissed: list[Dismissed] = []
    if only is None or -1 in only:
        findings += _metadata_hits(notebook, path, ring)
    for index, cell in enumerate(notebook["cells"]):
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
    source = as_text(cell.get("source"))
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
        if not _holds_key(output, ring):
            continue
        for label, text, numbered in _output_texts(output):
            findings += key_hits(
                text, ring, path, "output", cell=number, output=index, label=label,
                numbered=numbered,
            )  # fmt: skip
    return findings, dismissed


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
    models = {key for key, model in widget_models(notebook).items() if _holds_key(model, ring)}
    return outputs, models
