"""Time as OnceHub's reference states it: date filters compare dates, stamps in full form.

The reference types every ``*.gt``/``*.lt`` filter of ``/bookings`` and ``/contacts`` as
``format: date``: the sandbox compares whole UTC dates, and takes a date-time value by
its date. Every timestamp the sandbox writes is in the "full form" the reference states
(``2024-11-29T09:30:00.000Z``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox.checks import Day
from oncehub_nb.sandbox.listing import DATE_FILTERS
from oncehub_nb.sandbox.router import api
from tests.reference import spec
from tests.sandbox.helpers import FULL_FORM, JSON, START_TEXT, Api, conforms, pinned, stamps
from tests.support import FakeClock

SHORT_FORM = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # the other form in examples
DAY = date(2025, 3, 14)  # the boundary day of the boundary tests
EARLY, LATE = "2025-03-14T00:00:01", "2025-03-14T23:59:59"
NEIGHBOURS = {"2025-03-13T23:59:59": "before", "2025-03-15T00:00:00": "after"}


def reference_date_filters() -> set[tuple[str, str]]:
    """(list path, parameter) for every query parameter the reference types ``format: date``."""
    found = set()
    for path, operations in spec()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and schema.get("format") == "date":
                found.add((path, parameter["name"]))
    return found


# -- which filters are dates ---------------------------------------------------------------


@pytest.mark.needs_openapi
def test_the_sandboxs_date_filters_are_the_references() -> None:
    table = {
        (path, f"{name}.{op}")
        for path, names in DATE_FILTERS.items()
        for name in names
        for op in ("gt", "lt")
    }
    assert table == reference_date_filters()
    assert len(table) == 10
    declared = {
        (op.template, name)
        for op in api.operations
        if op.method == "GET"
        for name, kind in op.query.items()
        if isinstance(kind, Day)
    }
    assert declared == table  # the operations take exactly these as dates


def test_a_day_takes_a_date_or_a_date_time() -> None:
    day = Day()
    assert day.parse("2025-03-14", "x") == DAY
    assert day.parse("2025-03-14T10:00:00Z", "x") == DAY
    assert day.parse("2025-03-14T23:59:59.999Z", "x") == DAY
    assert day.parse("2025-03-14T23:30:00-05:00", "x") == date(2025, 3, 15)  # its UTC date


# -- the boundary day ----------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(epoch=datetime(2025, 3, 20, 12, tzinfo=timezone.utc).timestamp())


@pytest.fixture
def box(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(key_limit=None, address_limit=None, clock=clock, bookings=200) as running:
        yield running


def at(clock: FakeClock, text: str) -> None:
    """Set ``clock`` to the UTC instant ``text`` (``YYYY-MM-DDTHH:MM:SS``)."""
    moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    clock.advance(moment.timestamp() - clock.time())


def made_at(box: Sandbox, clock: FakeClock) -> dict[str, JSON]:
    """Contacts created and bookings canceled at each boundary instant, by instant."""
    call = Api(box)
    scheduled = call.all("bookings", status="scheduled")
    upcoming = [b for b in scheduled if not b.get("payment_information")]
    made = {}
    for n, instant in enumerate([EARLY, LATE, *NEIGHBOURS]):
        at(clock, instant)
        person = {"first_name": "Day", "last_name": f"Edge{n}", "email": f"edge{n}@example.org"}
        contact = call("POST", "/contacts", json=person).json()
        booking = call("POST", f"/bookings/{upcoming[n]['id']}/cancel").json()
        assert contact["creation_time"] == booking["last_updated_time"] == f"{instant}.000Z"
        made[instant] = {"contact": contact["id"], "booking": booking["id"]}
    return made


CASES = [  # (operator, value) -> which of the instants it keeps
    ("gt", "2025-03-14", {"2025-03-15T00:00:00"}),
    ("lt", "2025-03-14", {"2025-03-13T23:59:59"}),
    ("gt", "2025-03-13", {EARLY, LATE, "2025-03-15T00:00:00"}),
    ("lt", "2025-03-15", {EARLY, LATE, "2025-03-13T23:59:59"}),
    # a date-time: only its date counts (an exact comparison would keep LATE, or EARLY)
    ("gt", "2025-03-14T10:00:00Z", {"2025-03-15T00:00:00"}),
    ("lt", "2025-03-14T10:00:00Z", {"2025-03-13T23:59:59"}),
    ("gt", "2025-03-13T23:59:58.500Z", {EARLY, LATE, "2025-03-15T00:00:00"}),
    ("lt", "2025-03-15T00:00:00.000Z", {EARLY, LATE, "2025-03-13T23:59:59"}),
]


@pytest.mark.needs_openapi
@pytest.mark.parametrize(("op", "value", "kept"), CASES, ids=[f"{o}={v}" for o, v, _ in CASES])
def test_date_filters_compare_whole_days(
    box: Sandbox, clock: FakeClock, op: str, value: str, kept: set[str]
) -> None:
    made = made_at(box, clock)
    call = Api(box)
    for path, field, kind in [
        ("/contacts", "creation_time", "contact"),
        ("/contacts", "last_updated_time", "contact"),
        ("/bookings", "last_updated_time", "booking"),
    ]:
        response = call("GET", path, params={f"{field}.{op}": value, "limit": 100})
        conforms(response, "get", path, 200)
        found = {item["id"] for item in Api(box).all(path[1:], **{f"{field}.{op}": value})}
        assert {t for t, ids in made.items() if ids[kind] in found} == kept, (path, field)


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("path", "field"),
    [(path, name) for path, names in DATE_FILTERS.items() for name in names],
)
def test_every_date_filter_on_the_seeded_data(path: str, field: str) -> None:
    """Over the seeded data, each filter keeps exactly the objects of the right dates."""
    with Sandbox(key_limit=None, address_limit=None, clock=pinned(), bookings=300) as box:
        call = Api(box)
        everything = call.all(path[1:])
        days = sorted({item[field][:10] for item in everything})
        day = days[len(days) // 2]
        for op, keep in (("gt", lambda d: d > day), ("lt", lambda d: d < day)):
            expected = [i["id"] for i in everything if keep(i[field][:10])]
            assert expected
            for value in (day, f"{day}T12:34:56.789Z", f"{day}T00:00:00Z"):
                found = call.all(path[1:], **{f"{field}.{op}": value})
                assert [i["id"] for i in found] == expected, (op, value)


@pytest.mark.needs_openapi
@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-03-14T25:00:00Z", ""])
def test_a_value_that_is_no_date_is_400(value: str) -> None:
    with Sandbox(key_limit=None, address_limit=None, clock=pinned()) as box:
        for path, names in DATE_FILTERS.items():
            param = f"{names[-1]}.gt"
            response = Api(box)("GET", path, params={param: value})
            body = conforms(response, "get", path, 400)
            message = f"Invalid date format for {param}. Expected format: YYYY-MM-DD"
            assert (body["message"], body["param"]) == (message, param)


@pytest.mark.needs_openapi
def test_a_range_within_one_day_is_empty_and_an_inverted_one_400() -> None:
    with Sandbox(key_limit=None, address_limit=None, clock=pinned()) as box:
        call = Api(box)
        same = {
            "last_updated_time.gt": "2025-03-10",
            "last_updated_time.lt": "2025-03-10T23:00:00Z",
        }
        assert call.all("bookings", **same) == []  # after the 10th and before it: nothing
        inverted = {"last_updated_time.gt": "2025-03-11", "last_updated_time.lt": "2025-03-10"}
        body = conforms(call("GET", "/contacts", params=inverted), "get", "/contacts", 400)
        assert body["param"] == "last_updated_time.gt"


# -- the full form -------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_the_full_form_is_the_references() -> None:
    """The reference states the full form; its examples use it and the form without ms."""
    text = str(spec())
    stated = re.findall(r"in full form\. For example, `([^`]+)`", text)
    assert stated and all(FULL_FORM.match(s) for s in stated)
    examples = [s for s in stamps(spec()) if len(s) <= 30]
    assert examples and all(FULL_FORM.match(s) or SHORT_FORM.match(s) for s in examples)
    assert any(FULL_FORM.match(s) for s in examples)


def list_paths() -> list[str]:
    """Every list the reference documents (GET without a path parameter), but ``/test``."""
    return sorted(
        path
        for path, operations in spec()["paths"].items()
        if "get" in operations and "{" not in path and path != "/test"
    )


@pytest.mark.needs_openapi
def test_every_timestamp_the_sandbox_serves_is_in_full_form(clock: FakeClock) -> None:
    """Every collection, each object alone, and what writes and actions answer."""
    clock.advance(0.5)  # milliseconds that are not zero
    with Sandbox(key_limit=None, address_limit=None, clock=clock, bookings=200) as box:
        call = Api(box)
        served: list[str] = []
        for path in list_paths():
            items = call.all(path[1:])
            assert items or path == "/booking-calendars/{id}/time-slots", path
            served += [s for item in items for s in stamps(item)]
            if f"{path}/{{id}}" in spec()["paths"]:
                for item in items[:20]:
                    served += stamps(call("GET", f"{path}/{item['id']}").json())
        served += stamps(write_everything(call))
        assert len(served) > 1000
        wrong = [s for s in served if not FULL_FORM.match(s)]
        assert wrong == []


def write_everything(call: Api) -> list[JSON]:
    """The answers of the operations that write, each in its documented shape."""
    answers = []
    person = {"first_name": "A", "last_name": "B", "email": "ab@example.org"}
    contact = call("POST", "/contacts", json=person).json()
    answers += [contact, call("PATCH", f"/contacts/{contact['id']}", json={"city": "Oslo"}).json()]
    scheduled = call.all("bookings", status="scheduled")
    upcoming = [b for b in scheduled if not b.get("payment_information")]
    answers.append(call("POST", f"/bookings/{upcoming[0]['id']}/cancel").json())
    answers.append(call("POST", f"/bookings/{upcoming[1]['id']}/request-reschedule").json())
    calendar = next(
        c for c in call.all("booking-calendars") if c["published"] and c["host"].startswith("USR-")
    )
    slots = call("GET", f"/booking-calendars/{calendar['id']}/time-slots").json()
    answers.append({"slots": slots})
    form = {"name": "Dana Guest", "email": "dana@example.org"}
    body = {"start_time": slots[0]["start_time"], "guest_time_zone": "UTC", "booking_form": form}
    made = call("POST", f"/booking-calendars/{calendar['id']}/schedule", json=body).json()
    answers.append(call("GET", f"/bookings/{made['id']}").json())
    answers.append(call("POST", f"/booking-calendars/{calendar['id']}/one-time-links").json())
    master = call.all("master-pages")[0]
    answers.append(call("POST", f"/master-pages/{master['id']}/one-time-links").json())
    hook = {"name": "Times", "url": "https://hooks.example.org/t", "events": ["booking.canceled"]}
    answers.append(call("POST", "/webhooks", json=hook).json())
    errors = [a for a in answers if "type" in a and "message" in a]
    assert errors == []
    return answers


def test_seeded_times_are_whole_seconds_before_the_clocks_now() -> None:
    with Sandbox(key_limit=None, address_limit=None, clock=pinned()) as box:
        seeded = [s for item in Api(box).all("contacts") for s in stamps(item)]
        assert seeded and all(s.endswith(".000Z") for s in seeded)
        assert max(seeded) <= START_TEXT
