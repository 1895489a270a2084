"""Tables and field views of API objects, as HTML and as text (pure functions).

A list becomes a table of the fields people look for in that kind of object (``id``
first); one object becomes labelled rows. Cells are short: expanded objects shrink to
their name and ``id``, lists to their values or a count, long text is cut with "…" (IDs
never), timestamps read ``2025-03-17 11:00 UTC``. A field named ``secret`` (webhook
signing secrets), at any depth, only ever shows that it is set. Everything is escaped,
and HTML takes its colours from JupyterLab's theme variables, as ``render.py`` does.

A table touches only the rows it shows: its cost depends on ``limit``, not on how many
objects were fetched.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oncehub_nb.settings import DEFAULTS

__all__ = [
    "MASK",
    "cell",
    "columns_for",
    "format_cell",
    "is_secret_field",
    "list_html",
    "list_text",
    "mask_secrets",
    "object_html",
    "object_kind",
    "object_text",
    "summarize",
]

MASK = "•••• (hidden)"
CELL_WIDTH = 48  # characters of text a table cell shows before "…"
FIELD_WIDTH = 400  # ... and a field of a single object's view
GENERIC_COLUMNS = 5  # fields besides ``id`` in a table of an unknown kind
SAMPLE = 100  # objects looked at to choose columns

# The collections' paths (v2), and the ``object`` value of what they list.
KIND_BY_COLLECTION = {
    "bookings": "booking",
    "booking-calendars": "booking_calendar",
    "booking-pages": "booking_page",
    "event-types": "event_type",
    "master-pages": "master_page",
    "users": "user",
    "teams": "team",
    "contacts": "contact",
    "webhooks": "webhook",
    "notifications/sms": "notification",
}
KIND_BY_PREFIX = {
    "BKNG": "booking",
    "BKC": "booking_calendar",
    "BP": "booking_page",
    "ET": "event_type",
    "MP": "master_page",
    "USR": "user",
    "TM": "team",
    "CTC": "contact",
    "WHK": "webhook",
    "SMS": "notification",
}
# Per kind, the fields a table shows (when present), in order; ``id`` always comes first.
COLUMNS = {
    "booking": (
        "subject",
        "status",
        "starting_time",
        "duration_minutes",
        "owner",
        "event_type",
        "contact",
        "form_submission.name",
    ),
    "booking_calendar": ("name", "subject", "host", "published", "duration_minutes", "url"),
    "booking_page": ("name", "label", "active", "timezone", "url"),
    "event_type": ("name", "description"),
    "master_page": ("name", "label", "active", "url"),
    "user": ("first_name", "last_name", "email", "role", "role_name", "status", "timezone"),
    "team": ("name",),
    "contact": (
        "first_name",
        "last_name",
        "email",
        "company",
        "status",
        "owner",
        "last_interacted_time",
    ),
    "webhook": ("name", "url", "events", "creation_time"),
    "notification": ("type", "status", "recipient", "recipient_type", "creation_time"),
}
_LABEL_FIELDS = ("name", "subject", "title", "label")
_ID = re.compile(r"[A-Z]{2,5}-[A-Za-z0-9]+\Z")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\Z"
)

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
        return KIND_BY_PREFIX.get(first["id"].partition("-")[0])
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
    parts = [p for p in path.split("?", 1)[0].split("#", 1)[0].split("/") if p]
    if "v2" in parts:
        parts = parts[parts.index("v2") + 1 :]
    for size in (2, 1):
        kind = KIND_BY_COLLECTION.get("/".join(parts[:size]))
        if kind is not None and len(parts) <= size + 1:
            return kind
    return None


def columns_for(kind: str | None, objects: Sequence[Mapping[str, Any]]) -> list[str]:
    """``id``, then the fields people look for in this kind (those the objects have)."""
    sample = list(itertools.islice(objects, SAMPLE))
    preferred = COLUMNS.get(kind or "")
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


# -- secrets -------------------------------------------------------------------------------


def is_secret_field(name: str) -> bool:
    """Whether a field (or a dotted column's last part) holds a secret: ``secret``, ``*_secret``."""
    last = name.rsplit(".", 1)[-1].lower()
    return last == "secret" or last.endswith("_secret")


def mask_secrets(value: Any) -> Any:
    """A deep copy of ``value`` whose secret fields, at any depth, read ``MASK`` (None stays)."""
    if isinstance(value, Mapping):
        return {
            key: (MASK if item is not None else None)
            if is_secret_field(str(key))
            else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_secrets(item) for item in value]
    return value


# -- cells ---------------------------------------------------------------------------------


def format_cell(value: Any, width: int = CELL_WIDTH) -> str:
    """One value as a short line: summaries for objects and lists, "" for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text(value, width)
    if isinstance(value, Mapping):
        return summarize(value, width)
    if isinstance(value, (list, tuple)):
        return _summarize_list(value, width)
    return _cut(str(value), width)


def _text(value: str, width: int) -> str:
    if _ID.match(value):
        return value  # IDs are never cut
    moment = _TIMESTAMP.match(value)
    if moment:
        return _readable_time(moment)
    return _cut(" ".join(value.split()), width)


def _readable_time(moment: re.Match[str]) -> str:
    """``2025-03-17T11:00:00Z`` → ``2025-03-17 11:00 UTC`` (seconds kept unless zero)."""
    day, minutes, seconds, zone = moment.groups()
    clock = minutes if seconds in (None, ":00") else minutes + seconds
    if zone is None:
        return f"{day} {clock}"
    return f"{day} {clock} {'UTC' if zone == 'Z' else zone}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def summarize(obj: Mapping[str, Any], width: int = CELL_WIDTH) -> str:
    """An expanded object as ``name (ID)``, its ``id`` alone, or its first scalar fields."""
    ident = obj.get("id")
    label = _label(obj)
    if isinstance(ident, str) and ident:
        if not label or label == ident:
            return ident
        return f"{_cut(label, max(width - len(ident) - 3, 8))} ({ident})"
    if label:
        return _cut(label, width)
    pairs = [
        f"{key}: {format_cell(item, width)}"
        for key, item in obj.items()
        if item is not None
        and not is_secret_field(str(key))
        and not isinstance(item, (Mapping, list, tuple))
    ]
    if pairs:
        return _cut(", ".join(pairs), width)
    return f"{len(obj)} field{'s' * (len(obj) != 1)}" if obj else ""


def _label(obj: Mapping[str, Any]) -> str:
    """A name for an object: its name, subject…, a person's full name, else its email."""
    for name in _LABEL_FIELDS:
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    names = [obj.get("first_name"), obj.get("last_name")]
    full = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    email = obj.get("email")
    return full or (email.strip() if isinstance(email, str) else "")


def _summarize_list(items: Sequence[Any], width: int) -> str:
    """Short values joined with ", " when they fit, else "3 items"."""
    if not items:
        return ""
    count = f"{len(items)} item{'s' * (len(items) != 1)}"
    if len(items) > 10:
        return count
    parts = []
    for item in items:
        if isinstance(item, Mapping):
            ident = item.get("id")
            part = ident if isinstance(ident, str) else None
        elif isinstance(item, (list, tuple)):
            part = None
        else:
            part = format_cell(item, width)
        if part is None:
            return count
        parts.append(part)
    joined = ", ".join(parts)
    return joined if len(joined) <= width else count


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

_FRAME = (
    "border-left:4px solid var(--jp-brand-color1, #1976d2);padding:4px 10px;margin:2px 0;"
    "overflow-x:auto;max-width:100%;box-sizing:border-box;"
    "color:var(--jp-content-font-color1, inherit);"
    "font-family:var(--jp-ui-font-family, inherit);font-size:13px;line-height:1.4"
)
_TH = (
    "text-align:left;padding:1px 12px 1px 0;font-weight:600;white-space:nowrap;"
    "border-bottom:1px solid var(--jp-border-color1, #bdbdbd)"
)
_TD = "text-align:left;padding:1px 12px 1px 0;white-space:nowrap;vertical-align:top"
_NOTE = "color:var(--jp-content-font-color2, #616161);font-size:12px;margin-top:3px"


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
) -> str:
    """An HTML table of at most ``limit`` objects, then ``footer`` (escaped)."""
    from html import escape  # html.entities is large; only HTML views need it

    kind, columns, rows = _table(objects, kind, limit)
    head = "".join(f'<th style="{_TH}">{escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_TD}">{escape(v)}</td>' for v in row) + "</tr>"
        for row in rows
    )
    empty = "" if rows else f'<div style="{_NOTE}">No {escape(_plural(kind))}.</div>'
    note = f'<div style="{_NOTE}">{escape(footer)}</div>' if footer else ""
    return (
        f'<div class="oncehub-result oncehub-list" data-kind="{escape(kind or "")}" '
        f'style="{_FRAME}">'
        f'<table style="border-collapse:collapse;margin:0"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{empty}{note}</div>"
    )


