"""``/contacts``: the people who book (or may book) with the account.

A ``Contact`` (OnceHub's schema) carries its ``id`` (``CTC-…``), times
(``creation_time`` <= ``last_updated_time``; ``last_interacted_time`` or null), an
``owner`` (a user id), a ``status`` (Qualified, Sales qualified, Marketing qualified,
Disqualified or null), company and address fields, ``email``, E.164 phone numbers, an
IANA ``timezone`` and ``custom_fields`` (``[{"name", "value"}]``, from the account's
field library).

Operations, as the reference documents them:

- ``GET /contacts``: filters ``email`` (ignoring case; answered from an index, so it
  stays fast with 100,000 contacts), ``creation_time.gt``/``.lt`` and
  ``last_updated_time.gt``/``.lt`` (whole dates, see ``listing``); paging;
- ``POST /contacts``: 201; ``first_name`` and ``last_name`` required, and an ``email``
  or a ``mobile_phone``; 409 when either already belongs to a contact;
- ``GET``/``PATCH``/``DELETE /contacts/{id}``: PATCH refuses the identifier fields
  (``email``, ``mobile_phone``) and merges ``custom_fields`` by name; DELETE answers a
  ``DeletedObject`` and the contact is 404 afterwards; bookings made with the contact
  keep its id (``Booking.contact`` is never null, and OnceHub keeps the activities).

Seeded contacts: ``account.sizes.contacts`` of them, owned by users of the
``users`` table, in the table ``contacts`` (indexed by ``email`` and ``owner``).
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

from ..checks import (
    Boolean,
    Email,
    Field,
    Integer,
    Invalid,
    Kind,
    ListOf,
    Record,
    Text,
    is_time_zone,
)
from ..data import COMPANIES, FIRST_NAMES, JOB_TITLES, LAST_NAMES, rng_for, timestamp
from ..listing import DATE_FILTERS, PAGING, date_range, list_reply, object_reply
from ..records import Lazy
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..seeding import Stamps, random_ids
from ..store import Account, Directory, account_owner, fresh_id

TABLE, NOUN = "contacts", "contact"
JSON = dict[str, Any]
STATUSES = ("Qualified", "Sales qualified", "Marketing qualified", "Disqualified")
LEAD_SOURCES = ("Webinar", "Referral", "Trade show", "Website", "Partner")
LANGUAGES = ("English", "German", "French", "Spanish", "Japanese", "Hebrew")
FIELD_LIBRARY = ("lead_source", "preferred_language", "resume")  # the account's custom fields
SALUTATIONS = ("Mr.", "Ms.", "Dr.", "Mx.")
READ_ONLY = ("object", "id", "creation_time", "last_updated_time", "last_interacted_time")
IDENTIFIERS = "Identifier fields (email, mobile_phone) cannot be updated via this endpoint"
E164 = re.compile(r"^\+[1-9]\d{9,14}$")  # "+" and 10–15 digits
MORE_FIRST_NAMES = (
    "Aiko", "Bruno", "Chiara", "Dmitri", "Esme", "Farah", "Goran", "Hana", "Ines", "Jonas",
    "Keiko", "Lior", "Mateo", "Nadia", "Oskar", "Priya", "Rafael", "Sofia", "Tomas", "Ulla",
    "Vikram", "Wanjiru", "Ximena", "Yusuf", "Zara", "Amara", "Bjorn", "Carmen", "Diego", "Elif",
)  # fmt: skip
MORE_LAST_NAMES = (
    "Achterberg", "Bergstrom", "Carvalho", "Delacroix", "Esposito", "Fitzgerald", "Greco",
    "Haddad", "Iversen", "Jablonski", "Kaur", "Lombardi", "Mwangi", "Novak", "Oyelaran",
    "Park", "Quintero", "Rasmussen", "Sato", "Tanaka", "Umarov", "Varga", "Whitfield",
    "Yilmaz", "Zielinski", "Alvarez", "Bianchi", "Chen", "Duarte", "Engel",
)  # fmt: skip
MORE_COMPANIES = (
    "Orchard Logistics", "Silverline Dental", "Maple Street Bakery", "Kite & Key Travel",
    "Brightwater Legal", "Summit Ridge Realty", "Tidewater Insurance", "Copperleaf Design",
)  # fmt: skip
MORE_JOB_TITLES = ("Executive Assistant", "Marketing Director", "Recruiter", "Consultant")
COMPANY_SIZES = (("1-10", 1, 10), ("11-50", 11, 50), ("51-200", 51, 200), ("201-1000", 201, 1000))
PLACES = (  # country, state, city, post code, time zone, phone plan, weight
    ("United States", "New York", "New York", "10001", "America/New_York", "nanp", 14),
    ("United States", "Illinois", "Chicago", "60601", "America/Chicago", "nanp", 8),
    ("United States", "California", "San Francisco", "94105", "America/Los_Angeles", "nanp", 10),
    ("United States", "Texas", "Austin", "78701", "America/Chicago", "nanp", 6),
    ("United States", "Colorado", "Denver", "80202", "America/Denver", "nanp", 4),
    ("Canada", "Ontario", "Toronto", "M5H 2N2", "America/Toronto", "nanp", 6),
    ("United Kingdom", "England", "London", "EC1A 1BB", "Europe/London", "uk", 12),
    ("Germany", "Berlin", "Berlin", "10115", "Europe/Berlin", None, 8),
    ("France", "Île-de-France", "Paris", "75002", "Europe/Paris", None, 5),
    ("Israel", "Tel Aviv District", "Tel Aviv", "6125001", "Asia/Jerusalem", None, 5),
    ("Singapore", None, "Singapore", "018989", "Asia/Singapore", None, 4),
    ("Australia", "New South Wales", "Sydney", "2000", "Australia/Sydney", None, 6),
    ("Japan", "Tokyo", "Tokyo", "100-0005", "Asia/Tokyo", None, 4),
)
STREETS = ("Main Street", "Oak Avenue", "Harbor Road", "Station Lane", "Market Square")
# Numbers reserved for fiction: 555-0100–0199 in every North American area code, and
# Ofcom's drama ranges (07700 900000–900999 mobiles, 020 7946 0000–0999 in London).
AREA_CODES = tuple(
    f"{a}{b}{c}" for a in range(2, 10) for b in range(9) for c in range(10) if (b, c) != (1, 1)
)
UK_MOBILES = 1000


# -- invented data -------------------------------------------------------------------------


class _Phones:
    """Unique fictional mobile numbers, handed out in a seed-shuffled order."""

    def __init__(self, rng: random.Random) -> None:
        self.codes = list(AREA_CODES)
        rng.shuffle(self.codes)
        self.used = {"nanp": 0, "uk": 0}

    def mobile(self, plan: str | None) -> str | None:
        """The next unused number of ``plan``, or None when there is none left."""
        if plan is None:
            return None
        n = self.used[plan]
        self.used[plan] = n + 1
        if plan == "uk":
            return f"+447700900{n:03d}" if n < UK_MOBILES else None
        if n >= len(self.codes) * 100:
            return None
        return f"+1{self.codes[n % len(self.codes)]}55501{n // len(self.codes):02d}"


STATUS_DRAW: tuple[str | None, ...] = (
    *("Qualified",) * 20,
    *("Sales qualified",) * 15,
    *("Marketing qualified",) * 20,
    *("Disqualified",) * 10,
    *(None,) * 35,
)
PLACE_DRAW: tuple[tuple[Any, ...], ...] = tuple(place for place in PLACES for _ in range(place[-1]))


class SeededContact(Lazy):
    """A seeded contact: who it is and when, stored; the rest of it (status, address,
    company, consents, custom fields) made from a digest of its id when it is read."""

    FIELDS = (
        "id", "creation_time", "last_updated_time", "last_interacted_time", "owner", "email",
        "first_name", "last_name", "mobile_phone", "timezone", "_place",
    )  # fmt: skip

    def render(self) -> JSON:
        values = self._v
        country, state, city, post_code = values[10][:4]
        roll = _roll(values[0])
        addressed = roll[1] < 102  # 40%
        phone, company, job_title = _work(roll, values[10][5])
        size, low, high = COMPANY_SIZES[roll[19] % len(COMPANY_SIZES)] if company else NO_SIZE
        lead = LEAD_SOURCES[roll[15] % len(LEAD_SOURCES)] if roll[14] < 102 else None
        language = LANGUAGES[roll[17] % len(LANGUAGES)] if roll[16] < 51 else None
        return {
            "object": "contact",
            "id": values[0],
            "creation_time": values[1],
            "last_updated_time": values[2],
            "last_interacted_time": values[3],
            "owner": values[4],
            "status": STATUS_DRAW[roll[0] % len(STATUS_DRAW)],
            "city": city if addressed or roll[2] < 128 else None,
            "company_size": size,
            "company": company,
            "country": country if roll[3] < 205 else None,
            "email": values[5],
            "employees": low + (roll[21] << 8 | roll[22]) % (high - low + 1),
            "first_name": values[6],
            "has_consent": roll[4] < 179,
            "job_title": job_title,
            "last_name": values[7],
            "mobile_phone": values[8],
            "phone": phone,
            "post_code": post_code if addressed else None,
            "salutation": SALUTATIONS[roll[9] % len(SALUTATIONS)] if roll[8] < 51 else None,
            "state": state if addressed else None,
            "street_address": _street(roll) if addressed else None,
            "terms_of_sevice": roll[13] < 205,  # sic: the field name as OnceHub spells it
            "timezone": values[9],
            "custom_fields": [{"name": n, "value": v} for n, v in CUSTOM_FIELDS[lead, language]],
        }

    def fields(self, names: tuple[str, ...]) -> tuple[Any, ...]:
        at, values = self._PUBLIC, self._v
        work: dict[str, Any] | None = None
        found = []
        for name in names:
            if name in at:
                found.append(values[at[name]])
            elif name in WORK:  # what a booking form takes: without making the whole contact
                if work is None:
                    work = dict(zip(WORK, _work(_roll(values[0]), values[10][5]), strict=True))
                found.append(work[name])
            else:
                found.append(self.get(name))
        return tuple(found)


WORK = ("phone", "company", "job_title")


def _roll(contact_id: str) -> bytes:
    """32 bytes that decide a seeded contact's details."""
    return hashlib.sha256(f"contact:{contact_id}".encode()).digest()


