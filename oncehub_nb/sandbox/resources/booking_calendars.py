"""``/booking-calendars``: list, get, free time slots, scheduling and one-time links.

Each calendar has private settings (kept in a table that is never served): its time
zone, weekly working hours and the locations it offers. Time slots are those working
hours cut into meetings of the calendar's duration, from now on, minus the slots in
which the host (or, for a team calendar, every active team member) already has an
upcoming booking. ``POST …/schedule`` books one of those slots and takes it, and
queues a ``booking.scheduled`` webhook event for the subscribers. What bookings
share with calendars (join links, seat holders, slot starts) is in ``scheduling``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..checks import EMAIL, Boolean, Field, Invalid, Kind, Record, Text, Timestamp, is_time_zone
from ..data import make_id, rng_for, slug, timestamp
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..scheduling import (
    ADDRESSES,
    CALENDAR_SETTINGS,
    CALENDARS,
    SITE,
    UPCOMING,
    calendar_fields,
    connected_conferencing,
    digest,
    external_calendar,
    local_moment,
    location_fields,
    seat_holders,
    zone_for,
)
from ..store import Account, Table
from ..webhooks_out.payloads import announce

JSON = dict[str, Any]
TABLE, NOUN = CALENDARS, "booking calendar"
SETTINGS = CALENDAR_SETTINGS  # private: hours, time zone, locations (never served)
LINKS = "_booking-calendar-one-time-links"  # private: the one-time links handed out
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MAX_SPAN = timedelta(days=30)  # documented: end_time - start_time <= 30 days
DEFAULT_SPAN = timedelta(days=7)  # documented: end_time defaults to a week after start_time

# Weekly working hours: weekday (Monday = 0) -> windows in minutes after local midnight.
WEEKLY_PATTERNS: list[dict[int, list[tuple[int, int]]]] = [
    {day: [(9 * 60, 12 * 60), (13 * 60, 17 * 60)] for day in range(5)},
    {day: [(10 * 60, 16 * 60)] for day in range(4)},
    {day: [(8 * 60 + 30, 11 * 60 + 30), (14 * 60, 18 * 60)] for day in (1, 2, 3)},
]


@dataclass(frozen=True)
class Plan:
    """One seeded calendar: what kind, how long, whether published or paid, its hours."""

    kind: str  # personal, team, consultation, quick, draft
    duration: int
    published: bool
    paid: bool
    pattern: int
    extra_location: str | None  # besides the host's video service


PLANS = [
    Plan("personal", 30, True, False, 0, "guest_phone"),
    Plan("team", 30, True, False, 1, "virtual_static"),
    Plan("consultation", 60, True, True, 2, "physical"),
    Plan("personal", 45, True, False, 1, "guest_phone"),
    Plan("quick", 15, True, False, 0, None),
    Plan("draft", 30, False, False, 0, None),
]


# -- seeding -------------------------------------------------------------------------------


def _full_name(user: JSON) -> str:
    return f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip() or user["id"]


def _team_host(account: Account, active: list[JSON]) -> tuple[str, str, list[JSON]] | None:
    """The team with the most active members: its id, its name and those members."""
    teams = account.tables.get("teams")
    best: tuple[str, str, list[JSON]] | None = None
    for team in reversed(teams.newest_first()) if teams else []:
        members = [u for u in active if team["id"] in (u.get("teams") or [])]
        if members and (best is None or len(members) > len(best[2])):
            best = (team["id"], str(team.get("name") or "Team"), members)
    return best


def _names(plan: Plan, who: str) -> tuple[str, str, str]:
    """The calendar's internal name, its customer-facing subject and its URL slug."""
    if plan.kind == "team":
        return f"{who} team calendar", f"Talk to our {who} team", f"{slug(who)}-team"
    if plan.kind == "consultation":
        return f"{who} paid consultation", f"Consultation with {who}", f"{slug(who)}-consult"
    if plan.kind == "quick":
        return f"{who} quick chat", f"15-minute chat with {who}", f"{slug(who)}-chat"
    if plan.kind == "draft":
        return f"{who} workshop calendar", f"Workshop with {who}", f"{slug(who)}-workshop"
    return f"{who} booking calendar", f"Meeting with {who}", slug(who)


