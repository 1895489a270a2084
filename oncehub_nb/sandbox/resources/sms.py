"""``/notifications/sms``: the SMS notifications the account has sent, as OnceHub lists them.

Each is a ``SmsNotification``: ``object`` ("notification"), ``id`` (``SMS-…``),
``type`` ("sms"), ``status`` (sent, failed, delivered, rejected), ``creation_time``,
``recipient`` (a contact or user id; ``expand=recipient`` gives the object),
``recipient_type`` (contact or user) and ``details`` (``delivered_to``,
``message_body``, ``segment_count``). They are invented from the bookings: a
confirmation and a reminder to the customer, an alert to the host, a notice when
a booking is canceled. The table is named after the URL (``notifications/sms``) so
that the ``Link`` header of a page points back here.

The documented 403 is OnceHub's plan error ("Your account plan does not support
API access…"): it is about API access, not SMS, and an account that may call the
API gets this list. The ``sandbox-forbidden`` key answers it, as for every path.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..checks import Invalid, ListOf, Text
from ..data import rng_for
from ..listing import PAGING, list_reply, time_range
from ..records import Lazy, fields, plain
from ..replies import Reply, json_reply
from ..router import ApiProblem, Request, api
from ..seeding import DAY, Stamps
from ..store import Account, Table

TABLE, NOUN = "notifications/sms", "SMS notification"
JSON = dict[str, Any]
EXPANDABLE = ("recipient", "data.recipient")  # the docs say `recipient`; lists elsewhere `data.`
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ID_LENGTH = 8  # as in the documented example "SMS-8X92M293"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATUSES = (("delivered", 0.88), ("sent", 0.93), ("failed", 0.97), ("rejected", 1.0))
REMINDED = ("scheduled", "completed", "no_show")  # bookings that kept their time
SMS_HISTORY = timedelta(days=180)  # the account turned SMS notifications on this long ago
TEXT_SHARE = 0.85  # customers who left a mobile number and did not opt out
ALERT_SHARE = 0.25  # users who get an SMS for each new booking they host
REMINDER_SHARE = 0.8  # of those texted, reminded a day before (the rest booked late)
TEMPLATES = {
    "alert": "New booking: {customer} scheduled {what} for {when}.",
    "confirmed": "{hello}, your {meeting} is confirmed for {when}.",
    "reminder": "Reminder: your {meeting} is on {when}. Reply STOP to opt out.",
    "canceled": "{hello}, your {meeting} on {when} has been canceled.",
}
GSM_SINGLE, GSM_PART, UCS_SINGLE, UCS_PART = 160, 153, 70, 67
# What the SMS of a booking are made from, in this order (a Booking).
BOOKING_FIELDS = (
    "owner", "contact", "creation_time", "starting_time", "event_type", "subject", "status",
    "last_updated_time",
)  # fmt: skip
Booking = tuple[Any, ...]
PERSON = ("first_name", "last_name", "mobile_phone", "timezone")  # of a texted contact
_ZONES: dict[str | None, Any] = {}


@dataclass(frozen=True)
class Choice(Text):
    """One of ``choices``; anything else is OnceHub's ``Invalid string: <value>``."""

    def accept(self, value: Any, param: str) -> str:
        if isinstance(value, str) and value not in self.choices:
            raise Invalid(f"Invalid string: {value}", param)
        return super().accept(value, param)


QUERY = {
    **time_range("creation_time"),
    "recipient": Text(),
    "recipient_type": Choice(choices=("contact", "user")),
    **PAGING,
    "expand": ListOf(Text()),
}


# -- invented data -------------------------------------------------------------------------


def _zone(name: str | None) -> Any:
    if name not in _ZONES:
        try:
            _ZONES[name] = ZoneInfo(name) if name else timezone.utc
        except (ZoneInfoNotFoundError, ValueError):
            _ZONES[name] = timezone.utc
    return _ZONES[name]


class _Epochs:
    """Stored UTC timestamps ("2025-03-14T16:00:00.000Z") as whole epoch seconds."""

    def __init__(self) -> None:
        self._days: dict[str, int] = {}

    def __call__(self, text: Any) -> int | None:
        try:
            day = self._days.get(text[:10])
            if day is None:
                moment = datetime.fromisoformat(text[:10]).replace(tzinfo=timezone.utc)
                day = self._days[text[:10]] = int(moment.timestamp())
            return day + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
        except (TypeError, ValueError):
            return None


