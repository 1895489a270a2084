"""Users, teams, contacts and webhooks in the sandbox, checked against OnceHub's reference.

Every response body is validated against the schema the reference file gives for its
operation and status (jsonschema-rs, Draft 2020-12, ``$ref`` resolved into the file).
The file is OnceHub's published OpenAPI description; it is read where it lies, beside
the repository (see ``tests/reference.py``).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import available_timezones

import httpx
import pytest

from oncehub_nb.sandbox import DEMO_ACCOUNT, Sandbox
from oncehub_nb.sandbox.router import api
from oncehub_nb.sandbox.seeding import random_ids
from oncehub_nb.sandbox.store import Sizes
from tests.reference import SPEC_PATH, assert_valid, spec
from tests.sandbox.helpers import (
    E164,
    JSON,
    START_TEXT,
    Api,
    conforms,
    documented,
    pinned,
    valid_at,
)

AREA = ("/users", "/teams", "/contacts", "/webhooks")
ID = {"users": "USR-", "teams": "TM-", "contacts": "CTC-", "webhooks": "WHK-"}
ZONES = available_timezones()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(clock=pinned(), key_limit=None) as running:
        yield running


@pytest.fixture
def call(sandbox: Sandbox) -> Api:
    return Api(sandbox)


def error(
    response: httpx.Response,
    method: str,
    template: str,
    status: int,
    message: str,
    param: str | None = None,
) -> None:
    """An OnceHub error of ``status`` with exactly ``message`` and ``param``."""
    body = conforms(response, method, template, status)
    expected = {"type": "invalid_request_error", "message": message}
    if param is not None:
        expected["param"] = param
    assert body == expected


def example(method: str, template: str, status: str = "200") -> JSON:
    """The first documented example of a response."""
    content = documented(method, template)["responses"][status]["content"]["application/json"]
    return next(iter(content["examples"].values()))["value"]


def schedule_schema() -> JSON:
    """The schedule's shape: the PATCH body's ``weekly``/``overrides`` plus the served fields.

    The reference file gives no response schema for scheduling availability, only
    examples; the request schema describes the same days, slots and locations. The
    examples show ``"id": null`` for locations without an address, so ``id`` and
    ``value`` may be null in what is served.
    """
    body = documented("patch", "/users/{id}/scheduling-availability")["requestBody"]
    properties = copy.deepcopy(body["content"]["application/json"]["schema"]["properties"])
    for part in ("weekly", "overrides"):
        slots = properties[part]["items"]["properties"]["working_hours"]["items"]
        location = slots["properties"]["locations"]["items"]["properties"]
        for name in ("id", "value"):
            location[name]["type"] = ["string", "null"]
    return {
        "type": "object",
        "required": ["object", "timezone", "weekly", "overrides"],
        "properties": {
            "object": {"const": "schedule"},
            "timezone": {"type": "string", "enum": sorted(ZONES)},
            "weekly": properties["weekly"],
            "overrides": properties["overrides"],
        },
    }


def assert_schedule(body: JSON) -> None:
    """A schedule as the examples show it: same keys, valid days and times."""
    assert_valid(body, schedule_schema())
    shown = example("get", "/users/{id}/scheduling-availability")
    assert body.keys() == shown.keys()
    for entry in body["weekly"]:
        assert entry.keys() == shown["weekly"][0].keys()
    for entry in body["overrides"]:
        assert entry.keys() == shown["overrides"][0].keys()
        assert entry["day"] == date.fromisoformat(entry["date"]).strftime("%A")
    for entry in body["weekly"] + body["overrides"]:
        for slot in entry["working_hours"]:
            assert slot.keys() == shown["weekly"][0]["working_hours"][0].keys()
            for text in (slot["start_time"], slot["end_time"]):
                assert re.fullmatch(r"\d\d:\d\d", text) and int(text[3:]) % 15 == 0
            assert slot["start_time"] < slot["end_time"]
            for location in slot["locations"]:
                assert location.keys() == {"type", "value", "id"}


def event_names() -> list[str]:
    """The webhook event types: the reference file's ``webhooks`` section."""
    return list(spec()["webhooks"])


@pytest.mark.needs_openapi
def test_the_reference_file_is_read_where_it_lies() -> None:
    assert SPEC_PATH.is_file(), f"OnceHub's reference file is missing: {SPEC_PATH}"
    assert spec()["openapi"].startswith("3.1")


@pytest.mark.needs_openapi
def test_every_documented_operation_of_the_area_is_served() -> None:
    in_file = {
        (method.upper(), path)
        for path, item in spec()["paths"].items()
        if path.startswith(AREA)
        for method in item
        if method in ("get", "post", "patch", "delete", "put")
    }
    served = {(op.method, op.template) for op in api.operations if op.template.startswith(AREA)}
    assert in_file == served
    assert len(served) == 18


