"""``/bookings``: list (every documented filter), get, and the four booking actions.

Seeded bookings are made from booking pages (with an event type, sometimes through
a master page) or from booking calendars, owned by active users and scheduled with
existing contacts. Their status follows their time: meetings that ended before the
account's "now" are mostly completed (some canceled or no-shows), later ones mostly
scheduled (some requested, canceled, or rescheduled from an earlier booking, which
is then canceled). The actions change status and ``last_updated_time`` as OnceHub
does and refuse impossible transitions with its 409 and 422 answers. Each action that
succeeds queues its webhook event for the subscribers (cancel: ``booking.canceled``;
request-reschedule: ``booking.canceled_reschedule_requested``; reassign:
``booking.reassigned``; no-show: ``booking.no_show``), delivered in the background.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from ..checks import Boolean, Field, Record, Text
from ..data import rng_for, timestamp
from ..listing import DATE_FILTERS, EXPAND, PAGING, date_range, list_reply, object_reply
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..scheduling import (
    ADDRESSES,
    CALENDAR_SETTINGS,
    CALENDARS,
    CONFERENCING,
    CONFERENCING_NAMES,
    UPCOMING,
    calendar_fields,
    connected_conferencing,
    external_calendar,
    join_url,
    location_fields,
    seat_holders,
    seeded_start,
    zone_for,
)
from ..store import Account, Table
from ..webhooks_out.payloads import announce

JSON = dict[str, Any]
TABLE, NOUN = "bookings", "booking"
STATUSES = ("requested", "scheduled", "rescheduled", "completed", "canceled", "no_show")
INDEXED = (
    "status",
    "owner",
    "contact",
    "booking_page",
    "master_page",
    "event_type",
    "booking_calendar",
)
EXPANDABLE = {  # documented: the list's expand parameter and the Booking schema
    "booking_page": "booking-pages",
    "master_page": "master-pages",
    "event_type": "event-types",
    "owner": "users",
    "contact": "contacts",
}
DAY = 86400
DURATIONS = (15, 30, 30, 45, 60, 60)
LEAD_DAYS = (0, 1, 2, 3, 5, 7, 7, 10, 14, 14, 21, 28, 35, 42)
CANCEL_REASONS = (
    "Schedule conflict",
    "No longer needed",
    "Found another solution",
    "Feeling unwell",
    "Travel plans changed",
)
RESCHEDULE_REASONS = (
    "Change in schedule",
    "Conflicting meeting",
    "Need more time to prepare",
    "Time zone mix-up",
)
NOTES = (
    "",
    "",
    "",
    "Looking forward to it.",
    "I want to discuss whether your product can work for our office.",
    "Please send an agenda beforehand.",
    "We are comparing a few options this quarter.",
)
DISCUSSION_POINTS = (
    "Need support on new product",
    "Pricing for a larger team",
    "Migrating from our current tool",
    "Integration with our CRM",
)
UTM_SOURCES = (("google", "cpc"), ("linkedin", "social"), ("newsletter", "email"))
UTM_CAMPAIGNS = ("spring_launch", "webinar_signup", "q1_outreach")


# -- seeding -------------------------------------------------------------------------------
# 100,000 bookings must seed in a few seconds: choices use ``rng.random()`` directly,
# per-user and per-contact details are worked out once, timestamps skip strftime.


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAIRS = [a + b for a in ALPHABET for b in ALPHABET][:1024]  # ten random bits -> two characters


def _pick(items: Sequence[Any], roll: float) -> Any:
    """The item a uniform ``roll`` in [0, 1) lands on (faster than ``Random.choice``)."""
    return items[int(roll * len(items))]


def _ts(moment: datetime) -> str:
    """``timestamp(moment)`` for a UTC datetime with whole seconds, five times faster."""
    return moment.isoformat()[:19] + ".000Z"


@dataclass(frozen=True)
class Host:
    """An active user as seeded bookings need them: zone, video service, calendar."""

    id: str
    zone_name: str
    zone: tzinfo
    service: str
    calendar: JSON | None  # external_calendar without its event_id


@dataclass(frozen=True)
class Guest:
    """A contact as seeded bookings need them: what they type into booking forms."""

    id: str
    form: JSON  # name, email, phone and, if known, mobile_phone
    company: str | None
    job_title: str | None
    zone_name: str | None


@dataclass
class Origin:
    """Where one seeded booking came from; a rescheduled booking shares its original's."""

    host: Host
    guest: Guest
    duration: int
    location: JSON
    page: JSON | None = None
    event_type: JSON | None = None
    master: JSON | None = None
    calendar: tuple[JSON, JSON, list[Host]] | None = None  # calendar, settings, hosts


