"""Tables and field views of API objects, as HTML and as text (pure functions).

A list becomes a table of the fields people look for in that kind of object (``id``
first); one object becomes labelled rows. Cells come from ``display.cells`` (short,
secrets masked). Everything is escaped. Text views fit the terminal's width
(``display.fit``: columns shortened, then left out and named); in HTML, IDs never wrap
and other cells wrap between words.

A table touches only the rows it shows: its cost depends on ``limit``, not on how many
objects were fetched.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oncehub_nb.display.cells import (
    CELL_WIDTH,
    FRAME,
    MASK,
    NOTE,
    TH,
    format_cell,
    header_html,
    html_text,
    is_secret_field,
    label_of,
    summarize,
    summarize_list,
    td_style,
)
from oncehub_nb.display.fit import fit_table, labelled, terminal_width, wrap, wrap_parts
from oncehub_nb.display.once import TextView
from oncehub_nb.display.origin import header_lines, origin_html
from oncehub_nb.explore.catalog import CATALOG
from oncehub_nb.explore.endpoints import Endpoint
from oncehub_nb.explore.resources import by_kind, by_prefix, for_path
from oncehub_nb.settings import DEFAULTS

__all__ = [
    "EndpointTable",
    "cell",
    "columns_for",
    "endpoints_table",
    "list_html",
    "list_text",
    "object_html",
    "object_kind",
    "object_text",
]

FIELD_WIDTH = 400  # ... and a field of a single object's view
GENERIC_COLUMNS = 5  # fields besides ``id`` in a table of an unknown kind
SAMPLE = 100  # objects looked at to choose columns

# -- kinds and columns ---------------------------------------------------------------------


def object_kind(objects_or_obj: Any, path: str | None = None) -> str | None:
    """The objects' kind ("booking", "user", …): their ``object`` field, else the path."""
    first = _first_object(objects_or_obj)
    if first is not None:
        kind = first.get("object")
        if isinstance(kind, str) and kind != "list":
            return kind
    from_path = _kind_from_path(path) if path else None
    if from_path is None and first is not None and isinstance(first.get("id"), str):
        found = by_prefix(first["id"].partition("-")[0])
        return found.kind if found else None
    return from_path


def _first_object(value: Any) -> Mapping[str, Any] | None:
    """The object itself, a list page's first item, or a sequence's first item."""
    if isinstance(value, Mapping):
        if value.get("object") == "list" and isinstance(value.get("data"), Sequence):
            return _first_object(value["data"])
        return value
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and len(value):
        first = value[0]
        return first if isinstance(first, Mapping) else None
    return None


def _kind_from_path(path: str) -> str | None:
    """``/v2/bookings?limit=5`` or ``bookings/BKNG-…`` → "booking"; sub-resources → None."""
    found = for_path(path)
    if found is None:
        return None
    parts = [p for p in path.split("?", 1)[0].split("#", 1)[0].split("/") if p]
    if "v2" in parts:
        parts = parts[parts.index("v2") + 1 :]
    depth = found.collection.count("/") + 1
    return found.kind if len(parts) <= depth + 1 else None


def columns_for(kind: str | None, objects: Sequence[Mapping[str, Any]]) -> list[str]:
    """``id``, then the fields people look for in this kind (those the objects have)."""
    sample = list(itertools.islice(objects, SAMPLE))
    found = by_kind(kind) if kind else None
    preferred = found.columns if found else None
    if preferred is None:
        return ["id", *_generic_columns(sample)]
    if not sample:
        return ["id", *preferred]
    present = [c for c in preferred if any(_has(obj, c) for obj in sample)]
    return ["id", *present]


def _has(obj: Mapping[str, Any], column: str) -> bool:
    head, _, rest = column.partition(".")
    if head not in obj:
        return False
    return not rest or (isinstance(obj[head], Mapping) and _has(obj[head], rest))


def _generic_columns(sample: Iterable[Mapping[str, Any]]) -> list[str]:
    """The first few scalar fields of the objects, in order of appearance."""
    found: list[str] = []
    for obj in sample:
        for name, value in obj.items():
            if name in ("id", "object") or name in found or is_secret_field(name):
                continue
            if not isinstance(value, (Mapping, list, tuple)):
                found.append(name)
                if len(found) == GENERIC_COLUMNS:
                    return found
    return found


def cell(obj: Mapping[str, Any], column: str, width: int = CELL_WIDTH) -> str:
    """The cell of ``column`` (a field or a dotted path) of one object, secrets masked."""
    value: Any = obj
    for part in column.split("."):
        if not isinstance(value, Mapping):
            return ""
        value = value.get(part)
        if is_secret_field(part):
            return MASK if value is not None else ""
    return format_cell(value, width)


# -- tables --------------------------------------------------------------------------------


