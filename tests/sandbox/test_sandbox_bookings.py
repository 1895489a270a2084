"""Bookings and booking calendars in the sandbox, over real HTTP with httpx.

Every answer is checked against the response schema of OnceHub's own OpenAPI file
(see tests/reference.py): lists, filters and expansions, the four
booking actions and their refusals, free time slots, scheduling, one-time links.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from oncehub_nb.sandbox import DEMO_KEY, Sandbox
from oncehub_nb.sandbox.scheduling import CONFERENCING, connected_conferencing
from tests.reference import assert_valid, component, response_schema, spec
from tests.sandbox.helpers import CLIENT, START, call, checked, get, now_of, pinned, post

NEXT_LINK = re.compile(r'<([^>]+)>; rel="next"')
SLOT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$")
LINK_ID = re.compile(r"^[0-9A-Z]{12}$")
UPCOMING = ("requested", "scheduled", "rescheduled")
FILTERS = ("status", "owner", "contact", "booking_page", "master_page", "event_type")
TIME_FIELDS = ("creation_time", "starting_time", "last_updated_time")


@pytest.fixture(scope="module")
def large() -> Iterator[Sandbox]:
    """1,500 bookings, for proportions and rare cases (paid bookings). Never changed.
    Its tests are marked slow: the first one lists and checks all 1,500 (seconds)."""
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None, bookings=1500) as running:
        yield running


def assert_error(
    response: httpx.Response, status: int, message: str | re.Pattern[str], param: str | None
) -> None:
    """An OnceHub error: status, the Error schema, the message and the ``param``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_valid(body, component("Error"))
    assert body["type"] == "invalid_request_error"
    if isinstance(message, str):
        assert body["message"] == message
    else:
        assert message.fullmatch(body["message"]), body["message"]
    assert body.get("param") == param


def all_bookings(sandbox: Sandbox, **params: Any) -> list[dict[str, Any]]:
    """Every booking (following ``Link: rel="next"``), validated page by page."""
    items: list[dict[str, Any]] = []
    response = get(sandbox, "/bookings", limit=100, **params)
    while True:
        items += checked(response, "/bookings")["data"]
        found = NEXT_LINK.search(response.headers.get("link", ""))
        assert bool(found) == response.json()["has_more"]
        if not found:
            return items
        response = CLIENT.get(found.group(1), headers={"API-Key": DEMO_KEY})


def calendars(sandbox: Sandbox) -> list[dict[str, Any]]:
    return checked(get(sandbox, "/booking-calendars", limit=100), "/booking-calendars")["data"]


def calendar_where(sandbox: Sandbox, test: Any) -> dict[str, Any]:
    found = [c for c in calendars(sandbox) if test(c)]
    assert found, "no seeded calendar fits"
    return found[0]


def slots(sandbox: Sandbox, calendar_id: str, **params: Any) -> list[dict[str, Any]]:
    path = "/booking-calendars/{id}/time-slots"
    response = get(sandbox, f"/booking-calendars/{calendar_id}/time-slots", **params)
    return checked(response, path)


def schedule(sandbox: Sandbox, calendar_id: str, start: str, **changes: Any) -> httpx.Response:
    body = {
        "start_time": start,
        "guest_time_zone": "Europe/Paris",
        "booking_form": {"name": "Carrie Customer", "email": "carrie.customer@example.com"},
        **changes,
    }
    return post(sandbox, f"/booking-calendars/{calendar_id}/schedule", body)


