"""Deterministic fake account data served by the sandbox (all names and emails invented)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# "Now" for the fake account: every timestamp is at or before this instant.
_NOW = datetime(2025, 3, 14, 16, 0, tzinfo=timezone.utc)

_FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Gray", "Harper", "Indy",
    "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Riley",
    "Sage", "Taylor", "Umi", "Val", "Wren", "Yael", "Zion",
]  # fmt: skip
_LAST_NAMES = [
    "Abbott", "Brennan", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gallagher", "Hoshino",
    "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
]  # fmt: skip
_TIMEZONES = [
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Asia/Jerusalem", "Asia/Singapore", "Australia/Sydney",
]  # fmt: skip
_COMPANIES = [
    "Northwind Widgets", "Blue Heron Labs", "Cedar & Pine Co.", "Lumen Analytics",
    "Harbor Freightworks", "Quartz Learning", "Juniper Health", "Pebble Robotics",
]  # fmt: skip
_EVENT_TYPES = [
    "Intro call", "Product demo", "Technical deep dive", "Onboarding session",
    "Quarterly review", "Support consultation", "Pricing discussion", "Renewal check-in",
    "Implementation kickoff", "Training workshop", "Partner sync", "Executive briefing",
]  # fmt: skip
_TEAMS = ["Sales", "Customer Success", "Onboarding"]
_ROLES = ["Administrator", "Member", "Member", "Team Manager", "Member"]
_BOOKING_STATUSES = ["scheduled", "scheduled", "completed", "completed", "rescheduled",
                     "canceled", "requested", "no_show"]  # fmt: skip
_CONTACT_STATUSES = ["Qualified", "Sales qualified", "Marketing qualified", "Disqualified", None]
_JOB_TITLES = ["Operations Manager", "CTO", "Head of Sales", "Office Administrator", "Founder"]


def make_id(prefix: str, seed: str) -> str:
    """Return a stable OnceHub-style id such as ``USR-3K9QJ2ZLA0`` derived from ``seed``."""
    digest = hashlib.sha256(f"{prefix}:{seed}".encode()).digest()
    return f"{prefix}-" + "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:10])


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _slug(text: str) -> str:
    return "-".join("".join(c for c in word if c.isalnum()) for word in text.lower().split())


@dataclass
class Collection:
    """One list endpoint: its objects newest first, and an index by id."""

    name: str  # URL segment, e.g. "event-types"
    noun: str  # used in "No such <noun>: '<id>'"
    items: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {item["id"]: item for item in self.items}


def _teams() -> list[dict[str, Any]]:
    return [
        {"object": "team", "id": make_id("TM", name), "name": name} for name in reversed(_TEAMS)
    ]


def _users(account_email: str, team_ids: list[str]) -> list[dict[str, Any]]:
    rng = random.Random("users")
    users = []
    for n in range(25):  # n == 0 is the oldest user: the account owner
        first, last = _FIRST_NAMES[n], _LAST_NAMES[n % len(_LAST_NAMES)]
        email = account_email if n == 0 else f"{first}.{last}@example.com".lower()
        users.append(
            {
                "object": "user",
                "id": make_id("USR", str(n)),
                "first_name": first,
                "last_name": last,
                "email": email,
                "status": "invited" if n in (21, 24) else "active",
                "role_name": "Account Owner" if n == 0 else _ROLES[n % len(_ROLES)],
                "timezone": rng.choice(_TIMEZONES),
                "teams": sorted(rng.sample(team_ids, rng.randint(0, 2))),
            }
        )
    return users[::-1]


def _event_types() -> list[dict[str, Any]]:
    items = [
        {"object": "event_type", "id": make_id("ET", name), "name": name} for name in _EVENT_TYPES
    ]
    return items[::-1]


def _booking_pages(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pages = []
    for n, user in enumerate(users[-8:][::-1]):  # pages of the eight oldest users
        name = f"{user['first_name']} {user['last_name']}"
        pages.append(
            {
                "object": "booking_page",
                "id": make_id("BP", str(n)),
                "name": name,
                "label": _slug(name),
                "url": f"https://book.example.com/{_slug(name)}",
                "active": n != 5,
                "timezone": user["timezone"],
            }
        )
    return pages[::-1]


def _contacts(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random("contacts")
    contacts = []
    for n in range(20):
        first = _FIRST_NAMES[(n * 7 + 3) % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(n * 5 + 1) % len(_LAST_NAMES)]
        created = _NOW - timedelta(days=200 - n * 9, hours=rng.randint(0, 20))
        company = _COMPANIES[n % len(_COMPANIES)]
        contacts.append(
            {
                "object": "contact",
                "id": make_id("CTC", str(n)),
                "creation_time": _ts(created),
                "last_updated_time": _ts(created + timedelta(days=rng.randint(0, 8))),
                "last_interacted_time": _ts(created + timedelta(days=rng.randint(1, 8))),
                "owner": rng.choice(users)["id"],
                "status": rng.choice(_CONTACT_STATUSES),
                "city": None,
                "company_size": rng.choice(["1-10", "11-50", "51-200", "201-1000"]),
                "company": company,
                "country": rng.choice(["United States", "United Kingdom", "Germany", "Japan"]),
                "email": f"{first}.{last}.{n}@example.com".lower(),
                "employees": rng.choice([8, 40, 120, 650]),
                "first_name": first,
                "has_consent": rng.random() < 0.7,
                "job_title": rng.choice(_JOB_TITLES),
                "last_name": last,
                "mobile_phone": f"+1 555 01{n:02d}",
                "phone": None,
                "post_code": None,
                "salutation": None,
                "state": None,
                "street_address": None,
                "terms_of_sevice": True,  # sic: the field name as OnceHub spells it
                "timezone": rng.choice(_TIMEZONES),
                "custom_fields": [],
            }
        )
    return contacts[::-1]


def _bookings(
    users: list[dict[str, Any]],
    pages: list[dict[str, Any]],
    event_types: list[dict[str, Any]],
    contacts: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    rng = random.Random("bookings")
    bookings = []
    for n in range(30):
        created = _NOW - timedelta(days=60 - n * 2, hours=rng.randint(0, 10))
        start = (created + timedelta(days=rng.randint(2, 14))).replace(
            hour=rng.choice([9, 10, 11, 13, 14, 15]), minute=rng.choice([0, 30])
        )
        status = _BOOKING_STATUSES[n % len(_BOOKING_STATUSES)]
        event_type = rng.choice(event_types)
        contact = contacts[n % len(contacts)]
        name = f"{contact['first_name']} {contact['last_name']}"
        booking_id = make_id("BKNG", str(n))
        booking = {
            "object": "booking",
            "id": booking_id,
            "tracking_id": booking_id[5:12],
            "subject": f"{event_type['name']} with {name}",
            "status": status,
            "in_trash": False,
            "creation_time": _ts(created),
            "starting_time": _ts(start),
            "customer_timezone": contact["timezone"],
            "last_updated_time": _ts(created + timedelta(hours=rng.randint(0, 30))),
            "duration_minutes": rng.choice([15, 30, 45, 60]),
            "virtual_conferencing": {"join_url": f"https://meet.example.com/{booking_id[5:]}"},
            "location_description": "Video call",
            "rescheduled_booking_id": None,
            "cancel_reschedule_information": None,
            "attendees": [contact["email"]],
            "form_submission": {
                "name": name,
                "email": contact["email"],
                "phone": None,
                "mobile_phone": contact["mobile_phone"],
                "note": "",
                "company": contact["company"],
                "guests": [],
                "custom_fields": [],
            },
            "booking_page": rng.choice(pages)["id"],
            "master_page": None,
            "event_type": event_type["id"],
            "external_calendar": None,
            "owner": rng.choice(users)["id"],
            "conversation": None,
            "utm_params": None,
            "contact": contact["id"],
            "custom_fields": [],
        }
        if status == "canceled":
            booking["cancel_reschedule_information"] = {
                "reason": "Schedule conflict",
                "actioned_by": "customer",
                "user_id": None,
            }
        bookings.append(booking)
    for n, booking in enumerate(bookings):  # point rescheduled ones at an earlier booking
        if booking["status"] == "rescheduled" and n > 0:
            booking["rescheduled_booking_id"] = bookings[n - 1]["id"]
    return bookings[::-1]


def _webhooks() -> list[dict[str, Any]]:
    hooks = [
        ("CRM sync", "https://hooks.example.com/oncehub/crm", ["booking.scheduled"]),
        (
            "Analytics feed",
            "https://hooks.example.com/oncehub/analytics",
            ["booking.completed", "booking.rescheduled", "booking.canceled"],
        ),
    ]
    items = []
    for n, (name, url, events) in enumerate(hooks):
        items.append(
            {
                "object": "webhook",
                "id": make_id("WHK", name),
                "api_version": "v2",
                "name": name,
                "url": url,
                "events": events,
                "creation_time": _ts(_NOW - timedelta(days=90 - n * 30)),
                "secret": hashlib.sha256(f"sandbox-secret:{name}".encode()).hexdigest()[:32],
            }
        )
    return items[::-1]


def build_collections(account_email: str) -> dict[str, Collection]:
    """Build every list endpoint's data for an account whose owner has ``account_email``."""
    teams = _teams()
    users = _users(account_email, [team["id"] for team in teams])
    event_types = _event_types()
    pages = _booking_pages(users)
    contacts = _contacts(users)
    bookings = _bookings(users, pages, event_types, contacts)
    collections = [
        Collection("users", "user", users),
        Collection("teams", "team", teams),
        Collection("event-types", "event type", event_types),
        Collection("booking-pages", "booking page", pages),
        Collection("bookings", "booking", bookings),
        Collection("contacts", "contact", contacts),
        Collection("webhooks", "webhook", _webhooks()),
    ]
    return {c.name: c for c in collections}


# -- for the resource modules: the shared vocabulary of invented data ------------------

NOW = _NOW
FIRST_NAMES = _FIRST_NAMES
LAST_NAMES = _LAST_NAMES
TIMEZONES = _TIMEZONES
COMPANIES = _COMPANIES
EVENT_TYPE_NAMES = _EVENT_TYPES
JOB_TITLES = _JOB_TITLES
timestamp = _ts
slug = _slug


def rng_for(seed: int, name: str) -> random.Random:
    """A random generator for one resource of one seed: the same data every time."""
    return random.Random(f"{seed}:{name}")