# -- users ---------------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_users_list_is_valid_and_the_oldest_is_the_account_owner(call: Api) -> None:
    body = conforms(call("GET", "/users", params={"limit": 100}), "get", "/users", 200)
    users, teams = body["data"], {t["id"] for t in call.all("teams")}
    assert len(users) == 25 and body["has_more"] is False
    owner = users[-1]
    assert owner["role_name"] == "Account Owner" and owner["email"] == DEMO_ACCOUNT
    assert [u["role_name"] for u in users].count("Account Owner") == 1
    assert len({u["email"].lower() for u in users}) == 25
    assert all(u["timezone"] in ZONES for u in users)
    assert all(set(u["teams"]) <= teams for u in users)
    assert any(u["status"] == "invited" for u in users)
    assert sum(u["status"] == "active" for u in users) > 20
    assert {"Administrator", "Member", "Team Manager"} <= {u["role_name"] for u in users}


@pytest.mark.needs_openapi
def test_users_email_filter_ignores_case(call: Api) -> None:
    user = call.all("users")[7]
    found = call("GET", "/users", params={"email": user["email"].upper()})
    assert conforms(found, "get", "/users", 200)["data"] == [user]
    nobody = call("GET", "/users", params={"email": "nobody@example.com"})
    assert conforms(nobody, "get", "/users", 200) == {
        "object": "list",
        "data": [],
        "has_more": False,
    }


@pytest.mark.needs_openapi
@pytest.mark.parametrize("value", ["", "not-an-email", "a@b"])
def test_users_email_filter_must_be_an_email(call: Api, value: str) -> None:
    response = call("GET", "/users", params={"email": value})
    error(response, "get", "/users", 400, f"Invalid email format: '{value}'", "email")


@pytest.mark.needs_openapi
def test_get_a_user_and_an_unknown_one(call: Api) -> None:
    user = call.all("users")[3]
    assert conforms(call("GET", f"/users/{user['id']}"), "get", "/users/{id}", 200) == user
    response = call("GET", "/users/USR-NOPE")
    error(response, "get", "/users/{id}", 404, "No such user: 'USR-NOPE'", "id")


@pytest.mark.needs_openapi
def test_add_a_user(call: Api) -> None:
    team = call.all("teams")[0]["id"]
    new = {
        "email": "Carrie.Customer@example.com",
        "first_name": "Carrie",
        "last_name": "Customer",
        "role_name": "Administrator",
        "teams": [team, team],
    }
    user = conforms(call("POST", "/users", json=new), "post", "/users", 200)
    assert re.fullmatch(r"USR-[0-9A-Z]{10}", user["id"])
    assert {k: user[k] for k in ("email", "first_name", "last_name", "role_name")} == {
        k: new[k] for k in ("email", "first_name", "last_name", "role_name")
    }
    assert user["teams"] == [team] and user["status"] == "invited"
    assert user["timezone"] == call.all("users")[-1]["timezone"]  # the owner's
    assert call("GET", f"/users/{user['id']}").json() == user
    listed = call.all("users")
    assert len(listed) == 26 and listed[0] == user
    plain = {"email": "dev.lee@example.com", "first_name": "Dev", "last_name": "Lee"}
    assert call("POST", "/users", json=plain).json()["role_name"] == "Member"
    schedule = call("GET", f"/users/{user['id']}/scheduling-availability")
    assert_schedule(conforms(schedule, "get", "/users/{id}/scheduling-availability", 200))


GOOD_USER = {"email": "new.user@example.com", "first_name": "New", "last_name": "User"}


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("changes", "message", "param"),
    [
        ({"email": None}, "Required fields are missing.", "email"),
        ({"first_name": ""}, "Required fields are missing.", "first_name"),
        ({"email": "new.user@invalid"}, "Invalid email format: 'new.user@invalid'", "email"),
        (
            {"first_name": "fir[/*st_na*/]?me"},
            "Invalid first_name: 'fir[/*st_na*/]?me'",
            "first_name",
        ),
        ({"last_name": "la<st>"}, "Invalid last_name: 'la<st>'", "last_name"),
        ({"role_name": "Super Admin"}, "Invalid role name: 'Super Admin'", "role_name"),
        (
            {"role_name": "Account Owner"},
            "The 'Account Owner' role cannot be assigned directly via the API.",
            "role_name",
        ),
        (
            {"teams": ["TM-INVALID1", "TM-INVALID2"]},
            "Invalid team(s): 'TM-INVALID1', 'TM-INVALID2'",
            "teams",
        ),
        ({"teams": "TM-X"}, "Must be an array of strings.", "teams"),
        ({"timezone": "Europe/Paris"}, "Unsupported fields", "timezone"),
        ({"email": "DEMO@example.com"}, "Email already exists: 'DEMO@example.com'", "email"),
    ],
)
def test_add_a_user_refused(call: Api, changes: JSON, message: str, param: str) -> None:
    body = {k: v for k, v in {**GOOD_USER, **changes}.items() if v is not None}
    error(call("POST", "/users", json=body), "post", "/users", 400, message, param)
    assert len(call.all("users")) == 25


@pytest.mark.needs_openapi
def test_adding_past_the_plan_limit_is_422() -> None:
    with Sandbox(clock=pinned(), key_limit=None) as box:
        box.sizes = Sizes(users=500)
        call = Api(box)
        response = call("POST", "/users", json=GOOD_USER)
        message = (
            "You have reached the user limit for your current plan. "
            "To add more users, please upgrade your account."
        )
        error(response, "post", "/users", 422, message)
        assert len(call.all("users")) == 500