class _Calendar:
    """``Fri, Mar 21 at 2:30 PM`` for epoch seconds in a time zone (worked out by day)."""

    def __init__(self) -> None:
        self._offsets: dict[tuple[str | None, int], int] = {}
        self._days: dict[int, str] = {}

    def when(self, epoch: int, zone_name: str | None) -> str:
        key = (zone_name, epoch // DAY)
        offset = self._offsets.get(key)
        if offset is None:
            moment = datetime.fromtimestamp(epoch, timezone.utc).astimezone(_zone(zone_name))
            delta = moment.utcoffset()
            offset = self._offsets[key] = int(delta.total_seconds()) if delta else 0
        day, rest = divmod(epoch + offset, DAY)
        label = self._days.get(day)
        if label is None:
            local = datetime.fromtimestamp(day * DAY, timezone.utc)
            label = f"{DAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}"
            self._days[day] = label
        hour, minute = divmod(rest // 60, 60)
        return f"{label} at {hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def segments(body: str) -> int:
    """How many SMS segments ``body`` takes (GSM-7 when plain ASCII, else UCS-2)."""
    single, part = (GSM_SINGLE, GSM_PART) if body.isascii() else (UCS_SINGLE, UCS_PART)
    return 1 if len(body) <= single else -(-len(body) // part)


def phone_number(text: Any) -> str | None:
    """An E.164-style number (``+`` and digits) from what a form holds, or None."""
    digits = "".join(ch for ch in text if ch.isdigit()) if isinstance(text, str) else ""
    return "+" + digits if len(digits) >= 8 else None


def user_phone(index: int) -> str:
    """An invented mobile number in the 555-01xx range reserved for fiction."""
    return f"+1{202 + index % 700:03d}5550{100 + index % 100:03d}"


def _id_maker(rng: random.Random) -> Callable[[int], str]:
    """Distinct ``SMS-XXXXXXXX`` ids from sequence numbers, scrambled by ``rng``."""
    space = len(ID_ALPHABET) ** ID_LENGTH
    step = rng.randrange(space // 3, space) | 1
    while step % 3 == 0:  # coprime with 36: n -> n * step + offset is a bijection
        step += 2
    offset = rng.randrange(space)
    pairs = [a + b for a in ID_ALPHABET for b in ID_ALPHABET]
    size = len(pairs)

    def make(n: int) -> str:
        x = (n * step + offset) % space
        high, low = divmod(x, size * size)
        head, tail = divmod(high, size), divmod(low, size)
        return f"SMS-{pairs[head[0]]}{pairs[head[1]]}{pairs[tail[0]]}{pairs[tail[1]]}"

    return make


_CALENDAR = _Calendar()  # what texts say of times, worked out once for every account


class SeededSms(Lazy):
    """A seeded SMS notification: what lists filter on, the number, and what its text is
    made of (its template, two phrases, the meeting's start and the time zone to say it in)."""

    FIELDS = (
        "id", "status", "creation_time", "recipient", "recipient_type", "_to", "_template",
        "_who", "_what", "_start", "_zone",
    )  # fmt: skip

    def render(self) -> JSON:
        sms_id, status, created, recipient, kind, to, template, who, what, start, zone = self._v
        words = {"customer": who, "hello": who, "what": what, "meeting": what}
        body = TEMPLATES[template].format(when=_CALENDAR.when(start, zone), **words)
        return {
            "object": "notification",
            "id": sms_id,
            "type": "sms",
            "status": status,
            "creation_time": created,
            "recipient": recipient,
            "recipient_type": kind,
            "details": {"delivered_to": to, "message_body": body, "segment_count": segments(body)},
        }


class _Sender:
    """Invents the SMS of one account's bookings, in the order they are offered.

    Customers are texted at the mobile number their contact holds, by their name there.
    """

    def __init__(self, account: Account) -> None:
        self.rng = rng_for(account.seed, "sms")
        self.now = int(account.seeded_at.timestamp())
        self.since = self.now - int(SMS_HISTORY.total_seconds())
        self.recent = self.now - 600
        self.found: list[tuple[int, SeededSms]] = []
        self.new_id = _id_maker(self.rng)
        self.stamps, self.epoch = Stamps(), _Epochs()
        tables = account.tables
        self.contacts = _by_id(tables, "contacts")
        self.users = _by_id(tables, "users")
        self.events = {e["id"]: e.get("name") for e in _by_id(tables, "event-types").values()}
        self.phones: dict[Any, str | None] = {}
        alerted = [u for u in self.users.values() if self.rng.random() < ALERT_SHARE]
        self.alerts = {u["id"]: user_phone(n) for n, u in enumerate(alerted)}

    def phone(self, text: Any) -> str | None:
        """The number a contact holds, normalized (remembered: numbers repeat)."""
        if text not in self.phones:
            self.phones[text] = phone_number(text)
        return self.phones[text]

    def status(self, moment: int) -> str:
        if moment > self.recent:
            return "sent"  # the carrier has not confirmed delivery yet
        roll = self.rng.random()
        for name, bound in STATUSES:
            if roll < bound:
                return name
        return "delivered"

    def send(self, moment: int, to: tuple[str, str, str], text: tuple[Any, ...]) -> None:
        """Record one SMS, if it was sent while the account had SMS on and before now:
        ``to`` (recipient, kind, number) and ``text`` (template, two phrases, start, zone)."""
        if not self.since <= moment <= self.now:
            return
        sms_id = self.new_id(len(self.found))
        stamp = self.stamps.text(moment)
        record = SeededSms((sms_id, self.status(moment), stamp, *to, *text))
        self.found.append((moment, record))

    def booking(self, booking: Booking) -> None:
        """The SMS one booking caused: host alert, confirmation, reminder, cancellation."""
        owner_id, contact_id, created_text, start_text, event_type, subject = booking[:6]
        alert = self.alerts.get(str(owner_id))
        contact = self.contacts.get(str(contact_id))
        person = fields(contact, PERSON) if contact is not None else (None,) * len(PERSON)
        phone = self.phone(person[2])
        texting = phone is not None and self.rng.random() < TEXT_SHARE
        if not (texting or alert):
            return
        created, start = self.epoch(created_text), self.epoch(start_text)
        if created is None or start is None:
            return
        owner = self.users.get(str(owner_id)) or {}
        event = self.events.get(event_type)
        customer = f"{person[0] or ''} {person[1] or ''}".strip() or "there"
        sent = created + 60
        if alert:
            what = event or subject or "a meeting"
            to = (owner["id"], "user", alert)
            self.send(sent, to, ("alert", customer, what, start, owner.get("timezone")))
        if texting and contact is not None and phone is not None:
            host = owner.get("first_name") or "your host"
            meeting = f"{event} with {host}" if event else subject or "meeting"
            zone = person[3] or owner.get("timezone")
            words = (f"Hi {customer.split()[0]}", meeting, start, zone)
            self._customer(booking, (str(contact_id), "contact", phone), words, sent)

    def _customer(
        self, booking: Booking, to: tuple[str, str, str], words: tuple[Any, ...], sent: int
    ) -> None:
        """Confirmation, reminder and cancellation notice to the customer."""
        status, updated = booking[6:]
        if status != "requested":
            self.send(sent, to, ("confirmed", *words))
        remind = words[2] - 86400
        if status in REMINDED and sent < remind and self.rng.random() < REMINDER_SHARE:
            self.send(remind, to, ("reminder", *words))
        canceled = self.epoch(updated) if status == "canceled" else None
        if canceled is not None:
            self.send(max(canceled, sent), to, ("canceled", *words))


def _by_id(tables: dict[str, Table], name: str) -> dict[str, JSON]:
    return tables[name].by_id if name in tables else {}


def invent(account: Account) -> list[SeededSms]:
    """Every invented SMS of the account, oldest first."""
    sender = _Sender(account)
    table = account.tables.get("bookings")
    if table is None:
        return []
    first_day = Stamps().text(sender.since)  # bookings that started earlier caused no SMS
    for booking in reversed(table.rows(BOOKING_FIELDS)):
        if (booking[3] or "") >= first_day:
            sender.booking(booking)
    sender.found.sort(key=lambda found: found[0])
    return [record for _, record in sender.found]


def seed(account: Account) -> None:
    """Fill ``notifications/sms`` with the SMS the seeded bookings caused."""
    table = account.table(TABLE, NOUN, indexed=("recipient", "recipient_type"))
    seeded: list[Any] = invent(account)  # Lazy records
    table.extend_oldest_first(seeded)


# -- the operation -------------------------------------------------------------------------


def _expansions(request: Request) -> bool:
    """Whether ``recipient`` is to be expanded; anything else is the documented 400."""
    asked = request.query.get("expand", [])
    for name in asked:
        if name not in EXPANDABLE:
            raise ApiProblem(400, f"This property cannot be expanded: {name}", "expand")
    return bool(asked)


def _check_range(request: Request) -> None:
    after, before = request.query.get("creation_time.gt"), request.query.get("creation_time.lt")
    if after is not None and before is not None and after > before:
        raise ApiProblem(
            400, "creation_time.gt cannot be later than creation_time.lt", "creation_time.gt"
        )


def _expand(account: Account, sms: JSON) -> JSON:
    """``sms`` with its recipient's object; the id stays when the recipient is gone."""
    people = _by_id(account.tables, "users" if sms["recipient_type"] == "user" else "contacts")
    recipient = people.get(sms["recipient"])
    return sms if recipient is None else {**sms, "recipient": plain(recipient)}


@api.operation("GET", "/notifications/sms", query=QUERY)
def list_all(request: Request) -> Reply:
    """A page of SMS notifications, newest first, filtered and optionally expanded."""
    expanding = _expansions(request)
    _check_range(request)
    query = {name: value for name, value in request.query.items() if name != "expand"}
    reply = list_reply(
        dataclasses.replace(request, query=query),
        request.account.tables[TABLE],
        equal={"recipient": query.get("recipient"), "recipient_type": query.get("recipient_type")},
    )
    if not expanding:
        return reply
    payload = json.loads(reply.body)
    payload["data"] = [_expand(request.account, sms) for sms in payload["data"]]
    return json_reply(reply.status, payload, reply.headers)
