"""Checking query parameters and JSON bodies against their documented types.

Each documented parameter or body field is declared once with a kind (``Text``,
``Integer``, ``Boolean``, ``Timestamp``, ``Day``, ``Email``, ``ListOf``, ``Record``); ``check``
turns a raw value into a Python one or raises :class:`Invalid`, which the router
answers with OnceHub's 400 ``invalid_request_error`` naming the ``param``. The value
tests that several resources share (``is_time_zone``, ``is_web_url``) live here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

__all__ = [
    "Boolean",
    "Day",
    "Email",
    "Field",
    "Integer",
    "Invalid",
    "Kind",
    "ListOf",
    "Record",
    "Text",
    "Timestamp",
    "check_body",
    "check_query",
    "is_time_zone",
    "is_web_url",
    "parse_time",
]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZONE_SHAPE = re.compile(r"^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$")  # with no tz database
NOT_ZONE_NAMES = frozenset({"localtime"})  # listed by zoneinfo on some systems; no IANA name


class Invalid(Exception):
    """A parameter or field is missing or unusable: 400 with this message and ``param``."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime; None if it is neither."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONE_NAMES


def is_time_zone(name: Any) -> bool:
    """Whether ``name`` is an IANA time zone name; the one test of every time zone taken.

    OnceHub takes time zones "in IANA timezone format" (``guest_time_zone``, a
    contact's ``timezone``). zoneinfo decides: accepted are exactly the names
    ``zoneinfo.available_timezones()`` lists (from the system's tz database or the
    ``tzdata`` package), spelled as the database spells them: its zones
    (``America/New_York``, ``Asia/Kolkata``, ``UTC``, ``Etc/GMT+5``) and its
    backward-compatible links (``US/Eastern``, ``Europe/Kiev``, ``GMT``).

    Refused: any other spelling (``america/new_york``, ``" UTC"``); offsets and
    abbreviations that name no zone (``+02:00``, ``GMT+2``, ``CEST``); folders, paths
    and the database's other files (``America``, ``posix/UTC``, ``../etc``,
    ``zone.tab``, ``posixrules``); ``localtime``, which some systems keep beside the
    database as a copy of the machine's own zone; and anything that is not a string.

    Only without any tz database (no system one and no ``tzdata``: zoneinfo then
    knows no name) does the shape decide: ``UTC``, or a capitalised
    ``Area/Location`` name such as ``America/New_York``.
    """
    return _is_zone_name(name, _zones())


def _is_zone_name(name: Any, known: frozenset[str]) -> bool:
    if not isinstance(name, str):
        return False
    return name in known if known else bool(ZONE_SHAPE.match(name))


