"""What the mirror copies: one :class:`Stream` per OnceHub list endpoint, and how each is kept.

Bookings and contacts are large and change: they are read incrementally on
``last_updated_time`` and merged on ``id``. The others are small and replaced whole on
every sync. Timestamp columns are typed (timezone-aware) so that both of OnceHub's forms,
``…:SSZ`` and ``…:SS.mmmZ``, land as the same kind of value. Secret fields (a webhook's
signing ``secret``) are dropped before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oncehub_nb.display.cells import is_secret_field
from oncehub_nb.errors import ConfigError

__all__ = ["STREAMS", "Stream", "choose", "without_secrets"]

CURSOR = "last_updated_time"


@dataclass(frozen=True)
class Stream:
    """One list endpoint and the table it fills."""

    table: str  # the table's name: bookings, event_types, …
    path: str  # the endpoint: /bookings, /event-types, …
    incremental: bool = False  # read on last_updated_time and merged, or replaced whole
    times: tuple[str, ...] = ()  # timestamp fields, typed as timezone-aware timestamps
    sweep: bool = False  # deletions found by an ID sweep (contacts)

    @property
    def name(self) -> str:
        """The stream's name as typed: the path without its slash (``event-types``)."""
        return self.path.lstrip("/")

    def columns(self) -> dict[str, dict[str, Any]]:
        """dlt column hints: ``id`` first, every known timestamp field timezone-aware."""
        hints: dict[str, dict[str, Any]] = {"id": {"data_type": "text", "nullable": False}}
        for name in self.times:
            hints[name] = {"data_type": "timestamp", "timezone": True, "nullable": True}
        return hints


STREAMS: tuple[Stream, ...] = (
    Stream(
        "bookings",
        "/bookings",
        incremental=True,
        times=("creation_time", "starting_time", "last_updated_time"),
    ),
    Stream(
        "contacts",
        "/contacts",
        incremental=True,
        times=("creation_time", "last_updated_time", "last_interacted_time"),
        sweep=True,
    ),
    Stream("users", "/users"),
    Stream("teams", "/teams"),
    Stream("event_types", "/event-types"),
    Stream("booking_pages", "/booking-pages"),
    Stream("master_pages", "/master-pages", times=("creation_time",)),
    Stream(
        "booking_calendars",
        "/booking-calendars",
        times=("creation_time", "last_updated_time", "last_interacted_time"),
    ),
    Stream("webhooks", "/webhooks", times=("creation_time",)),
)
_BY_NAME = {key: s for s in STREAMS for key in (s.table, s.name)}


def choose(names: Iterable[str] = ()) -> list[Stream]:
    """The streams named (``event-types`` or ``event_types``), in the usual order; every
    stream when none is named. An unknown name is a ConfigError naming the valid ones."""
    wanted = [n.strip().lower() for word in names for n in word.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in _BY_NAME]
    if unknown:
        known = ", ".join(s.name for s in STREAMS)
        raise ConfigError(f"Unknown stream(s): {', '.join(unknown)}. The streams are: {known}.")
    chosen = {_BY_NAME[n] for n in wanted}
    return [s for s in STREAMS if not chosen or s in chosen]


def without_secrets(value: Any) -> Any:
    """``value`` with every secret field left out, at any depth (never stored)."""
    if isinstance(value, Mapping):
        return {k: without_secrets(v) for k, v in value.items() if not is_secret_field(str(k))}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value