def _shown(objects: Iterable[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """The first ``limit`` objects; the rest are never looked at."""
    return list(itertools.islice(objects, max(limit, 0)))


def _table(
    objects: Iterable[Mapping[str, Any]], kind: str | None, limit: int
) -> tuple[str | None, list[str], list[list[str]]]:
    rows = _shown(objects, limit)
    kind = kind if kind is not None else object_kind(rows)
    columns = columns_for(kind, rows)
    return kind, columns, [[cell(obj, column) for column in columns] for obj in rows]


def list_html(
    objects: Sequence[Mapping[str, Any]],
    *,
    kind: str | None = None,
    limit: int = DEFAULTS.displaylimit,
    footer: str = "",
    header: str | None = None,
) -> str:
    """An HTML table of at most ``limit`` objects under ``header`` (where they came from),
    then ``footer`` (escaped)."""
    from html import escape  # html.entities is large: HTML views only

    kind, columns, rows = _table(objects, kind, limit)
    head = "".join(f'<th style="{TH}">{header_html(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{td_style(v)}">{html_text(v)}</td>' for v in row) + "</tr>"
        for row in rows
    )
    empty = "" if rows else f'<div style="{NOTE}">No {escape(_plural(kind))}.</div>'
    note = f'<div style="{NOTE}">{escape(footer)}</div>' if footer else ""
    return (
        f'<div class="oncehub-result oncehub-list" data-kind="{escape(kind or "")}" '
        f'style="{FRAME}">{origin_html(header)}'
        f'<table style="border-collapse:collapse;margin:0"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{empty}{note}</div>"
    )


def list_text(
    objects: Sequence[Mapping[str, Any]],
    *,
    kind: str | None = None,
    limit: int = DEFAULTS.displaylimit,
    footer: str = "",
    width: int | None = None,
    header: str | None = None,
) -> str:
    """``header`` (where they came from), aligned columns of at most ``limit`` objects,
    then ``footer``, all within ``width`` (default: the terminal's): the kind's least
    useful columns give way first."""
    width = terminal_width(width)
    kind, columns, rows = _table(objects, kind, limit)
    found = by_kind(kind) if kind else None
    fitted = fit_table(
        columns,
        rows,
        width,
        drop_first=found.drop_first if found else (),
        shorten_ok=found.free_text if found else None,
    )
    lines = [*header_lines(header, width), *fitted.lines()]
    if not rows:
        lines.append(f"No {_plural(kind)}.")
    lines.extend(fitted.note(width, "use .df()"))
    if footer:
        lines.extend(wrap_parts(footer, width))
    return "\n".join(lines)


def _plural(kind: str | None) -> str:
    found = by_kind(kind) if kind else None
    return found.plural if found else (kind or "object").replace("_", " ") + "s"


# -- one object ----------------------------------------------------------------------------

Field = tuple[int, str, str]  # depth, label, value


def _fields(obj: Mapping[str, Any], depth: int = 0) -> list[Field]:
    """Label/value rows; a nested object's fields follow it one level in, deeper ones shrink."""
    rows: list[Field] = []
    for key, value in obj.items():
        name = str(key)
        if depth == 0 and name == "object":
            continue
        if is_secret_field(name):
            rows.append((depth, name, MASK if value is not None else ""))
        elif isinstance(value, Mapping) and value and depth == 0:
            rows.append((depth, name, summarize(value) if "id" in value else ""))
            rows.extend(_fields(value, depth + 1))
        elif isinstance(value, (list, tuple)) and value and depth == 0:
            rows.extend(_list_fields(name, value))
        else:
            rows.append((depth, name, format_cell(value, FIELD_WIDTH)))
    return rows


def _list_fields(name: str, items: Sequence[Any]) -> list[Field]:
    """A list: its short values on one row, or one row per item (summarised)."""
    joined = summarize_list(items, FIELD_WIDTH)
    if not any(isinstance(item, (Mapping, list, tuple)) for item in items):
        return [(0, name, joined)]
    rows: list[Field] = [(0, name, f"{len(items)} item{'s' * (len(items) != 1)}")]
    rows.extend((1, f"[{n}]", format_cell(item, FIELD_WIDTH)) for n, item in enumerate(items))
    return rows


def _title(obj: Mapping[str, Any], kind: str | None) -> str:
    kind = kind if kind is not None else object_kind(obj)
    noun = (kind or "object").replace("_", " ")
    if not isinstance(obj.get("id"), str) and not label_of(obj):
        return noun
    return f"{noun} {summarize(obj, FIELD_WIDTH)}"


def object_text(
    obj: Mapping[str, Any],
    *,
    kind: str | None = None,
    width: int | None = None,
    header: str | None = None,
) -> str:
    """``header`` (where it came from), a title line, then aligned ``label  value`` rows
    (nested fields indented), long values wrapped between words within ``width``
    (default: the terminal's)."""
    width = terminal_width(width)
    rows = [("  " * depth + label, value) for depth, label, value in _fields(obj)]
    top = [*header_lines(header, width), *wrap(_title(obj, kind), width, "  ")]
    return "\n".join([*top, *labelled(rows, width)])


def object_html(
    obj: Mapping[str, Any], *, kind: str | None = None, header: str | None = None
) -> str:
    """An HTML card: ``header`` (where it came from), a title, then a two-column table of
    fields (nested ones indented)."""
    from html import escape  # html.entities is large: HTML views only

    body = "".join(
        "<tr>"
        f'<th style="text-align:left;padding:1px 12px 1px {depth * 16}px;font-weight:'
        f'{600 if depth == 0 else 400};vertical-align:top;white-space:nowrap">'
        f"{escape(label)}</th>"
        f'<td style="text-align:left;padding:1px 0;white-space:pre-wrap">{html_text(value)}</td>'
        "</tr>"
        for depth, label, value in _fields(obj)
    )
    return (
        f'<div class="oncehub-result oncehub-object" style="{FRAME}">{origin_html(header)}'
        f'<div style="font-weight:600;margin-bottom:3px">{escape(_title(obj, kind))}</div>'
        f'<table style="border-collapse:collapse;margin:0">{body}</table></div>'
    )


# -- the table for %oncehub --endpoints ---------------------------------------------------

_HEADS = ("Method", "Path", "Summary", "Query parameters", "Body fields (* required)")
_METHOD_WIDTH = len("DELETE")
_SUMMARY_ROOM = 24  # characters beside the path a summary needs, else it goes below
_DETAILS_ROOM = 50  # ... and the query and body lists, else they start below the path


@dataclass(frozen=True)
class EndpointTable(TextView):
    """What can be called, as text (terminals) and HTML (notebooks).

    Each row: method, path, summary, query parameters, body fields.
    ``text, html = endpoints_table()`` works too.
    """

    rows: tuple[tuple[str, str, str, str, str], ...]

    @property
    def text(self) -> str:
        """The table as text, within the terminal's width."""
        return self.to_text()

    def to_text(self, width: int | None = None) -> str:
        """Method, path and summary, then the query parameters and body fields of the rows
        that have any, wrapped between names within ``width`` (default: the terminal's)."""
        width = terminal_width(width)
        path_width = max((len(row[1]) for row in self.rows), default=0)
        indent = " " * (_METHOD_WIDTH + 1 + path_width + 2)
        room = width - len(indent)
        under = " " * (_METHOD_WIDTH + 3)  # below the path, when the summary has little room
        details = indent if room >= _DETAILS_ROOM else under
        lines = []
        for method, path, summary, query, body in self.rows:
            head = f"{method:<{_METHOD_WIDTH}} {path:<{path_width}}  "
            if room >= _SUMMARY_ROOM:
                lines.extend(wrap(summary, width, indent, head))
            else:
                lines.append(head.rstrip())
                lines.extend(wrap(summary, width, under))
            for label, names in (("query", query), ("body", body)):
                if names:
                    lines.extend(wrap(f"{label}: {names}", width, details + "  ", details))
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """An HTML table, every cell escaped."""
        from html import escape  # html.entities is large: HTML views only

        head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in _HEADS)
        rows = []
        for row in self.rows:
            cells = [f"<code>{escape(c)}</code>" for c in row[:2]]
            cells += [escape(c) for c in row[2:]]
            rows.append("".join(f"<td style='text-align:left'>{c}</td>" for c in cells))
        body = "".join(f"<tr>{r}</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __str__(self) -> str:
        return self.to_text()

    def __iter__(self) -> Iterator[str]:
        return iter((self.text, self.html))

    def _repr_html_(self) -> str:
        return self.html


def _query_summary(ep: Endpoint) -> str:
    parts = []
    for name in ep.query_names:
        p = ep.param(name, "query")
        if name == "expand":
            parts.append(f"expand ({', '.join(ep.expand)})")
        elif p is not None and p.choices:
            parts.append(f"{name} ({'|'.join(p.choices)})")
        else:
            parts.append(name)
    return ", ".join(parts)


def _body_summary(ep: Endpoint) -> str:
    return ", ".join(p.name + ("*" if p.required else "") for p in ep.body_params)


def endpoints_table(method: str | None = None) -> EndpointTable:
    """Every endpoint (or those taking ``method``): method, path, summary, query parameters
    and body fields."""
    wanted = method.upper() if method else None
    return EndpointTable(
        tuple(
            (ep.method, ep.path, ep.summary, _query_summary(ep), _body_summary(ep))
            for ep in CATALOG
            if wanted is None or ep.method == wanted
        )
    )