def one_with(items: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    found = [i for i in items if all(i.get(k) == v for k, v in fields.items())]
    assert found, f"no booking with {fields}"
    return found[0]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def a_published_calendar(sandbox: Sandbox) -> dict[str, Any]:
    return calendar_where(sandbox, lambda c: c["published"] and c["host"].startswith("USR-"))


# -- listing bookings ----------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_reference_file_is_present() -> None:
    assert "/bookings" in spec()["paths"]
    assert "/booking-calendars/{id}/schedule" in spec()["paths"]


@pytest.mark.needs_openapi
def test_bookings_list_validates_and_is_newest_first(sandbox: Sandbox) -> None:
    body = checked(get(sandbox, "/bookings", limit=100), "/bookings")
    times = [b["creation_time"] for b in body["data"]]
    assert len(times) == 30 and body["has_more"] is False
    assert times == sorted(times, reverse=True)
    assert len({b["id"] for b in body["data"]}) == 30


def assert_consistent(bookings: list[dict[str, Any]]) -> None:
    """Times in order, one source each, canceled originals behind rescheduled bookings."""
    by_id = {b["id"]: b for b in bookings}
    for b in bookings:
        assert b["creation_time"] <= b["last_updated_time"]
        assert b["creation_time"] < b["starting_time"]
        assert b["form_submission"]["email"] == b["attendees"][0]
        assert b["in_trash"] is False or b["status"] == "canceled"
        assert ("booking_page" in b) != ("booking_calendar" in b)  # one source each
        if b["status"] == "canceled":
            assert b["cancel_reschedule_information"]["actioned_by"] in ("user", "customer")
        if "rescheduled_booking_id" in b:
            original = by_id[b["rescheduled_booking_id"]]
            assert original["status"] == "canceled"
            assert original["contact"] == b["contact"]
            assert original["creation_time"] < b["creation_time"]
            assert original["last_updated_time"] == b["creation_time"]


@pytest.mark.needs_openapi
def test_seeded_bookings_are_consistent(sandbox: Sandbox) -> None:
    bookings = all_bookings(sandbox)
    assert_consistent(bookings)
    assert {b["status"] for b in bookings} >= {"completed", "scheduled", "canceled"}


@pytest.mark.slow
@pytest.mark.needs_openapi
def test_seeded_statuses_in_plausible_proportions(large: Sandbox) -> None:
    bookings = all_bookings(large)
    assert len(bookings) == 1500
    assert_consistent(bookings)
    share = {k: v / len(bookings) for k, v in Counter(b["status"] for b in bookings).items()}
    assert share["completed"] + share["scheduled"] > 0.6
    for rare in ("canceled", "no_show", "rescheduled", "requested"):
        assert 0 < share[rare] < 0.2, share
    from_calendars = sum(1 for b in bookings if "booking_calendar" in b) / len(bookings)
    assert 0.1 < from_calendars < 0.4
    assert sum(1 for b in bookings if "rescheduled_booking_id" in b) > 10


@pytest.mark.needs_openapi
def test_seeded_bookings_point_at_objects_that_exist(sandbox: Sandbox) -> None:
    paths: set[str] = set()
    for b in all_bookings(sandbox):
        paths |= {f"/users/{b['owner']}", f"/contacts/{b['contact']}"}
        for name, collection in [
            ("booking_page", "booking-pages"),
            ("event_type", "event-types"),
            ("master_page", "master-pages"),
            ("booking_calendar", "booking-calendars"),
        ]:
            if b.get(name):
                paths.add(f"/{collection}/{b[name]}")
    assert len(paths) > 10
    for path in sorted(paths):
        assert get(sandbox, path).status_code == 200, path


@pytest.mark.needs_openapi
def test_contacts_of_bookings_match_their_forms(sandbox: Sandbox) -> None:
    for b in all_bookings(sandbox)[:10]:
        contact = get(sandbox, f"/contacts/{b['contact']}").json()
        assert contact["email"] == b["form_submission"]["email"]
        assert contact["creation_time"] <= b["creation_time"]


@pytest.mark.needs_openapi
def test_get_one_booking(sandbox: Sandbox) -> None:
    listed = get(sandbox, "/bookings").json()["data"][4]
    body = checked(get(sandbox, f"/bookings/{listed['id']}"), "/bookings/{id}")
    assert body == listed


@pytest.mark.needs_openapi
def test_unknown_booking_is_404(sandbox: Sandbox) -> None:
    response = get(sandbox, "/bookings/BKNG-NOPE000000")
    assert_error(response, 404, "No such booking: 'BKNG-NOPE000000'", "id")
    assert_valid(response.json(), response_schema("/bookings/{id}", "get", 404))


@pytest.mark.needs_openapi
@pytest.mark.parametrize("name", FILTERS)
def test_filters_filter(sandbox: Sandbox, name: str) -> None:
    everything = all_bookings(sandbox)
    values = Counter(b.get(name) for b in everything if b.get(name))
    assert values, name
    value = values.most_common(1)[0][0]
    expected = [b["id"] for b in everything if b.get(name) == value]
    found = [b["id"] for b in all_bookings(sandbox, **{name: value})]
    assert found == expected and 0 < len(found) < len(everything)


@pytest.mark.needs_openapi
def test_booking_calendar_and_host_filters(sandbox: Sandbox) -> None:
    everything = all_bookings(sandbox)
    from_calendars = [b for b in everything if "booking_calendar" in b]
    calendar_id, host = from_calendars[0]["booking_calendar"], from_calendars[0]["owner"]
    found = all_bookings(sandbox, booking_calendar=calendar_id)
    assert [b["id"] for b in found] == [
        b["id"] for b in everything if b.get("booking_calendar") == calendar_id
    ]
    hosted = all_bookings(sandbox, host=host)
    assert hosted and all(b["owner"] == host and "booking_calendar" in b for b in hosted)
    assert len(hosted) == sum(1 for b in from_calendars if b["owner"] == host)


@pytest.mark.needs_openapi
def test_filters_combine(sandbox: Sandbox) -> None:
    everything = all_bookings(sandbox)
    owner = Counter(b["owner"] for b in everything).most_common(1)[0][0]
    found = all_bookings(sandbox, owner=owner, status="completed")
    expected = [b["id"] for b in everything if b["owner"] == owner and b["status"] == "completed"]
    assert [b["id"] for b in found] == expected


@pytest.mark.needs_openapi
def test_unknown_filter_value_finds_nothing(sandbox: Sandbox) -> None:
    body = checked(get(sandbox, "/bookings", owner="USR-NOBODY0000"), "/bookings")
    assert body == {"object": "list", "data": [], "has_more": False}


@pytest.mark.needs_openapi
def test_empty_filters_mean_no_filter(sandbox: Sandbox) -> None:
    """``booking_calendar`` and ``host`` default to '' in the reference: no filter."""
    params = {"status": "", "booking_calendar": "", "host": "", "owner": "", "limit": 100}
    body = checked(get(sandbox, "/bookings", **params), "/bookings")
    assert [b["id"] for b in body["data"]] == [b["id"] for b in all_bookings(sandbox)]


@pytest.mark.needs_openapi
@pytest.mark.parametrize("name", TIME_FIELDS)
def test_time_ranges_filter(sandbox: Sandbox, name: str) -> None:
    """The documented format is a date: whole (UTC) dates compare."""
    everything = all_bookings(sandbox)
    days = sorted(b[name][:10] for b in everything)
    low, high = days[5], days[-5]
    later = all_bookings(sandbox, **{f"{name}.gt": low})
    assert [b["id"] for b in later] == [b["id"] for b in everything if b[name][:10] > low]
    between = all_bookings(sandbox, **{f"{name}.gt": low, f"{name}.lt": high})
    expected = [b["id"] for b in everything if low < b[name][:10] < high]
    assert [b["id"] for b in between] == expected and expected
    earlier = all_bookings(sandbox, **{f"{name}.lt": high})
    assert [b["id"] for b in earlier] == [b["id"] for b in everything if b[name][:10] < high]


@pytest.mark.needs_openapi
@pytest.mark.parametrize("name", TIME_FIELDS)
def test_inverted_time_range_is_400(sandbox: Sandbox, name: str) -> None:
    response = get(sandbox, "/bookings", **{f"{name}.gt": "2025-03-10", f"{name}.lt": "2025-03-01"})
    message = f"{name}.gt cannot be later than {name}.lt"
    assert_error(response, 400, message, f"{name}.gt")


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"status": "cancelled"}, "status"),
        ({"status": "SCHEDULED"}, "status"),
        ({"starting_time.gt": "next tuesday"}, "starting_time.gt"),
        ({"limit": "101"}, "limit"),
        ({"after": "BKNG-NOPE000000"}, "after"),
    ],
)
def test_bad_list_parameters_are_400(sandbox: Sandbox, params: dict[str, str], param: str) -> None:
    assert_error(get(sandbox, "/bookings", **params), 400, re.compile(".+"), param)


