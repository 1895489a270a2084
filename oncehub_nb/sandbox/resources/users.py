"""``/users``: the account's people, their roles and teams, and their weekly availability.

A ``User`` (OnceHub's schema) has ``id`` (``USR-…``), ``first_name``, ``last_name``,
``email``, ``status`` (active or invited), ``role_name`` (Account Owner,
Administrator, Member, Team Manager), an IANA ``timezone`` and ``teams`` (team ids).
The oldest user is the account owner, whose e-mail is the account's.

Operations, as the reference documents them:

- ``GET /users`` (``email`` filter, paging) and ``GET /users/{id}``;
- ``POST /users``: 200 with the new user, ``invited`` (the notes say "An invitation
  email will be sent to the user"); 400 for a taken e-mail, a bad name, role or team,
  or an unsupported field; 422 past the plan's 500 users;
- ``PATCH /users/{id}``: names, role, teams; 403 for the account owner; 410 for a
  deleted user; 400 for an empty body or "Account Owner" as a role;
- ``DELETE /users/{id}``: a ``DeletedObject``; the user's contacts pass to the
  account owner, their bookings keep them as ``owner`` (the reference: the owner
  "remains unchanged"; no refusal is documented); afterwards GET and DELETE say 404
  and PATCH 410. The account owner cannot be deleted (403, as for PATCH);
- ``GET`` and ``PATCH /users/{id}/scheduling-availability``: ``{"object": "schedule",
  "timezone", "weekly": [{"day", "working_hours": [{"start_time", "end_time",
  "locations"}]}], "overrides": [{"date", "day", "working_hours"}]}``.

Tables: ``users``; ``users-deleted`` (tombstones, for the 410); ``user-schedules``
(one object per user, ``id`` = the user's id, otherwise the schedule as served).
The ``users`` table is a :class:`~oncehub_nb.sandbox.store.Directory`, which also
finds a user by e-mail address, case-insensitively.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..checks import Email, Field, Invalid, Kind, ListOf, Record, Text, is_web_url
from ..data import FIRST_NAMES, LAST_NAMES, TIMEZONES, make_id, rng_for, slug
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..store import Account, Directory, account_owner, fresh_id

TABLE, NOUN = "users", "user"
DELETED = "users-deleted"
SCHEDULES = "user-schedules"
JSON = dict[str, Any]
OWNER_ROLE = "Account Owner"
ROLES = ("Administrator", "Member", "Team Manager")
USER_LIMIT = 500  # "User limits apply … (500 for purchased accounts, 30 for trial accounts)"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LOCATION_TYPES = (
    "in_person_by_host",
    "online_dynamic_link",
    "online_static_link",
    "phone_by_guest",
)
CONFERENCING = ("zoom", "google_meet", "microsoft_teams", "webex", "gotomeeting")
ADDRESSES = (  # invented offices; their ids are the "physical address" ids of locations
    "123 Office Street, New York, NY",
    "400 Harbor Way, Suite 210, Seattle, WA",
    "18 Canal Walk, London",
    "Rothenbaumchaussee 41, Hamburg",
)
EXTRA_FIRST_NAMES = ("Ari", "Bex", "Cleo", "Dev", "Ezra", "Finn", "Gia", "Hugo", "Iris", "Jude")


# -- request kinds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Name(Kind):
    """A person's name: letters, digits, spaces and ``' - . ,``; ``label`` names it in errors."""

    label: str = ""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if not is_name(value):
            raise Invalid(f"Invalid {self.label or param}: '{value}'", param)
        return value.strip()


def is_name(text: str) -> bool:
    """Whether ``text`` can be a first or last name."""
    if not text.strip() or len(text) > 100:
        return False
    return all(
        c.isalnum() or c in " '’-.," or unicodedata.category(c).startswith("M") for c in text
    )


@dataclass(frozen=True)
class Role(Kind):
    """A role the API may assign: Administrator, Member or Team Manager."""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if value == OWNER_ROLE:
            raise Invalid(
                "The 'Account Owner' role cannot be assigned directly via the API.", param
            )
        if value not in ROLES:
            raise Invalid(f"Invalid role name: '{value}'", param)
        return value


@dataclass(frozen=True)
class Strings(Kind):
    """An array of strings; anything else is OnceHub's ``Must be an array of strings.``"""

    def accept(self, value: Any, param: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid("Must be an array of strings.", param)
        return list(dict.fromkeys(value))  # each once, in the order given


def local_date(moment: datetime, zone: str) -> date:
    """The date of ``moment`` in ``zone`` (UTC's if the zone cannot be loaded)."""
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(timezone.utc).date()


# -- invented data -------------------------------------------------------------------------


def invent(account: Account) -> list[JSON]:
    """The account's users, oldest (the account owner) first."""
    rng = rng_for(account.seed, "users")
    teams = [t["id"] for t in account.tables["teams"].newest_first()[::-1]]
    firsts = list(FIRST_NAMES) + list(EXTRA_FIRST_NAMES)
    rng.shuffle(firsts)
    home = rng.choice(TIMEZONES)
    users = []
    for n in range(max(1, account.sizes.users)):  # the account owner always exists
        first, last = firsts[n % len(firsts)], rng.choice(LAST_NAMES)
        suffix = "" if n < len(firsts) else str(n)
        email = f"{first}.{last}{suffix}@example.com".lower()
        role = rng.choices(ROLES, weights=(2, 10, 3))[0]
        in_teams = sorted(rng.sample(teams, min(len(teams), rng.choice((0, 1, 1, 1, 2)))))
        if role == "Team Manager" and not in_teams and teams:
            in_teams = [rng.choice(teams)]
        users.append(
            {
                "object": "user",
                "id": make_id("USR", f"{account.seed}:{n}"),
                "first_name": first,
                "last_name": last,
                "email": account.email if n == 0 else email,
                "status": "invited" if n and rng.random() < 0.1 else "active",
                "role_name": OWNER_ROLE if n == 0 else role,
                "timezone": home if n == 0 or rng.random() < 0.5 else rng.choice(TIMEZONES),
                "teams": in_teams,
            }
        )
    return users


def addresses(seed: int) -> dict[str, str]:
    """The account's office addresses by id (``ADD-…``), for in-person locations."""
    return {make_id("ADD", f"{seed}:{text}")[:9]: text for text in ADDRESSES}


PATTERNS = (  # (days, working hours) of typical weeks
    (DAYS[:5], (("09:00", "17:00"),)),
    (DAYS[:5], (("09:00", "12:00"), ("13:00", "17:00"))),
    (DAYS[:4], (("08:00", "16:00"),)),
    (DAYS[:5], (("10:00", "18:00"),)),
    (DAYS[:6:2], (("09:00", "15:00"),)),
)


def _location_style(rng: random.Random, user: JSON, book: dict[str, str]) -> list[JSON]:
    """The locations a user offers in every slot."""
    pick = rng.random()
    if pick < 0.45:
        return [_location("online_dynamic_link", rng.choice(CONFERENCING[:3]))]
    if pick < 0.65:
        room = slug(f"{user['first_name']} {user['last_name']}")
        return [_location("online_static_link", f"https://meet.example.com/{room}")]
    if pick < 0.85:
        place = rng.choice(sorted(book))
        return [
            _location("online_dynamic_link", "zoom"),
            _location("in_person_by_host", book[place], place),
        ]
    return [_location("phone_by_guest")]


def _location(kind: str, value: str | None = None, place: str | None = None) -> JSON:
    return {"type": kind, "value": value, "id": place}


def invent_schedule(rng: random.Random, user: JSON, book: dict[str, str], today: date) -> JSON:
    """One user's weekly hours and a few date overrides after the data's ``today``."""
    days, hours = rng.choice(PATTERNS)
    locations = _location_style(rng, user, book)
    slots = [_slot(start, end, locations) for start, end in hours]
    overrides = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        when = today + timedelta(days=rng.randint(7, 120))
        hours_that_day = [] if rng.random() < 0.6 else [_slot("10:00", "13:00", locations)]
        overrides.append(_override(when, hours_that_day))
    return {
        "id": user["id"],
        "object": "schedule",
        "timezone": user["timezone"],
        "weekly": [{"day": day, "working_hours": [dict(s) for s in slots]} for day in days],
        "overrides": _sorted_overrides({o["date"]: o for o in overrides}),
    }


def _slot(start: str, end: str, locations: list[JSON]) -> JSON:
    return {"start_time": start, "end_time": end, "locations": [dict(x) for x in locations]}


def _override(when: date, hours: list[JSON]) -> JSON:
    return {"date": when.isoformat(), "day": DAYS[when.weekday()], "working_hours": hours}


def _sorted_overrides(by_date: Mapping[str, JSON]) -> list[JSON]:
    return [by_date[key] for key in sorted(by_date)]


def default_schedule(user: JSON) -> JSON:
    """A new user's availability: weekdays 09:00–17:00, online."""
    slot = _slot("09:00", "17:00", [_location("online_dynamic_link", "zoom")])
    weekly = [{"day": day, "working_hours": [dict(slot)]} for day in DAYS[:5]]
    return {
        "id": user["id"],
        "object": "schedule",
        "timezone": user["timezone"],
        "weekly": weekly,
        "overrides": [],
    }


def seed(account: Account) -> None:
    """The account's users (the first is its owner), their schedules, no deleted users."""
    users = Directory(TABLE, NOUN, indexed=("email",), unique=("email",))
    account.tables[TABLE] = users
    invented = invent(account)
    users.extend_oldest_first(invented)
    account.table(DELETED, NOUN)
    rng, book = rng_for(account.seed, SCHEDULES), addresses(account.seed)
    account.table(SCHEDULES, "schedule").extend_oldest_first(
        invent_schedule(rng, user, book, account.seeded_at.date()) for user in invented
    )


# -- users ---------------------------------------------------------------------------------

NEW_USER = Record(
    {
        "email": Field(Email(), required=True, nullable=False),
        "first_name": Field(Name(), required=True, nullable=False),
        "last_name": Field(Name(), required=True, nullable=False),
        "role_name": Field(Role(), nullable=False),
        "teams": Field(Strings(), nullable=False),
    },
    strict=True,
    missing="Required fields are missing.",
)
USER_CHANGES = Record(
    {
        "first_name": Field(Name("first name"), nullable=False),
        "last_name": Field(Name("last name"), nullable=False),
        "role_name": Field(Role(), nullable=False),
        "teams": Field(Strings(), nullable=False),
    },
    strict=True,
    unknown="Unsupported field",
)


def _directory(account: Account) -> Directory:
    table = account.tables[TABLE]
    assert isinstance(table, Directory)
    return table


def _check_teams(account: Account, team_ids: list[str]) -> list[str]:
    """``team_ids`` if each names a team; else OnceHub's ``Invalid team(s): …``."""
    unknown = [t for t in team_ids if t not in account.tables["teams"]]
    if unknown:
        names = ", ".join(f"'{t}'" for t in unknown)
        raise ApiProblem(400, f"Invalid team(s): {names}", "teams")
    return team_ids


def _live_user(account: Account, user_id: str) -> JSON:
    """The user ``user_id``; 410 if deleted (for changes), 404 if unknown."""
    if user_id in account.tables[DELETED]:
        raise ApiProblem(
            410, f"User cannot be modified as they have been deleted: '{user_id}'", "id"
        )
    user = account.tables[TABLE].get(user_id)
    if user is None:
        raise NotFound(NOUN, user_id)
    return user


@api.operation("GET", "/users", query={"email": Email(), **PAGING})
def list_all(request: Request) -> Reply:
    """A page of users, newest first; ``email`` finds one (ignoring case)."""
    users = _directory(request.account)
    wanted = request.query.get("email")
    if wanted is not None:
        found = users.find("email", wanted)
        wanted = found["email"] if found else wanted
    return list_reply(request, users, equal={"email": wanted})


@api.operation("POST", "/users", body=NEW_USER)
def add(request: Request) -> Reply:
    """200 with the new (invited) user; 400 for a taken e-mail or unknown team; 422 at the limit."""
    account, body = request.account, request.body or {}
    users = _directory(account)
    if users.find("email", body["email"]) is not None:
        raise ApiProblem(400, f"Email already exists: '{body['email']}'", "email")
    teams = _check_teams(account, body.get("teams", []))
    if len(users) >= USER_LIMIT:
        raise ApiProblem(
            422,
            "You have reached the user limit for your current plan. "
            "To add more users, please upgrade your account.",
        )
    user = {
        "object": "user",
        "id": fresh_id(users, "USR"),
        "first_name": body["first_name"],
        "last_name": body["last_name"],
        "email": body["email"],
        "status": "invited",
        "role_name": body.get("role_name", "Member"),
        "timezone": account_owner(account)["timezone"],
        "teams": teams,
    }
    users.add(user)
    account.tables[SCHEDULES].add(default_schedule(user))
    return json_reply(200, user)


@api.operation("GET", "/users/{id}")
def get_one(request: Request) -> Reply:
    """One user; 404 for an unknown or deleted id."""
    return object_reply(request, request.account.tables[TABLE])


@api.operation("PATCH", "/users/{id}", body=USER_CHANGES)
def update(request: Request) -> Reply:
    """200 with the changed user; 400 for no fields; 403 for the owner; 410 if deleted."""
    account, changes = request.account, dict(request.body or {})
    user = _live_user(account, request.path["id"])
    if not changes:
        raise ApiProblem(400, "At least one field must be provided to update.", "body")
    if user["role_name"] == OWNER_ROLE:
        raise ApiProblem(403, "Cannot update 'Account Owner' user.")
    if "teams" in changes:
        _check_teams(account, changes["teams"])
    return json_reply(200, account.tables[TABLE].update(user["id"], changes))


@api.operation("DELETE", "/users/{id}")
def delete(request: Request) -> Reply:
    """A ``DeletedObject``; the user's contacts pass to the owner, bookings keep the id.

    403 for the account owner.
    """
    account, user_id = request.account, request.path["id"]
    user = account.tables[TABLE].get(user_id)
    if user is None:
        raise NotFound(NOUN, user_id)
    if user["role_name"] == OWNER_ROLE:
        raise ApiProblem(403, "Cannot delete 'Account Owner' user.")
    owner = account_owner(account)
    contacts = account.tables.get("contacts")
    if contacts is not None:
        for contact in list(contacts.newest_first(owner=user_id)):
            if contact.get("owner") == user_id:
                contacts.update(contact["id"], {"owner": owner["id"]})
    account.tables[DELETED].add(account.tables[TABLE].delete(user_id))
    if user_id in account.tables[SCHEDULES]:
        account.tables[SCHEDULES].delete(user_id)
    return json_reply(200, {"id": user_id, "deleted": True})


# -- scheduling availability ---------------------------------------------------------------

LOCATION = Record(
    {
        "type": Field(Text(), required=True, nullable=False),
        "id": Field(Text()),  # null is what GET shows for locations without one
        "value": Field(Text()),
    }
)
SLOT = Record(
    {
        "start_time": Field(Text(), required=True, nullable=False),
        "end_time": Field(Text(), required=True, nullable=False),
        "locations": Field(ListOf(LOCATION), required=True, nullable=False),
    }
)
WEEKDAY = Record(
    {
        "day": Field(Text(), required=True, nullable=False),
        "working_hours": Field(ListOf(SLOT), required=True, nullable=False),
    }
)
OVERRIDE = Record(  # working_hours is required but may be null ("to delete an override")
    {"date": Field(Text(), nullable=False), "working_hours": Field(ListOf(SLOT))}
)
AVAILABILITY = Record(
    {
        "weekly": Field(ListOf(WEEKDAY), nullable=False),
        "overrides": Field(ListOf(OVERRIDE), nullable=False),
    }
)
AVAILABILITY_QUERY = ("overrides_start_time", "overrides_end_time")
TIME = re.compile(r"^(\d\d):(\d\d)$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def _schedule(account: Account, user_id: str) -> JSON:
    if user_id not in account.tables[TABLE]:
        raise NotFound(NOUN, user_id)
    return account.tables[SCHEDULES].get(user_id) or default_schedule(
        account.tables[TABLE].by_id[user_id]
    )


def _day(text: Any, param: str) -> date:
    """A ``YYYY-MM-DD`` date, else OnceHub's ``Invalid date format for …`` (400)."""
    try:
        if isinstance(text, str) and DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ApiProblem(
        400, f"Invalid date format for {param}. Expected format: YYYY-MM-DD", param
    ) from None


def _served(schedule: JSON, start: date | None = None, end: date | None = None) -> JSON:
    overrides = [
        o
        for o in schedule["overrides"]
        if (start is None or o["date"] >= start.isoformat())
        and (end is None or o["date"] <= end.isoformat())
    ]
    return {
        "object": "schedule",
        "timezone": schedule["timezone"],
        "weekly": schedule["weekly"],
        "overrides": overrides,
    }


@api.operation("GET", "/users/{id}/scheduling-availability")
def get_availability(request: Request) -> Reply:
    """The user's weekly hours and date overrides (``overrides_start_time``/``_end_time``)."""
    for name in request.raw_query:
        if name not in AVAILABILITY_QUERY:
            raise ApiProblem(400, f"Received unknown parameter: {name}", name)
    bounds = {n: _day(v, n) for n, v in request.raw_query.items()}
    schedule = _schedule(request.account, request.path["id"])
    return json_reply(
        200,
        _served(schedule, bounds.get("overrides_start_time"), bounds.get("overrides_end_time")),
    )


@api.operation("PATCH", "/users/{id}/scheduling-availability", body=AVAILABILITY)
def update_availability(request: Request) -> Reply:
    """Overwrite the given days and dates; a null ``working_hours`` deletes an override."""
    account, body = request.account, request.body or {}
    schedule = _schedule(account, request.path["id"])
    book = addresses(account.seed)
    weekly = _weekly_changes(body.get("weekly") or [], book)
    today = local_date(request.now, schedule["timezone"])
    overrides = _override_changes(body.get("overrides") or [], book, today)
    days = {d["day"]: d for d in schedule["weekly"]}
    days.update({day: {"day": day, "working_hours": hours} for day, hours in weekly.items()})
    dates = {o["date"]: o for o in schedule["overrides"]}
    for when, hours in overrides.items():
        if hours is None:
            dates.pop(when.isoformat(), None)
        else:
            dates[when.isoformat()] = _override(when, hours)
    changed = {
        "id": schedule["id"],
        "object": "schedule",
        "timezone": schedule["timezone"],
        "weekly": [days[day] for day in DAYS if day in days],
        "overrides": _sorted_overrides(dates),
    }
    table = account.tables[SCHEDULES]
    if schedule["id"] in table:
        table.update(schedule["id"], changed)
    else:
        table.add(changed)
    return json_reply(200, _served(changed))


def _weekly_changes(weekly: list[JSON], book: dict[str, str]) -> dict[str, list[JSON]]:
    changes: dict[str, list[JSON]] = {}
    for entry in weekly:
        day = entry["day"]
        if day not in DAYS:
            raise ApiProblem(400, f"Invalid day: '{day}'", "weekly.day")
        if day in changes:
            raise ApiProblem(400, f"Duplicate entry for day or date: '{day}'", "weekly")
        changes[day] = _slots(entry["working_hours"], "weekly.working_hours", book)
    return changes


def _override_changes(
    overrides: list[JSON], book: dict[str, str], today: date
) -> dict[date, list[JSON] | None]:
    changes: dict[date, list[JSON] | None] = {}
    for entry in overrides:
        for name in ("date", "working_hours"):
            if name not in entry:
                raise ApiProblem(
                    400, f"Missing required param: overrides.{name}.", f"overrides.{name}"
                )
        when = _day(entry["date"], "overrides.date")
        if when < today:
            raise ApiProblem(
                400, f"Date cannot be in the past: '{entry['date']}'", "overrides.date"
            )
        if when in changes:
            raise ApiProblem(
                400, f"Duplicate entry for day or date: '{entry['date']}'", "overrides"
            )
        hours = entry["working_hours"]
        changes[when] = None if hours is None else _slots(hours, "overrides.working_hours", book)
    return changes


def _slots(slots: list[JSON], where: str, book: dict[str, str]) -> list[JSON]:
    """Checked working hours, by start time; overlapping ones are refused."""
    checked = []
    for slot in slots:
        start = _minutes(slot["start_time"], f"{where}.start_time", "start")
        end = _minutes(slot["end_time"], f"{where}.end_time", "end")
        if end <= start:
            span = f"{slot['start_time']}-{slot['end_time']}"
            raise ApiProblem(
                400, f"end time should be after start time: '{span}'", f"{where}.end_time"
            )
        locations = _locations(slot["locations"], f"{where}.locations", book)
        checked.append((start, end, _slot(slot["start_time"], slot["end_time"], locations)))
    checked.sort(key=lambda item: item[0])
    for (_, end, _), (start, _, later) in pairwise(checked):
        if start < end:
            span = f"{later['start_time']}-{later['end_time']}"
            raise ApiProblem(400, f"availability range is overlapping: '{span}'", where)
    return [slot for _, _, slot in checked]


def _minutes(text: str, param: str, which: str) -> int:
    """Minutes since midnight of ``HH:MM`` (a multiple of 15; ``24:00`` only as an end)."""
    match = TIME.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    if not (hour < 24 and minute < 60) and not (which == "end" and (hour, minute) == (24, 0)):
        raise ApiProblem(400, f"Invalid time format: '{text}'. Expected format: HH:MM", param)
    if minute % 15:
        raise ApiProblem(400, f"{which} time should be multiple of 15: '{text}'", param)
    return hour * 60 + minute


def _locations(locations: list[JSON], where: str, book: dict[str, str]) -> list[JSON]:
    """Checked locations: known types, each once, online links not mixed."""
    checked, kinds = [], set()
    for location in locations:
        kind = location["type"]
        if kind not in LOCATION_TYPES:
            raise ApiProblem(400, f"Invalid location type: '{kind}'", f"{where}.type")
        if kind in kinds:
            raise ApiProblem(400, f"Duplicate location type: '{kind}'", f"{where}.type")
        kinds.add(kind)
        checked.append(_one_location(kind, location, where, book))
    if {"online_dynamic_link", "online_static_link"} <= kinds:
        raise ApiProblem(422, "You can set either online_dynamic_link or online_static_link", where)
    return checked


def _one_location(kind: str, location: JSON, where: str, book: dict[str, str]) -> JSON:
    value, place = location.get("value"), location.get("id")
    if kind == "in_person_by_host":
        if not place:
            raise ApiProblem(400, f"Missing required param: {where}.id.", f"{where}.id")
        if place not in book:
            raise ApiProblem(400, f"No such address: '{place}'", f"{where}.id")
        return _location(kind, book[place], place)
    if kind == "online_dynamic_link":
        if value not in CONFERENCING:
            raise ApiProblem(400, f"Invalid online_dynamic_link value: '{value}'", f"{where}.value")
        return _location(kind, value)
    if kind == "online_static_link":
        if not isinstance(value, str) or not is_web_url(value):
            raise ApiProblem(400, f"Invalid URL: '{value}'", f"{where}.value")
        return _location(kind, value)
    return _location(kind)
