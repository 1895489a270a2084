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

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from ..checks import Boolean, Field, Record, Text
from ..data import rng_for, timestamp
from ..listing import DATE_FILTERS, EXPAND, PAGING, date_range, list_reply, object_reply
from ..records import Lazy, fields
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..scheduling import (
    ADDRESSES,
    CALENDAR_SETTINGS,
    CALENDARS,
    CONFERENCING,
    CONFERENCING_NAMES,
    UPCOMING,
    calendar_event,
    calendar_fields,
    connected_calendar,
    connected_conferencing,
    digest,
    external_calendar,
    join_url,
    location_fields,
    seat_holders,
    zone_for,
)
from ..seeding import DAY, MINUTES, SECONDS, pick, random_ids
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
DURATIONS = (15, 30, 30, 45, 60, 60)
UPDATE_DELAYS = (0, 0, 0, 300, 5400, 36000)  # seconds from creation to a later change
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
# 100,000 bookings are made in a second or two and kept in about half a kilobyte each: the
# seeder counts time in epoch seconds and keeps each booking as a Seeded record, the fields
# lists filter on plus what the rest is made from; the details (form, links, reasons,
# UTM values, tracking id) come from a digest of the booking's id when it is read.

GUEST_FIELDS = (  # what a booking takes from its contact
    "id", "first_name", "last_name", "email", "phone", "mobile_phone", "company", "job_title",
    "timezone",
)  # fmt: skip
TO_WEEKDAY = (0, 0, 0, 0, 0, 2, 1)  # days from a weekday (Monday = 0) to the next workday
PHONE_CALL: tuple[str, ...] = ("guest_phone",)  # a page booking's location: the host calls


@dataclass(frozen=True)
class Host:
    """An active user as seeded bookings need them: zone, video service, calendar owner."""

    id: str
    zone_name: str
    offsets: list[int]  # the zone's UTC offset in seconds, by day from the seeder's first
    virtual: tuple[str, str]  # ("virtual", the service of their links)
    calendar: JSON | None  # their connected calendar, where meetings are added


class Seeded(Lazy):
    """A seeded booking: what lists filter on, and what the rest is made from."""

    FIELDS = (
        "id",
        "status",
        "creation_time",
        "starting_time",
        "last_updated_time",
        "subject",
        "duration_minutes",
        "owner",
        "contact",
        "booking_page",
        "master_page",
        "event_type",
        "booking_calendar",
        "rescheduled_booking_id",
        "_host",  # Host
        "_guest",  # the contact as it was when booking (a record or a dict)
        "_where",  # a page's location tuple, or the calendar's location option
        "_calendar",  # (calendar, settings) for a calendar booking, else None
        "_replaced",  # True: canceled because it was rescheduled
    )
    OPTIONAL = frozenset({"booking_page", "booking_calendar", "rescheduled_booking_id"})

    def render(self) -> JSON:
        booking_id, status, created, start, updated, subject, duration, owner = self._v[:8]
        contact, page, master, event_type, _, again, host, guest = self._v[8:16]
        where, calendar, replaced = self._v[16:]
        roll = _details(booking_id)
        person = fields(guest, GUEST_FIELDS)
        form = _form(person, roll)
        booking: JSON = {
            "object": "booking",
            "id": booking_id,
            "tracking_id": roll[:4].hex().upper(),
            "subject": subject,
            "status": status,
            "in_trash": status == "canceled" and roll[4] < 38,  # 15%
            "creation_time": created,
            "starting_time": start,
            "customer_timezone": person[-1] if isinstance(person[-1], str) else host.zone_name,
            "last_updated_time": updated,
            "duration_minutes": duration,
            **_location(where, calendar, booking_id),
            "attendees": [form["email"], *form["guests"]],
            "form_submission": form,
        }
        if calendar is not None:
            price = calendar[1].get("price")
            payment = {**price, "transaction_id": f"ch_{roll[16:28].hex()}"} if price else None
            booking.update(master_page=None, event_type=None)
            booking.update(calendar_fields(calendar[0], booking_id, payment))
        else:
            if page is not None:
                booking["booking_page"] = page
            booking.update(master_page=master, event_type=event_type)
        booking.update(owner=owner, conversation=None, utm_params=_utm(calendar, roll))
        booking.update(contact=contact, custom_fields=_discussion(roll))
        if replaced:  # canceled when the booking that replaced it was made
            booking["cancel_reschedule_information"] = _reason(roll, True, owner)
        elif again is not None:  # the same as on the booking it replaced
            booking["cancel_reschedule_information"] = _reason(_details(again), True, owner)
        elif status == "canceled":
            booking["cancel_reschedule_information"] = _reason(roll, False, owner)
        if status != "requested" and host.calendar is not None:
            booking["external_calendar"] = calendar_event(host.calendar, booking_id)
        if again is not None:
            booking["rescheduled_booking_id"] = again
        return booking