@pytest.mark.needs_openapi
def test_paging_through_a_filter_follows_links(sandbox: Sandbox) -> None:
    expected = [b["id"] for b in all_bookings(sandbox) if b["status"] == "completed"]
    seen: list[str] = []
    response = get(sandbox, "/bookings", status="completed", limit=4)
    while True:
        body = checked(response, "/bookings")
        seen += [b["id"] for b in body["data"]]
        found = NEXT_LINK.search(response.headers.get("link", ""))
        if not found:
            break
        assert "status=completed" in found.group(1)
        response = CLIENT.get(found.group(1), headers={"API-Key": DEMO_KEY})
    assert seen == expected and len(seen) > 4


# -- expanding -----------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_list_expands_documented_fields(sandbox: Sandbox) -> None:
    plain = get(sandbox, "/bookings", limit=100).json()["data"]
    expand = "data.owner,data.event_type,data.booking_page,data.master_page,data.contact"
    body = checked(get(sandbox, "/bookings", limit=100, expand=expand), "/bookings")
    assert len(body["data"]) == len(plain)
    for before, after in zip(plain, body["data"], strict=True):
        assert after["owner"]["id"] == before["owner"]
        assert after["owner"]["object"] == "user"
        assert after["contact"]["id"] == before["contact"]
        for name in ("event_type", "booking_page", "master_page"):
            if before.get(name):
                assert after[name]["id"] == before[name]
            else:
                assert after.get(name) == before.get(name)
    assert any(isinstance(b.get("master_page"), dict) for b in body["data"])


@pytest.mark.needs_openapi
def test_one_booking_expands(sandbox: Sandbox) -> None:
    listed = get(sandbox, "/bookings", limit=100).json()["data"]
    booking = next(b for b in listed if b.get("event_type"))
    response = get(sandbox, f"/bookings/{booking['id']}", expand="owner,event_type,contact")
    body = checked(response, "/bookings/{id}")
    assert body["owner"] == get(sandbox, f"/users/{booking['owner']}").json()
    assert body["event_type"] == get(sandbox, f"/event-types/{booking['event_type']}").json()
    assert body["contact"] == get(sandbox, f"/contacts/{booking['contact']}").json()
    assert body["booking_page"] == booking["booking_page"]  # not asked: stays an id


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("path", "expand"),
    [
        ("/bookings", "owner"),  # a list needs the data. prefix
        ("/bookings", "data.booking_calendar"),
        ("/bookings", "data.nothing"),
        ("/bookings/{id}", "booking_calendar"),
    ],
)
def test_unexpandable_fields_are_400(sandbox: Sandbox, path: str, expand: str) -> None:
    booking_id = get(sandbox, "/bookings").json()["data"][0]["id"]
    response = get(sandbox, path.replace("{id}", booking_id), expand=expand)
    assert_error(response, 400, re.compile(r"This property cannot be expanded: \S+$"), "expand")


# -- cancel, request a reschedule, no-show, reassign -----------------------------------------


def account_owner_id(sandbox: Sandbox) -> str:
    users = get(sandbox, "/users", limit=100).json()["data"]
    return next(u["id"] for u in users if u["email"] == sandbox.account().email)


@pytest.mark.needs_openapi
def test_cancel_an_upcoming_booking(sandbox: Sandbox) -> None:
    bookings = all_bookings(sandbox)
    booking = one_with(bookings, status="scheduled")
    before = now_of(sandbox)
    response = post(sandbox, f"/bookings/{booking['id']}/cancel", {"cancellation_reason": "Ill"})
    body = checked(response, "/bookings/{id}/cancel", "post")
    assert body["status"] == "canceled"
    assert body["cancel_reschedule_information"] == {
        "reason": "Ill",
        "actioned_by": "user",
        "user_id": account_owner_id(sandbox),
    }
    assert parse(body["last_updated_time"]) >= before
    assert body["starting_time"] == booking["starting_time"]
    assert get(sandbox, f"/bookings/{booking['id']}").json() == body
    assert booking["id"] in [b["id"] for b in all_bookings(sandbox, status="canceled")]
    assert booking["id"] not in [b["id"] for b in all_bookings(sandbox, status="scheduled")]
    assert [b["id"] for b in all_bookings(sandbox)] == [b["id"] for b in bookings]  # same order


@pytest.mark.needs_openapi
def test_cancel_without_a_body(sandbox: Sandbox) -> None:
    booking = one_with(all_bookings(sandbox), status="scheduled")
    response = call(sandbox, "POST", f"/bookings/{booking['id']}/cancel")
    body = checked(response, "/bookings/{id}/cancel", "post")
    assert body["status"] == "canceled"
    assert "reason" not in body["cancel_reschedule_information"]


