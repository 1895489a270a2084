"""A new user's first tour of the sandbox, with this package's own client.

The path the README shows: list, filter and expand bookings; add a contact; schedule a
booking and cancel it; register a webhook and delete it. Each answer is checked against
OnceHub's reference schema, so client and sandbox each vouch for the other.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.errors import NotFoundError
from oncehub_nb.sandbox import DEMO_KEY, Sandbox
from tests.reference import assert_valid, response_schema
from tests.sandbox.helpers import pinned


@pytest.fixture(scope="module")
def client() -> Iterator[OnceHub]:
    with Sandbox(
        clock=pinned(), key_limit=None, address_limit=None, bookings=2_000, contacts=1_000
    ) as box:
        api = OnceHub(DEMO_KEY, base_url=box.base_url, rate_limit=False)
        with api:
            yield api


def valid(body: object, path: str, method: str = "get", status: int = 200) -> object:
    assert_valid(body, response_schema(path, method, status))
    return body


@pytest.mark.needs_openapi
def test_list_filter_and_expand(client: OnceHub) -> None:
    page = valid(client.get("/bookings", limit=100), "/bookings")
    assert len(page["data"]) == 100 and page["has_more"] is True
    done = client.get("/bookings", status="completed", limit=20, expand="data.event_type")
    valid(done, "/bookings")
    assert all(b["status"] == "completed" for b in done["data"])
    expanded = [b["event_type"] for b in done["data"] if b.get("event_type")]
    assert expanded and all(e["object"] == "event_type" for e in expanded)
    every = list(client.paginate("/event-types", limit=5))
    assert len(every) == len({e["id"] for e in every}) == 12


@pytest.mark.needs_openapi
def test_add_a_contact(client: OnceHub) -> None:
    made = client.request(
        "POST",
        "/contacts",
        json_body={"first_name": "Carrie", "last_name": "Customer", "email": "carrie@example.org"},
    )
    contact = valid(made.json(), "/contacts", "post", 201)
    assert made.status_code == 201
    found = client.get("/contacts", email="carrie@example.org")["data"]
    assert [c["id"] for c in found] == [contact["id"]]


@pytest.mark.needs_openapi
def test_schedule_then_cancel_a_booking(client: OnceHub) -> None:
    calendars = client.get("/booking-calendars", limit=100)["data"]
    calendar = next(c for c in calendars if c["published"])
    slots = client.get(f"/booking-calendars/{calendar['id']}/time-slots")
    start = slots[0]["start_time"]
    form = {"name": "Dana Guest", "email": "dana.guest@example.org"}
    scheduled = client.post(
        f"/booking-calendars/{calendar['id']}/schedule",
        {"start_time": start, "guest_time_zone": "Europe/Paris", "booking_form": form},
    )
    valid(scheduled, "/booking-calendars/{id}/schedule", "post")
    booking = client.get(f"/bookings/{scheduled['id']}")
    assert booking["status"] == "scheduled"
    canceled = client.post(f"/bookings/{booking['id']}/cancel", {"cancellation_reason": "Ill"})
    valid(canceled, "/bookings/{id}/cancel", "post")
    assert client.get(f"/bookings/{booking['id']}")["status"] == "canceled"


@pytest.mark.needs_openapi
def test_register_and_delete_a_webhook(client: OnceHub) -> None:
    hook = client.post(
        "/webhooks",
        {"name": "Tour", "url": "https://hooks.example.org/tour", "events": ["booking.scheduled"]},
    )
    valid(hook, "/webhooks", "post")
    assert hook["id"].startswith("WHK-") and len(hook["secret"]) >= 16
    gone = client.request("DELETE", f"/webhooks/{hook['id']}").json()
    valid(gone, "/webhooks/{id}", "delete")
    with pytest.raises(NotFoundError):
        client.get(f"/webhooks/{hook['id']}")