@pytest.mark.needs_openapi
def test_update_a_user(call: Api) -> None:
    user = next(u for u in call.all("users") if u["role_name"] == "Member")
    teams = [t["id"] for t in call.all("teams")]
    changes = {"first_name": "Andrea", "last_name": "Hartie", "role_name": "Team Manager"}
    changed = conforms(
        call("PATCH", f"/users/{user['id']}", json={**changes, "teams": teams[:2]}),
        "patch",
        "/users/{id}",
        200,
    )
    assert changed == {**user, **changes, "teams": teams[:2]}
    assert call("GET", f"/users/{user['id']}").json() == changed
    only_teams = call("PATCH", f"/users/{user['id']}", json={"teams": []}).json()
    assert only_teams == {**changed, "teams": []}
    assert call("GET", "/teams", params={"user": user["id"]}).json()["data"] == []


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        ({}, "At least one field must be provided to update.", "body"),
        ({"first_name": ""}, "Invalid first name: ''", "first_name"),
        ({"role_name": "InvalidRole"}, "Invalid role name: 'InvalidRole'", "role_name"),
        (
            {"role_name": "Account Owner"},
            "The 'Account Owner' role cannot be assigned directly via the API.",
            "role_name",
        ),
        ({"teams": [1, 2]}, "Must be an array of strings.", "teams"),
        ({"teams": ["TM-INVALID1"]}, "Invalid team(s): 'TM-INVALID1'", "teams"),
        ({"email": "x@example.com"}, "Unsupported field", "email"),
    ],
)
def test_update_a_user_refused(call: Api, body: JSON, message: str, param: str) -> None:
    user = call.all("users")[0]
    response = call("PATCH", f"/users/{user['id']}", json=body)
    error(response, "patch", "/users/{id}", 400, message, param)
    assert call("GET", f"/users/{user['id']}").json() == user


@pytest.mark.needs_openapi
def test_the_account_owner_cannot_be_changed_or_deleted(call: Api) -> None:
    owner = call.all("users")[-1]
    response = call("PATCH", f"/users/{owner['id']}", json={"first_name": "Someone"})
    error(response, "patch", "/users/{id}", 403, "Cannot update 'Account Owner' user.")
    deleting = call("DELETE", f"/users/{owner['id']}")
    assert deleting.status_code == 403  # undocumented for DELETE: the PATCH rule, applied
    valid_at(deleting.json(), "/components/schemas/Error")
    assert deleting.json() == {
        "type": "invalid_request_error",
        "message": "Cannot delete 'Account Owner' user.",
    }
    assert call("GET", f"/users/{owner['id']}").json() == owner


@pytest.mark.needs_openapi
def test_delete_a_user(call: Api) -> None:
    owner = call.all("users")[-1]
    contacts = call.all("contacts")
    user_id = contacts[0]["owner"] if contacts[0]["owner"] != owner["id"] else contacts[1]["owner"]
    theirs = [c["id"] for c in contacts if c["owner"] == user_id]
    response = call("DELETE", f"/users/{user_id}")
    assert conforms(response, "delete", "/users/{id}", 200) == {"id": user_id, "deleted": True}
    error(
        call("GET", f"/users/{user_id}"),
        "get",
        "/users/{id}",
        404,
        f"No such user: '{user_id}'",
        "id",
    )
    again = call("DELETE", f"/users/{user_id}")
    error(again, "delete", "/users/{id}", 404, f"No such user: '{user_id}'", "id")
    error(
        call("PATCH", f"/users/{user_id}", json={"first_name": "Back"}),
        "patch",
        "/users/{id}",
        410,
        f"User cannot be modified as they have been deleted: '{user_id}'",
        "id",
    )
    assert len(call.all("users")) == 24
    assert all(call("GET", f"/contacts/{c}").json()["owner"] == owner["id"] for c in theirs)
    schedule = call("GET", f"/users/{user_id}/scheduling-availability")
    assert schedule.status_code == 404


# -- scheduling availability ---------------------------------------------------------------

AVAILABILITY = "/users/{id}/scheduling-availability"


@pytest.mark.needs_openapi
def test_every_users_availability_is_a_valid_schedule(call: Api) -> None:
    users = call.all("users")
    kinds = set()
    for user in users:
        body = conforms(
            call("GET", f"/users/{user['id']}/scheduling-availability"), "get", AVAILABILITY, 200
        )
        assert_schedule(body)
        assert body["timezone"] == user["timezone"]
        assert body["weekly"], "everyone works some day"
        kinds |= {
            loc["type"]
            for day in body["weekly"]
            for s in day["working_hours"]
            for loc in s["locations"]
        }
    assert len(kinds) >= 3


@pytest.mark.needs_openapi
def test_availability_query_parameters(call: Api) -> None:
    user = call.all("users")[2]
    path = f"/users/{user['id']}/scheduling-availability"
    error(call("GET", path, params={"start_date": "2025-01-01"}), "get", AVAILABILITY, 400,
          "Received unknown parameter: start_date", "start_date")  # fmt: skip
    error(
        call("GET", path, params={"overrides_start_time": "tomorrow"}),
        "get",
        AVAILABILITY,
        400,
        "Invalid date format for overrides_start_time. Expected format: YYYY-MM-DD",
        "overrides_start_time",
    )
    later = call("GET", path, params={"overrides_start_time": "2100-01-01"}).json()
    assert later["overrides"] == [] and later["weekly"] == call("GET", path).json()["weekly"]
    error(call("GET", "/users/USR-NOPE/scheduling-availability"), "get", AVAILABILITY, 404,
          "No such user: 'USR-NOPE'", "id")  # fmt: skip