def _host(user: JSON) -> Host:
    zone = user.get("timezone")
    zone_name = zone if isinstance(zone, str) else "UTC"
    entry = external_calendar(user, "")
    if entry is not None:
        del entry["event_id"]
    service = connected_conferencing(user["id"])[0]
    return Host(user["id"], zone_name, zone_for(zone_name), service, entry)


def _guest(contact: JSON) -> Guest:
    def text(name: str) -> str | None:
        value = contact.get(name)
        return value if isinstance(value, str) else None

    name = " ".join(text(k) or "" for k in ("first_name", "last_name")).strip()
    form: JSON = {
        "name": name or contact["email"].split("@")[0],
        "email": contact["email"],
        "phone": text("phone"),
    }
    if text("mobile_phone"):
        form["mobile_phone"] = text("mobile_phone")
    return Guest(contact["id"], form, text("company"), text("job_title"), text("timezone"))


class Seeder:
    """Makes one account's bookings from its users, pages, contacts and calendars."""

    def __init__(self, account: Account) -> None:
        def rows(name: str) -> list[JSON]:
            table = account.tables.get(name)
            return list(reversed(table.newest_first())) if table else []  # oldest first

        users = rows("users")
        active = [u for u in users if u.get("status") == "active"] or users
        hosts = {u["id"]: _host(u) for u in active}
        self.owners = list(hosts.values())
        self.pages = rows("booking-pages")
        self.masters = rows("master-pages")
        self.event_types = rows("event-types")
        self.durations = {
            e["id"]: DURATIONS[n % len(DURATIONS)] for n, e in enumerate(self.event_types)
        }
        contacts = [c for c in rows("contacts") if isinstance(c.get("email"), str)]
        self.contacts = sorted(contacts, key=lambda c: str(c.get("creation_time") or ""))
        self.contact_times = [str(c.get("creation_time") or "") for c in self.contacts]
        self.guests: dict[str, Guest] = {}
        self.calendars = []
        settings = account.tables.get(CALENDAR_SETTINGS)
        for calendar in rows(CALENDARS):
            members = [hosts[h] for h in seat_holders(account, calendar) if h in hosts]
            found = settings.get(calendar["id"]) if settings else None
            if calendar.get("published") and members and found:
                self.calendars.append((calendar, found, members))
        self.now = account.seeded_at
        self.rng = rng_for(account.seed, "bookings")
        self.roll = self.rng.random
        self.seen: set[str] = set()

    @property
    def ready(self) -> bool:
        """Whether there is something to book with: owners, contacts, pages or calendars."""
        return bool(self.owners and self.contacts and (self.pages or self.calendars))

    def new_id(self, prefix: str) -> str:
        """A fresh random id like ``BKNG-OK9QM3KBWJ`` (deterministic from the seed)."""
        while True:
            bits = self.rng.getrandbits(50)
            pairs = [PAIRS[(bits >> shift) & 1023] for shift in (0, 10, 20, 30, 40)]
            candidate = f"{prefix}-{''.join(pairs)}"
            if candidate not in self.seen:
                self.seen.add(candidate)
                return candidate

    def guest(self, created: str) -> Guest:
        """A contact that existed when the booking was made (older ones book more)."""
        known = bisect.bisect_right(self.contact_times, created)
        contact = self.contacts[int(self.roll() * known)] if known else self.contacts[0]
        if contact["id"] not in self.guests:
            self.guests[contact["id"]] = _guest(contact)
        return self.guests[contact["id"]]

    def origin(self, created: str) -> Origin:
        """A source for a new booking: a calendar (a quarter of them) or a booking page."""
        roll, guest = self.roll, self.guest(created)
        if self.calendars and (not self.pages or roll() < 0.25):
            calendar = _pick(self.calendars, roll())
            option = _pick(calendar[1]["locations"], roll())
            if option["type"] == "guest_phone":
                option = {**option, "value": guest.form.get("mobile_phone") or option["value"]}
            duration = int(calendar[0]["duration_minutes"])
            host = _pick(calendar[2], roll())
            return Origin(host, guest, duration, option, calendar=calendar)
        host = _pick(self.owners, roll())
        event_type = _pick(self.event_types, roll()) if self.event_types else None
        where = roll()
        if where < 0.65:
            location = {"type": "virtual", "value": host.service}
        elif where < 0.8:
            location = {"type": "physical", "address": _pick(ADDRESSES, roll())}
        else:
            location = {"type": "guest_phone"}
        return Origin(
            host,
            guest,
            self.durations.get(event_type["id"], 30) if event_type else 30,
            location,
            page=_pick(self.pages, roll()) if self.pages else None,
            event_type=event_type,
            master=_pick(self.masters, roll()) if self.masters and roll() < 0.2 else None,
        )

    def start(self, origin: Origin, created: datetime) -> datetime:
        """When the meeting starts: in the calendar's hours, or a weekday business hour."""
        after = created + timedelta(days=_pick(LEAD_DAYS, self.roll()))
        if origin.calendar is not None:
            return seeded_start(origin.calendar[1], origin.duration, after, self.rng)
        zone, roll = origin.host.zone, self.roll
        day = after.astimezone(zone).date()
        hour, minute = 8 + int(roll() * 9), 15 * int(roll() * 4)
        for _ in range(14):
            if day.weekday() < 5:
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                start = local.astimezone(timezone.utc)
                if start > created + timedelta(hours=1):
                    return start
            day += timedelta(days=1)
        return created + timedelta(days=1)

    def status(self, past: bool, again: bool, origin: Origin) -> str:
        """Past meetings mostly completed, later ones mostly scheduled."""
        roll = self.roll()
        if past:
            if again or roll < 0.83:
                return "completed"
            return "canceled" if roll < 0.91 else "no_show"
        if again:
            return "rescheduled"
        if roll < 0.8:
            return "scheduled"
        if roll < 0.9 and origin.calendar is None:
            return "requested"  # a booking request the host has yet to approve
        return "canceled"

    def last_update(
        self, status: str, created: datetime, start: datetime, end: datetime
    ) -> datetime:
        """When the booking last changed: at creation, when it ended, or when canceled."""
        roll = self.roll()
        if status in ("scheduled", "requested"):
            moment = created + timedelta(minutes=_pick((0, 0, 0, 5, 90, 600), roll))
        elif status == "completed":
            moment = end + timedelta(minutes=int(roll * 30))
        elif status == "no_show":
            moment = end + timedelta(minutes=30 + int(roll * 1410))
        elif status == "canceled":
            moment = created + timedelta(
                seconds=int((min(start, self.now) - created).total_seconds() * roll)
            )
        else:
            moment = created
        return max(created, min(moment, self.now))

    def form(self, guest: Guest) -> JSON:
        """What the customer typed into the booking form."""
        roll = self.roll
        guests = [f"guest.{guest.id[4:].lower()}@example.com"] if roll() < 0.1 else []
        custom = []
        if guest.job_title and roll() < 0.3:
            custom = [{"name": "Title", "value": guest.job_title}]
        return {
            **guest.form,
            "note": _pick(NOTES, roll()),
            "company": guest.company,
            "guests": guests,
            "custom_fields": custom,
        }

    def where(self, origin: Origin, booking_id: str) -> JSON:
        """The location fields: a video link, an office address, or none for a phone call."""
        if origin.calendar is not None:
            return location_fields(origin.location, origin.calendar[1], booking_id)
        kind = origin.location["type"]
        if kind == "virtual":
            return {
                "virtual_conferencing": {"join_url": join_url(origin.location["value"], booking_id)}
            }
        if kind == "physical":
            return {"location_description": origin.location["address"]}
        return {}

    def source(self, origin: Origin, booking_id: str) -> JSON:
        """The page fields (page, master page, event type) or the calendar fields."""
        if origin.calendar is not None:
            calendar, settings, _ = origin.calendar
            payment = None
            if settings.get("price") is not None:
                charge = f"{self.rng.getrandbits(96):024x}"
                payment = {**settings["price"], "transaction_id": f"ch_{charge}"}
            return {
                "master_page": None,
                "event_type": None,
                **calendar_fields(calendar, booking_id, payment),
            }
        fields: JSON = {
            "master_page": origin.master["id"] if origin.master else None,
            "event_type": origin.event_type["id"] if origin.event_type else None,
        }
        if origin.page is not None:
            fields = {"booking_page": origin.page["id"], **fields}
        return fields

    def reason(self, rescheduled: bool, owner: str) -> JSON:
        """cancel_reschedule_information: who canceled or rescheduled, and why."""
        reason = _pick(RESCHEDULE_REASONS if rescheduled else CANCEL_REASONS, self.roll())
        if self.roll() < 0.3:
            return {"reason": reason, "actioned_by": "user", "user_id": owner}
        return {"reason": reason, "actioned_by": "customer"}

    def utm(self, origin: Origin) -> JSON | None:
        """UTM values for about a fifth of booking-page bookings."""
        if origin.calendar is not None or self.roll() >= 0.2:
            return None
        source, medium = _pick(UTM_SOURCES, self.roll())
        return {"source": source, "medium": medium, "campaign": _pick(UTM_CAMPAIGNS, self.roll())}

    def booking(self, created: datetime, created_text: str, origin: Origin, again: bool) -> JSON:
        """One seeded booking, made at ``created`` (``created_text`` as a timestamp)."""
        booking_id = self.new_id("BKNG")
        start = self.start(origin, created)
        end = start + timedelta(minutes=origin.duration)
        status = self.status(end <= self.now, again, origin)
        form = self.form(origin.guest)
        subject = origin.calendar[0]["subject"] if origin.calendar else None
        if subject is None:
            subject = origin.event_type["name"] if origin.event_type else "Meeting"
        booking: JSON = {
            "object": "booking",
            "id": booking_id,
            "tracking_id": f"{self.rng.getrandbits(32):08X}",
            "subject": subject,
            "status": status,
            "in_trash": status == "canceled" and self.roll() < 0.15,
            "creation_time": created_text,
            "starting_time": _ts(start),
            "customer_timezone": origin.guest.zone_name or origin.host.zone_name,
            "last_updated_time": _ts(self.last_update(status, created, start, end)),
            "duration_minutes": origin.duration,
            **self.where(origin, booking_id),
            "attendees": [form["email"], *form["guests"]],
            "form_submission": form,
            **self.source(origin, booking_id),
            "owner": origin.host.id,
            "conversation": None,
            "utm_params": self.utm(origin),
            "contact": origin.guest.id,
            "custom_fields": [],
        }
        if status == "canceled":
            booking["cancel_reschedule_information"] = self.reason(False, origin.host.id)
        if status != "requested" and origin.host.calendar is not None:
            event_id = f"{self.rng.getrandbits(104):026x}"
            booking["external_calendar"] = {**origin.host.calendar, "event_id": event_id}
        if self.roll() < 0.2:
            point = _pick(DISCUSSION_POINTS, self.roll())
            booking["custom_fields"] = [{"name": "discussion_points", "value": point}]
        return booking

    def run(self, total: int) -> list[JSON]:
        """``total`` bookings, oldest first, spread evenly over the time before now."""
        if not self.ready:
            return []
        span = max(60 * DAY, min(730 * DAY, total * 600))
        step = span / max(total, 1)
        first = self.now - timedelta(seconds=span)
        items: list[JSON] = []
        last: Origin | None = None
        for n in range(total):
            created = first + timedelta(seconds=int((n + 0.05 + 0.9 * self.roll()) * step))
            created_text = _ts(created)
            previous = items[-1] if items else None
            again = (  # the previous booking is moved to a new time before it happened
                previous is not None
                and previous["status"] != "canceled"
                and previous["starting_time"] > created_text
                and self.roll() < 0.08
            )
            origin = last if again and last is not None else self.origin(created_text)
            booking = self.booking(created, created_text, origin, again)
            if again and previous is not None:
                self.reschedule(previous, booking)
            items.append(booking)
            last = origin
        return items

    def reschedule(self, original: JSON, booking: JSON) -> None:
        """``booking`` replaces ``original``, which is canceled when the new one is made."""
        info = self.reason(True, booking["owner"])
        original["status"] = "canceled"
        original["last_updated_time"] = booking["creation_time"]
        original["cancel_reschedule_information"] = info
        booking["rescheduled_booking_id"] = original["id"]
        booking["cancel_reschedule_information"] = dict(info)