def _work(roll: bytes, plan: str | None) -> tuple[str | None, str | None, str | None]:
    """An office phone (30%), a company (85%) and a job title (80% of those)."""
    phone = _landline(plan, roll) if roll[5] < 77 else None
    if roll[18] >= 218:
        return phone, None, None
    title = ALL_TITLES[roll[24] % len(ALL_TITLES)] if roll[23] < 205 else None
    return phone, ALL_COMPANIES[roll[20] % len(ALL_COMPANIES)], title


NO_SIZE = (None, 1, 1)  # no company: one employee
ALL_COMPANIES = (*COMPANIES, *MORE_COMPANIES)
ALL_TITLES = (*JOB_TITLES, *MORE_JOB_TITLES)


def _landline(plan: str | None, roll: bytes) -> str | None:
    """A fictional office number (these may repeat: offices share numbers)."""
    if plan == "uk":
        return f"+44207946{(roll[6] << 8 | roll[7]) % 1000:04d}"
    if plan == "nanp":
        code = AREA_CODES[(roll[6] << 8 | roll[7]) % len(AREA_CODES)]
        return f"+1{code}55501{roll[25] % 100:02d}"
    return None


def _street(roll: bytes) -> str:
    return f"{1 + (roll[10] << 8 | roll[11]) % 999} {STREETS[roll[12] % len(STREETS)]}"