def _future(days: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=days)).isoformat()


@pytest.mark.needs_openapi
def test_update_availability(call: Api) -> None:
    user = call.all("users")[4]
    path = f"/users/{user['id']}/scheduling-availability"
    before = call("GET", path).json()
    zoom = {"type": "online_dynamic_link", "value": "zoom", "id": None}
    body = {
        "weekly": [
            {
                "day": "Monday",
                "working_hours": [
                    {"start_time": "13:00", "end_time": "17:00", "locations": [zoom]},
                    {"start_time": "09:00", "end_time": "12:00", "locations": []},
                ],
            },
            {"day": "Saturday", "working_hours": []},
        ],
        "overrides": [
            {"date": _future(400), "working_hours": []},
            {
                "date": _future(401),
                "working_hours": [
                    {
                        "start_time": "10:00",
                        "end_time": "12:00",
                        "locations": [{"type": "phone_by_guest"}],
                    }
                ],
            },
        ],
    }
    changed = conforms(call("PATCH", path, json=body), "patch", AVAILABILITY, 200)
    assert_schedule(changed)
    assert call("GET", path).json() == changed
    days = {d["day"]: d["working_hours"] for d in changed["weekly"]}
    assert [s["start_time"] for s in days["Monday"]] == ["09:00", "13:00"]
    assert days["Monday"][1]["locations"] == [zoom] and days["Saturday"] == []
    for entry in before["weekly"]:
        if entry["day"] not in ("Monday", "Saturday"):
            assert days[entry["day"]] == entry["working_hours"]
    dates = {o["date"]: o for o in changed["overrides"]}
    assert dates[_future(400)]["working_hours"] == []
    assert dates[_future(401)]["working_hours"][0]["locations"] == [
        {"type": "phone_by_guest", "value": None, "id": None}
    ]
    removed = call(
        "PATCH", path, json={"overrides": [{"date": _future(400), "working_hours": None}]}
    )
    assert _future(400) not in {o["date"] for o in removed.json()["overrides"]}
    assert _future(401) in {o["date"] for o in removed.json()["overrides"]}


def _slot(start: str, end: str, locations: list[JSON] | None = None) -> JSON:
    return {"start_time": start, "end_time": end, "locations": locations or []}


def _monday(*slots: JSON) -> JSON:
    return {"weekly": [{"day": "Monday", "working_hours": list(slots)}]}


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("body", "status", "message", "param"),
    [
        (
            _monday(_slot("09:00", "11:00"), _slot("10:00", "12:00")),
            400,
            "availability range is overlapping: '10:00-12:00'",
            "weekly.working_hours",
        ),
        (
            _monday(_slot("09:05", "11:00")),
            400,
            "start time should be multiple of 15: '09:05'",
            "weekly.working_hours.start_time",
        ),
        (
            _monday(_slot("09:00", "9pm")),
            400,
            "Invalid time format: '9pm'. Expected format: HH:MM",
            "weekly.working_hours.end_time",
        ),
        (
            _monday(_slot("11:00", "10:00")),
            400,
            "end time should be after start time: '11:00-10:00'",
            "weekly.working_hours.end_time",
        ),
        (
            {"overrides": [{"date": "2024-01-01", "working_hours": []}]},
            400,
            "Date cannot be in the past: '2024-01-01'",
            "overrides.date",
        ),
        (
            {"overrides": [{"date": "01/02/2099", "working_hours": []}]},
            400,
            "Invalid date format for overrides.date. Expected format: YYYY-MM-DD",
            "overrides.date",
        ),
        (
            {"weekly": [{"day": "Monday", "working_hours": []}] * 2},
            400,
            "Duplicate entry for day or date: 'Monday'",
            "weekly",
        ),
        (
            {"weekly": [{"day": "monday", "working_hours": []}]},
            400,
            "Invalid day: 'monday'",
            "weekly.day",
        ),
        (
            {"weekly": [{"day": "Monday", "working_hours": None}]},
            400,
            "Invalid null: weekly.working_hours cannot be null.",
            "weekly.working_hours",
        ),
        (
            _monday(
                _slot(
                    "09:00",
                    "10:00",
                    [
                        {"type": "online_dynamic_link", "value": "zoom"},
                        {"type": "online_static_link", "value": "https://meet.example.com/x"},
                    ],
                )
            ),
            422,
            "You can set either online_dynamic_link or online_static_link",
            "weekly.working_hours.locations",
        ),
        (
            _monday(_slot("09:00", "10:00", [{"type": "carrier_pigeon"}])),
            400,
            "Invalid location type: 'carrier_pigeon'",
            "weekly.working_hours.locations.type",
        ),
        (
            _monday(_slot("09:00", "10:00", [{"type": "online_static_link", "value": "meet"}])),
            400,
            "Invalid URL: 'meet'",
            "weekly.working_hours.locations.value",
        ),
        (
            _monday(_slot("09:00", "10:00", [{"type": "in_person_by_host", "id": "ADD-NOPE1"}])),
            400,
            "No such address: 'ADD-NOPE1'",
            "weekly.working_hours.locations.id",
        ),
    ],
)
def test_update_availability_refused(
    call: Api, body: JSON, status: int, message: str, param: str
) -> None:
    user = call.all("users")[1]
    path = f"/users/{user['id']}/scheduling-availability"
    before = call("GET", path).json()
    error(call("PATCH", path, json=body), "patch", AVAILABILITY, status, message, param)
    assert call("GET", path).json() == before


