"""Seeded objects as compact records: they read like the objects served, and turn into
plain dicts when changed, with every index (made before or after the change) kept right.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox.records import Lazy, fields, plain
from tests.sandbox.helpers import Api, pinned


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(key_limit=None, address_limit=None, clock=pinned(), bookings=300) as running:
        yield running


def test_a_record_reads_like_the_object_it_serves(box: Sandbox) -> None:
    table = box.account().tables["bookings"]
    records = [item for item in table.newest_first() if isinstance(item, Lazy)]
    assert len(records) == len(table) == 300
    for record in records[:50]:
        served = record.render()
        assert record == served and served == record and dict(record) == served
        assert plain(record) == served and plain(served) is served
        assert set(record) == set(served) and len(record) == len(served)
        for name in ("id", "status", "owner", "booking_page", "booking_calendar", "tracking_id"):
            assert (name in record) == (name in served)
            assert record.get(name) == served.get(name)
            if name in served:
                assert record[name] == served[name]
            else:
                with pytest.raises(KeyError):
                    record[name]
        names = ("id", "contact", "form_submission", "nope")
        assert fields(record, names) == tuple(served.get(n) for n in names)
    assert records[0].render() is not records[0].render()  # a new dict each time
    contacts = box.account().tables["contacts"].newest_first()
    guest = contacts[0]
    names = ("email", "phone", "company", "job_title", "timezone", "status")
    assert fields(guest, names) == tuple(plain(guest).get(n) for n in names)


def test_a_changed_record_becomes_a_dict_and_indexes_follow(box: Sandbox) -> None:
    call, table = Api(box), box.account().tables["bookings"]
    scheduled = [b for b in call.all("bookings") if b["status"] == "scheduled"]
    scheduled = [b for b in scheduled if not b.get("payment_information")]
    first, second = scheduled[0], scheduled[1]
    # the status index is made after the first change, the owner index before the second
    assert call("POST", f"/bookings/{first['id']}/cancel").status_code == 200
    assert isinstance(table.get(first["id"]), dict)
    canceled = {b["id"] for b in call.all("bookings", status="canceled")}
    assert first["id"] in canceled
    assert first["id"] not in {b["id"] for b in call.all("bookings", status="scheduled")}
    mine = {b["id"] for b in call.all("bookings", owner=second["owner"])}
    assert second["id"] in mine
    assert call("POST", f"/bookings/{second['id']}/cancel").status_code == 200
    assert second["id"] in {b["id"] for b in call.all("bookings", status="canceled")}
    assert second["id"] in {b["id"] for b in call.all("bookings", owner=second["owner"])}
    listed = [b["id"] for b in call.all("bookings")]
    assert listed == [item["id"] for item in table.newest_first()]  # the same places


def test_a_contact_changed_keeps_its_place_and_lookups(box: Sandbox) -> None:
    call = Api(box)
    contact = call.all("contacts")[5]
    changed = call("PATCH", f"/contacts/{contact['id']}", json={"city": "Oslo"}).json()
    assert changed["city"] == "Oslo" and changed["email"] == contact["email"]
    found = call("GET", "/contacts", params={"email": contact["email"].upper()}).json()["data"]
    assert [c["id"] for c in found] == [contact["id"]]
    assert call.all("contacts")[5]["city"] == "Oslo"
    taken = {"first_name": "A", "last_name": "B", "email": contact["email"]}
    assert call("POST", "/contacts", json=taken).status_code == 409