def seed(account: Account) -> None:
    """The account's invented bookings, indexed by every field the list filters on."""
    table = account.table(TABLE, NOUN, indexed=INDEXED)
    table.extend_oldest_first(Seeder(account).run(account.sizes.bookings))


# -- reading -------------------------------------------------------------------------------


def _expandable(request: Request) -> dict[str, str]:
    """The documented expansions whose table this account has."""
    return {k: v for k, v in EXPANDABLE.items() if v in request.account.tables}


def _check_ranges(request: Request) -> None:
    """``X.gt`` later than ``X.lt`` is a 400 (OnceHub's documented message)."""
    for name in DATE_FILTERS["/bookings"]:
        low, high = request.query.get(f"{name}.gt"), request.query.get(f"{name}.lt")
        if low is not None and high is not None and low > high:
            raise ApiProblem(400, f"{name}.gt cannot be later than {name}.lt", f"{name}.gt")


LIST_QUERY = {
    **PAGING,
    **EXPAND,
    "status": Text(),  # checked in the handler: empty means no filter, like the others
    "owner": Text(),
    "contact": Text(),
    "booking_page": Text(),
    "master_page": Text(),
    "event_type": Text(),
    "booking_calendar": Text(),
    "host": Text(),
    **date_range("/bookings"),
}


