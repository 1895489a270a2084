"""What bookings and booking calendars share: meeting places, hosts, slots, time zones.

Seeded bookings (``resources/bookings``) and those scheduled on a booking calendar
(``resources/booking_calendars``) are made the same way: a host's connected video
services and calendar, invented join links, the fields a calendar booking carries,
the users who hold a calendar's seat, and slot starts in a calendar's time zone.
Both resources read the calendars' private settings table named here.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .store import Account

__all__ = [
    "ADDRESSES",
    "CALENDARS",
    "CALENDAR_SETTINGS",
    "CONFERENCING",
    "CONFERENCING_NAMES",
    "SITE",
    "UPCOMING",
    "calendar_event",
    "calendar_fields",
    "connected_calendar",
    "connected_conferencing",
    "digest",
    "external_calendar",
    "join_url",
    "local_moment",
    "location_fields",
    "seat_holders",
    "zone_for",
]

JSON = dict[str, Any]
CALENDARS = "booking-calendars"  # the booking calendars' table
CALENDAR_SETTINGS = "_booking-calendar-settings"  # private: hours, time zone, locations
SITE = "https://book.example.com"  # invented: where calendars and their links live
UPCOMING = ("requested", "scheduled", "rescheduled")  # bookings that still hold their slot
CONFERENCING = ("google_meet", "microsoft_teams", "webex", "gotomeeting", "zoom")
CONFERENCING_NAMES = {
    "google_meet": "Google Meet",
    "microsoft_teams": "Microsoft Teams",
    "webex": "Webex",
    "gotomeeting": "GoToMeeting",
    "zoom": "Zoom",
}
JOIN_URLS = {
    "google_meet": "https://meet.example.com/{code}",
    "microsoft_teams": "https://teams.example.com/l/meetup-join/{code}",
    "webex": "https://webex.example.com/meet/{code}",
    "gotomeeting": "https://gotomeeting.example.com/join/{code}",
    "zoom": "https://zoom.example.com/j/{code}",
}
ADDRESSES = [  # invented offices where in-person meetings happen
    "200 Harbor Way, Suite 4, Springfield",
    "18 Market Street, 3rd floor, Riverton",
    "77 Cedar Avenue, Lakeside",
]
HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijkmnopq")
EVENT_DIGITS = bytes(ord("abcdefghijklmnopqrstuv0123456789"[b % 32]) for b in range(256))


@lru_cache(maxsize=256)
def zone_for(name: str) -> tzinfo:
    """The time zone called ``name``; UTC when it is unknown or no tz database exists."""
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return timezone.utc


def digest(text: str) -> bytes:
    """SHA-256 of ``text``: the seed of every invented detail derived from an id."""
    return hashlib.sha256(text.encode()).digest()


def connected_conferencing(user_id: str) -> list[str]:
    """The video services a user has connected: two or three, fixed for each user."""
    seed = digest(f"conferencing:{user_id}")
    first = seed[0] % len(CONFERENCING)
    count = 2 + seed[1] % 2
    return [CONFERENCING[(first + i) % len(CONFERENCING)] for i in range(count)]


def join_url(service: str, booking_id: str) -> str:
    """An invented join link of ``service`` for one booking."""
    code = hashlib.sha256(f"join:{booking_id}:{service}".encode()).hexdigest()
    if service == "google_meet":
        letters = code[:10].translate(HEX_TO_LETTERS)
        return JOIN_URLS[service].format(code=f"{letters[:3]}-{letters[3:7]}-{letters[7:]}")
    if service == "zoom":
        return JOIN_URLS[service].format(code=str(int(code[:12], 16))[:11])
    return JOIN_URLS[service].format(code=code[:16])


def location_fields(location: JSON, settings: JSON, booking_id: str) -> JSON:
    """The booking fields that describe where a meeting at ``location`` happens."""
    kind = location["type"]
    if kind == "virtual":
        return {"virtual_conferencing": {"join_url": join_url(location["value"], booking_id)}}
    if kind == "virtual_static":
        return {"virtual_conferencing": {"join_url": settings["static_link"]}}
    if kind == "physical":
        return {"location_description": settings["addresses"][location["id"]]}
    return {}  # a phone call: the host calls the guest's number


def calendar_fields(calendar: JSON, booking_id: str, payment: JSON | None) -> JSON:
    """The **BOOKING CALENDARS ONLY** fields of a booking made on ``calendar``."""
    hexed = digest(f"ics:{booking_id}").hex()
    ics = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"
    return {
        "ics_url": f"{SITE}/api/bookings/ics/{ics}",
        "booking_calendar": calendar["id"],
        "cancel_url": f"{SITE}/m/{booking_id}/cancel",
        "reschedule_url": f"{SITE}/m/{booking_id}",
        "payment_information": payment,
    }


def external_calendar(user: JSON | None, booking_id: str) -> JSON | None:
    """The host's connected calendar, where the meeting was added (None without a host)."""
    found = connected_calendar(user)
    return None if found is None else calendar_event(found, booking_id)


def connected_calendar(user: JSON | None) -> JSON | None:
    """The user's connected calendar (``type``, ``name``, ``id``; None without a user)."""
    if not user or not isinstance(user.get("email"), str):
        return None
    kinds = ("google", "exchange", "office_365", "icloud")
    kind = kinds[digest(f"calendar:{user['id']}")[0] % len(kinds)]
    return {"type": kind, "name": user["email"], "id": user["email"], "host": user["id"]}


def calendar_event(calendar: JSON, booking_id: str) -> JSON:
    """``external_calendar`` of a booking in a ``connected_calendar``: with its event."""
    event = digest(f"event:{booking_id}:{calendar['host']}")[:26].translate(EVENT_DIGITS)
    return {
        "type": calendar["type"],
        "name": calendar["name"],
        "id": calendar["id"],
        "event_id": event.decode(),
    }


def seat_holders(account: Account, calendar: JSON) -> list[str]:
    """The active users who can host a meeting on ``calendar`` (its host, or its team)."""
    users = account.tables["users"]
    host = calendar["host"]
    if host in users:
        user = users.get(host) or {}
        return [host] if user.get("status") == "active" else []
    members = [
        u["id"]
        for u in users.newest_first()
        if u.get("status") == "active" and host in (u.get("teams") or [])
    ]
    return sorted(members)


def local_moment(day: date, minute: int, zone: tzinfo) -> datetime:
    """``minute`` minutes after local midnight of ``day`` in ``zone``, as UTC."""
    moment = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return moment.astimezone(timezone.utc)
