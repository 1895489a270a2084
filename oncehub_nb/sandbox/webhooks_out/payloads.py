"""What OnceHub POSTs to a subscription: the event envelope and its ``data`` object.

The shapes follow the reference file's ``webhooks`` section. The envelope is a
``WebhookEvent``: ``id`` (``EVNT-…``), ``object`` (``"event"``), ``creation_time``,
``type`` and ``api_version``, plus ``data``:

- booking events: ``BookingWebhookData``, the booking as the API serves it without
  ``contact`` and ``utm_params``, with ``conversation`` expanded (or null) and a
  ``cancel_reschedule_url``;
- conversation events: ``ConversationWebhookData``, a conversation with ``contact``,
  ``owner``, ``bot`` and ``website`` expanded to full objects.

Booking actions call :func:`announce`; :func:`emit` makes any event type on demand.
Events go to the subscriptions (table ``webhooks``) whose ``events`` name their type,
through the account's ``outbox`` (set by the sandbox; without one nothing is sent).
"""

from __future__ import annotations

import copy
import json
import logging
import random
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ..data import make_id, timestamp
from ..records import plain
from ..store import Account
from .courier import Outgoing

__all__ = [
    "EVENT_TYPES",
    "announce",
    "booking_data",
    "conversation_data",
    "emit",
    "envelope",
    "publish",
]

JSON = dict[str, Any]
API_VERSION = "v2"
EVENT_TYPES = (  # the reference file's `webhooks` section, in its order
    "booking.scheduled",
    "booking.rescheduled",
    "booking.reassigned",
    "booking.canceled_then_rescheduled",
    "booking.canceled_reschedule_requested",
    "booking.canceled",
    "booking.completed",
    "booking.no_show",
    "conversation.started",
    "conversation.closed",
    "conversation.abandoned",
)
BOOKING_STATUS = {  # the booking's status when each event is sent (reassigned: unchanged)
    "booking.scheduled": "scheduled",
    "booking.rescheduled": "rescheduled",
    "booking.canceled_then_rescheduled": "canceled",
    "booking.canceled_reschedule_requested": "canceled",
    "booking.canceled": "canceled",
    "booking.completed": "completed",
    "booking.no_show": "no_show",
}
CONVERSATION_STATUS = {
    "conversation.started": "started",
    "conversation.closed": "closed",
    "conversation.abandoned": "abandoned",
}
SITE = "https://book.example.com"  # invented, like the booking calendars' links
BOTS = ("Sales Assistant Bot", "Website Concierge", "Demo Booking Bot")
WEBSITE = {"name": "Company Website", "url": "https://www.example.com"}
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
logger = logging.getLogger(__name__)


def new_id(prefix: str) -> str:
    """A random OnceHub-style id such as ``EVNT-KN56U3YL7C``."""
    return f"{prefix}-" + "".join(secrets.choice(ID_ALPHABET) for _ in range(10))


def envelope(event_type: str, data: JSON, now: datetime) -> JSON:
    """The ``WebhookEvent`` around ``data``."""
    return {
        "id": new_id("EVNT"),
        "object": "event",
        "creation_time": timestamp(now),
        "type": event_type,
        "api_version": API_VERSION,
        "data": data,
    }


def booking_data(booking: JSON) -> JSON:
    """A copy of a stored booking shaped as ``BookingWebhookData``."""
    data = copy.deepcopy(plain(booking))
    data.pop("contact", None)
    data.pop("utm_params", None)
    conversation = data.get("conversation")
    data["conversation"] = conversation if isinstance(conversation, dict) else None
    data["cancel_reschedule_url"] = data.get("reschedule_url") or f"{SITE}/m/{data['id']}"
    return data


def subscribers(account: Account, event_type: str) -> list[JSON]:
    """The account's subscriptions that asked for ``event_type``, oldest first."""
    table = account.tables.get("webhooks")
    if table is None:
        return []
    return [hook for hook in reversed(table.newest_first()) if event_type in hook["events"]]


def publish(account: Account, event_type: str, data: JSON, now: datetime) -> str:
    """Queue ``data`` as an event for each subscriber; the event's id."""
    event = envelope(event_type, data, now)
    hooks = subscribers(account, event_type)
    if hooks and account.outbox is not None:
        body = json.dumps(event, separators=(",", ":")).encode()
        account.outbox(
            [Outgoing(event["id"], event_type, h["id"], h["url"], h["secret"], body) for h in hooks]
        )
    return str(event["id"])


