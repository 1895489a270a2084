"""Tab completion for ``%oncehub [METHOD] PATH [items…] [options]`` and ``%%oncehub``.

:func:`complete` is plain Python over a cell's text and a cursor offset: methods, paths
(then IDs from the last listing), query parameters and body fields for the endpoint,
their allowed values, ``expand`` values and the options. :func:`matcher_result` answers
IPython's completer (``oncehub_nb.ipython.completing`` hooks it in); no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oncehub_nb.constants import METHODS
from oncehub_nb.errors import RequestProblem

if TYPE_CHECKING:
    from oncehub_nb.explore.endpoints import Endpoint


# The catalog and its checks load at the first completion, not with the extension
# (%load_ext stays cheap).
def _checks() -> Any:
    from oncehub_nb.explore import checks

    return checks


__all__ = [
    "OPTIONS",
    "OPTIONS_WITH_VALUE",
    "Completions",
    "RecentIds",
    "complete",
]

#: The magic's options; those in OPTIONS_WITH_VALUE take the next word as their value.
OPTIONS = ("--all", "--max-items", "--dry-run", "--curl", "-o", "--endpoints")
OPTIONS_WITH_VALUE = frozenset({"--max-items", "--max", "-o"})

#: ``recent_ids("BKNG")`` gives IDs of that kind seen lately (e.g. in the last listing).
RecentIds = Callable[[str], Sequence[str]]

_CELL_MAGIC = re.compile(r"%%oncehub(?=\s|$)")
_LINE_MAGIC = re.compile(
    r"\s*(?:[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)?%oncehub(?=\s|$)"
)
_ITEM = re.compile(r"^([^=:]*?)(==|:=|=)(.*)$", re.DOTALL)
_MAX_IDS = 50

#: Which objects' IDs a parameter takes, for offering recent ones.
PARAM_ID_KINDS: dict[str, tuple[str, ...]] = {
    "owner": ("USR",),
    "user": ("USR",),
    "new_host": ("USR",),
    "host": ("USR", "TM"),
    "contact": ("CTC",),
    "recipient": ("CTC", "USR"),
    "booking_page": ("BP",),
    "master_page": ("MP",),
    "event_type": ("ET",),
    "booking_calendar": ("BKC",),
}


@dataclass
class Completions:
    """Replace ``text[start:end]`` with one of ``matches``."""

    start: int
    end: int
    matches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


def _words(line: str, pos: int) -> list[_Word]:
    """Whitespace-separated words from ``pos`` on; quotes keep spaces inside a word."""
    words: list[_Word] = []
    i, n = pos, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        start, quote = i, ""
        while i < n and (quote or not line[i].isspace()):
            if quote and line[i] == quote:
                quote = ""
            elif not quote and line[i] in "\"'":
                quote = line[i]
            i += 1
        words.append(_Word(start, i, line[start:i]))
    return words


def _recent(recent_ids: RecentIds | None, kinds: Iterable[str | None]) -> list[str]:
    found: list[str] = []
    if recent_ids is None:
        return found
    for kind in kinds:
        if not kind:
            continue
        try:
            ids = list(recent_ids(kind))[:_MAX_IDS]
        except Exception:  # completion must never fail because of the caller's lookup
            continue
        found += [i for i in ids if isinstance(i, str) and i not in found]
    return found


def _starting(prefix: str, candidates: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for c in candidates:
        if c.startswith(prefix):
            seen.setdefault(c, None)
    return list(seen)


def _quoted(value: str) -> str:
    return f'"{value}"' if any(ch.isspace() for ch in value) else value


def complete(text: str, cursor: int, *, recent_ids: RecentIds | None = None) -> Completions:
    """What may go at ``cursor`` in ``text`` (a whole cell or line) for ``%oncehub``.

    Only the cursor's line counts, and only when it is a ``%oncehub`` line (or a
    ``%%oncehub`` cell's first line); otherwise ``matches`` is empty.
    """
    cursor = max(0, min(cursor, len(text)))
    line_start = text.rfind("\n", 0, cursor) + 1
    line_end = text.find("\n", cursor)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    col = cursor - line_start
    nothing = Completions(cursor, cursor, [])
    magic = (_CELL_MAGIC.match(line) if line_start == 0 else None) or _LINE_MAGIC.match(line)
    if magic is None or col <= magic.end():
        return nothing
    before: list[str] = []
    word_start = col
    for word in _words(line, magic.end()):
        if word.start < col <= word.end:
            word_start = word.start
            break
        if word.end < col:
            before.append(word.text)
    prefix = line[word_start:col]
    matches = _matches(before, prefix, recent_ids)
    return Completions(line_start + word_start, cursor, matches)


def _matches(before: list[str], prefix: str, recent_ids: RecentIds | None) -> list[str]:
    method: str | None = None
    path: str | None = None
    items: list[str] = []
    used_options: set[str] = set()
    wants_value = False
    for word in before:
        if wants_value:
            wants_value = False
        elif word.startswith("-"):
            used_options.add(word.split("=", 1)[0])
            wants_value = word in OPTIONS_WITH_VALUE
        elif method is None and path is None and word.upper() in METHODS:
            method = word.upper()
        elif path is None:
            path = word
        else:
            items.append(word)
    if wants_value:
        return []  # a name for -o, a number for --max: nothing to offer
    if prefix.startswith("-"):
        return _starting(prefix, (o for o in OPTIONS if o not in used_options))
    if path is None:
        found = []
        if method is None:
            found = [m for m in METHODS if m.startswith(prefix.upper())]
        return found + _path_matches(prefix, method or "GET", recent_ids)
    try:
        endpoint, _ = _checks().find(method or "GET", path)
    except RequestProblem:
        return []
    return _item_matches(endpoint, prefix, items, recent_ids)


def _path_matches(prefix: str, method: str, recent_ids: RecentIds | None) -> list[str]:
    """Path texts for ``method`` that continue ``prefix``, one segment at a time."""
    lead = "/" if prefix.startswith("/") else ""
    if prefix[len(lead) :].startswith("v2/"):
        lead += "v2/"
    typed = prefix[len(lead) :].split("/")
    done, partial = typed[:-1], typed[-1]
    found: dict[str, None] = {}
    for template in _checks().paths_for(method):
        segs = [s for s in template.split("/") if s]
        if len(segs) <= len(done):
            continue
        if not all(t == d or (t.startswith("{") and d) for t, d in zip(segs, done, strict=False)):
            continue
        step = segs[len(done)]
        if step.startswith("{"):
            if partial.startswith(("$", "{")):
                continue  # a variable of the notebook: nothing to add
            for rid in _recent(recent_ids, [_checks().id_prefix(template)]):
                if rid.startswith(partial):
                    found.setdefault(lead + "/".join([*done, rid]), None)
        elif step.startswith(partial):
            text = lead + "/".join([*done, step])
            deeper = len(segs) > len(done) + 1
            # "bookings/" (toward an ID) only once the segment is typed whole, or when the
            # segment has no endpoint of its own: "boo" offers three names, not six.
            if deeper and (partial == step or not _has_endpoint(method, [*done, step])):
                found.setdefault(text + "/", None)
            elif not deeper:
                found.setdefault(text, None)
    return list(found)


def _has_endpoint(method: str, segments: list[str]) -> bool:
    """Whether ``/a/b`` (segments) itself is a path ``method`` can call."""
    wanted = list(segments)
    for template in _checks().paths_for(method):
        segs = [s for s in template.split("/") if s]
        if len(segs) == len(wanted) and all(
            t == w or (t.startswith("{") and w) for t, w in zip(segs, wanted, strict=True)
        ):
            return True
    return False


def _item_matches(
    ep: Endpoint, prefix: str, items: list[str], recent_ids: RecentIds | None
) -> list[str]:
    """Request items for ``ep``: names with their separator, then values after it."""
    as_body = ep.method in ("POST", "PATCH")
    used = {m.group(1) for m in map(_ITEM.match, items) if m}
    item = _ITEM.match(prefix)
    if item is None:
        if as_body:
            names = [
                p.name + ("=" if p.kind in ("string", "date", "timestamp") else ":=")
                for p in ep.body_params
                if p.name not in used
            ]
            names += [n + "==" for n in ep.query_names if n not in used]
        else:
            names = [n + "=" for n in ep.query_names if n not in used]
        return _starting(prefix, names)
    name, sep, value = item.groups()
    head = name + sep
    if sep == "==" or (sep == "=" and not as_body):
        return [head + v for v in _query_values(ep, name, value, recent_ids)]
    p = ep.param(name, "body")
    if p is None:
        return []
    if sep == ":=":
        return (
            [head + v for v in _starting(value, ("true", "false"))] if p.kind == "boolean" else []
        )
    values: list[str] = []
    if p.choices and p.kind != "array":
        values = list(p.choices)
    elif p.kind == "string":
        values = _recent(recent_ids, PARAM_ID_KINDS.get(name, ()))
    bare = value.lstrip("\"'")
    return [head + _quoted(v) for v in values if v.startswith(bare)]


def _query_values(ep: Endpoint, name: str, value: str, recent_ids: RecentIds | None) -> list[str]:
    if name == "expand" and ep.expand:
        chosen, _, last = value.rpartition(",")
        taken = set(chosen.split(","))
        lead = chosen + "," if chosen else ""
        return [lead + e for e in ep.expand if e.startswith(last) and e not in taken]
    p = ep.param(name, "query")
    if p is None:
        return []
    if p.choices:
        candidates = list(p.choices)
    elif name in ("after", "before"):
        candidates = _recent(recent_ids, [_checks().id_prefix(ep.path)])
    else:
        candidates = _recent(recent_ids, PARAM_ID_KINDS.get(name, ()))
    bare = value.lstrip("\"'")
    return [_quoted(v) for v in candidates if v.startswith(bare)]