def test_in_person_locations_name_a_known_address(call: Api) -> None:
    places = {
        loc["id"]: loc["value"]
        for user in call.all("users")
        for day in call("GET", f"/users/{user['id']}/scheduling-availability").json()["weekly"]
        for slot in day["working_hours"]
        for loc in slot["locations"]
        if loc["type"] == "in_person_by_host"
    }
    assert places and all(re.fullmatch(r"ADD-[0-9A-Z]{5}", p) for p in places)
    place = next(iter(places))
    user = call.all("users")[5]
    path = f"/users/{user['id']}/scheduling-availability"
    location = {"type": "in_person_by_host", "id": place}
    changed = call("PATCH", path, json=_monday(_slot("09:00", "10:00", [location])))
    assert changed.json()["weekly"][0]["working_hours"][0]["locations"] == [
        {"type": "in_person_by_host", "value": places[place], "id": place}
    ]


# -- teams ---------------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_teams_list_get_and_404(call: Api) -> None:
    body = conforms(call("GET", "/teams"), "get", "/teams", 200)
    assert len(body["data"]) == 3 and len({t["name"] for t in body["data"]}) == 3
    team = body["data"][1]
    assert conforms(call("GET", f"/teams/{team['id']}"), "get", "/teams/{id}", 200) == team
    error(call("GET", "/teams/TM-NOPE"), "get", "/teams/{id}", 404, "No such team: 'TM-NOPE'", "id")


@pytest.mark.needs_openapi
def test_teams_filtered_by_user_are_the_users_teams(call: Api) -> None:
    teams = call.all("teams")
    members = 0
    for user in call.all("users"):
        found = conforms(call("GET", "/teams", params={"user": user["id"]}), "get", "/teams", 200)
        assert sorted(t["id"] for t in found["data"]) == sorted(user["teams"])
        assert [t for t in teams if t["id"] in user["teams"]] == found["data"]  # newest first
        members += bool(user["teams"])
    assert members > 10
    assert call("GET", "/teams", params={"user": "USR-NOPE"}).json()["data"] == []


# -- contacts ------------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_contacts_list_is_valid_and_consistent(call: Api) -> None:
    body = conforms(call("GET", "/contacts", params={"limit": 100}), "get", "/contacts", 200)
    contacts, users = body["data"], {u["id"] for u in call.all("users")}
    assert len(contacts) == 20
    created = [c["creation_time"] for c in contacts]
    assert created == sorted(created, reverse=True) and len(set(created)) == 20
    for contact in contacts:
        assert contact["creation_time"] <= contact["last_updated_time"] <= START_TEXT
        assert contact["last_interacted_time"] is None or (
            contact["creation_time"] <= contact["last_interacted_time"] <= START_TEXT
        )
        assert contact["owner"] in users and contact["timezone"] in ZONES
        assert contact["email"].endswith("@example.com")
        for phone in (contact["mobile_phone"], contact["phone"]):
            assert phone is None or E164.match(phone)
        sizes = {"1-10": (1, 10), "11-50": (11, 50), "51-200": (51, 200), "201-1000": (201, 1000)}
        if contact["company_size"] is not None:
            low, high = sizes[contact["company_size"]]
            assert low <= contact["employees"] <= high
    assert len({c["email"] for c in contacts}) == 20


@pytest.mark.needs_openapi
def test_contacts_email_filter(call: Api) -> None:
    contact = call.all("contacts")[11]
    found = call("GET", "/contacts", params={"email": contact["email"].title()})
    assert conforms(found, "get", "/contacts", 200)["data"] == [contact]
    assert call("GET", "/contacts", params={"email": "x@example.com"}).json()["data"] == []


@pytest.mark.needs_openapi
@pytest.mark.parametrize("field", ["creation_time", "last_updated_time"])
def test_contacts_time_filters(call: Api, field: str) -> None:
    everything = call.all("contacts")
    times = sorted(c[field] for c in everything)
    low, high = times[5][:10], times[15][:10]
    found = call.all("contacts", **{f"{field}.gt": low, f"{field}.lt": high})
    expected = [c for c in everything if low < c[field][:10] < high]  # whole dates
    assert found == expected and 0 < len(found) < 20
    response = call("GET", "/contacts", params={f"{field}.gt": high, f"{field}.lt": low})
    message = f"{field}.gt cannot be later than {field}.lt"
    error(response, "get", "/contacts", 400, message, f"{field}.gt")
    bad = call("GET", "/contacts", params={f"{field}.lt": ""})
    message = f"Invalid date format for {field}.lt. Expected format: YYYY-MM-DD"
    error(bad, "get", "/contacts", 400, message, f"{field}.lt")