def announce(account: Account, event_type: str, booking: JSON, now: datetime) -> None:
    """A booking action's event, for the booking as it now is; never raises."""
    try:
        if account.outbox is not None and subscribers(account, event_type):
            publish(account, event_type, booking_data(booking), now)
    except Exception:  # the API call that caused it must still succeed
        logger.exception("could not queue a %s webhook event", event_type)


def emit(
    account: Account,
    event_type: str,
    booking_id: str | None,
    overrides: Mapping[str, Any],
    now: datetime,
) -> str:
    """Send an event of any documented type; the stored data stays as it is.

    Booking events carry ``booking_id``'s booking (a random one if None) with the
    status the event implies; conversation events an invented conversation (listing
    ``booking_id`` among its bookings if given). ``overrides`` replace fields of ``data``.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(
            f"Unknown webhook event type: {event_type!r}. Valid: {', '.join(EVENT_TYPES)}."
        )
    with account.lock:
        booking = _booking(account, booking_id, required=event_type.startswith("booking."))
        if booking is not None and event_type.startswith("booking."):
            data = booking_data(booking)
            if event_type in BOOKING_STATUS:
                data["status"] = BOOKING_STATUS[event_type]
            if data["status"] == "canceled" and "cancel_reschedule_information" not in data:
                reason = {"reason": "Schedule conflict", "actioned_by": "customer"}
                data["cancel_reschedule_information"] = reason
        else:
            status = CONVERSATION_STATUS[event_type]
            data = conversation_data(account, status, booking_id, now)
        data.update(copy.deepcopy(dict(overrides)))
        return publish(account, event_type, data, now)


def _booking(account: Account, booking_id: str | None, required: bool) -> JSON | None:
    """The named booking (ValueError if unknown), or a random one when one is required."""
    table = account.tables.get("bookings")
    if booking_id is not None:
        found = table.get(booking_id) if table is not None else None
        if found is None:
            raise ValueError(f"No such booking: {booking_id!r}")
        return found
    if not required:
        return None
    every = table.newest_first() if table is not None else []
    if not every:
        raise ValueError("This sandbox account has no bookings to send a booking event for.")
    return random.choice(every)


def conversation_data(account: Account, status: str, booking_id: str | None, now: datetime) -> JSON:
    """An invented ``ConversationWebhookData`` with one of the account's contacts."""
    rng = random.Random()
    contacts = account.tables["contacts"].newest_first()
    users = account.tables["users"]
    if not contacts:
        raise ValueError("This sandbox account has no contacts to hold a conversation with.")
    contact = rng.choice(contacts)
    owner = users.get(str(contact.get("owner"))) or users.newest_first()[-1]
    if status == "abandoned":  # no answer for more than ten minutes
        last_interacted = now - timedelta(minutes=10, seconds=rng.randint(1, 120))
    else:
        last_interacted = now
    created = last_interacted - timedelta(minutes=rng.randint(1, 8), seconds=rng.randint(0, 59))
    name = " ".join(str(contact.get(k) or "") for k in ("first_name", "last_name")).strip()
    questions = [("name", "Full name", name or str(contact.get("email") or "Visitor"))]
    if status != "started":
        questions.append(("email", "Email", str(contact.get("email") or "")))
        if contact.get("company"):
            questions.append(("", "Company", str(contact["company"])))
    bot_name = rng.choice(BOTS)
    seed = account.seed
    return {
        "id": new_id("CVR"),
        "object": "conversation",
        "creation_time": timestamp(created),
        "initiated_by": rng.choice(("bot", "contact")),
        "last_updated_time": timestamp(now),
        "last_interacted_time": timestamp(last_interacted),
        "contact": copy.deepcopy(plain(contact)),
        "owner": copy.deepcopy(plain(owner)),
        "status": status,
        "bot": {"id": make_id("BOT", f"{seed}:{bot_name}"), "object": "bot", "name": bot_name},
        "website": {"id": make_id("WEB", f"{seed}:site"), "object": "website", **WEBSITE},
        "audience": rng.choice((None, make_id("AUD", f"{seed}:audience"))),
        "answers": [
            {"id": new_id("INT"), "internal_label": label, "question": question, "value": value}
            for label, question, value in questions
        ],
        "bookings": [booking_id] if booking_id is not None else [],
    }