class _Inventor:
    """Makes one account's contacts, oldest first, each owned by an active user."""

    def __init__(self, account: Account) -> None:
        self.seed, self.count = account.seed, account.sizes.contacts
        rng = rng_for(self.seed, TABLE)
        self.random, self.stamps, self.phones = rng.random, Stamps(), _Phones(rng)
        self.ids = random_ids(rng, "CTC", self.count)
        self.now = int(account.seeded_at.timestamp())
        users = account.tables["users"].newest_first()[::-1]
        active = [u["id"] for u in users if u.get("status") == "active"]
        self.owners = active or [u["id"] for u in users]
        self.firsts = (*FIRST_NAMES, *MORE_FIRST_NAMES)
        self.lasts = (*LAST_NAMES, *MORE_LAST_NAMES)
        self.taken: dict[str, int] = {}
        self.span = 86400 * min(730, 200 + self.count // 50)  # first contact .. now
        self.step = self.span / max(self.count, 1)

    def all(self) -> list[SeededContact]:
        return [self.contact(n) for n in range(self.count)]

    def contact(self, n: int) -> SeededContact:
        """Contact number ``n`` (0 is the oldest); picks are written out (this is hot)."""
        r, text = self.random, self.stamps.text
        firsts, lasts, owners = self.firsts, self.lasts, self.owners
        first, last = firsts[int(r() * len(firsts))], lasts[int(r() * len(lasts))]
        created = self.now - self.span + int((n + r() * 0.8) * self.step)
        age = self.now - created
        place = PLACE_DRAW[int(r() * len(PLACE_DRAW))]
        updated = text(created + int(r() * min(age, 2592000)))
        interacted = text(created + int(r() * age)) if r() < 0.6 else None
        owner = owners[int(r() * len(owners))]
        mobile = self.phones.mobile(place[5]) if r() < 0.7 else None
        head = (self.ids[n], text(created), updated, interacted, owner)
        return SeededContact((*head, self.email(first, last), first, last, mobile, place[4], place))

    def email(self, first: str, last: str) -> str:
        """``first.last@example.com``, numbered from the second of the same name on."""
        base = f"{first}.{last}".lower()
        seen = self.taken.get(base, 0)
        self.taken[base] = seen + 1
        return f"{base}{seen or ''}@example.com"


CUSTOM_FIELDS = {  # every combination, made once: (lead source, language) -> pairs
    (lead, language): tuple(
        (name, value)
        for name, value in (("lead_source", lead), ("preferred_language", language))
        if value is not None
    )
    for lead in (*LEAD_SOURCES, None)
    for language in (*LANGUAGES, None)
}


def invent(account: Account) -> list[SeededContact]:
    """``account.sizes.contacts`` contacts, oldest first, owned by the account's users."""
    return _Inventor(account).all()


def seed(account: Account) -> None:
    """The account's invented contacts, found by id, e-mail, mobile phone and owner."""
    table = Directory(TABLE, NOUN, indexed=("email", "owner"), unique=("email", "mobile_phone"))
    account.tables[TABLE] = table
    seeded: list[Any] = invent(account)  # Lazy records
    table.extend_oldest_first(seeded)


# -- request kinds -------------------------------------------------------------------------


class Phone(Kind):
    """A phone number in E.164 format, else ``Invalid phone format: '<value>'``."""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if not E164.match(value):
            raise Invalid(f"Invalid phone format: '{value}'", param)
        return value


class Zone(Kind):
    """An IANA time zone, else ``Invalid timezone: '<value>'``."""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if not is_time_zone(value):
            raise Invalid(f"Invalid timezone: '{value}'", param)
        return value


CUSTOM_FIELD = Record(
    {"name": Field(Text(), required=True, nullable=False), "value": Field(Kind())}
)


def _fields(nullable: bool) -> dict[str, Field]:
    """The writable contact fields; ``nullable`` where the Contact schema allows null."""

    def text(kind: Kind | None = None) -> Field:
        return Field(kind or Text(), nullable=nullable)

    return {
        "owner": Field(Text(), nullable=False),
        "status": Field(Text(choices=STATUSES), nullable=nullable),
        "city": text(),
        "company_size": text(),
        "company": text(),
        "country": text(),
        "employees": Field(Integer(0), nullable=False),
        "first_name": Field(Text(), nullable=False),
        "last_name": Field(Text(), nullable=False),
        "has_consent": Field(Boolean(), nullable=False),
        "job_title": text(),
        "phone": text(Phone()),
        "post_code": text(),
        "salutation": text(),
        "state": text(),
        "street_address": text(),
        "terms_of_sevice": Field(Boolean(), nullable=False),
        "timezone": Field(Zone(), nullable=False),
        "custom_fields": Field(ListOf(CUSTOM_FIELD), nullable=False),
    }


NEW_CONTACT = Record(
    {
        **_fields(nullable=True),
        "first_name": Field(Text(), required=True, nullable=False),
        "last_name": Field(Text(), required=True, nullable=False),
        "email": Field(Email(), nullable=False),
        "mobile_phone": Field(Phone()),
    },
    strict=True,
    missing="{name} is required",
    read_only=READ_ONLY,
)
CONTACT_CHANGES = Record(
    _fields(nullable=False),
    strict=True,
    unknown="Unsupported field",
    refused={"email": IDENTIFIERS, "mobile_phone": IDENTIFIERS},
)
FILTERS = {"email": Text(), **date_range("/contacts"), **PAGING}


# -- operations ----------------------------------------------------------------------------


def _directory(account: Account) -> Directory:
    table = account.tables[TABLE]
    assert isinstance(table, Directory)
    return table


def _check_references(account: Account, body: JSON) -> None:
    """The owner must be a user; custom fields must be in the field library."""
    owner = body.get("owner")
    if owner is not None and owner not in account.tables["users"]:
        raise ApiProblem(400, f"No such user: '{owner}'", "owner")
    for custom in body.get("custom_fields") or []:
        if custom["name"] not in FIELD_LIBRARY:
            raise ApiProblem(
                400,
                f"Custom field '{custom['name']}' does not exist in field library",
                "custom_fields",
            )


def _merged(current: list[JSON], changes: list[JSON]) -> list[JSON]:
    """``current`` custom fields with ``changes`` applied by name (others kept)."""
    by_name = {c["name"]: dict(c) for c in current}
    for change in changes:
        by_name[change["name"]] = {"name": change["name"], "value": change.get("value")}
    return list(by_name.values())


@api.operation("GET", "/contacts", query=FILTERS)
def list_all(request: Request) -> Reply:
    """A page of contacts, newest first, filtered by e-mail and time ranges."""
    query = request.query
    for name in DATE_FILTERS["/contacts"]:
        low, high = query.get(f"{name}.gt"), query.get(f"{name}.lt")
        if low is not None and high is not None and low > high:
            raise ApiProblem(400, f"{name}.gt cannot be later than {name}.lt", f"{name}.gt")
    contacts = _directory(request.account)
    wanted = query.get("email")
    if wanted is not None:
        found = contacts.find("email", wanted)
        wanted = found["email"] if found else wanted
    return list_reply(request, contacts, equal={"email": wanted})


@api.operation("POST", "/contacts", body=NEW_CONTACT)
def add(request: Request) -> Reply:
    """201 with the new contact; 400 without email and mobile phone; 409 if either is taken."""
    account, body = request.account, request.body or {}
    contacts = _directory(account)
    if body.get("email") is None and body.get("mobile_phone") is None:
        raise ApiProblem(400, "At least one of 'email' or 'mobile_phone' is required.", "email")
    for name in ("email", "mobile_phone"):
        if contacts.find(name, body.get(name)) is not None:
            raise ApiProblem(409, f"Contact already exists: '{body[name]}'", name)
    _check_references(account, body)
    now = timestamp(request.now)
    owner = account_owner(account)
    contact = {
        "object": "contact",
        "id": fresh_id(contacts, "CTC"),
        "creation_time": now,
        "last_updated_time": now,
        "last_interacted_time": None,
        "owner": owner["id"],
        **{name: None for name in NEW_CONTACT.fields if name not in ("owner", "custom_fields")},
        "employees": 1,
        "has_consent": False,
        "terms_of_sevice": False,
        "timezone": owner["timezone"],
        "custom_fields": [],
    }
    contact.update({k: v for k, v in body.items() if k not in READ_ONLY and k != "custom_fields"})
    contact["custom_fields"] = _merged([], body.get("custom_fields") or [])
    if contact.get("email") is None:  # the schema's email is a string, never null: leave it out
        del contact["email"]
    contacts.add(contact)
    return json_reply(201, contact)


@api.operation("GET", "/contacts/{id}")
def get_one(request: Request) -> Reply:
    """One contact; 404 for an unknown or deleted id."""
    return object_reply(request, request.account.tables[TABLE])


@api.operation("PATCH", "/contacts/{id}", body=CONTACT_CHANGES)
def update(request: Request) -> Reply:
    """200 with the changed contact; 400 for no fields or an identifier field."""
    account, changes = request.account, dict(request.body or {})
    contacts = _directory(account)
    contact = contacts.get(request.path["id"])
    if contact is None:
        raise NotFound(NOUN, request.path["id"])
    if not changes:
        raise ApiProblem(400, "At least one field must be provided to update.", "body")
    _check_references(account, changes)
    if "custom_fields" in changes:
        changes["custom_fields"] = _merged(contact["custom_fields"], changes["custom_fields"])
    changes["last_updated_time"] = max(timestamp(request.now), contact["last_updated_time"])
    return json_reply(200, contacts.update(contact["id"], changes))


@api.operation("DELETE", "/contacts/{id}")
def delete(request: Request) -> Reply:
    """A ``DeletedObject``; the contact is 404 afterwards, its bookings keep the id."""
    contacts = request.account.tables[TABLE]
    if request.path["id"] not in contacts:
        raise NotFound(NOUN, request.path["id"])
    contacts.delete(request.path["id"])
    return json_reply(200, {"id": request.path["id"], "deleted": True})