@pytest.mark.needs_openapi
def test_add_a_contact(call: Api) -> None:
    owner = call.all("users")[3]
    new = {
        "email": "carrie.customer@example.com",
        "mobile_phone": "+12025550195",
        "first_name": "Carrie",
        "last_name": "Customer",
        "company": "Acme Inc",
        "job_title": "Executive Assistant",
        "status": "Qualified",
        "city": "New York",
        "state": "New York",
        "country": "United States",
        "timezone": "America/New_York",
        "owner": owner["id"],
        "custom_fields": [{"name": "lead_source", "value": "Webinar"}],
        "id": "CTC-IGNORED000",  # read-only fields of the schema are ignored
    }
    contact = conforms(call("POST", "/contacts", json=new), "post", "/contacts", 201)
    assert re.fullmatch(r"CTC-[0-9A-Z]{10}", contact["id"]) and contact["id"] != new["id"]
    assert {k: contact[k] for k in new if k != "id"} == {k: v for k, v in new.items() if k != "id"}
    assert contact["creation_time"] == contact["last_updated_time"]
    assert contact["last_interacted_time"] is None and contact["has_consent"] is False
    assert call("GET", f"/contacts/{contact['id']}").json() == contact
    assert call.all("contacts")[0] == contact
    minimal = {"email": "min@example.com", "first_name": "Min", "last_name": "Imal"}
    plain = conforms(call("POST", "/contacts", json=minimal), "post", "/contacts", 201)
    assert plain["owner"] == call.all("users")[-1]["id"] and plain["status"] is None


GOOD_CONTACT = {"email": "new.contact@example.com", "first_name": "New", "last_name": "Contact"}


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("changes", "status", "message", "param"),
    [
        ({"first_name": None}, 400, "first_name is required", "first_name"),
        ({"last_name": ""}, 400, "last_name is required", "last_name"),
        (
            {"email": None},
            400,
            "At least one of 'email' or 'mobile_phone' is required.",
            "email",
        ),
        (
            {"email": "john.doe@invalid"},
            400,
            "Invalid email format: 'john.doe@invalid'",
            "email",
        ),
        ({"mobile_phone": "+91999999"}, 400, "Invalid phone format: '+91999999'", "mobile_phone"),
        ({"timezone": "Invalid/Timezone"}, 400, "Invalid timezone: 'Invalid/Timezone'", "timezone"),
        ({"owner": "USR-NOPE"}, 400, "No such user: 'USR-NOPE'", "owner"),
        ({"nickname": "Newbie"}, 400, "Unsupported fields", "nickname"),
        (
            {"custom_fields": [{"name": "unknown_field", "value": 1}]},
            400,
            "Custom field 'unknown_field' does not exist in field library",
            "custom_fields",
        ),
    ],
)
def test_add_a_contact_refused(
    call: Api, changes: JSON, status: int, message: str, param: str
) -> None:
    body = {k: v for k, v in {**GOOD_CONTACT, **changes}.items() if v is not None}
    error(call("POST", "/contacts", json=body), "post", "/contacts", status, message, param)
    assert len(call.all("contacts")) == 20


@pytest.mark.needs_openapi
def test_a_taken_email_or_mobile_phone_is_409(call: Api) -> None:
    contacts = call.all("contacts")
    taken = contacts[4]["email"].upper()
    response = call("POST", "/contacts", json={**GOOD_CONTACT, "email": taken})
    error(response, "post", "/contacts", 409, f"Contact already exists: '{taken}'", "email")
    phone = next(c["mobile_phone"] for c in contacts if c["mobile_phone"])
    body = {"first_name": "A", "last_name": "B", "mobile_phone": phone}
    response = call("POST", "/contacts", json=body)
    error(response, "post", "/contacts", 409, f"Contact already exists: '{phone}'", "mobile_phone")
    only_phone = {"first_name": "A", "last_name": "B", "mobile_phone": "+442079460999"}
    created = call("POST", "/contacts", json=only_phone)
    # "Either email or mobile_phone is required", yet the Contact schema types email as a
    # string, never null: a contact made from a phone number alone has no email field.
    made = conforms(created, "post", "/contacts", 201)
    assert "email" not in made and made["mobile_phone"] == "+442079460999"
    assert "email" not in conforms(
        call("GET", f"/contacts/{made['id']}"), "get", "/contacts/{id}", 200
    )


