"""Cells of tables and field views: short, readable, secrets masked (pure functions).

Expanded objects shrink to their name and ``id``, lists to their values or a count,
long text is cut with "…" (IDs never), timestamps read ``2025-03-17 11:00 UTC``, and a
field named ``secret`` (webhook signing secrets), at any depth, only shows that it is
set. The HTML styles take their colours from JupyterLab's theme variables; in a table
too wide for its frame, text cells wrap between words and IDs never wrap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CELL_WIDTH",
    "FRAME",
    "MASK",
    "NOTE",
    "TD",
    "TD_ID",
    "TH",
    "cut",
    "format_cell",
    "header_html",
    "html_text",
    "id_spans",
    "is_id",
    "is_secret_field",
    "is_time",
    "label_of",
    "mask_secrets",
    "summarize",
    "summarize_list",
    "td_style",
]

MASK = "•••• (hidden)"
CELL_WIDTH = 48  # characters of text a table cell shows before "…"
_LABEL_FIELDS = ("name", "subject", "title", "label")
_ID = re.compile(r"(?<![\w-])[A-Z]{2,5}-[A-Za-z0-9]+(?![\w-])")  # BKNG-3KM0HY2BF9SL
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\Z"
)
_SHOWN_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:[\d.]+)?( UTC| [+-]\d{2}:?\d{2})?")


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
        return summarize_list(value, width)
    return cut(str(value), width)


def is_id(text: str) -> bool:
    """Whether ``text`` is one OnceHub ID (``BKNG-3KM0HY2BF9SL``), nothing else."""
    return _ID.fullmatch(text) is not None


def is_time(text: str) -> bool:
    """Whether ``text`` is a time as cells show it (``2025-03-17 11:00 UTC``)."""
    return _SHOWN_TIME.fullmatch(text) is not None


def id_spans(text: str) -> list[tuple[int, int]]:
    """Where the OnceHub IDs in ``text`` start and end."""
    return [match.span() for match in _ID.finditer(text)]


def _text(value: str, width: int) -> str:
    if is_id(value):
        return value  # IDs are never cut
    moment = _TIMESTAMP.match(value)
    if moment:
        return _readable_time(moment)
    return cut(" ".join(value.split()), width)


def _readable_time(moment: re.Match[str]) -> str:
    """``2025-03-17T11:00:00Z`` → ``2025-03-17 11:00 UTC`` (seconds kept unless zero)."""
    day, minutes, seconds, zone = moment.groups()
    clock = minutes if seconds in (None, ":00") else minutes + seconds
    if zone is None:
        return f"{day} {clock}"
    return f"{day} {clock} {'UTC' if zone == 'Z' else zone}"


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def summarize(obj: Mapping[str, Any], width: int = CELL_WIDTH) -> str:
    """An expanded object as ``name (ID)``, its ``id`` alone, or its first scalar fields."""
    ident = obj.get("id")
    label = label_of(obj)
    if isinstance(ident, str) and ident:
        if not label or label == ident:
            return ident
        return f"{cut(label, max(width - len(ident) - 3, 8))} ({ident})"
    if label:
        return cut(label, width)
    pairs = [
        f"{key}: {format_cell(item, width)}"
        for key, item in obj.items()
        if item is not None
        and not is_secret_field(str(key))
        and not isinstance(item, (Mapping, list, tuple))
    ]
    if pairs:
        return cut(", ".join(pairs), width)
    return f"{len(obj)} field{'s' * (len(obj) != 1)}" if obj else ""


def label_of(obj: Mapping[str, Any]) -> str:
    """A name for an object: its name, subject…, a person's full name, else its email."""
    for name in _LABEL_FIELDS:
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    names = [obj.get("first_name"), obj.get("last_name")]
    full = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    email = obj.get("email")
    return full or (email.strip() if isinstance(email, str) else "")


def summarize_list(items: Sequence[Any], width: int) -> str:
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


# -- table styles (JupyterLab's theme variables, with fallbacks) ----------------------

FRAME = (
    "border-left:4px solid var(--jp-brand-color1, #1976d2);padding:4px 10px;margin:2px 0;"
    "overflow-x:auto;max-width:100%;box-sizing:border-box;"
    "color:var(--jp-content-font-color1, inherit);"
    "font-family:var(--jp-ui-font-family, inherit);font-size:13px;line-height:1.4"
)
TH = (
    "text-align:left;padding:1px 12px 1px 0;font-weight:600;vertical-align:bottom;"
    "border-bottom:1px solid var(--jp-border-color1, #bdbdbd)"
)
# Text cells wrap between words when the table is wider than its frame; ID cells never do
# (and IDs inside text keep together: ``html_text``).
TD = (
    "text-align:left;padding:1px 12px 1px 0;vertical-align:top;"
    "white-space:normal;overflow-wrap:break-word"
)
TD_ID = "text-align:left;padding:1px 12px 1px 0;vertical-align:top;white-space:nowrap"
_KEEP = "white-space:nowrap"
NOTE = "color:var(--jp-content-font-color2, #616161);font-size:12px;margin-top:3px"


def td_style(value: str) -> str:
    """The style of a cell showing ``value``: an ID never wraps, other text may."""
    return TD_ID if is_id(value) else TD


def html_text(value: str) -> str:
    """``value`` escaped; text may wrap between words, never inside a word with a hyphen
    (an ID, ``Name (USR-…)``'s ID, a date): those are kept on one line."""
    from html import escape  # html.entities is large: HTML views only

    if "-" not in value or is_id(value):
        return escape(value)
    return "".join(
        f'<span style="{_KEEP}">{escape(word)}</span>' if "-" in word else escape(word)
        for word in re.split(r"(\s+)", value)
    )


def header_html(name: str) -> str:
    """A column's name escaped, free to break after ``_`` and ``.`` (``form_submission.name``)."""
    from html import escape

    return re.sub(r"([_.])", r"\1<wbr>", escape(name))
