"""The shape of an endpoint: its method, path template, parameters and what it returns."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Endpoint", "Param", "normalize_path"]


@dataclass(frozen=True)
class Param:
    """One parameter: where it goes, its type, and the values OnceHub takes.

    ``loose`` marks choices that are suggestions only (OnceHub accepts other values);
    ``bounds`` is an inclusive (low, high) range for integers.
    """

    name: str
    # "string", "integer", "boolean", "number", "date", "timestamp", "array", "object"
    kind: str
    summary: str
    choices: tuple[str, ...] = ()
    required: bool = False
    where: str = "query"  # "path", "query" or "body"
    loose: bool = False
    bounds: tuple[int, int] | None = None


@dataclass(frozen=True)
class Endpoint:
    """One operation: ``method`` and ``path`` template, what it takes and gives back.

    ``returns_list`` means a page of a list (``object: list``, ``data``, ``has_more``);
    ``expand`` holds the documented ``expand`` values (``data.``-prefixed on lists).
    """

    method: str
    path: str
    summary: str
    params: tuple[Param, ...] = ()
    returns_list: bool = False
    expand: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"GET /bookings/{id}"``."""
        return f"{self.method} {self.path}"

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "query")

    @property
    def body_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "body")

    @property
    def query_names(self) -> tuple[str, ...]:
        """Query parameters it takes: those declared, and ``expand`` where documented."""
        names = tuple(p.name for p in self.query_params)
        return names if not self.expand or "expand" in names else (*names, "expand")

    def param(self, name: str, where: str | None = None) -> Param | None:
        """The parameter called ``name`` (in ``where``, if given), or None."""
        for p in self.params:
            if p.name == name and (where is None or p.where == where):
                return p
        return None

    @property
    def segments(self) -> tuple[str, ...]:
        """The template's segments: ``("bookings", "{id}", "cancel")``."""
        return tuple(s for s in self.path.split("/") if s)

    def matches(self, path: str) -> dict[str, str] | None:
        """The path's parameters if ``path`` (any form :func:`normalize_path` takes) fits."""
        parts = [s for s in normalize_path(path).split("/") if s]
        segments = self.segments
        if len(parts) != len(segments):
            return None
        found: dict[str, str] = {}
        for template, part in zip(segments, parts, strict=True):
            if template.startswith("{"):
                found[template[1:-1]] = part
            elif template != part:
                return None
        return found


_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?$")


def normalize_path(text: str) -> str:
    """``"https://api.oncehub.com/v2/bookings/?x=1"``, ``"v2/bookings"``, ``"bookings"``
    all give ``"/bookings"``."""
    text = _SCHEME_HOST.sub("", text.strip())
    text = text.split("#", 1)[0].split("?", 1)[0]
    parts = [p for p in text.split("/") if p]
    if parts and _HOST.match(parts[0]):
        parts = parts[1:]  # "api.oncehub.com/v2/bookings" without the scheme
    if parts and parts[0].lower() == "v2":
        parts = parts[1:]
    return "/" + "/".join(parts)
