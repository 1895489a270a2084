"""Checks made before anything is sent: which endpoint a line names, and its parameters.

:func:`find` turns ``METHOD path`` into an :class:`Endpoint` and the path's IDs, and
:func:`check_query` / :func:`check_body` refuse what OnceHub would refuse: an unknown
path, method, parameter or value. Where the reference leaves a thing open (objects
inside a body, bodies it does not describe) nothing is refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from oncehub_nb.constants import METHODS
from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.catalog import CATALOG
from oncehub_nb.explore.endpoints import Endpoint, Param, normalize_path
from oncehub_nb.explore.resources import for_path

__all__ = [
    "check_body",
    "check_query",
    "date_notes",
    "find",
    "id_prefix",
    "normalize_path",
    "paths_for",
    "refusal",
]

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


# --- paths ---------------------------------------------------------------------


def paths_for(method: str | None = None) -> list[str]:
    """Path templates that take ``method`` (all of them for None), in catalog order."""
    wanted = method.upper() if method else None
    seen: dict[str, None] = {}
    for ep in CATALOG:
        if wanted is None or ep.method == wanted:
            seen.setdefault(ep.path, None)
    return list(seen)


def id_prefix(path: str) -> str | None:
    """The ID prefix of the objects under ``path``: ``"/bookings/{id}"`` gives ``"BKNG"``."""
    found = for_path(normalize_path(path))
    return found.id_prefix if found else None


def _specificity(ep: Endpoint) -> int:
    return sum(not s.startswith("{") for s in ep.segments)


def _suggest(path: str) -> list[str]:
    """Valid paths near ``path``, with the caller's IDs kept where the templates have them."""
    parts = [p for p in path.split("/") if p]
    same_depth: dict[str, None] = {}
    for template in paths_for(None):
        segs = [s for s in template.split("/") if s]
        if len(segs) == len(parts):
            filled = [p if s.startswith("{") else s for s, p in zip(segs, parts, strict=True)]
            same_depth.setdefault("/" + "/".join(filled), None)
    near = difflib.get_close_matches(path, list(same_depth), n=3, cutoff=0.6)
    return near or difflib.get_close_matches(path, paths_for(None), n=3, cutoff=0.6)


def find(method: str, path: str) -> tuple[Endpoint, dict[str, str]]:
    """The endpoint for ``method`` and ``path``, and the path's parameters.

    Raises RequestProblem for a path OnceHub does not have (naming the nearest ones) or
    a method the path does not take (naming those it does).
    """
    verb = (method or "GET").strip().upper()
    where = normalize_path(path)
    if where.startswith("/v1/") or where == "/v1":
        raise RequestProblem(
            f"{path} is an API v1 path; v1 is deprecated and this works with v2.",
            hint="Drop the /v1: paths are written as in v2, e.g. /bookings.",
        )
    hits = [(ep, args) for ep in CATALOG if (args := ep.matches(where)) is not None]
    if not hits:
        near = _suggest(where)
        message = f"OnceHub's API has no path {where}."
        if near:
            message += " Did you mean " + " or ".join(near) + "?"
        raise RequestProblem(message)
    best = max(_specificity(ep) for ep, _ in hits)
    hits = [(ep, args) for ep, args in hits if _specificity(ep) == best]
    for ep, args in hits:
        if ep.method == verb:
            return ep, args
    allowed = [m for m in METHODS if any(ep.method == m for ep, _ in hits)]
    template = hits[0][0].path
    raise RequestProblem(
        f"{template} does not take {verb}; it takes {', '.join(allowed)} (Allow: "
        f"{', '.join(allowed)}).",
        hint=f"Write e.g. %oncehub {allowed[0]} {where}.",
    )


# --- parameters and body ------------------------------------------------------------


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _near(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


def _unknown(name: str, what: str, ep: Endpoint, names: list[str]) -> RequestProblem:
    if not names:
        return RequestProblem(f"{ep.label} takes no {what}s; {name!r} is not one.")
    return RequestProblem(
        f"{name!r} is not a {what} of {ep.label}.{_near(name, names)}",
        hint=f"It takes: {', '.join(names)}.",
    )


def _is_whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value) is not None