@pytest.mark.slow
@pytest.mark.needs_openapi
@pytest.mark.parametrize("status", ["canceled", "completed", "no_show"])
def test_cancel_refuses_what_cannot_be_canceled(large: Sandbox, status: str) -> None:
    booking = one_with(all_bookings(large, status=status), status=status)
    response = post(large, f"/bookings/{booking['id']}/cancel", {})
    assert_error(response, 409, f"Booking cannot be cancelled: '{booking['id']}'", "id")
    assert_valid(response.json(), response_schema("/bookings/{id}/cancel", "post", 409))
    assert get(large, f"/bookings/{booking['id']}").json() == booking


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"cancellation_reason": 5}, "cancellation_reason"),
        ({"send_cancellation_email": "yes"}, "send_cancellation_email"),
        ({"send_cancellation_email": None}, "send_cancellation_email"),
        ({"cancellation_reason": None}, "cancellation_reason"),
        ([], "body"),
    ],
)
def test_cancel_checks_its_body(sandbox: Sandbox, body: Any, param: str) -> None:
    booking = one_with(all_bookings(sandbox), status="scheduled")
    response = post(sandbox, f"/bookings/{booking['id']}/cancel", body)
    assert_error(response, 400, re.compile(".+"), param)
    assert get(sandbox, f"/bookings/{booking['id']}").json()["status"] == "scheduled"


def paid_calendar(sandbox: Sandbox) -> str:
    """The calendar whose bookings carry payment information."""
    for b in all_bookings(sandbox, status="completed"):
        if b.get("payment_information"):
            return str(b["booking_calendar"])
    raise AssertionError("no paid booking")


@pytest.mark.slow
@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            "cancel",
            "Paid bookings cannot be canceled through this endpoint. Please login to OnceHub "
            "and use the Activity Stream to cancel paid bookings.",
        ),
        (
            "request-reschedule",
            "Paid bookings can only be requested for reschedule in your OnceHub account. Log "
            "in and use the activity stream to submit a reschedule request for this booking.",
        ),
    ],
)
def test_paid_bookings_are_422(large: Sandbox, action: str, message: str) -> None:
    upcoming = all_bookings(large, status="scheduled", booking_calendar=paid_calendar(large))
    paid = [b for b in upcoming if b.get("payment_information")]
    assert paid, "no paid upcoming booking"
    assert paid[0]["payment_information"]["transaction_id"].startswith("ch_")
    response = post(large, f"/bookings/{paid[0]['id']}/{action}", {})
    assert_error(response, 422, message, None)
    assert get(large, f"/bookings/{paid[0]['id']}").json()["status"] == "scheduled"


@pytest.mark.needs_openapi
def test_request_reschedule(sandbox: Sandbox) -> None:
    booking = one_with(all_bookings(sandbox), status="scheduled")
    path = f"/bookings/{booking['id']}/request-reschedule"
    body = checked(
        post(sandbox, path, {"reschedule_reason": "Host is ill"}),
        path.replace(booking["id"], "{id}"),
        "post",
    )
    assert body["status"] == "canceled"
    assert body["cancel_reschedule_information"]["reason"] == "Host is ill"
    assert body["cancel_reschedule_information"]["actioned_by"] == "user"
    assert get(sandbox, f"/bookings/{booking['id']}").json() == body
    again = post(sandbox, path, {})
    assert_error(again, 409, f"Booking cannot be cancelled: '{booking['id']}'", "id")


@pytest.mark.needs_openapi
def test_request_reschedule_checks_its_body(sandbox: Sandbox) -> None:
    booking = one_with(all_bookings(sandbox), status="scheduled")
    response = post(
        sandbox, f"/bookings/{booking['id']}/request-reschedule", {"reschedule_reason": []}
    )
    assert_error(response, 400, re.compile(".+"), "reschedule_reason")


@pytest.mark.needs_openapi
def test_no_show_after_the_meeting(sandbox: Sandbox) -> None:
    booking = one_with(all_bookings(sandbox), status="completed")
    path = f"/bookings/{booking['id']}/no-show"
    body = checked(post(sandbox, path), "/bookings/{id}/no-show", "post")
    assert body["status"] == "no_show" and body["last_updated_time"] > booking["last_updated_time"]
    assert get(sandbox, f"/bookings/{booking['id']}").json()["status"] == "no_show"
    again = post(sandbox, path)
    assert_error(again, 409, f"Cannot update booking status to no_show: '{booking['id']}'", "id")


@pytest.mark.slow
@pytest.mark.needs_openapi
@pytest.mark.parametrize("status", ["canceled", "requested", "no_show"])
def test_no_show_refuses_meetings_that_did_not_take_place(large: Sandbox, status: str) -> None:
    booking = one_with(all_bookings(large, status=status), status=status)
    response = post(large, f"/bookings/{booking['id']}/no-show")
    message = f"Cannot update booking status to no_show: '{booking['id']}'"
    assert_error(response, 409, message, "id")
    assert_valid(response.json(), response_schema("/bookings/{id}/no-show", "post", 409))
    assert get(large, f"/bookings/{booking['id']}").json() == booking


