"""Request items, as HTTPie writes them, and names from the user's namespace.

``name==value`` is always a query parameter; ``name=value`` is a query parameter on GET
and DELETE and a JSON string field on POST and PATCH; ``name:=json`` is a raw JSON
field (numbers, booleans, lists, objects). ``{name}`` and ``$name`` are replaced by
variables of the notebook (``$$`` and ``{{ }}`` stand for the characters themselves);
in a ``:=`` item, ``$name`` alone gives the variable's value as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oncehub_nb.errors import RequestProblem

__all__ = ["Item", "RequestParts", "expand_names", "json_error", "parse_item", "split_items"]

QUERY, FIELD, RAW = "==", "=", ":="
_SEPARATORS = (QUERY, RAW, FIELD)  # longest first where two start at the same place
_NAME = re.compile(r"\$\$|\{\{|\}\}|\$([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_.]*)\}")
_WHOLE_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Item:
    """One request item: a name, how it is sent (``==``, ``=``, ``:=``) and its text."""

    name: str
    separator: str
    value: str


@dataclass
class RequestParts:
    """Query parameters and JSON body fields, once every item is read."""

    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def parse_item(text: str) -> Item | None:
    """``text`` as an item, or None when it has no separator (a path or a method)."""
    for at, char in enumerate(text):
        if char not in "=:":
            continue
        for separator in _SEPARATORS:
            if text.startswith(separator, at):
                name = text[:at]
                if not name:
                    raise RequestProblem(
                        f"Request item {text!r} has no name before {separator!r}.",
                        hint="Write name==value (query), name=value or name:=json (body).",
                    )
                return Item(name, separator, text[at + len(separator) :])
    return None


def _lookup(name: str, namespace: Mapping[str, Any], written: str) -> Any:
    head, *attributes = name.split(".")
    if head not in namespace:
        raise RequestProblem(
            f"{written}: there is no variable {head!r} in the notebook.",
            hint=f"Define {head} in a cell first, or write the value itself.",
        )
    value = namespace[head]
    for attribute in attributes:
        try:
            value = getattr(value, attribute)
        except AttributeError:
            raise RequestProblem(
                f"{written}: {head} has no attribute {attribute!r}.",
                hint="Use a variable holding the value itself.",
            ) from None
    return value


def expand_names(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace ``{name}`` and ``$name`` with variables' values (``str``)."""

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("$$", "{{", "}}"):
            return whole[0]
        name = match.group(1) or match.group(2)
        return str(_lookup(name, namespace, whole))

    return _NAME.sub(replace, text)


def json_error(error: json.JSONDecodeError, what: str) -> RequestProblem:
    """A JSON error as a message naming the line and column."""
    return RequestProblem(
        f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
        hint='Use double quotes for JSON strings, e.g. {"name": "Ann"}; nothing was sent.',
    )


def raw_value(item: Item, namespace: Mapping[str, Any]) -> Any:
    """The JSON value of a ``name:=json`` item (``$name`` alone: the variable's value)."""
    whole = _WHOLE_VARIABLE.fullmatch(item.value.strip())
    if whole:
        return _lookup(whole.group(1), namespace, item.value.strip())
    try:
        return json.loads(item.value)
    except json.JSONDecodeError as error:
        raise json_error(error, f"The value of {item.name}:=") from None


def split_items(
    items: list[Item], method: str, namespace: Mapping[str, Any] | None = None
) -> RequestParts:
    """Sort items into query parameters and body fields for ``method``."""
    namespace = namespace or {}
    parts = RequestParts()
    has_body = method in ("POST", "PATCH", "PUT")
    for item in items:
        if item.separator == QUERY or (item.separator == FIELD and not has_body):
            _add(parts.query, item.name, expand_names(item.value, namespace))
        elif item.separator == FIELD:
            parts.body[item.name] = expand_names(item.value, namespace)
        elif not has_body:
            raise RequestProblem(
                f"{item.name}:= sets a JSON body field, and {method} sends no body.",
                hint=f"For a query parameter write {item.name}=={item.value}.",
            )
        else:
            parts.body[item.name] = raw_value(item, namespace)
    return parts


def _add(query: dict[str, Any], name: str, value: str) -> None:
    """A repeated query name becomes a list (``status==a status==b``)."""
    if name not in query:
        query[name] = value
    elif isinstance(query[name], list):
        query[name].append(value)
    else:
        query[name] = [query[name], value]