def _check_value(ep: Endpoint, p: Param, value: Any, how: str) -> None:
    if p.kind == "date":
        text = str(value).strip()
        if not (DATE.fullmatch(text) or DATE_TIME.fullmatch(text)):
            raise RequestProblem(
                f"{p.name} takes a date (YYYY-MM-DD), not {value!r} ({ep.label}).",
                hint=f"Write e.g. {p.name}{how}2025-03-14.",
            )
    if p.kind == "integer":
        if not _is_whole(value):
            raise RequestProblem(
                f"{p.name} takes a whole number, not {value!r} ({ep.label}).",
                hint=f"Write e.g. {p.name}{how}10.",
            )
        if p.bounds and not p.bounds[0] <= int(value) <= p.bounds[1]:
            low, high = p.bounds
            raise RequestProblem(
                f"{p.name} must be between {low} and {high}, not {int(value)} ({ep.label}).",
                hint=f"Use {p.name}{how}{high} and --all to fetch more pages.",
            )
    elif (
        p.kind == "boolean"
        and p.where == "body"
        and not isinstance(value, bool)
        and str(value).lower() not in ("true", "false")
    ):
        raise RequestProblem(
            f"{p.name} takes true or false, not {value!r} ({ep.label}).",
            hint=f"Write {p.name}:=true or {p.name}:=false.",
        )
    if p.choices and not p.loose:
        for item in _values(value):
            if not isinstance(item, str):
                continue  # other types are OnceHub's to judge
            for part in item.split(",") if p.where == "query" else [item]:
                if part.strip() not in p.choices:
                    raise RequestProblem(
                        f"{part.strip()!r} is not a value {p.name} takes ({ep.label}).",
                        hint=f"Use one of: {', '.join(p.choices)}.",
                    )


def _check_expand(ep: Endpoint, value: Any) -> None:
    bare = [e.removeprefix("data.") for e in ep.expand]
    for item in _values(value):
        for part in str(item).split(","):
            part = part.strip()
            name = part.removeprefix("data.") if ep.returns_list else part
            if part and name.split(".")[0] not in bare:
                raise RequestProblem(
                    f"{part!r} cannot be expanded on {ep.label}.",
                    hint=f"Expandable: {', '.join(ep.expand)}.",
                )


def check_query(endpoint: Endpoint, params: Mapping[str, Any]) -> None:
    """Refuse query parameters ``endpoint`` does not take, or values OnceHub would refuse."""
    names = list(endpoint.query_names)
    for name, value in params.items():
        if name not in names:
            raise _unknown(name, "query parameter", endpoint, names)
        if name == "expand" and endpoint.expand:
            _check_expand(endpoint, value)
            continue
        p = endpoint.param(name, "query")
        if p is not None:
            for item in _values(value):
                _check_value(endpoint, p, item, "=")
    if "after" in params and "before" in params:
        raise RequestProblem(
            f"after and before cannot be used together ({endpoint.label}).",
            hint="Give one of them: after for the next page, before for the previous one.",
        )


def check_body(endpoint: Endpoint, body: Mapping[str, Any] | None) -> None:
    """Refuse body fields ``endpoint`` does not take, values it would refuse, or a body
    missing a required field. Objects inside the body are not looked into."""
    fields = endpoint.body_params
    if endpoint.method in ("GET", "DELETE"):
        if body:
            raise RequestProblem(
                f"{endpoint.label} takes no body.",
                hint="Send parameters as name==value (query) items instead.",
            )
        return
    if body is not None and not isinstance(body, Mapping):
        raise RequestProblem(
            f"The body of {endpoint.label} must be a JSON object.",
            hint='Write its fields as name=value items, or a cell body like {"name": "…"}.',
        )
    body = body or {}
    if not fields:
        return  # the reference describes no body here: nothing to go by
    names = [p.name for p in fields]
    for name, value in body.items():
        p = endpoint.param(name, "body")
        if p is None:
            raise _unknown(name, "body field", endpoint, names)
        _check_value(endpoint, p, value, ":=")
    missing = [p.name for p in fields if p.required and p.name not in body]
    if len(missing) == 1:
        raise RequestProblem(
            f"{endpoint.label} needs the body field {missing[0]}.",
            hint="Add it as a name=value item (or name:=json).",
        )
    if missing:
        raise RequestProblem(
            f"{endpoint.label} needs the body fields {_and(missing)}.",
            hint="Add them as name=value items (or name:=json).",
        )


def date_notes(endpoint: Endpoint, params: Mapping[str, Any]) -> list[str]:
    """What to know before sending a time to a filter OnceHub compares by whole dates.

    The reference types every ``*.gt``/``*.lt`` filter of bookings and contacts as
    ``format: date``: a time given there does not make the comparison finer.
    """
    notes = []
    for name, value in params.items():
        p = endpoint.param(name, "query")
        if p is None or p.kind != "date":
            continue
        for item in _values(value):
            found = DATE_TIME.fullmatch(str(item).strip())
            if not found:
                continue
            day = date.fromisoformat(found.group(1))
            after = name.endswith(".gt")
            whole = day - timedelta(days=1) if after else day + timedelta(days=1)
            notes.append(
                f"Note: OnceHub compares {name} by date only; {item} counts as {day} "
                f"({'after' if after else 'before'} that day, none of it). To include the "
                f"whole of {day}, use {name}=={whole}."
            )
    return notes


def _and(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def refusal(endpoint: Endpoint, query: Mapping[str, Any], body: Any) -> RequestProblem | None:
    """What OnceHub would refuse in this request (its query and, on POST and PATCH, its
    body), or None: for previews, which show the request all the same."""
    try:
        check_query(endpoint, query)
        if endpoint.method in ("POST", "PATCH"):
            check_body(endpoint, body)
    except RequestProblem as problem:
        return problem
    return None
