"""``/event-types``: list and get, as OnceHub documents them (both read-only).

An event type is ``{"object": "event_type", "id": "ET-…", "name", "description"}``
(the ``EventType`` schema). Booking pages offer event types and bookings name the
one the customer chose; both read this table, ``account.tables["event-types"]``.
"""

from __future__ import annotations

from typing import Any

from ..data import EVENT_TYPE_NAMES, make_id, rng_for
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "event-types", "event type"

# What each invented event type is for, in the customer-facing words of its page.
DESCRIPTIONS: dict[str, str] = {
    "Intro call": "A short first conversation to understand your needs and answer questions.",
    "Product demo": "A live walkthrough of the product, tailored to your team's workflow.",
    "Technical deep dive": "An in-depth session with an engineer on architecture and APIs.",
    "Onboarding session": "Get set up: accounts, integrations and your first workflows.",
    "Quarterly review": "Review usage, results and goals for the next quarter.",
    "Support consultation": "Work through an open issue together with a support specialist.",
    "Pricing discussion": "Go over plans, seats and options that fit your budget.",
    "Renewal check-in": "Plan your renewal and review what changes in the coming term.",
    "Implementation kickoff": "Agree on scope, milestones and owners for your rollout.",
    "Training workshop": "A hands-on workshop for your team, with exercises and Q&A.",
    "Partner sync": "A regular touchpoint for partners on joint deals and enablement.",
    "Executive briefing": "A strategic overview of our roadmap for decision makers.",
}


def invent(seed: int) -> list[dict[str, Any]]:
    """The account's twelve event types, oldest first (the order depends on ``seed``)."""
    names = list(EVENT_TYPE_NAMES)
    rng_for(seed, TABLE).shuffle(names)
    return [
        {
            "object": "event_type",
            "id": make_id("ET", f"{seed}:{name}"),
            "name": name,
            "description": DESCRIPTIONS.get(name, f"A meeting: {name.lower()}."),
        }
        for name in names
    ]


def seed(account: Account) -> None:
    """Fill ``event-types`` with the account's invented event types."""
    account.table(TABLE, NOUN).extend_oldest_first(invent(account.seed))


@api.operation("GET", "/event-types", query=PAGING)
def list_all(request: Request) -> Reply:
    """A page of event types, newest first."""
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/event-types/{id}")
def get_one(request: Request) -> Reply:
    """One event type, or 404 ``No such event type``."""
    return object_reply(request, request.account.tables[TABLE])
