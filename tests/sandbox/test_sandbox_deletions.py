"""Deleting a user or a contact: the delete succeeds and their bookings keep the id.

From the reference: ``DELETE /users/{id}`` and ``DELETE /contacts/{id}`` answer only 200
(a ``DeletedObject``) or 404, so nothing refuses the delete; ``Booking.owner`` and
``Booking.contact`` are IDs that are never null, and the owner "remains unchanged even if
the booking was reassigned": a booking is history and keeps pointing at who it was with.
Afterwards the id names nothing: ``expand`` leaves it as the ID (the reference's ``oneOf``
allows it), filters by it still find the bookings, and the booking actions still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oncehub_nb.sandbox import Sandbox
from tests.sandbox.helpers import JSON, Api, checked, conforms, get, pinned

pytestmark = pytest.mark.needs_openapi


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """Enough bookings for a host with several upcoming ones."""
    with Sandbox(key_limit=None, address_limit=None, clock=pinned(), bookings=400) as running:
        yield running


def everything(call: Api, **params: Any) -> list[JSON]:
    return call.all("bookings", **params)


def a_host_with_upcoming_bookings(call: Api) -> str:
    """An active user, not the account owner, hosting at least two upcoming bookings."""
    owners = {u["id"]: u for u in call.all("users")}
    counts: dict[str, int] = {}
    for booking in everything(call, status="scheduled"):
        if not booking.get("payment_information"):
            counts[booking["owner"]] = counts.get(booking["owner"], 0) + 1
    found = [
        user
        for user, count in sorted(counts.items(), key=lambda item: -item[1])
        if count >= 2 and owners[user]["role_name"] != "Account Owner"
    ]
    assert found, counts
    return found[0]


def test_deleting_a_user_keeps_their_bookings_pointing_at_them(sandbox: Sandbox) -> None:
    call = Api(sandbox)
    host = a_host_with_upcoming_bookings(call)
    theirs = everything(call, owner=host)
    before = everything(call)
    deleted = call("DELETE", f"/users/{host}")
    assert conforms(deleted, "delete", "/users/{id}", 200) == {"id": host, "deleted": True}
    assert call("GET", f"/users/{host}").status_code == 404
    assert everything(call) == before  # no booking changed, none went away
    assert everything(call, owner=host) == theirs  # and the filter still finds them
    one = theirs[0]
    expanded = checked(get(sandbox, f"/bookings/{one['id']}", expand="owner"), "/bookings/{id}")
    assert expanded["owner"] == host  # the ID: there is no user to expand it to
    page = get(sandbox, "/bookings", limit=100, expand="data.owner")
    owners = [b["owner"] for b in checked(page, "/bookings")["data"]]
    assert all(isinstance(o, dict) for o in owners if o != host)
    upcoming = [b for b in theirs if b["status"] == "scheduled"]
    other = next(u for u in call.all("users") if u["status"] == "active")
    moved = call("POST", f"/bookings/{upcoming[0]['id']}/reassign", json={"new_host": other["id"]})
    assert conforms(moved, "post", "/bookings/{id}/reassign", 200)["owner"] == other["id"]
    canceled = call("POST", f"/bookings/{upcoming[1]['id']}/cancel")
    assert conforms(canceled, "post", "/bookings/{id}/cancel", 200)["owner"] == host


def test_deleting_a_contact_keeps_their_bookings_pointing_at_them(sandbox: Sandbox) -> None:
    call = Api(sandbox)
    booking = everything(call, status="scheduled")[0]
    contact_id = booking["contact"]
    contact = call("GET", f"/contacts/{contact_id}").json()
    theirs = everything(call, contact=contact_id)
    before = everything(call)
    deleted = call("DELETE", f"/contacts/{contact_id}")
    assert conforms(deleted, "delete", "/contacts/{id}", 200) == {"id": contact_id, "deleted": True}
    assert call("GET", f"/contacts/{contact_id}").status_code == 404
    assert everything(call) == before
    assert everything(call, contact=contact_id) == theirs
    one = get(sandbox, f"/bookings/{booking['id']}", expand="contact")
    assert checked(one, "/bookings/{id}")["contact"] == contact_id
    listed = get(sandbox, "/bookings", contact=contact_id, expand="data.contact")
    assert {b["contact"] for b in checked(listed, "/bookings")["data"]} == {contact_id}
    canceled = call("POST", f"/bookings/{booking['id']}/cancel")
    assert conforms(canceled, "post", "/bookings/{id}/cancel", 200)["contact"] == contact_id
    # the same person books again: a new contact, the old bookings keep the old ID
    calendars = call.all("booking-calendars")
    calendar = next(c for c in calendars if c["published"] and c["host"].startswith("USR-"))
    slot = call("GET", f"/booking-calendars/{calendar['id']}/time-slots").json()[0]
    form = {"name": "Back Again", "email": contact["email"]}
    body = {"start_time": slot["start_time"], "guest_time_zone": "UTC", "booking_form": form}
    made = call("POST", f"/booking-calendars/{calendar['id']}/schedule", json=body).json()
    new = call("GET", f"/bookings/{made['id']}").json()["contact"]
    assert new != contact_id and call("GET", f"/contacts/{new}").json()["email"] == contact["email"]
    assert made["id"] not in [b["id"] for b in everything(call, contact=contact_id)]


def test_a_deleted_users_contacts_pass_to_the_account_owner(sandbox: Sandbox) -> None:
    call = Api(sandbox)
    account_owner = next(u for u in call.all("users") if u["role_name"] == "Account Owner")
    contacts = call.all("contacts")
    owned = {c["owner"] for c in contacts} - {account_owner["id"]}
    leaving = sorted(owned)[0]
    theirs = [c["id"] for c in contacts if c["owner"] == leaving]
    assert call("DELETE", f"/users/{leaving}").status_code == 200
    after = {c["id"]: c for c in call.all("contacts")}
    assert {after[c]["owner"] for c in theirs} == {account_owner["id"]}