@pytest.mark.needs_openapi
def test_update_a_contact(call: Api) -> None:
    contact = call.all("contacts")[2]
    owner = call.all("users")[6]["id"]
    changes = {
        "first_name": "Carrie",
        "company": "Acme Inc",
        "job_title": "Senior Executive Assistant",
        "timezone": "America/New_York",
        "owner": owner,
        "status": "Disqualified",
        "employees": 12,
    }
    custom = [{"name": "resume", "value": "https://files.example.com/r.pdf"}]
    response = call(
        "PATCH", f"/contacts/{contact['id']}", json={**changes, "custom_fields": custom}
    )
    changed = conforms(response, "patch", "/contacts/{id}", 200)
    kept = [f for f in contact["custom_fields"] if f["name"] != "resume"]
    assert changed == {
        **contact,
        **changes,
        "custom_fields": kept + custom,
        "last_updated_time": changed["last_updated_time"],
    }
    assert changed["last_updated_time"] > contact["last_updated_time"]
    assert call("GET", f"/contacts/{contact['id']}").json() == changed
    assert changed in call.all("contacts", email=contact["email"])


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        ({}, "At least one field must be provided to update.", "body"),
        (
            {"email": "new@example.com"},
            "Identifier fields (email, mobile_phone) cannot be updated via this endpoint",
            "email",
        ),
        (
            {"mobile_phone": "+12025550100"},
            "Identifier fields (email, mobile_phone) cannot be updated via this endpoint",
            "mobile_phone",
        ),
        ({"phone": "+91999999"}, "Invalid phone format: '+91999999'", "phone"),
        ({"timezone": "Invalid/Timezone"}, "Invalid timezone: 'Invalid/Timezone'", "timezone"),
        ({"city": None}, "Invalid null: city cannot be null.", "city"),
        ({"favourite_colour": "teal"}, "Unsupported field", "favourite_colour"),
        (
            {"custom_fields": [{"name": "unknown_field", "value": "x"}]},
            "Custom field 'unknown_field' does not exist in field library",
            "custom_fields",
        ),
    ],
)
def test_update_a_contact_refused(call: Api, body: JSON, message: str, param: str) -> None:
    contact = call.all("contacts")[0]
    response = call("PATCH", f"/contacts/{contact['id']}", json=body)
    error(response, "patch", "/contacts/{id}", 400, message, param)
    assert call("GET", f"/contacts/{contact['id']}").json() == contact


@pytest.mark.needs_openapi
def test_delete_a_contact(call: Api) -> None:
    contact = call.all("contacts")[9]
    path = f"/contacts/{contact['id']}"
    assert conforms(call("DELETE", path), "delete", "/contacts/{id}", 200) == {
        "id": contact["id"],
        "deleted": True,
    }
    message = f"No such contact: '{contact['id']}'"
    error(call("GET", path), "get", "/contacts/{id}", 404, message, "id")
    error(call("DELETE", path), "delete", "/contacts/{id}", 404, message, "id")
    error(call("PATCH", path, json={"city": "X"}), "patch", "/contacts/{id}", 404, message, "id")
    assert len(call.all("contacts")) == 19
    assert call.all("contacts", email=contact["email"]) == []
    again = call("POST", "/contacts", json={**GOOD_CONTACT, "email": contact["email"]})
    assert again.status_code == 201 and again.json()["id"] != contact["id"]


# -- webhooks ------------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_webhooks_list_is_valid(call: Api) -> None:
    body = conforms(call("GET", "/webhooks"), "get", "/webhooks", 200)
    assert len(body["data"]) == 2
    for hook in body["data"]:
        assert set(hook["events"]) <= set(event_names()) and hook["events"]
        assert re.fullmatch(r"[0-9a-f]{32}", hook["secret"]) and hook["api_version"] == "v2"
        assert hook["url"].startswith("https://") and hook["creation_time"] <= START_TEXT
        got = call("GET", f"/webhooks/{hook['id']}")
        assert conforms(got, "get", "/webhooks/{id}", 200) == hook
    assert body["data"][0]["creation_time"] > body["data"][1]["creation_time"]


@pytest.mark.needs_openapi
def test_create_and_delete_a_webhook(call: Api) -> None:
    new = {
        "url": "http://127.0.0.1:8080/hooks",
        "name": "New Bookings",
        "events": ["booking.scheduled", "booking.canceled", "booking.scheduled"],
    }
    hook = conforms(call("POST", "/webhooks", json=new), "post", "/webhooks", 200)
    assert re.fullmatch(r"WHK-[0-9A-Z]{10}", hook["id"])
    assert hook["events"] == ["booking.scheduled", "booking.canceled"]
    assert (hook["name"], hook["url"], hook["api_version"]) == (new["name"], new["url"], "v2")
    assert re.fullmatch(r"[0-9a-f]{32}", hook["secret"])
    assert call.all("webhooks")[0] == hook
    assert call("GET", f"/webhooks/{hook['id']}").json() == hook
    taken = call("POST", "/webhooks", json={**new, "url": "https://example.org/other"})
    message = "A webhook subscription with this name already exists: 'New Bookings'"
    error(taken, "post", "/webhooks", 409, message, "name")
    deleted = call("DELETE", f"/webhooks/{hook['id']}")
    assert conforms(deleted, "delete", "/webhooks/{id}", 200) == {"id": hook["id"], "deleted": True}
    message = f"No such webhook: '{hook['id']}'"
    error(call("GET", f"/webhooks/{hook['id']}"), "get", "/webhooks/{id}", 404, message, "id")
    error(call("DELETE", f"/webhooks/{hook['id']}"), "delete", "/webhooks/{id}", 404, message, "id")
    assert len(call.all("webhooks")) == 2
    assert call("POST", "/webhooks", json=new).status_code == 200  # the name is free again