def _locations(plan: Plan, host_id: str, n: int) -> tuple[list[JSON], JSON]:
    """What a calendar offers (as time slots show it) and the private details behind it."""
    service = connected_conferencing(host_id)[0]
    offered = [{"type": "virtual", "value": service, "id": None}]
    details: JSON = {"addresses": {}, "static_link": None}
    if plan.extra_location == "physical":
        address_id = make_id("ADD", f"{host_id}:{n}")
        details["addresses"][address_id] = ADDRESSES[n % len(ADDRESSES)]
        offered.insert(0, {"type": "physical", "value": None, "id": address_id})
    elif plan.extra_location == "virtual_static":
        details["static_link"] = f"https://video.example.com/room/{make_id('ROOM', host_id)[5:]}"
        offered.append({"type": "virtual_static", "value": None, "id": None})
    elif plan.extra_location == "guest_phone":
        offered.append({"type": "guest_phone", "value": f"+1202555{100 + n:04d}", "id": None})
    return offered, details


def seed(account: Account) -> None:
    """A handful of calendars hosted by the account's active users (one by a team)."""
    table = account.table(TABLE, NOUN, indexed=("host",))
    settings_table = account.table(SETTINGS, "booking calendar settings")
    account.table(LINKS, "one-time link")
    users = account.tables.get("users")
    active = [
        u for u in reversed(users.newest_first() if users else []) if u.get("status") == "active"
    ]
    if not active:
        return
    rng = rng_for(account.seed, "booking-calendars")
    hosts = rng.sample(active, len(active))
    team = _team_host(account, active)
    calendars, settings = [], []
    for n, plan in enumerate(PLANS):
        user = hosts[n % len(hosts)]
        host_id, who, first = user["id"], _full_name(user), user
        if plan.kind == "team" and team is not None:
            host_id, who, first = team[0], team[1], team[2][0]
        name, subject, url_slug = _names(plan, who)
        calendar_id = make_id("BKC", f"{account.seed}:{n}")
        offered, details = _locations(plan, first["id"], n)
        calendars.append(
            {
                "object": "booking_calendar",
                "id": calendar_id,
                "host": host_id,
                "name": name,
                "subject": subject,
                "url": f"{SITE}/{url_slug}",
                "published": plan.published,
                "duration_minutes": plan.duration,
            }
        )
        price = {"amount_charged": 15000, "currency": "USD"} if plan.paid else None
        zone_name = first.get("timezone") if isinstance(first.get("timezone"), str) else "UTC"
        settings.append(
            {
                "id": calendar_id,
                "timezone": zone_name,
                "weekly": WEEKLY_PATTERNS[plan.pattern],
                "locations": offered,
                "price": price,
                **details,
            }
        )
    table.extend_oldest_first(calendars)
    settings_table.extend_oldest_first(settings)


# -- free time slots -----------------------------------------------------------------------


def _busy(account: Account, user_id: str, low: str, high: str) -> list[tuple[datetime, datetime]]:
    """The user's upcoming bookings that start between ``low`` and ``high`` (as text)."""
    bookings = account.tables.get("bookings")
    if bookings is None:
        return []
    spans = []
    for item in bookings.newest_first(owner=user_id):
        start = item.get("starting_time") or ""
        if item.get("owner") == user_id and item.get("status") in UPCOMING and low < start < high:
            begin = datetime.fromisoformat(start[:19]).replace(tzinfo=timezone.utc)
            minutes = item.get("duration_minutes") or 0
            spans.append((begin, begin + timedelta(minutes=minutes)))
    return spans


def _candidates(
    settings: JSON, start: datetime, end: datetime, duration: int
) -> Iterator[datetime]:
    """Every slot of the calendar's weekly hours that starts in [start, end)."""
    zone = zone_for(settings["timezone"])
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for low, high in settings["weekly"].get(day.weekday(), []):
            for minute in range(low, high - duration + 1, duration):
                moment = local_moment(day, minute, zone)
                if start <= moment < end:
                    yield moment
        day += timedelta(days=1)


def free_slots(
    account: Account, calendar: JSON, start: datetime, end: datetime, now: datetime
) -> dict[datetime, str]:
    """Free slots in [start, end), not in the past, each with a host free at that time."""
    settings = account.tables[SETTINGS].get(calendar["id"]) or {}
    if not settings:
        return {}
    duration = int(calendar["duration_minutes"])
    length = timedelta(minutes=duration)
    hosts = seat_holders(account, calendar)
    bookings = account.tables.get("bookings")
    taken_here = len(bookings.newest_first(booking_calendar=calendar["id"])) if bookings else 0
    if hosts:  # round robin on a team calendar: the next member in turn gets the meeting
        turn = taken_here % len(hosts)
        hosts = hosts[turn:] + hosts[:turn]
    low, high = timestamp(start - timedelta(days=1)), timestamp(end + length)
    busy = {host: _busy(account, host, low, high) for host in hosts}
    slots: dict[datetime, str] = {}
    for moment in _candidates(settings, max(start, now), end, duration):
        finish = moment + length
        for host in hosts:
            if not any(b < finish and moment < e for b, e in busy[host]):
                slots[moment] = host
                break
    return dict(sorted(slots.items()))