def _details(booking_id: str) -> bytes:
    """32 bytes that decide a seeded booking's details (0-3 tracking id, 4-15 rolls, …)."""
    return digest(f"booking:{booking_id}")


def _form(guest: tuple[Any, ...], roll: bytes) -> JSON:
    """What the customer typed into the booking form (the contact as it was then)."""
    guest_id, first, last, email, phone, mobile, company, job_title, _ = guest
    name = f"{first or ''} {last or ''}".strip()
    form: JSON = {"name": name or str(email).split("@")[0], "email": email, "phone": phone}
    if mobile:
        form["mobile_phone"] = mobile
    custom = [{"name": "Title", "value": job_title}] if job_title and roll[14] < 77 else []
    form.update(
        note=NOTES[roll[12] % len(NOTES)],
        company=company,
        guests=[f"guest.{str(guest_id)[4:].lower()}@example.com"] if roll[13] < 26 else [],
        custom_fields=custom,
    )
    return form


def _location(where: Any, calendar: tuple[JSON, JSON] | None, booking_id: str) -> JSON:
    """The location fields: a video link, an office address, or none for a phone call."""
    if calendar is not None:
        return location_fields(where, calendar[1], booking_id)
    if where[0] == "virtual":
        return {"virtual_conferencing": {"join_url": join_url(where[1], booking_id)}}
    if where[0] == "physical":
        return {"location_description": where[1]}
    return {}


def _reason(roll: bytes, rescheduled: bool, owner: str) -> JSON:
    """cancel_reschedule_information: who canceled or rescheduled, and why."""
    reasons = RESCHEDULE_REASONS if rescheduled else CANCEL_REASONS
    reason = reasons[roll[5] % len(reasons)]
    if roll[6] < 77:  # 30%
        return {"reason": reason, "actioned_by": "user", "user_id": owner}
    return {"reason": reason, "actioned_by": "customer"}


def _utm(calendar: Any, roll: bytes) -> JSON | None:
    """UTM values for about a fifth of booking-page bookings."""
    if calendar is not None or roll[9] >= 51:
        return None
    source, medium = UTM_SOURCES[roll[10] % len(UTM_SOURCES)]
    return {"source": source, "medium": medium, "campaign": pick(UTM_CAMPAIGNS, roll[11] / 256)}


def _discussion(roll: bytes) -> list[JSON]:
    if roll[7] >= 51:
        return []
    return [{"name": "discussion_points", "value": pick(DISCUSSION_POINTS, roll[8] / 256)}]


