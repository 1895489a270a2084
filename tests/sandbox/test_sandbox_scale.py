"""The sandbox with a large account: filters, cursors and expansions stay right at scale.

One account of LARGE_BOOKINGS bookings and LARGE_CONTACTS contacts is shared by these
tests (inventing it takes about a second). 100,000 bookings are measured in
``benchmarks/`` (start-up, memory, a filtered and expanded page), not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox.data import timestamp
from oncehub_nb.sandbox.resources import build_account, sms
from oncehub_nb.sandbox.store import Account, Sizes
from tests.sandbox.helpers import E164, Api, checked, conforms, get, pinned

LARGE_BOOKINGS = 5_000
LARGE_CONTACTS = 2_500
SMS = "/notifications/sms"

pytestmark = pytest.mark.slow  # the large account


@pytest.fixture(scope="module")
def large() -> Iterator[Sandbox]:
    """One large account for the module (deletions in a test are checked within it)."""
    box = Sandbox(
        clock=pinned(),
        key_limit=None,
        address_limit=None,
        bookings=LARGE_BOOKINGS,
        contacts=LARGE_CONTACTS,
    )
    with box:
        box.account()  # invented here, not inside the first request's read timeout
        yield box


@pytest.mark.needs_openapi
def test_many_bookings(large: Sandbox) -> None:
    big = large
    first = checked(get(big, "/bookings", limit=100), "/bookings")
    assert first["has_more"] is True and len(first["data"]) == 100
    assert big.account().tables["bookings"].__len__() == LARGE_BOOKINGS
    owner = first["data"][0]["owner"]
    params = {"status": "no_show", "owner": owner, "limit": 5, "expand": "data.event_type"}
    page = checked(get(big, "/bookings", **params), "/bookings")
    assert len(page["data"]) == 5 and page["has_more"] is True
    assert all(b["status"] == "no_show" and b["owner"] == owner for b in page["data"])
    middle = big.account().tables["bookings"].newest_first()[LARGE_BOOKINGS // 2]
    day = middle["starting_time"][:10]
    start, end = day, (date.fromisoformat(day) + timedelta(days=7)).isoformat()
    window = {"starting_time.gt": start, "starting_time.lt": end, "limit": 100}
    week = checked(get(big, "/bookings", **window), "/bookings")["data"]
    assert week and all(start < b["starting_time"] < end for b in week)
    rescheduled = get(big, "/bookings", status="rescheduled", limit=3).json()["data"]
    assert len(rescheduled) == 3
    original = get(big, f"/bookings/{rescheduled[0]['rescheduled_booking_id']}").json()
    assert original["status"] == "canceled"


@pytest.mark.needs_openapi
def test_large_account_serves_filtered_sms_pages(large: Sandbox) -> None:
    box = large
    response = get(box, SMS, recipient_type="user", limit=5, expand="recipient")
    body = checked(response, SMS)
    table = box.account().tables[sms.TABLE]
    users = table.newest_first(recipient_type="user")
    assert [s["id"] for s in body["data"]] == [s["id"] for s in users[:5]]
    assert body["has_more"] is (len(users) > 5)
    assert all(s["recipient"]["object"] == "user" for s in body["data"])
    bookings = len(box.account().tables["bookings"])
    assert bookings // 5 <= len(table) <= bookings * 2


@pytest.mark.needs_openapi
def test_many_contacts(large: Sandbox) -> None:
    box = large
    table = box.account().tables["contacts"]
    assert len(table) == LARGE_CONTACTS
    everything = list(table.by_id.values())
    assert len({c["email"].lower() for c in everything}) == LARGE_CONTACTS
    mobiles = [c["mobile_phone"] for c in everything if c["mobile_phone"]]
    assert len(mobiles) == len(set(mobiles)) > LARGE_CONTACTS // 5
    assert all(E164.match(m) for m in mobiles)
    call = Api(box)
    deep = table.newest_first()[-3]  # among the oldest
    found = call("GET", "/contacts", params={"email": deep["email"]})
    assert conforms(found, "get", "/contacts", 200)["data"] == [deep]
    bound = table.newest_first()[-200]["creation_time"][:10]  # a day among the oldest
    page = call("GET", "/contacts", params={"creation_time.lt": bound, "limit": 100})
    body = conforms(page, "get", "/contacts", 200)
    assert len(body["data"]) == 100 and body["has_more"] is True
    assert all(c["creation_time"] < bound for c in body["data"])
    times = [c["creation_time"] for c in body["data"]]
    assert times == sorted(times, reverse=True)
    owner = call.all("users")[-1]["id"]
    leaving = next(u for u in call.all("users") if table.newest_first(owner=u["id"]))
    theirs = len(table.newest_first(owner=leaving["id"]))
    mine = len(table.newest_first(owner=owner))
    assert call("DELETE", f"/users/{leaving['id']}").status_code == 200
    assert table.newest_first(owner=leaving["id"]) == []
    assert len(table.newest_first(owner=owner)) == mine + theirs > 100


def test_sms_of_many_bookings() -> None:
    """SMS seeding at scale, whatever the bookings module makes of the size."""
    account = Account("ops@example.com", 0, Sizes(), build_account)
    bookings = account.tables["bookings"]
    model = bookings.newest_first()
    copies = [{**model[n % len(model)], "id": f"BKNG-X{n:09d}"} for n in range(LARGE_BOOKINGS)]
    bookings.extend_oldest_first(copies)
    texts = sms.invent(account)
    assert LARGE_BOOKINGS // 5 <= len(texts) <= LARGE_BOOKINGS * 2
    assert len({t["id"] for t in texts}) == len(texts)
    times = [t["creation_time"] for t in texts]
    assert times == sorted(times) and times[-1] <= timestamp(account.seeded_at)
    people = set(account.tables["contacts"].by_id) | set(account.tables["users"].by_id)
    assert {t["recipient"] for t in texts} <= people