def _slot_time(moment: datetime) -> str:
    """OnceHub's full ISO 8601 form: ``2024-12-02T06:30:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _calendar(request: Request) -> JSON:
    calendar = request.account.tables[TABLE].get(request.path["id"])
    if calendar is None:
        raise NotFound(NOUN, request.path["id"])
    return calendar


def _require_seat(request: Request, calendar: JSON, message: str) -> list[str]:
    hosts = seat_holders(request.account, calendar)
    if not hosts:
        raise ApiProblem(402, message)
    return hosts


def _range(request: Request) -> tuple[datetime, datetime]:
    """The asked [start_time, end_time): defaults, end after start, at most 30 days."""
    start = request.query.get("start_time") or request.now
    try:
        end = request.query.get("end_time") or start + DEFAULT_SPAN
    except OverflowError:
        raise ApiProblem(400, "Invalid start_time: too far in the future.", "start_time") from None
    if end <= start:
        raise ApiProblem(400, "End time must be after the start time.", "end_time")
    if end - start > MAX_SPAN:
        raise ApiProblem(
            400,
            "The difference between start_time and end_time must be less than or equal to 30 days.",
            "end_time",
        )
    return start, end


# -- request bodies ------------------------------------------------------------------------


@dataclass(frozen=True)
class GuestForm(Kind):
    """A booking form: name, email, phone, and custom fields (text or lists of text)."""

    required: bool = False

    def accept(self, value: Any, param: str) -> JSON:
        if not isinstance(value, dict):
            raise Invalid(f"Invalid object: {param} must be a JSON object.", param)
        form: JSON = {}
        for key, item in value.items():
            where = f"{param}.{key}"
            if key in ("name", "email", "phone"):
                if not isinstance(item, str):
                    raise Invalid(f"Invalid string: {where} must be a string.", where)
            elif not _custom_value(item):
                raise Invalid(
                    f"Invalid value for {where}: use a string, or an array of strings for a "
                    "multi-select picklist.",
                    where,
                )
            form[str(key)] = item
        if self.required and not all(str(form.get(k) or "").strip() for k in ("name", "email")):
            raise Invalid("Required fields are missing.", param)
        email = form.get("email")
        if email and not EMAIL.match(email):
            raise Invalid(f"Invalid email address: {email!r}.", f"{param}.email")
        return form


def _custom_value(item: Any) -> bool:
    return isinstance(item, str) or (
        isinstance(item, list) and all(isinstance(v, str) for v in item)
    )


LOCATION = Record(
    {
        "type": Field(
            Text(choices=("physical", "virtual", "virtual_static", "guest_phone")), nullable=False
        ),
        "value": Field(Text()),
    }
)
SCHEDULE = Record(
    {
        "start_time": Field(Timestamp(), required=True),
        "guest_time_zone": Field(Text(), required=True),
        "booking_form": Field(GuestForm(required=True), required=True),
        "location": Field(LOCATION, nullable=False),
    }
)
UTM = Record(
    {
        name: Field(Text(), nullable=False)
        for name in ("source", "medium", "campaign", "term", "content")
    }
)
ONE_TIME_LINK = Record(
    {
        "hide_url_params": Field(Boolean(), nullable=False),
        "booking_form": Field(GuestForm(), nullable=False),
        "utm_params": Field(UTM, nullable=False),
    }
)


# -- operations ----------------------------------------------------------------------------


@api.operation("GET", "/booking-calendars", query={**PAGING, "host": Text()})
def list_all(request: Request) -> Reply:
    """Calendars newest first, optionally only those of one host (a user or a team)."""
    host = request.query.get("host") or None
    return list_reply(request, request.account.tables[TABLE], equal={"host": host})


@api.operation("GET", "/booking-calendars/{id}")
def get_one(request: Request) -> Reply:
    """One calendar."""
    return object_reply(request, request.account.tables[TABLE])


@api.operation(
    "GET",
    "/booking-calendars/{id}/time-slots",
    query={"start_time": Timestamp(), "end_time": Timestamp()},
)
def time_slots(request: Request) -> Reply:
    """The calendar's free slots in the asked range, each with the locations it offers."""
    calendar = _calendar(request)
    start, end = _range(request)
    if not calendar["published"]:
        raise ApiProblem(
            422, "Time slots cannot be retrieved from an unpublished booking calendar.", "id"
        )
    _require_seat(
        request,
        calendar,
        "Time slots cannot be retrieved when the host doesn't have a seat assigned.",
    )
    settings = request.account.tables[SETTINGS].get(calendar["id"]) or {"locations": []}
    try:
        slots = free_slots(request.account, calendar, start, end, request.now)
    except (OverflowError, ValueError):  # dates at the very ends of the calendar
        raise ApiProblem(
            400, "Invalid start_time: out of the supported range.", "start_time"
        ) from None
    locations = settings["locations"]
    payload = [{"start_time": _slot_time(m), "locations": locations} for m in slots]
    return json_reply(200, payload)