def list_text(
    objects: Sequence[Mapping[str, Any]],
    *,
    kind: str | None = None,
    limit: int = DEFAULTS.displaylimit,
    footer: str = "",
) -> str:
    """Aligned columns of at most ``limit`` objects for a terminal, then ``footer``."""
    kind, columns, rows = _table(objects, kind, limit)
    widths = [
        max(len(c), max((len(row[i]) for row in rows), default=0)) for i, c in enumerate(columns)
    ]
    lines = [_line(columns, widths), _line(["-" * w for w in widths], widths)]
    lines.extend(_line(row, widths) for row in rows)
    if not rows:
        lines.append(f"No {_plural(kind)}.")
    if footer:
        lines.append(footer)
    return "\n".join(lines)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()


def _plural(kind: str | None) -> str:
    return (kind or "object").replace("_", " ") + "s"


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
    joined = _summarize_list(items, FIELD_WIDTH)
    if not any(isinstance(item, (Mapping, list, tuple)) for item in items):
        return [(0, name, joined)]
    rows: list[Field] = [(0, name, f"{len(items)} item{'s' * (len(items) != 1)}")]
    rows.extend((1, f"[{n}]", format_cell(item, FIELD_WIDTH)) for n, item in enumerate(items))
    return rows


def _title(obj: Mapping[str, Any], kind: str | None) -> str:
    kind = kind if kind is not None else object_kind(obj)
    noun = (kind or "object").replace("_", " ")
    if not isinstance(obj.get("id"), str) and not _label(obj):
        return noun
    return f"{noun} {summarize(obj, FIELD_WIDTH)}"