def is_web_url(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL with a host."""
    if len(text) > 2048 or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


class Kind:
    """A documented type. ``parse`` reads a query string, ``accept`` a JSON value."""

    def parse(self, raw: str, param: str) -> Any:
        return self.accept(raw, param)

    def accept(self, value: Any, param: str) -> Any:
        return value


@dataclass(frozen=True)
class Text(Kind):
    """A string, optionally one of ``choices``."""

    choices: tuple[str, ...] = ()

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if self.choices and value not in self.choices:
            allowed = ", ".join(self.choices)
            raise Invalid(f"Invalid {param}: must be one of {allowed}.", param)
        return value


@dataclass(frozen=True)
class Email(Kind):
    """An e-mail address; anything else is ``Invalid email format: '<value>'``."""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if len(value) > 254 or not EMAIL.match(value):
            raise Invalid(f"Invalid email format: '{value}'", param)
        return value


@dataclass(frozen=True)
class Integer(Kind):
    """A whole number within ``minimum``..``maximum``."""

    minimum: int | None = None
    maximum: int | None = None

    def parse(self, raw: str, param: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise Invalid(self._range_message(f"Invalid integer: {raw}."), param) from None
        return self.accept(value, param)

    def accept(self, value: Any, param: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(self._range_message(f"Invalid integer: {value!r}."), param)
        low_ok = self.minimum is None or value >= self.minimum
        high_ok = self.maximum is None or value <= self.maximum
        if not (low_ok and high_ok):
            raise Invalid(self._range_message(f"Out of range value: {value}."), param)
        return value

    def _range_message(self, head: str) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{head} Please provide a number between {self.minimum} and {self.maximum}."
        return head


@dataclass(frozen=True)
class Boolean(Kind):
    """true or false (in a query: the words ``true`` and ``false``)."""

    def parse(self, raw: str, param: str) -> bool:
        if raw not in ("true", "false"):
            raise Invalid(f"Invalid boolean: {raw}. Use true or false.", param)
        return raw == "true"

    def accept(self, value: Any, param: str) -> bool:
        if not isinstance(value, bool):
            raise Invalid(f"Invalid boolean: {param} must be true or false.", param)
        return value


@dataclass(frozen=True)
class Timestamp(Kind):
    """An ISO 8601 date (``2025-03-14``) or date-time (``2025-03-14T16:00:00Z``)."""

    def accept(self, value: Any, param: str) -> datetime:
        moment = parse_time(value) if isinstance(value, str) else None
        if moment is None:
            raise Invalid(
                f"Invalid timestamp: {value!r}. Use an ISO 8601 date or date-time, "
                "e.g. 2025-03-14 or 2025-03-14T16:00:00Z.",
                param,
            )
        return moment


@dataclass(frozen=True)
class Day(Kind):
    """A date filter's value (``format: date``): ``2025-03-14``, as a ``date``.

    A date-time is accepted too and only its date counts, in UTC
    (``2025-03-14T10:00:00Z`` is 2025-03-14): OnceHub compares these filters by date.
    """

    def accept(self, value: Any, param: str) -> date:
        moment = parse_time(value) if isinstance(value, str) else None
        if moment is None:
            raise Invalid(f"Invalid date format for {param}. Expected format: YYYY-MM-DD", param)
        return moment.date()


@dataclass(frozen=True)
class ListOf(Kind):
    """A JSON array of one kind (in a query: comma-separated)."""

    item: Kind = field(default_factory=Text)

    def parse(self, raw: str, param: str) -> list[Any]:
        return [self.item.parse(part.strip(), param) for part in raw.split(",") if part.strip()]

    def accept(self, value: Any, param: str) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(f"Invalid array: {param} must be a list.", param)
        return [self.item.accept(item, param) for item in value]


@dataclass(frozen=True)
class Field:
    """One body field: its kind, whether it must be there, whether null is allowed.

    An optional field may be null unless ``nullable=False``; a required field never
    may (null is refused with a 400 naming it), so declaring one nullable is an error.
    """

    kind: Kind
    required: bool = False
    nullable: bool | None = None  # None: not required

    def __post_init__(self) -> None:
        if self.nullable is None:
            object.__setattr__(self, "nullable", not self.required)
        elif self.nullable and self.required:
            raise ValueError("a required field cannot be nullable")


def _member(param: str, name: str) -> str:
    """How a field of the object ``param`` is named in errors: ``name`` or ``param.name``."""
    return name if param == "body" else f"{param}.{name}"


@dataclass(frozen=True)
class Record(Kind):
    """A JSON object with declared fields, checked one by one in declared order.

    A required field that is absent gets ``missing``; null where a field is not
    ``nullable`` (a required one never is) gets ``Invalid null``. Undeclared fields
    are ignored, as OnceHub does for most bodies, and so are ``read_only`` ones.

    A ``strict`` record (OnceHub's ``/users`` and ``/contacts`` bodies) first checks
    the object's shape, before any value: each field in the order given, a ``refused``
    one getting its own message and an undeclared one ``unknown`` (``read_only``
    ones are accepted and dropped); then each required field, which gets ``missing``
    when absent, null or empty (``""``). Every error names its field as ``param``.
    """

    fields: Mapping[str, Field] = field(default_factory=dict)
    strict: bool = False
    unknown: str = "Unsupported fields"
    missing: str = "Missing required param: {name}."
    read_only: tuple[str, ...] = ()
    refused: Mapping[str, str] = field(default_factory=dict)

    def accept(self, value: Any, param: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(f"Invalid object: {param} must be a JSON object.", param)
        if self.strict:
            self._check_shape(value, param)
        checked: dict[str, Any] = {}
        for name, spec in self.fields.items():
            where = _member(param, name)
            if name not in value:
                if spec.required:
                    raise Invalid(self.missing.format(name=where), where)
                continue
            item = value[name]
            if item is None:
                if not spec.nullable:
                    raise Invalid(f"Invalid null: {where} cannot be null.", where)
                checked[name] = None
            else:
                checked[name] = spec.kind.accept(item, where)
        return checked

    def _check_shape(self, value: dict[str, Any], param: str) -> None:
        for name in value:
            if name in self.refused:
                raise Invalid(self.refused[name], _member(param, name))
            if name not in self.fields and name not in self.read_only:
                raise Invalid(self.unknown, _member(param, name))
        for name, spec in self.fields.items():
            if spec.required and (value.get(name) is None or value.get(name) == ""):
                where = _member(param, name)
                raise Invalid(self.missing.format(name=where), where)


def check_query(raw: Mapping[str, str], declared: Mapping[str, Kind]) -> dict[str, Any]:
    """The declared query parameters that are present, converted; others are ignored."""
    return {name: kind.parse(raw[name], name) for name, kind in declared.items() if name in raw}


def check_body(value: Any, declared: Record) -> dict[str, Any]:
    """The body's declared fields, checked; a body that is not an object is refused."""
    return declared.accept(value, "body")