@pytest.mark.needs_openapi
def test_no_show_refuses_a_meeting_yet_to_start(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    start = slots(
        sandbox, calendar["id"], start_time=(now_of(sandbox) + timedelta(days=2)).isoformat()
    )
    booking_id = schedule(sandbox, calendar["id"], start[0]["start_time"]).json()["id"]
    response = post(sandbox, f"/bookings/{booking_id}/no-show")
    assert_error(response, 409, f"Cannot update booking status to no_show: '{booking_id}'", "id")


def reassignable(sandbox: Sandbox) -> tuple[dict[str, Any], dict[str, Any]]:
    """An upcoming booking, and an active user who is not its owner."""
    booking = one_with(all_bookings(sandbox), status="scheduled")
    users = get(sandbox, "/users", limit=100).json()["data"]
    user = next(u for u in users if u["status"] == "active" and u["id"] != booking["owner"])
    return booking, user


@pytest.mark.needs_openapi
def test_reassign_to_another_host(sandbox: Sandbox) -> None:
    booking, user = reassignable(sandbox)
    path = f"/bookings/{booking['id']}/reassign"
    body = checked(post(sandbox, path, {"new_host": user["id"]}), "/bookings/{id}/reassign", "post")
    assert body["owner"] == user["id"] and body["status"] == "scheduled"
    assert body["external_calendar"]["name"] == user["email"]
    assert body["last_updated_time"] > booking["last_updated_time"]
    assert get(sandbox, f"/bookings/{booking['id']}").json() == body
    assert booking["id"] in [b["id"] for b in all_bookings(sandbox, owner=user["id"])]
    assert booking["id"] not in [b["id"] for b in all_bookings(sandbox, owner=booking["owner"])]


@pytest.mark.needs_openapi
def test_reassign_with_a_connected_video_service(sandbox: Sandbox) -> None:
    booking, user = reassignable(sandbox)
    connected = connected_conferencing(user["id"])
    missing = next(s for s in CONFERENCING if s not in connected)
    path = f"/bookings/{booking['id']}/reassign"
    refused = post(
        sandbox, path, {"new_host": user["id"], "location": {"type": "virtual", "value": missing}}
    )
    assert_error(
        refused,
        409,
        re.compile(rf"Invalid location: '.+' is not connected for this user\. .*{connected[0]}.*"),
        "location.value",
    )
    location = {"type": "virtual", "value": connected[0]}
    response = post(sandbox, path, {"new_host": user["id"], "location": location})
    body = checked(response, "/bookings/{id}/reassign", "post")
    assert body["owner"] == user["id"]
    assert body["virtual_conferencing"]["join_url"].startswith("https://")
    assert "location_description" not in body


@pytest.mark.needs_openapi
def test_reassign_errors(sandbox: Sandbox) -> None:
    booking, user = reassignable(sandbox)
    path = f"/bookings/{booking['id']}/reassign"
    assert_error(
        post(sandbox, path, {"new_host": "USR-NOBODY0000"}),
        404,
        "No such user: 'USR-NOBODY0000'",
        "new_host",
    )
    assert_error(
        post(sandbox, path, {"new_host": booking["owner"]}),
        409,
        "Booking cannot be reassigned to the same host.",
        "new_host",
    )
    sandbox.account().tables["users"].update(user["id"], {"status": "invited"})
    assert_error(
        post(sandbox, path, {"new_host": user["id"]}), 409, "User is inactive.", "new_host"
    )
    done = one_with(all_bookings(sandbox), status="completed")
    others = [
        u for u in get(sandbox, "/users", limit=100).json()["data"] if u["status"] == "active"
    ]
    new_host = next(u["id"] for u in others if u["id"] != done["owner"])
    assert_error(
        post(sandbox, f"/bookings/{done['id']}/reassign", {"new_host": new_host}),
        409,
        "Booking cannot be reassigned in its current status.",
        "id",
    )
    assert get(sandbox, f"/bookings/{booking['id']}").json() == booking


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "new_host"),
        ({"new_host": 7}, "new_host"),
        ({"new_host": "USR-X", "location": {"type": "physical", "value": "zoom"}}, "location.type"),
        (
            {"new_host": "USR-X", "location": {"type": "virtual", "value": "skype"}},
            "location.value",
        ),
        ({"new_host": "USR-X", "location": {"type": "virtual"}}, "location.value"),
    ],
)
def test_reassign_checks_its_body(sandbox: Sandbox, body: dict[str, Any], param: str) -> None:
    booking_id = get(sandbox, "/bookings").json()["data"][0]["id"]
    response = post(sandbox, f"/bookings/{booking_id}/reassign", body)
    assert_error(response, 400, re.compile(".+"), param)