@pytest.mark.needs_openapi
def test_every_documented_event_can_be_subscribed(call: Api) -> None:
    body = {"url": "https://example.org/all", "name": "Everything", "events": event_names()}
    hook = conforms(call("POST", "/webhooks", json=body), "post", "/webhooks", 200)
    assert hook["events"] == event_names() and len(event_names()) == 11


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("changes", "message", "param"),
    [
        ({"url": None}, "Missing required param: url.", "url"),
        ({"url": "ftp://example.org/x"}, "Invalid url: 'ftp://example.org/x'", "url"),
        ({"url": ""}, "Invalid url: ''", "url"),
        ({"name": None}, "Missing required param: name.", "name"),
        ({"name": "  "}, "Invalid name: '  '", "name"),
        ({"events": []}, "At least one event is required.", "events"),
        ({"events": "booking.scheduled"}, "Must be an array of strings.", "events"),
    ],
)
def test_create_a_webhook_refused(call: Api, changes: JSON, message: str, param: str) -> None:
    good = {"url": "https://example.org/h", "name": "Hook", "events": ["booking.completed"]}
    body = {k: v for k, v in {**good, **changes}.items() if v is not None}
    error(call("POST", "/webhooks", json=body), "post", "/webhooks", 400, message, param)
    assert len(call.all("webhooks")) == 2


@pytest.mark.needs_openapi
def test_an_unknown_event_is_400_naming_events(call: Api) -> None:
    body = {"url": "https://example.org/h", "name": "Hook", "events": ["booking.exploded"]}
    response = call("POST", "/webhooks", json=body)
    assert response.status_code == 400
    found = response.json()
    assert found["param"] == "events" and "'booking.exploded'" in found["message"]
    assert all(name in found["message"] for name in event_names())


def test_webhook_secrets_are_random_per_sandbox_but_stable_in_one(sandbox: Sandbox) -> None:
    first = Api(sandbox).all("webhooks")
    with Sandbox(clock=pinned(), key_limit=None) as other:
        second = Api(other).all("webhooks")
    assert [h["id"] for h in first] == [h["id"] for h in second]
    assert {h["secret"] for h in first}.isdisjoint(h["secret"] for h in second)
    strip = [{k: v for k, v in h.items() if k != "secret"} for h in first]
    assert strip == [{k: v for k, v in h.items() if k != "secret"} for h in second]
    sandbox.reset()
    assert Api(sandbox).all("webhooks") == first
    assert not any(h["secret"] in repr(sandbox.requests) for h in first)


# -- methods, state, determinism, scale ----------------------------------------------------


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/users/USR-X", "DELETE, GET, PATCH, HEAD"),
        ("DELETE", "/users", "GET, POST, HEAD"),
        ("POST", "/teams/TM-X", "GET, HEAD"),
        ("PATCH", "/webhooks/WHK-X", "DELETE, GET, HEAD"),
        ("PUT", "/contacts", "GET, POST, HEAD"),
        ("DELETE", "/users/USR-X/scheduling-availability", "GET, PATCH, HEAD"),
    ],
)
def test_undeclared_methods_are_405_with_allow(
    call: Api, method: str, path: str, allowed: str
) -> None:
    response = call(method, path, json={})
    assert response.status_code == 405 and response.headers["allow"] == allowed
    valid_at(response.json(), "/components/schemas/Error")


def _snapshot(call: Api) -> JSON:
    users = call.all("users")
    return {
        "users": users,
        "teams": call.all("teams"),
        "contacts": call.all("contacts"),
        "webhooks": [{k: v for k, v in h.items() if k != "secret"} for h in call.all("webhooks")],
        "schedules": [
            call("GET", f"/users/{u['id']}/scheduling-availability").json() for u in users
        ],
    }


def test_reset_restores_the_seeded_data(sandbox: Sandbox, call: Api) -> None:
    before = _snapshot(call)
    users, contacts = before["users"], before["contacts"]
    call("POST", "/users", json=GOOD_USER)
    call("PATCH", f"/users/{users[1]['id']}", json={"first_name": "Changed"})
    call("DELETE", f"/users/{users[2]['id']}")
    call("PATCH", f"/users/{users[3]['id']}/scheduling-availability", json=_monday())
    call("POST", "/contacts", json=GOOD_CONTACT)
    call("DELETE", f"/contacts/{contacts[0]['id']}")
    call("DELETE", f"/webhooks/{before['webhooks'][0]['id']}")
    assert _snapshot(call) != before
    sandbox.reset()
    assert _snapshot(call) == before
    assert call("PATCH", f"/users/{users[2]['id']}", json={"first_name": "X"}).status_code == 200


def test_same_seed_same_data_other_seed_other_data(sandbox: Sandbox) -> None:
    mine = _snapshot(Api(sandbox))
    with (
        Sandbox(clock=pinned(), key_limit=None) as same,
        Sandbox(clock=pinned(), key_limit=None, seed=7) as other,
    ):
        assert _snapshot(Api(same)) == mine
        theirs = _snapshot(Api(other))
    for name in ("users", "teams", "contacts"):
        assert {x["id"] for x in theirs[name]}.isdisjoint(x["id"] for x in mine[name])
    assert [u["email"] for u in theirs["users"]] != [u["email"] for u in mine["users"]]
    assert theirs["users"][-1]["email"] == DEMO_ACCOUNT
    assert len(theirs["users"]) == 25 and len(theirs["contacts"]) == 20


def test_random_ids_are_distinct_and_shaped_like_oncehubs() -> None:
    made = random_ids(random.Random(3), "CTC", 5000)
    assert len(set(made)) == 5000
    assert all(re.fullmatch(r"CTC-[0-9A-Z]{10}", made_id) for made_id in made)
    assert random_ids(random.Random(3), "CTC", 10) == made[:10]  # the same seed, the same ids
