"""List endpoints as OnceHub documents them: pages, cursors, filters, ``expand``.

``limit`` 1–100 (default 10); ``after`` or ``before`` (an object id; both at once
is a 400 naming ``before``); ``has_more``; a ``Link`` header with ``rel="next"`` and
``rel="previous"`` (none when everything fits one page); newest first; time-range
filters as ``field.gt`` / ``field.lt``; ``expand=data.<field>`` on lists and
``expand=<field>`` on single objects.

The filters the reference types ``format: date`` (:data:`DATE_FILTERS`) compare whole
dates: ``.gt`` keeps objects whose UTC date is after the given date, ``.lt`` before it;
those typed ``format: date-time`` compare instants, to the millisecond.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from .checks import Day, Integer, Invalid, Kind, ListOf, Text, Timestamp
from .data import timestamp
from .records import plain
from .replies import Reply, json_reply
from .router import ApiProblem, NotFound, Request
from .store import Table

__all__ = [
    "DATE_FILTERS",
    "DEFAULT_LIMIT",
    "EXPAND",
    "PAGING",
    "date_range",
    "expand",
    "list_reply",
    "object_reply",
    "time_range",
]

JSON = dict[str, Any]
DEFAULT_LIMIT = 10
PAGING: dict[str, Kind] = {
    "limit": Integer(1, 100),
    "after": Text(),
    "before": Text(),
}
EXPAND: dict[str, Kind] = {"expand": ListOf(Text())}
# The list filters OnceHub's reference types `format: date`, by list path: each field's
# .gt and .lt compare whole dates (a test checks this table against the reference file).
DATE_FILTERS: dict[str, tuple[str, ...]] = {
    "/bookings": ("creation_time", "starting_time", "last_updated_time"),
    "/contacts": ("creation_time", "last_updated_time"),
}


def time_range(*fields: str) -> dict[str, Kind]:
    """The ``field.gt`` and ``field.lt`` query parameters typed ``format: date-time``."""
    return {f"{name}.{op}": Timestamp() for name in fields for op in ("gt", "lt")}


def date_range(path: str) -> dict[str, Kind]:
    """The ``field.gt`` and ``field.lt`` date filters of the list at ``path``."""
    return {f"{name}.{op}": Day() for name in DATE_FILTERS[path] for op in ("gt", "lt")}


def _after(field: str, bound: str, item: JSON) -> bool:
    return bool((item.get(field) or "") > bound)


def _before(field: str, bound: str, item: JSON) -> bool:
    return bool("" < (item.get(field) or "") < bound)


def _day_after(field: str, bound: str, item: JSON) -> bool:
    return bool((item.get(field) or "")[:10] > bound)


def _day_before(field: str, bound: str, item: JSON) -> bool:
    return bool("" < (item.get(field) or "")[:10] < bound)


def _equals(name: str, value: Any, item: JSON) -> bool:
    return bool(item.get(name) == value)


def _indexed_holds(name: str, value: Any, item: JSON) -> bool:
    return _holds(item.get(name), value)


def _time_conditions(query: Mapping[str, Any]) -> list[Callable[[JSON], bool]]:
    conditions: list[Callable[[JSON], bool]] = []
    for name, value in query.items():
        if not isinstance(value, date) or "." not in name:
            continue
        field, op = name.rsplit(".", 1)
        if isinstance(value, datetime):  # an instant: the full form compares as text
            after, before, bound = _after, _before, timestamp(value)
        else:  # a date: the stored UTC date, the first ten characters
            after, before, bound = _day_after, _day_before, value.isoformat()
        if op == "gt":
            conditions.append(functools.partial(after, field, bound))
        elif op == "lt":
            conditions.append(functools.partial(before, field, bound))
    return conditions


def expand(
    request: Request, item: JSON, names: Iterable[str], expandable: Mapping[str, str]
) -> JSON:
    """A copy of ``item`` with each named id field replaced by the object it names.

    An id that names nothing (a deleted user or contact) stays as it is.
    """
    names = list(names)
    result = plain(item)
    if not names:
        return result
    if result is item:  # a stored dict: not to be changed (a record's is a new one)
        result = copy.copy(result)
    for name in names:
        table = request.account.tables[expandable[name]]
        value = item.get(name)
        if isinstance(value, list):
            result[name] = [plain(table.get(v) or {}) or v for v in value]
        elif isinstance(value, str):
            result[name] = plain(table.get(value) or {}) or value
    return result


def _expansions(request: Request, expandable: Mapping[str, str], prefix: str = "") -> list[str]:
    names = []
    for asked in request.query.get("expand", []):
        name = asked[len(prefix) :] if prefix and asked.startswith(prefix) else None
        if not prefix:
            name = asked
        if name is None or name not in expandable:
            raise Invalid(f"This property cannot be expanded: {asked}", "expand")  # documented
        names.append(name)
    return names


def object_reply(
    request: Request, table: Table, expandable: Mapping[str, str] | None = None
) -> Reply:
    """GET one object by its ``{id}``, with ``expand`` applied."""
    object_id = request.path["id"]
    item = table.get(object_id)
    if item is None:
        raise NotFound(table.noun, object_id)
    names = _expansions(request, expandable or {})
    return json_reply(200, expand(request, item, names, expandable or {}))


def list_reply(
    request: Request,
    table: Table,
    *,
    equal: Mapping[str, Any] | None = None,
    keep: Callable[[JSON], bool] | None = None,
    expandable: Mapping[str, str] | None = None,
) -> Reply:
    """One page of ``table``: indexed ``equal`` filters, ``keep``, time ranges, cursors."""
    query = request.query
    limit = query.get("limit", DEFAULT_LIMIT)
    after, before = query.get("after") or None, query.get("before") or None
    if after and before:
        raise ApiProblem(
            400, "Received both before and after parameters. Please provide only one.", "before"
        )
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and cursor not in table:
            raise ApiProblem(400, f"No such {table.noun}: '{cursor}'", name)
    names = _expansions(request, expandable or {}, prefix="data.")
    equal = {name: value for name, value in (equal or {}).items() if value is not None}
    conditions = _time_conditions(query)
    unindexed = {n: v for n, v in equal.items() if n not in table.indexed}
    for name, value in unindexed.items():
        conditions.append(functools.partial(_equals, name, value))
    if keep is not None:
        conditions.append(keep)
    indexed = {n: v for n, v in equal.items() if n in table.indexed}
    items = table.newest_first(**indexed)
    for name, value in indexed.items():  # the shortest index was used: check the others
        conditions.append(functools.partial(_indexed_holds, name, value))

    def kept(item: JSON) -> bool:
        return all(condition(item) for condition in conditions)

    page, more = table.page(items, kept, limit, after=after, before=before)
    if before is not None:
        newer = more
        older = _any(table, items, kept, after=page[-1]["id"]) if page else False
    else:
        older = more
        newer = _any(table, items, kept, before=page[0]["id"]) if page else False
    links = []
    if page and older:
        links.append((_page_url(request, table, limit, "after", page[-1]["id"]), "next"))
    if page and newer:
        links.append((_page_url(request, table, limit, "before", page[0]["id"]), "previous"))
    headers = [("Link", ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links))] if links else []
    data = [expand(request, item, names, expandable or {}) for item in page]
    has_more = newer if before is not None else older
    return json_reply(200, {"object": "list", "data": data, "has_more": has_more}, headers)


def _holds(value: Any, wanted: Any) -> bool:
    return wanted in value if isinstance(value, list) else value == wanted


def _any(
    table: Table,
    items: list[JSON],
    kept: Callable[[JSON], bool],
    after: str | None = None,
    before: str | None = None,
) -> bool:
    found, _ = table.page(items, kept, 1, after=after, before=before)
    return bool(found)


def _page_url(request: Request, table: Table, limit: int, cursor_name: str, cursor: str) -> str:
    extra = [
        (name, value)
        for name, value in request.raw_query.items()
        if name not in ("limit", "after", "before")
    ]
    query = urlencode([("limit", str(limit)), (cursor_name, cursor), *extra])
    return f"{request.base_url}/{table.name}?{query}"