def object_text(obj: Mapping[str, Any], *, kind: str | None = None) -> str:
    """A title line, then aligned ``label  value`` rows (nested fields indented)."""
    rows = _fields(obj)
    width = max((2 * depth + len(label) for depth, label, _ in rows), default=0)
    lines = [_title(obj, kind)]
    for depth, label, value in rows:
        lines.append(f"  {('  ' * depth + label).ljust(width)}  {value}".rstrip())
    return "\n".join(lines)


def object_html(obj: Mapping[str, Any], *, kind: str | None = None) -> str:
    """An HTML card: a title, then a two-column table of fields (nested ones indented)."""
    from html import escape

    body = "".join(
        "<tr>"
        f'<th style="text-align:left;padding:1px 12px 1px {depth * 16}px;font-weight:'
        f'{600 if depth == 0 else 400};vertical-align:top;white-space:nowrap">'
        f"{escape(label)}</th>"
        f'<td style="text-align:left;padding:1px 0;white-space:pre-wrap">{escape(value)}</td>'
        "</tr>"
        for depth, label, value in _fields(obj)
    )
    return (
        f'<div class="oncehub-result oncehub-object" style="{_FRAME}">'
        f'<div style="font-weight:600;margin-bottom:3px">{escape(_title(obj, kind))}</div>'
        f'<table style="border-collapse:collapse;margin:0">{body}</table></div>'
    )
