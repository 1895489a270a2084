"""``/booking-pages``: list (filtered by master page, event type, user) and get.

A booking page (``BookingPage`` schema: ``object``, ``id``, ``name``, ``label``,
``url``, ``active``, ``timezone``) is owned by one user, offers some event types
and can be gathered into master pages. The documented object carries none of
those links, yet the list filters by them, so they live beside the objects in the
table ``booking-page-links``, one row per page:
``{"id": "BP-…", "user": "USR-…", "event_types": ["ET-…"], "master_pages": ["MP-…"]}``.
Bookings (seeded later) read it to pick a page, one of its event types, one of its
master pages (or none) and its owner, so the data points back consistently.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..checks import Text
from ..data import make_id, rng_for
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "booking-pages", "booking page"
LINKS = "booking-page-links"
PAGE_URL = "https://book.example.com/"  # OnceHub's are https://go.oncehub.com/<label>
DEFAULT_PAGES, DEFAULT_USERS = 8, 25  # 8 pages for the default 25 users, and in proportion
INACTIVE_EVERY = 8  # one page in eight is switched off (never the account owner's)
JSON = dict[str, Any]


def page_count(users: int) -> int:
    """How many booking pages an account with ``users`` users has."""
    return max(1, round(users * DEFAULT_PAGES / DEFAULT_USERS)) if users else 0


def _owners(users: list[JSON], count: int) -> list[JSON]:
    """The oldest active users own pages (the account owner first); invited ones last."""
    ranked = [u for u in users if u.get("status") != "invited"]
    ranked += [u for u in users if u.get("status") == "invited"]
    return ranked[:count]


def _name(user: JSON) -> str:
    """The page's customer-facing name: its owner's full name."""
    parts = (user.get("first_name"), user.get("last_name"))
    return " ".join(p for p in parts if p) or str(user.get("email") or "Booking page")


def _label(name: str, taken: set[str]) -> str:
    """The internal label, as OnceHub writes it (``AndreaHartie``), unique in the account."""
    base = "".join(ch for ch in name.title() if ch.isalnum()) or "Page"
    label, n = base, 1
    while label.lower() in taken:
        n += 1
        label = f"{base}{n}"
    taken.add(label.lower())
    return label


def _links(
    rng: random.Random, page: JSON, user: JSON, event_types: list[str], masters: list[str]
) -> JSON:
    offered = rng.sample(event_types, min(len(event_types), rng.randint(2, 4)))
    # the first master page gathers every active page; the others some of them
    gathered = [
        m for i, m in enumerate(masters) if (page["active"] if i == 0 else rng.random() < 0.4)
    ]
    return {"id": page["id"], "user": user["id"], "event_types": offered, "master_pages": gathered}


def invent(
    seed: int, users: list[JSON], event_types: list[str], masters: list[str]
) -> tuple[list[JSON], list[JSON]]:
    """Booking pages (oldest first) and their links, from users oldest first."""
    rng = rng_for(seed, TABLE)
    owners = _owners(users, page_count(len(users)))
    inactive = set(rng.sample(range(1, len(owners)), len(owners) // INACTIVE_EVERY))
    taken: set[str] = set()
    pages, links = [], []
    for n, user in enumerate(owners):
        name = _name(user)
        label = _label(name, taken)
        page = {
            "object": "booking_page",
            "id": make_id("BP", f"{seed}:{n}"),
            "name": name,
            "label": label,
            "url": PAGE_URL + label.lower(),
            "active": n not in inactive,
            "timezone": user.get("timezone") or "America/New_York",
        }
        pages.append(page)
        links.append(_links(rng, page, user, event_types, masters))
    return pages, links


def seed(account: Account) -> None:
    """Fill ``booking-pages`` and ``booking-page-links`` from users, event types, masters."""
    tables = account.tables
    users = tables["users"].newest_first()[::-1]
    event_types = [e["id"] for e in tables["event-types"].newest_first()[::-1]]
    masters = [m["id"] for m in tables["master-pages"].newest_first()[::-1]]
    pages, links = invent(account.seed, users, event_types, masters)
    account.table(TABLE, NOUN).extend_oldest_first(pages)
    account.table(LINKS, NOUN, indexed=("user", "event_types", "master_pages")).extend_oldest_first(
        links
    )


def _matches(request: Request) -> Callable[[JSON], bool] | None:
    """The filter for the ``master_page``, ``event_type`` and ``user`` parameters."""
    wanted = {
        field: request.query[param]
        for param, field in (("master_page", "master_pages"), ("event_type", "event_types"))
        if param in request.query
    }
    user = request.query.get("user")
    if not wanted and user is None:
        return None
    links = request.account.tables[LINKS]

    def keep(page: JSON) -> bool:
        row = links.get(page["id"]) or {}
        if user is not None and row.get("user") != user:
            return False
        return all(value in row.get(field, ()) for field, value in wanted.items())

    return keep


@api.operation(
    "GET",
    "/booking-pages",
    query={"master_page": Text(), "event_type": Text(), "user": Text(), **PAGING},
)
def list_all(request: Request) -> Reply:
    """A page of booking pages, newest first, optionally filtered."""
    return list_reply(request, request.account.tables[TABLE], keep=_matches(request))


@api.operation("GET", "/booking-pages/{id}")
def get_one(request: Request) -> Reply:
    """One booking page, or 404 ``No such booking page``."""
    return object_reply(request, request.account.tables[TABLE])