@api.operation("GET", "/bookings", query=LIST_QUERY)
def list_all(request: Request) -> Reply:
    """Bookings newest first, filtered by each given parameter."""
    _check_ranges(request)
    query = request.query
    if query.get("status") and query["status"] not in STATUSES:
        raise ApiProblem(400, f"Invalid status: must be one of {', '.join(STATUSES)}.", "status")
    equal = {name: query.get(name) or None for name in INDEXED}
    host = query.get("host") or None
    keep = None
    if host is not None:  # booking calendars only: meetings this user hosts
        equal["owner"] = equal["owner"] or host

        def keep(item: JSON) -> bool:
            return item.get("owner") == host and bool(item.get("booking_calendar"))

    table = request.account.tables[TABLE]
    return list_reply(request, table, equal=equal, keep=keep, expandable=_expandable(request))


@api.operation("GET", "/bookings/{id}", query=EXPAND)
def get_one(request: Request) -> Reply:
    """One booking, with ``expand`` applied."""
    table = request.account.tables[TABLE]
    return object_reply(request, table, expandable=_expandable(request))


# -- actions -------------------------------------------------------------------------------


def _booking_for(request: Request) -> tuple[Table, JSON]:
    table = request.account.tables[TABLE]
    booking = table.get(request.path["id"])
    if booking is None:
        raise NotFound(NOUN, request.path["id"])
    return table, booking