class Seeder:
    """Makes one account's bookings from its users, pages, contacts and calendars.

    Time is counted in epoch seconds, days from ``base``: ``heads`` holds each day's
    ``YYYY-MM-DDT`` and each zone its UTC offset by day, worked out once.
    """

    def __init__(self, account: Account) -> None:
        def rows(name: str) -> list[JSON]:
            table = account.tables.get(name)
            return list(reversed(table.newest_first())) if table else []  # oldest first

        self.now = int(account.seeded_at.timestamp())
        self.span = max(60 * DAY, min(730 * DAY, account.sizes.bookings * 600))
        self.base = (self.now - self.span) // DAY - 1
        # the last day a meeting may start: the longest lead, then weeks of no free hours
        self.days = (self.now // DAY) - self.base + max(LEAD_DAYS) + 75
        self.heads = [
            datetime.fromtimestamp((self.base + d) * DAY, timezone.utc).strftime("%Y-%m-%dT")
            for d in range(self.days)
        ]
        self._zones: dict[str, list[int]] = {}
        users = rows("users")
        active = [u for u in users if u.get("status") == "active"] or users
        hosts = {u["id"]: self._host(u) for u in active}
        self.owners = list(hosts.values())
        self.pages = [p["id"] for p in rows("booking-pages")]
        self.masters = [m["id"] for m in rows("master-pages")]
        self.event_types = [
            (e["id"], e.get("name") or "Meeting", DURATIONS[n % len(DURATIONS)])
            for n, e in enumerate(rows("event-types"))
        ]
        people = account.tables.get("contacts")
        facts = people.rows(("creation_time", "email", "id")) if people else []
        known = sorted(  # those who can book (with an e-mail), by creation time
            (str(created or ""), n, contact_id)
            for n, (created, email, contact_id) in enumerate(reversed(facts))
            if isinstance(email, str)
        )
        oldest_first = people.newest_first()[::-1] if people else []
        self.contacts = [oldest_first[n] for _, n, _ in known]
        self.contact_times = [created for created, _, _ in known]
        self.contact_ids = [contact_id for _, _, contact_id in known]
        self.calendars = []
        settings = account.tables.get(CALENDAR_SETTINGS)
        for calendar in rows(CALENDARS):
            members = [hosts[h] for h in seat_holders(account, calendar) if h in hosts]
            found = settings.get(calendar["id"]) if settings else None
            if calendar.get("published") and members and found:
                weekly = [found["weekly"].get(day, []) for day in range(7)]
                offsets = self._offsets(found["timezone"])
                duration, subject = int(calendar["duration_minutes"]), calendar["subject"]
                pair = (calendar, found, duration, subject or "Meeting")
                self.calendars.append((pair, members, weekly, offsets))
        self.places = [("physical", address) for address in ADDRESSES]
        self.seed = account.seed
        self.rng = rng_for(account.seed, "bookings")
        self.roll = self.rng.random

    def _offsets(self, zone_name: str) -> list[int]:
        """The UTC offset of ``zone_name`` in seconds (at noon UTC), by day from ``base``."""
        if zone_name not in self._zones:
            zone, noon = zone_for(zone_name), self.base * DAY + DAY // 2
            self._zones[zone_name] = [
                int(_utc_offset(zone, noon + d * DAY)) for d in range(self.days)
            ]
        return self._zones[zone_name]

    def _host(self, user: JSON) -> Host:
        zone = user.get("timezone")
        zone_name = zone if isinstance(zone, str) else "UTC"
        service = connected_conferencing(user["id"])[0]
        calendar = connected_calendar(user)
        return Host(user["id"], zone_name, self._offsets(zone_name), ("virtual", service), calendar)

    @property
    def ready(self) -> bool:
        """Whether there is something to book with: owners, contacts, pages or calendars."""
        return bool(self.owners and self.contacts and (self.pages or self.calendars))

    def origin(self, known: int) -> tuple[Any, ...]:
        """Where a new booking comes from (a quarter from calendars): host, guest, duration,
        where, subject, page, master page, event type, calendar, weekly hours, offsets and
        the guest's id; the guest is one of the ``known`` oldest contacts."""
        roll = self.roll
        at = int(roll() * known)
        guest, guest_id = self.contacts[at], self.contact_ids[at]
        calendars = self.calendars
        if calendars and (not self.pages or roll() < 0.25):
            calendar, members, weekly, offsets = calendars[int(roll() * len(calendars))]
            locations = calendar[1]["locations"]
            option = locations[int(roll() * len(locations))]
            host = members[int(roll() * len(members))]
            duration, subject = calendar[2], calendar[3]
            calendar_origin = (calendar, weekly, offsets, guest_id)  # no page or event type
            return (host, guest, duration, option, subject, None, None, None, *calendar_origin)
        owners, event_types, pages = self.owners, self.event_types, self.pages
        host = owners[int(roll() * len(owners))]
        event_type, subject, duration = None, "Meeting", 30
        if event_types:
            event_type, subject, duration = event_types[int(roll() * len(event_types))]
        where = roll()
        place: tuple[str, ...]
        if where < 0.65:
            place = host.virtual
        else:
            place = self.places[int(roll() * 3)] if where < 0.8 else PHONE_CALL
        page = pages[int(roll() * len(pages))] if pages else None
        master = None
        if self.masters and roll() < 0.2:
            master = self.masters[int(roll() * len(self.masters))]
        source = (page, master, event_type, None, None, None)  # and no calendar
        return (host, guest, duration, place, subject, *source, guest_id)

    def start(self, origin: tuple[Any, ...], created: int) -> int:
        """When the meeting starts: in the calendar's hours, or a weekday business hour."""
        roll, base = self.roll, self.base
        after = created + LEAD_DAYS[int(roll() * len(LEAD_DAYS))] * DAY
        duration, weekly, offsets = origin[2], origin[9], origin[10]
        if weekly is None:  # a weekday business hour in the host's zone, an hour off at least
            offsets = origin[0].offsets
            day = (after + offsets[after // DAY - base]) // DAY  # the local day
            minute = (8 + int(roll() * 9)) * 60 + 15 * int(roll() * 4)
            day += TO_WEEKDAY[(day + 3) % 7]
            start = day * DAY + minute * 60 - offsets[day - base]
            if start <= created + 3600:  # earlier today: the next weekday
                day += 1 + TO_WEEKDAY[(day + 4) % 7]
                start = day * DAY + minute * 60 - offsets[day - base]
            return start
        day = (after + offsets[after // DAY - base]) // DAY
        for local in range(day, day + 60):  # a slot of the calendar's hours, after `after`
            windows = weekly[(local + 3) % 7]
            if windows:
                low, high = windows[int(roll() * len(windows))]
                minute = low + int(roll() * max(1, (high - low) // duration)) * duration
                start = local * DAY + minute * 60 - offsets[local - base]
                if start > after:
                    return start
        return after + DAY

    def outcome(
        self, again: bool, calendar: bool, created: int, start: int, end: int
    ) -> tuple[str, int]:
        """The booking's status and when it last changed. Past meetings are mostly
        completed, later ones mostly scheduled; a change is at creation, when the meeting
        ended, or when it was canceled, never after now."""
        roll, now = self.roll(), self.now
        if end <= now:
            if again or roll < 0.83:
                status = "completed"
            else:
                status = "canceled" if roll < 0.91 else "no_show"
        elif again:
            status = "rescheduled"
        elif roll < 0.8:
            status = "scheduled"
        else:
            status = "requested" if roll < 0.9 and not calendar else "canceled"
        roll = self.roll()
        if status == "scheduled" or status == "requested":
            moment = created + UPDATE_DELAYS[int(roll * len(UPDATE_DELAYS))]
        elif status == "completed":
            moment = end + int(roll * 30) * 60
        elif status == "no_show":
            moment = end + (30 + int(roll * 1410)) * 60
        elif status == "canceled":
            moment = created + int((min(start, now) - created) * roll)
        else:
            moment = created
        return status, max(created, min(moment, now))

    def run(self, total: int) -> list[Seeded]:
        """``total`` bookings, oldest first, spread evenly over the time before now.

        The hot loop of seeding: timestamps are written inline (the day's ``heads``, then
        ``MINUTES`` and ``SECONDS``) and the ids are made beforehand, which saves a good
        part of the time at 100,000 bookings.
        """
        if not self.ready:
            return []
        step = self.span / max(total, 1)
        first, roll = self.now - self.span, self.roll
        ids = random_ids(rng_for(self.seed, "booking-ids"), "BKNG", total)
        heads, base, contact_times = self.heads, self.base, self.contact_times
        known, contacts = 0, len(contact_times)
        origin_of, start_of, outcome_of = self.origin, self.start, self.outcome
        found: list[Seeded] = []
        last: tuple[Any, ...] = ()  # the origin of the last booking
        for n in range(total):
            created = first + int((n + 0.05 + 0.9 * roll()) * step)
            day, rest = divmod(created, DAY)
            created_text = heads[day - base] + MINUTES[rest // 60] + SECONDS[rest % 60]
            previous = found[-1]._v if found else None
            again = (  # the previous booking is moved to a new time before it happened
                previous is not None
                and previous[1] != "canceled"
                and previous[3] > created_text
                and roll() < 0.08
            )
            while known < contacts and contact_times[known] <= created_text:
                known += 1
            origin = last if again else origin_of(known or 1)
            host, guest, duration, where, subject, page, master, event_type, calendar = origin[:9]
            start = start_of(origin, created)
            end = start + duration * 60
            status, changed = outcome_of(again, calendar is not None, created, start, end)
            day, rest = divmod(start, DAY)
            start_text = heads[day - base] + MINUTES[rest // 60] + SECONDS[rest % 60]
            if changed == created:  # often: nothing happened since it was made
                updated = created_text
            else:
                day, rest = divmod(changed, DAY)
                updated = heads[day - base] + MINUTES[rest // 60] + SECONDS[rest % 60]
            rescheduled = None
            if again and previous is not None:  # the original is canceled when this is made
                found[-1] = Seeded(_canceled_by_rescheduling(previous, created_text))
                rescheduled = previous[0]
            found.append(
                Seeded(
                    (
                        ids[n],
                        status,
                        created_text,
                        start_text,
                        updated,
                        subject,
                        duration,
                        host.id,
                        origin[11],
                        page,
                        master,
                        event_type,
                        calendar[0]["id"] if calendar else None,
                        rescheduled,
                        host,
                        guest,
                        where,
                        calendar,
                        False,
                    )
                )
            )
            last = origin
        return found


def _utc_offset(zone: tzinfo, epoch: int) -> float:
    offset = datetime.fromtimestamp(epoch, timezone.utc).astimezone(zone).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _canceled_by_rescheduling(values: tuple[Any, ...], when: str) -> tuple[Any, ...]:
    """A seeded booking's values once another booking replaced it at ``when``."""
    return (values[0], "canceled", values[2], values[3], when, *values[5:18], True)


def seed(account: Account) -> None:
    """The account's invented bookings, indexed by every field the list filters on."""
    table = account.table(TABLE, NOUN, indexed=INDEXED)
    seeded: list[Any] = Seeder(account).run(account.sizes.bookings)  # Lazy records
    table.extend_oldest_first(seeded)


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