@pytest.mark.needs_openapi
@pytest.mark.parametrize("action", ["cancel", "request-reschedule", "reassign", "no-show"])
def test_actions_on_unknown_bookings_are_404(sandbox: Sandbox, action: str) -> None:
    body = {"new_host": account_owner_id(sandbox)} if action == "reassign" else {}
    response = post(sandbox, f"/bookings/BKNG-NOPE000000/{action}", body)
    assert_error(response, 404, "No such booking: 'BKNG-NOPE000000'", "id")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/bookings/BKNG-ANY", "GET, HEAD"),
        ("POST", "/bookings", "GET, HEAD"),
        ("GET", "/bookings/BKNG-ANY/cancel", "POST"),
        ("PATCH", "/booking-calendars/BKC-ANY", "GET, HEAD"),
        ("GET", "/booking-calendars/BKC-ANY/schedule", "POST"),
        ("POST", "/booking-calendars/BKC-ANY/time-slots", "GET, HEAD"),
    ],
)
def test_undocumented_methods_are_405(
    sandbox: Sandbox, method: str, path: str, allowed: str
) -> None:
    response = call(sandbox, method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed


# -- booking calendars ---------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_calendars_list_validates(sandbox: Sandbox) -> None:
    found = calendars(sandbox)
    assert 4 <= len(found) <= 10
    assert len({c["id"] for c in found}) == len(found)
    assert all(re.fullmatch(r"BKC-[0-9A-Z]{10}", c["id"]) for c in found)
    assert any(not c["published"] for c in found) and any(c["published"] for c in found)
    for c in found:
        kind = "users" if c["host"].startswith("USR-") else "teams"
        assert get(sandbox, f"/{kind}/{c['host']}").status_code == 200
        assert c["url"].startswith("https://") and c["duration_minutes"] in (15, 30, 45, 60)
    assert any(c["host"].startswith("TM-") for c in found)


@pytest.mark.needs_openapi
def test_calendars_host_filter_and_paging(sandbox: Sandbox) -> None:
    found = calendars(sandbox)
    host = found[2]["host"]
    body = checked(get(sandbox, "/booking-calendars", host=host), "/booking-calendars")
    assert [c["id"] for c in body["data"]] == [c["id"] for c in found if c["host"] == host]
    first = checked(get(sandbox, "/booking-calendars", limit=2), "/booking-calendars")
    assert (
        first["has_more"] is True and "link" in get(sandbox, "/booking-calendars", limit=2).headers
    )
    rest = get(sandbox, "/booking-calendars", limit=100, after=first["data"][-1]["id"]).json()
    assert [c["id"] for c in first["data"] + rest["data"]] == [c["id"] for c in found]


@pytest.mark.needs_openapi
def test_get_one_calendar_and_404(sandbox: Sandbox) -> None:
    listed = calendars(sandbox)[1]
    path = "/booking-calendars/{id}"
    assert checked(get(sandbox, f"/booking-calendars/{listed['id']}"), path) == listed
    response = get(sandbox, "/booking-calendars/BKC-NOPE000000")
    assert_error(response, 404, "No such booking calendar: 'BKC-NOPE000000'", "id")


@pytest.mark.needs_openapi
def test_time_slots_for_the_next_week(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    before = now_of(sandbox)
    found = slots(sandbox, calendar["id"])
    zone = ZoneInfo(get(sandbox, f"/users/{calendar['host']}").json()["timezone"])
    assert found
    times = [parse(s["start_time"]) for s in found]
    assert times == sorted(set(times))
    assert all(SLOT_TIME.match(s["start_time"]) for s in found)
    assert all(before <= t < before + timedelta(days=7, seconds=5) for t in times)
    for moment in times:
        local = moment.astimezone(zone)
        assert local.weekday() < 5 and 8 <= local.hour < 18, local
    assert all(s["locations"] and s["locations"][0]["type"] for s in found)


@pytest.mark.needs_openapi
def test_time_slots_in_a_range_are_deterministic(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    start = (now_of(sandbox) + timedelta(days=3)).replace(hour=0, minute=0, second=0)
    params = {"start_time": start.isoformat(), "end_time": (start + timedelta(days=10)).isoformat()}
    found = slots(sandbox, calendar["id"], **params)
    assert found and found == slots(sandbox, calendar["id"], **params)
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None) as other:
        assert slots(other, calendar["id"], **params) == found
    times = [parse(s["start_time"]) for s in found]
    assert all(start <= t < start + timedelta(days=10) for t in times)
    assert all(t.minute % 15 == 0 and t.second == 0 for t in times)


@pytest.mark.needs_openapi
def test_time_slots_of_the_past_are_empty(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    past = {"start_time": "2025-03-01", "end_time": START.isoformat()}  # START: its clock's start
    assert slots(sandbox, calendar["id"], **past) == []


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("params", "message", "param"),
    [
        (
            {"start_time": "2030-01-10T00:00:00Z", "end_time": "2030-01-09T00:00:00Z"},
            "End time must be after the start time.",
            "end_time",
        ),
        (
            {"start_time": "2030-01-10T00:00:00Z", "end_time": "2030-01-10T00:00:00Z"},
            "End time must be after the start time.",
            "end_time",
        ),
        (
            {"start_time": "2030-01-01T00:00:00Z", "end_time": "2030-02-01T00:00:00Z"},
            "The difference between start_time and end_time must be less than or equal to 30 days.",
            "end_time",
        ),
        (
            {"end_time": "2020-01-01T00:00:00Z"},
            "End time must be after the start time.",
            "end_time",
        ),
        ({"start_time": "soon"}, re.compile("Invalid timestamp.+"), "start_time"),
        ({"start_time": "9999-12-31T23:00:00Z"}, re.compile(".+"), "start_time"),
        (
            {"start_time": "0001-01-01T00:00:00Z", "end_time": "0001-01-02"},
            re.compile(".+"),
            "start_time",
        ),
    ],
)
def test_time_slot_range_errors(
    sandbox: Sandbox, params: dict[str, str], message: Any, param: str
) -> None:
    calendar = a_published_calendar(sandbox)
    response = get(sandbox, f"/booking-calendars/{calendar['id']}/time-slots", **params)
    assert_error(response, 400, message, param)


@pytest.mark.needs_openapi
def test_time_slots_of_an_unpublished_calendar_are_422(sandbox: Sandbox) -> None:
    draft = calendar_where(sandbox, lambda c: not c["published"])
    response = get(sandbox, f"/booking-calendars/{draft['id']}/time-slots")
    message = "Time slots cannot be retrieved from an unpublished booking calendar."
    assert_error(response, 422, message, "id")
    assert_error(
        get(sandbox, "/booking-calendars/BKC-NOPE000000/time-slots"),
        404,
        "No such booking calendar: 'BKC-NOPE000000'",
        "id",
    )


@pytest.mark.needs_openapi
def test_a_host_without_a_seat_is_402(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    start = slots(sandbox, calendar["id"])[0]["start_time"]
    sandbox.account().tables["users"].update(calendar["host"], {"status": "invited"})
    response = get(sandbox, f"/booking-calendars/{calendar['id']}/time-slots")
    message = "Time slots cannot be retrieved when the host doesn't have a seat assigned."
    assert_error(response, 402, message, None)
    message = "Meeting cannot be scheduled when the host doesn't have a seat assigned."
    assert_error(schedule(sandbox, calendar["id"], start), 402, message, None)


# -- scheduling ----------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_schedule_books_a_free_slot_and_takes_it(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    free = slots(sandbox, calendar["id"])
    chosen = free[1]["start_time"]
    form = {"name": "Carrie Customer", "email": "carrie.customer@example.com", "role": "CTO"}
    response = schedule(sandbox, calendar["id"], chosen, booking_form=form)
    body = checked(response, "/booking-calendars/{id}/schedule", "post")
    assert re.fullmatch(r"BKNG-[0-9A-Z]{10}", body["id"])
    assert chosen not in [s["start_time"] for s in slots(sandbox, calendar["id"])]
    assert [s["start_time"] for s in slots(sandbox, calendar["id"])] == [
        s["start_time"] for s in free if s["start_time"] != chosen
    ]
    newest = checked(get(sandbox, "/bookings", limit=1), "/bookings")["data"][0]
    assert newest["id"] == body["id"]
    booking = checked(get(sandbox, f"/bookings/{body['id']}"), "/bookings/{id}")
    assert booking["status"] == "scheduled"
    assert booking["booking_calendar"] == calendar["id"] and booking["owner"] == calendar["host"]
    assert parse(booking["starting_time"]) == parse(chosen)
    assert booking["duration_minutes"] == calendar["duration_minutes"]
    assert booking["subject"] == calendar["subject"]
    assert booking["customer_timezone"] == "Europe/Paris"
    assert booking["creation_time"] == booking["last_updated_time"]
    assert booking["form_submission"]["custom_fields"] == [{"name": "role", "value": "CTO"}]
    assert booking["attendees"] == ["carrie.customer@example.com"]
    assert booking["reschedule_url"].endswith(body["id"])
    contact = checked(get(sandbox, f"/contacts/{booking['contact']}"), "/contacts/{id}")
    assert contact["email"] == "carrie.customer@example.com"
    assert (contact["first_name"], contact["last_name"]) == ("Carrie", "Customer")
    assert all_bookings(sandbox, contact=contact["id"]) == [booking]
    again = schedule(sandbox, calendar["id"], chosen)
    assert_error(again, 400, "The selected start time is not available.", "start_time")


@pytest.mark.needs_openapi
def test_schedule_reuses_a_contact_by_email(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    contacts = get(sandbox, "/contacts", limit=100).json()["data"]
    known = contacts[3]
    start = slots(sandbox, calendar["id"])[0]["start_time"]
    form = {"name": "Someone Else", "email": known["email"].upper()}
    booking_id = schedule(sandbox, calendar["id"], start, booking_form=form).json()["id"]
    assert get(sandbox, f"/bookings/{booking_id}").json()["contact"] == known["id"]
    assert len(get(sandbox, "/contacts", limit=100).json()["data"]) == len(contacts)


@pytest.mark.needs_openapi
def test_team_calendar_gives_meetings_to_members(sandbox: Sandbox) -> None:
    calendar = calendar_where(sandbox, lambda c: c["published"] and c["host"].startswith("TM-"))
    free = slots(sandbox, calendar["id"])
    users = get(sandbox, "/users", limit=100).json()["data"]
    members = [u for u in users if u["status"] == "active" and calendar["host"] in u["teams"]]
    owners = set()
    for slot in free[:3]:
        booking_id = schedule(sandbox, calendar["id"], slot["start_time"]).json()["id"]
        owner = get(sandbox, f"/bookings/{booking_id}").json()["owner"]
        user = get(sandbox, f"/users/{owner}").json()
        assert calendar["host"] in user["teams"] and user["status"] == "active"
        owners.add(owner)
    assert len(owners) == min(3, len(members))  # round robin among the members


@pytest.mark.needs_openapi
def test_schedule_with_a_chosen_location(sandbox: Sandbox) -> None:
    def offers(kind: str) -> Any:
        def test(c: dict[str, Any]) -> bool:
            if not c["published"]:
                return False
            found = slots(sandbox, c["id"])
            return bool(found) and any(o["type"] == kind for o in found[0]["locations"])

        return test

    phone_calendar = calendar_where(sandbox, offers("guest_phone"))
    start = slots(sandbox, phone_calendar["id"])[0]["start_time"]
    bad = schedule(
        sandbox, phone_calendar["id"], start, location={"type": "guest_phone", "value": "555"}
    )
    assert_error(bad, 400, re.compile("Invalid phone number.+"), "location.value")
    location = {"type": "guest_phone", "value": "+12025550123"}
    booking_id = schedule(sandbox, phone_calendar["id"], start, location=location).json()["id"]
    booking = get(sandbox, f"/bookings/{booking_id}").json()
    assert booking["form_submission"]["phone"] == "+12025550123"
    office = calendar_where(sandbox, offers("physical"))
    free = slots(sandbox, office["id"])
    address = next(o for o in free[0]["locations"] if o["type"] == "physical")
    location = {"type": "physical", "value": address["id"]}
    booking_id = schedule(sandbox, office["id"], free[0]["start_time"], location=location).json()[
        "id"
    ]
    booking = checked(get(sandbox, f"/bookings/{booking_id}"), "/bookings/{id}")
    assert booking["location_description"] and "virtual_conferencing" not in booking
    not_offered = schedule(
        sandbox,
        phone_calendar["id"],
        slots(sandbox, phone_calendar["id"])[0]["start_time"],
        location={"type": "physical", "value": address["id"]},
    )
    assert_error(not_offered, 400, re.compile(".+"), "location")


@pytest.mark.needs_openapi
def test_schedule_defaults_to_a_virtual_meeting(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    start = slots(sandbox, calendar["id"])[0]["start_time"]
    booking_id = schedule(sandbox, calendar["id"], start).json()["id"]
    booking = get(sandbox, f"/bookings/{booking_id}").json()
    assert booking["virtual_conferencing"]["join_url"].startswith("https://")


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("changes", "message", "param"),
    [
        ({"booking_form": {"name": "Carrie"}}, "Required fields are missing.", "booking_form"),
        (
            {"booking_form": {"email": "c@example.com"}},
            "Required fields are missing.",
            "booking_form",
        ),
        (
            {"booking_form": {"name": "Carrie", "email": "not-an-email"}},
            re.compile("Invalid email address.+"),
            "booking_form.email",
        ),
        (
            {"booking_form": {"name": "C", "email": "c@example.com", "size": 5}},
            re.compile(".+"),
            "booking_form.size",
        ),
        ({"booking_form": None}, re.compile(".+"), "booking_form"),
        ({"guest_time_zone": "Mars/Olympus_Mons"}, re.compile(".+"), "guest_time_zone"),
        ({"guest_time_zone": 3}, re.compile(".+"), "guest_time_zone"),
        ({"start_time": "whenever"}, re.compile("Invalid timestamp.+"), "start_time"),
        ({"location": {"type": "carrier_pigeon"}}, re.compile(".+"), "location.type"),
    ],
)
def test_schedule_checks_its_body(
    sandbox: Sandbox, changes: dict[str, Any], message: Any, param: str
) -> None:
    calendar = a_published_calendar(sandbox)
    start = slots(sandbox, calendar["id"])[0]["start_time"]
    response = schedule(sandbox, calendar["id"], start, **changes)
    assert_error(response, 400, message, param)
    assert len(all_bookings(sandbox)) == 30


@pytest.mark.needs_openapi
@pytest.mark.parametrize("missing", ["start_time", "guest_time_zone", "booking_form"])
def test_schedule_needs_its_required_fields(sandbox: Sandbox, missing: str) -> None:
    calendar = a_published_calendar(sandbox)
    body = {
        "start_time": slots(sandbox, calendar["id"])[0]["start_time"],
        "guest_time_zone": "Europe/Paris",
        "booking_form": {"name": "Carrie Customer", "email": "carrie@example.com"},
    }
    del body[missing]
    response = post(sandbox, f"/booking-calendars/{calendar['id']}/schedule", body)
    assert_error(response, 400, re.compile(".+"), missing)


@pytest.mark.needs_openapi
def test_schedule_refuses_times_that_are_not_free_slots(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    first = parse(slots(sandbox, calendar["id"])[0]["start_time"])
    for moment in (first + timedelta(minutes=7), now_of(sandbox) - timedelta(days=1)):
        response = schedule(sandbox, calendar["id"], moment.isoformat())
        assert_error(response, 400, "The selected start time is not available.", "start_time")
    assert len(all_bookings(sandbox)) == 30


@pytest.mark.needs_openapi
def test_schedule_on_unpublished_or_unknown_calendars(sandbox: Sandbox) -> None:
    draft = calendar_where(sandbox, lambda c: not c["published"])
    start = (now_of(sandbox) + timedelta(days=2)).isoformat()
    message = "Meeting cannot be scheduled on an unpublished booking calendar."
    assert_error(schedule(sandbox, draft["id"], start), 422, message, "id")
    unknown = schedule(sandbox, "BKC-NOPE000000", start)
    assert_error(unknown, 404, "No such booking calendar: 'BKC-NOPE000000'", "id")


# -- one-time links ------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_one_time_links(sandbox: Sandbox) -> None:
    calendar = a_published_calendar(sandbox)
    path = f"/booking-calendars/{calendar['id']}/one-time-links"
    schema_path = "/booking-calendars/{id}/one-time-links"
    body = {
        "booking_form": {"name": "Carrie Customer", "email": "carrie@example.com"},
        "utm_params": {"source": "newsletter", "campaign": "spring"},
    }
    link = checked(post(sandbox, path, body), schema_path, "post")
    assert LINK_ID.match(link["id"])
    assert link["url"].startswith(calendar["url"] + "?")
    assert f"otl={link['id']}" in link["url"] and "utm_source=newsletter" in link["url"]
    assert "email=carrie%40example.com" in link["url"]
    assert parse(link["creation_time"]) >= now_of(sandbox) - timedelta(minutes=1)
    short = checked(post(sandbox, path, {"hide_url_params": True}), schema_path, "post")
    assert "?" not in short["url"] and short["url"].endswith(short["id"])
    assert short["id"] != link["id"]
    empty = checked(call(sandbox, "POST", path), schema_path, "post")
    assert empty["id"] not in (link["id"], short["id"])


@pytest.mark.needs_openapi
def test_one_time_link_errors(sandbox: Sandbox) -> None:
    draft = calendar_where(sandbox, lambda c: not c["published"])
    response = post(sandbox, f"/booking-calendars/{draft['id']}/one-time-links", {})
    message = f"This booking calendar does not allow creation of one time links: '{draft['id']}'"
    assert_error(response, 400, message, "id")
    unknown = post(sandbox, "/booking-calendars/BKC-NOPE000000/one-time-links", {})
    assert_error(unknown, 404, "No such booking calendar: 'BKC-NOPE000000'", "id")
    calendar = a_published_calendar(sandbox)
    path = f"/booking-calendars/{calendar['id']}/one-time-links"
    for body, param in [
        ({"hide_url_params": "yes"}, "hide_url_params"),
        ({"hide_url_params": None}, "hide_url_params"),
        ({"booking_form": {"email": "nope"}}, "booking_form.email"),
        ({"booking_form": {"phone": None}}, "booking_form.phone"),
        ({"booking_form": []}, "booking_form"),
        ({"utm_params": {"source": 1}}, "utm_params.source"),
        ({"utm_params": {"term": None}}, "utm_params.term"),
        ({"utm_params": None}, "utm_params"),
    ]:
        assert_error(post(sandbox, path, body), 400, re.compile(".+"), param)
    assert len(sandbox.account().tables["_booking-calendar-one-time-links"]) == 0


# -- state, determinism, scale -------------------------------------------------------------


@pytest.mark.needs_openapi
def test_reset_restores_the_seeded_bookings(sandbox: Sandbox) -> None:
    bookings = all_bookings(sandbox)
    booking = one_with(bookings, status="scheduled")
    post(sandbox, f"/bookings/{booking['id']}/cancel", {})
    calendar = a_published_calendar(sandbox)
    free = slots(sandbox, calendar["id"])
    new_id = schedule(sandbox, calendar["id"], free[0]["start_time"]).json()["id"]
    assert len(all_bookings(sandbox)) == 31
    sandbox.reset()
    assert all_bookings(sandbox) == bookings
    assert get(sandbox, f"/bookings/{new_id}").status_code == 404
    assert slots(sandbox, calendar["id"])[0] == free[0]


@pytest.mark.needs_openapi
def test_same_seed_same_data_other_seed_other_data(sandbox: Sandbox) -> None:
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None) as same:
        assert all_bookings(same) == all_bookings(sandbox)
        assert calendars(same) == calendars(sandbox)
    with Sandbox(clock=pinned(), key_limit=None, address_limit=None, seed=7) as other:
        theirs = all_bookings(other)
        assert len(theirs) == 30
        assert {b["id"] for b in theirs}.isdisjoint({b["id"] for b in all_bookings(sandbox)})
        assert {c["id"] for c in calendars(other)} != {c["id"] for c in calendars(sandbox)}