def _actor(request: Request, booking: JSON) -> str:
    """The user an API action is recorded against: the account owner, else the host."""
    for user in request.account.tables["users"].newest_first():
        if user.get("email") == request.account.email:
            return str(user["id"])
    return str(booking.get("owner"))


def _cancel_info(request: Request, booking: JSON, reason: str | None) -> JSON:
    info: JSON = {"actioned_by": "user", "user_id": _actor(request, booking)}
    return {"reason": reason, **info} if reason else info


def _paid(booking: JSON) -> bool:
    return bool(booking.get("payment_information"))


CANCEL = Record(
    {
        "cancellation_reason": Field(Text(), nullable=False),
        "send_cancellation_email": Field(Boolean(), nullable=False),
    }
)


def _mark_canceled(
    request: Request, table: Table, booking: JSON, reason_field: str, event_type: str
) -> Reply:
    """Cancel ``booking`` (both cancel and request-reschedule end this way) and answer it."""
    reason = (request.body or {}).get(reason_field)
    changes = {
        "status": "canceled",
        "last_updated_time": timestamp(request.now),
        "cancel_reschedule_information": _cancel_info(request, booking, reason),
    }
    updated = table.update(booking["id"], changes)
    announce(request.account, event_type, updated, request.now)
    return json_reply(200, updated)


