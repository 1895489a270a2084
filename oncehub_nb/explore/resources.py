"""OnceHub's collections, one row each: the one table every explorer module reads.

Each :class:`Resource` says where a collection lives (``bookings``), how its IDs begin
(``BKNG-``), the ``object`` value of its objects (``booking``), what a person calls one
(``booking``), and the fields a table of them shows, in order (``id`` always first).
For a terminal too narrow for them all: which columns hold free text (shortened with "…"
first) and which to leave out first (the others then go from the right). The facts
follow OnceHub's API v2 reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["RESOURCES", "Resource", "by_collection", "by_kind", "by_prefix", "for_path"]


@dataclass(frozen=True)
class Resource:
    """One collection of OnceHub objects."""

    collection: str  # its path under /v2, e.g. "bookings" or "notifications/sms"
    id_prefix: str  # IDs read "<prefix>-…"
    kind: str  # the objects' ``object`` field
    noun: str  # what a person calls one
    columns: tuple[str, ...]  # the fields a table shows (when present), after ``id``
    free_text: tuple[str, ...] = ()  # columns a narrow terminal shortens with "…"
    drop_first: tuple[str, ...] = ()  # columns a narrow terminal leaves out, least useful first

    @property
    def plural(self) -> str:
        return self.noun + "s"


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "bookings",
        "BKNG",
        "booking",
        "booking",
        (
            "subject",
            "status",
            "starting_time",
            "duration_minutes",
            "owner",
            "event_type",
            "contact",
            "form_submission.name",
        ),
        free_text=("subject", "form_submission.name", "owner", "event_type", "contact"),
        drop_first=("event_type", "duration_minutes", "contact", "owner", "form_submission.name"),
    ),
    Resource(
        "booking-calendars",
        "BKC",
        "booking_calendar",
        "booking calendar",
        ("name", "subject", "host", "published", "duration_minutes", "url"),
        free_text=("name", "subject", "host", "url"),
        drop_first=("url", "duration_minutes", "published", "subject"),
    ),
    Resource(
        "booking-pages",
        "BP",
        "booking_page",
        "booking page",
        ("name", "label", "active", "timezone", "url"),
        free_text=("name", "label", "url"),
        drop_first=("url", "timezone", "active"),
    ),
    Resource(
        "event-types",
        "ET",
        "event_type",
        "event type",
        ("name", "description"),
        free_text=("name", "description"),
    ),
    Resource(
        "master-pages",
        "MP",
        "master_page",
        "master page",
        ("name", "label", "active", "url"),
        free_text=("name", "label", "url"),
        drop_first=("url", "active"),
    ),
    Resource(
        "users",
        "USR",
        "user",
        "user",
        ("first_name", "last_name", "email", "role", "role_name", "status", "timezone"),
        drop_first=("timezone", "role", "status", "role_name"),
    ),
    Resource("teams", "TM", "team", "team", ("name",), free_text=("name",)),
    Resource(
        "contacts",
        "CTC",
        "contact",
        "contact",
        ("first_name", "last_name", "email", "company", "status", "owner", "last_interacted_time"),
        free_text=("company", "owner"),
        drop_first=("last_interacted_time", "owner", "status", "company"),
    ),
    Resource(
        "webhooks",
        "WHK",
        "webhook",
        "webhook",
        ("name", "url", "events", "creation_time"),
        free_text=("name", "url", "events"),
        drop_first=("creation_time", "events"),
    ),
    Resource(
        "notifications/sms",
        "SMS",
        "notification",
        "SMS notification",
        ("type", "status", "recipient", "recipient_type", "creation_time"),
        free_text=("recipient",),
        drop_first=("recipient_type", "creation_time", "type"),
    ),
)

_BY_COLLECTION: Mapping[str, Resource] = {r.collection: r for r in RESOURCES}
_BY_PREFIX: Mapping[str, Resource] = {r.id_prefix: r for r in RESOURCES}
_BY_KIND: Mapping[str, Resource] = {r.kind: r for r in RESOURCES}


def by_collection(collection: str) -> Resource | None:
    """The resource at ``collection`` (``"bookings"``, ``"notifications/sms"``)."""
    return _BY_COLLECTION.get(collection)


def by_prefix(prefix: str) -> Resource | None:
    """The resource whose IDs begin ``prefix-`` (``"BKNG"``)."""
    return _BY_PREFIX.get(prefix)


def by_kind(kind: str) -> Resource | None:
    """The resource whose objects say ``object: kind`` (``"booking"``)."""
    return _BY_KIND.get(kind)


def for_path(path: str) -> Resource | None:
    """The collection a path (template or concrete, with or without ``/v2``) starts in:
    ``/bookings/{id}/cancel`` and ``notifications/sms`` both have one; ``/test`` none."""
    parts = [p for p in path.split("?", 1)[0].split("#", 1)[0].split("/") if p]
    if "v2" in parts:
        parts = parts[parts.index("v2") + 1 :]
    for size in (2, 1):
        found = _BY_COLLECTION.get("/".join(parts[:size]))
        if found is not None:
            return found
    return None