def _pick_location(wanted: JSON | None, offered: list[JSON]) -> JSON:
    """The offered location the guest asked for (a virtual one by default), else 400."""
    if not offered:
        raise ApiProblem(400, "This booking calendar offers no location.", "location")
    if not wanted or (wanted.get("type") is None and wanted.get("value") is None):
        virtual = [o for o in offered if o["type"] == "virtual"]
        return dict((virtual or offered)[0])
    kind, value = wanted.get("type"), wanted.get("value")
    for option in offered:
        if kind is not None and option["type"] != kind:
            continue
        if option["type"] == "guest_phone":
            if value is not None and not E164.match(value):
                raise ApiProblem(
                    400,
                    f"Invalid phone number: {value!r}. Use the E.164 format, e.g. +12025550195.",
                    "location.value",
                )
            return {**option, "value": value}
        if value is None or value in (option["value"], option["id"]):
            return dict(option)
    raise ApiProblem(
        400, "The selected location is not offered by this booking calendar.", "location"
    )


def _find_contact(contacts: Table, email: str) -> JSON | None:
    """The contact with ``email``, ignoring case (through the table's own lookup if any)."""
    find = getattr(contacts, "find", None)  # the contacts table may index e-mails uniquely
    if callable(find):
        try:
            found = find("email", email)
        except (KeyError, TypeError):
            found = None
        if found is not None:
            return found
    wanted = email.strip().casefold()
    for contact in contacts.newest_first():
        if str(contact.get("email") or "").strip().casefold() == wanted:
            return contact
    return None


def _contact_for(request: Request, form: JSON, owner: str, zone_name: str) -> JSON:
    """The contact with the form's email (touched), or a new one made from the form."""
    contacts = request.account.tables["contacts"]
    now = timestamp(request.now)
    found = _find_contact(contacts, form["email"])
    if found is not None:
        return contacts.update(found["id"], {"last_interacted_time": now})
    first, _, last = form["name"].strip().partition(" ")
    contact_id = _unused_id(contacts, "CTC", f"{request.account.seed}:contact")
    return contacts.add(
        {
            "object": "contact",
            "id": contact_id,
            "creation_time": now,
            "last_updated_time": now,
            "last_interacted_time": now,
            "owner": owner,
            "status": None,
            "city": None,
            "company_size": None,
            "company": form.get("company") if isinstance(form.get("company"), str) else None,
            "country": None,
            "email": form["email"],
            "first_name": first or None,
            "has_consent": False,
            "job_title": None,
            "last_name": last.strip() or None,
            "mobile_phone": None,
            "phone": form.get("phone") if E164.match(form.get("phone") or "") else None,
            "post_code": None,
            "salutation": None,
            "state": None,
            "street_address": None,
            "terms_of_sevice": False,  # sic: the field name as OnceHub spells it
            "timezone": zone_name,
            "custom_fields": [],
        }
    )


def _unused_id(table: Table, prefix: str, base: str) -> str:
    """A new id for ``table``, derived from ``base`` and the table's size (deterministic)."""
    n = len(table)
    while True:
        candidate = make_id(prefix, f"{base}:{n}")
        if candidate not in table:
            return candidate
        n += 1


def _form_submission(form: JSON, phone: str | None) -> JSON:
    standard = {"name", "email", "phone"}
    custom = [{"name": k, "value": v} for k, v in form.items() if k not in standard]
    return {
        "name": form["name"],
        "email": form["email"],
        "phone": form.get("phone") or phone,
        "note": "",
        "company": None,
        "guests": [],
        "custom_fields": custom,
    }