@api.operation("POST", "/bookings/{id}/cancel", body=CANCEL)
def cancel(request: Request) -> Reply:
    """Cancel a booking that has yet to happen (not a paid one: 422)."""
    table, booking = _booking_for(request)
    if booking["status"] not in UPCOMING:
        raise ApiProblem(409, f"Booking cannot be cancelled: '{booking['id']}'", "id")
    if _paid(booking):
        raise ApiProblem(
            422,
            "Paid bookings cannot be canceled through this endpoint. Please login to OnceHub "
            "and use the Activity Stream to cancel paid bookings.",
        )
    return _mark_canceled(request, table, booking, "cancellation_reason", "booking.canceled")


RESCHEDULE = Record({"reschedule_reason": Field(Text(), nullable=False)})


@api.operation("POST", "/bookings/{id}/request-reschedule", body=RESCHEDULE)
def request_reschedule(request: Request) -> Reply:
    """Cancel a booking and ask the customer to pick a new time (not a paid one: 422)."""
    table, booking = _booking_for(request)
    if booking["status"] not in ("scheduled", "rescheduled"):
        raise ApiProblem(409, f"Booking cannot be cancelled: '{booking['id']}'", "id")
    if _paid(booking):
        raise ApiProblem(
            422,
            "Paid bookings can only be requested for reschedule in your OnceHub account. Log "
            "in and use the activity stream to submit a reschedule request for this booking.",
        )
    event = "booking.canceled_reschedule_requested"
    return _mark_canceled(request, table, booking, "reschedule_reason", event)


LOCATION = Record(
    {
        "type": Field(Text(choices=("virtual",)), required=True),
        "value": Field(Text(choices=CONFERENCING), required=True),
    }
)
REASSIGN = Record(
    {"new_host": Field(Text(), required=True), "location": Field(LOCATION, nullable=False)}
)


def _check_new_host(request: Request, booking: JSON, new_host: str) -> JSON:
    """The user to reassign to: existing (404), active and not the current host (409)."""
    user = request.account.tables["users"].get(new_host)
    if user is None:
        raise NotFound("user", new_host, param="new_host")
    if booking["status"] not in UPCOMING:
        raise ApiProblem(409, "Booking cannot be reassigned in its current status.", "id")
    if user.get("status") != "active":
        raise ApiProblem(409, "User is inactive.", "new_host")
    if booking.get("owner") == new_host:
        raise ApiProblem(409, "Booking cannot be reassigned to the same host.", "new_host")
    return user


@api.operation("POST", "/bookings/{id}/reassign", body=REASSIGN)
def reassign(request: Request) -> Reply:
    """Give an upcoming booking to another active user, optionally on a new video service."""
    table, booking = _booking_for(request)
    body = request.body or {}
    user = _check_new_host(request, booking, body["new_host"])
    changes: JSON = {"owner": user["id"], "last_updated_time": timestamp(request.now)}
    location = body.get("location")
    if location is not None:
        service, connected = location["value"], connected_conferencing(user["id"])
        if service not in connected:
            raise ApiProblem(
                409,
                f"Invalid location: '{CONFERENCING_NAMES[service]}' is not connected for this "
                f"user. Connected video conferencing options: {', '.join(connected)}.",
                "location.value",
            )
        changes["virtual_conferencing"] = {"join_url": join_url(service, booking["id"])}
    entry = external_calendar(user, booking["id"])
    if entry is not None and booking["status"] != "requested":
        changes["external_calendar"] = entry  # the event moves to the new host's calendar
    updated = table.update(booking["id"], changes)
    if location is not None:
        updated.pop("location_description", None)  # the meeting is virtual now
    announce(request.account, "booking.reassigned", updated, request.now)
    return json_reply(200, updated)


def _started(booking: JSON, now: datetime) -> bool:
    return str(booking.get("starting_time") or "9999") <= timestamp(now)


@api.operation("POST", "/bookings/{id}/no-show")
def no_show(request: Request) -> Reply:
    """Mark a meeting that has started (or ended) as a no-show."""
    table, booking = _booking_for(request)
    allowed = booking["status"] in ("scheduled", "rescheduled", "completed")
    if not allowed or not _started(booking, request.now):
        raise ApiProblem(409, f"Cannot update booking status to no_show: '{booking['id']}'", "id")
    changes = {"status": "no_show", "last_updated_time": timestamp(request.now)}
    updated = table.update(booking["id"], changes)
    announce(request.account, "booking.no_show", updated, request.now)
    return json_reply(200, updated)