@api.operation("POST", "/booking-calendars/{id}/schedule", body=SCHEDULE)
def schedule(request: Request) -> Reply:
    """Book a free slot: a new scheduled booking that takes the slot."""
    calendar = _calendar(request)
    body = request.body or {}
    if not calendar["published"]:
        raise ApiProblem(
            422, "Meeting cannot be scheduled on an unpublished booking calendar.", "id"
        )
    _require_seat(
        request, calendar, "Meeting cannot be scheduled when the host doesn't have a seat assigned."
    )
    zone_name = body["guest_time_zone"]
    if not is_time_zone(zone_name):
        raise ApiProblem(
            400,
            f"Invalid guest_time_zone: {zone_name!r}. Use an IANA time zone such as "
            "America/New_York.",
            "guest_time_zone",
        )
    start = body["start_time"]
    try:
        slots = free_slots(
            request.account, calendar, start, start + timedelta(seconds=1), request.now
        )
    except (OverflowError, ValueError):  # dates at the very ends of the calendar
        slots = {}
    if start not in slots:
        raise ApiProblem(400, "The selected start time is not available.", "start_time")
    settings = request.account.tables[SETTINGS].get(calendar["id"]) or {"locations": []}
    location = _pick_location(body.get("location"), settings["locations"])
    booking = _new_booking(request, calendar, settings, start, slots[start], location)
    request.account.tables["bookings"].add(booking)
    announce(request.account, "booking.scheduled", booking, request.now)
    return json_reply(200, {"id": booking["id"]})


def _new_booking(
    request: Request, calendar: JSON, settings: JSON, start: datetime, host: str, location: JSON
) -> JSON:
    """The booking ``schedule`` makes, with its contact found or created by email."""
    body = request.body or {}
    form = body["booking_form"]
    bookings = request.account.tables["bookings"]
    booking_id = _unused_id(bookings, "BKNG", f"{request.account.seed}:scheduled")
    phone = location["value"] if location["type"] == "guest_phone" else None
    contact = _contact_for(request, form, host, body["guest_time_zone"])
    now = timestamp(request.now)
    owner = request.account.tables["users"].get(host)
    booking: JSON = {
        "object": "booking",
        "id": booking_id,
        "tracking_id": digest(f"tracking:{booking_id}").hex()[:8].upper(),
        "subject": calendar["subject"],
        "status": "scheduled",
        "in_trash": False,
        "creation_time": now,
        "starting_time": timestamp(start),
        "customer_timezone": body["guest_time_zone"],
        "last_updated_time": now,
        "duration_minutes": int(calendar["duration_minutes"]),
        **location_fields(location, settings, booking_id),
        "attendees": [form["email"]],
        "form_submission": _form_submission(form, phone),
        "master_page": None,
        "event_type": None,
        "owner": host,
        "conversation": None,
        "utm_params": None,
        "contact": contact["id"],
        "custom_fields": [],
        **calendar_fields(calendar, booking_id, None),
    }
    calendar_entry = external_calendar(owner, booking_id)
    if calendar_entry is not None:
        booking["external_calendar"] = calendar_entry
    return booking


@api.operation("POST", "/booking-calendars/{id}/one-time-links", body=ONE_TIME_LINK)
def one_time_link(request: Request) -> Reply:
    """A one-time link to a published calendar, prefilled with the form and UTM values."""
    calendar = _calendar(request)
    if not calendar["published"]:
        raise ApiProblem(
            400,
            f"This booking calendar does not allow creation of one time links: '{calendar['id']}'",
            "id",
        )
    body = request.body or {}
    links = request.account.tables[LINKS]
    link_id = _link_id(links, f"{request.account.seed}:{calendar['id']}")
    if body.get("hide_url_params"):
        url = f"{_origin(calendar['url'])}/.{link_id}"
    else:
        params = [("otl", link_id)]
        params += [(k, _query_value(v)) for k, v in (body.get("booking_form") or {}).items()]
        utm = body.get("utm_params") or {}
        params += [(f"utm_{k}", v) for k, v in utm.items() if v is not None]
        url = f"{calendar['url']}?{urlencode(params)}"
    link = {"id": link_id, "url": url, "creation_time": timestamp(request.now)}
    links.add({**link, "booking_calendar": calendar["id"]})
    return json_reply(200, link)


def _link_id(links: Table, base: str) -> str:
    """A new 12-character one-time link id, like ``QUHVEKLPD93M`` (deterministic)."""
    n = len(links)
    while True:
        candidate = make_id("OTL", f"{base}:{n}")[4:] + make_id("OTL", f"{n}:{base}")[4:6]
        if candidate not in links:
            return candidate
        n += 1


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _query_value(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)
