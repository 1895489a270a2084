"""The sandbox's one clock: the seeded data and every request read the same time.

A fake clock (tests/support.py) decides what time it is: the invented data runs back
from it, so "updated today" in the seed is the clock's today, and writes, request
records and rate limits follow it as it moves.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from oncehub_nb.sandbox import RateLimit, Sandbox
from oncehub_nb.sandbox.clock import SYSTEM_CLOCK, StartingAt, as_clock, moment
from tests.sandbox.helpers import JSON, Api, stamps
from tests.support import FakeClock

NOON = datetime(2025, 6, 10, 12, 0, tzinfo=timezone.utc)  # what time it is on the fake clock
TODAY = NOON.date().isoformat()
NEW_CONTACT = {"first_name": "Clock", "last_name": "Tester", "email": "clock@example.org"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(epoch=NOON.timestamp())


@pytest.fixture
def box(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(
        key_limit=None, address_limit=None, clock=clock, bookings=2000, contacts=1000
    ) as running:
        yield running


def test_the_seed_runs_back_from_the_clocks_now(box: Sandbox) -> None:
    call = Api(box)
    seeded: dict[str, list[str]] = {}
    for name in ("bookings", "contacts", "notifications/sms", "webhooks"):
        seeded[name] = [s for item in call.all(name) for s in stamps(item)]
    past = {name: [s for s in found if s[:10] < TODAY] for name, found in seeded.items()}
    assert all(past.values()), past  # every collection has a history before today
    # nothing happened after now; bookings may start later (upcoming meetings)
    everything = [s for name, found in seeded.items() if name != "bookings" for s in found]
    assert max(everything) <= "2025-06-10T12:00:00.000Z"
    bookings = call.all("bookings")
    assert max(b["last_updated_time"] for b in bookings) <= "2025-06-10T12:00:00.000Z"
    assert any(b["starting_time"] > "2025-06-10T12:00:00.000Z" for b in bookings)
    today = [b for b in bookings if b["last_updated_time"].startswith(TODAY)]
    assert today, "the seed has bookings updated on the clock's today"


def test_writes_are_stamped_by_the_same_clock(box: Sandbox, clock: FakeClock) -> None:
    call = Api(box)
    clock.advance(90.25)
    made = call("POST", "/contacts", json=NEW_CONTACT).json()
    assert made["creation_time"] == made["last_updated_time"] == "2025-06-10T12:01:30.250Z"
    clock.advance(3600)
    patched = call("PATCH", f"/contacts/{made['id']}", json={"city": "Lyon"}).json()
    assert patched["last_updated_time"] == "2025-06-10T13:01:30.250Z"
    assert patched["creation_time"] == made["creation_time"]
    scheduled = next(b for b in call.all("bookings", status="scheduled"))
    canceled = call("POST", f"/bookings/{scheduled['id']}/cancel").json()
    assert canceled["last_updated_time"] == "2025-06-10T13:01:30.250Z"
    assert box.requests[-1].time == clock.time()  # the request record reads it too


def test_rate_limits_slide_on_the_same_clock(clock: FakeClock) -> None:
    with Sandbox(key_limit=RateLimit(1, 1.0), address_limit=None, clock=clock) as limited:
        call = Api(limited)
        assert call("GET", "/test").status_code == 200
        assert call("GET", "/test").status_code == 429
        clock.advance(1.0)
        assert call("GET", "/test").status_code == 200


def test_reset_keeps_the_seeded_moment(box: Sandbox, clock: FakeClock) -> None:
    first = Api(box).all("contacts")
    clock.advance(86_400 * 3)
    box.reset()
    assert Api(box).all("contacts") == first  # the data is seeded as of the sandbox's start


def test_the_clocks_on_offer() -> None:
    assert as_clock(SYSTEM_CLOCK) is SYSTEM_CLOCK
    ticks = iter([5.0, 6.0])
    bare = as_clock(lambda: next(ticks))  # the older form: monotonic seconds only
    assert (bare.monotonic(), bare.monotonic()) == (5.0, 6.0)
    assert bare.time is time.time  # and the real time
    start = datetime(2025, 3, 14, 16, 0, tzinfo=timezone.utc)
    fake = FakeClock()
    running = StartingAt(start, fake.monotonic)
    assert moment(running) == start
    fake.advance(61.2345)
    assert moment(running) == datetime(2025, 3, 14, 16, 1, 1, 234000, tzinfo=timezone.utc)
    assert moment(running, whole_seconds=True) == datetime(
        2025, 3, 14, 16, 1, 1, tzinfo=timezone.utc
    )
    with pytest.raises(TypeError, match="not a clock"):
        as_clock(42)  # type: ignore[arg-type]


def test_a_new_contact_is_found_with_todays_seeded_changes(box: Sandbox) -> None:
    call = Api(box)
    made: JSON = call("POST", "/contacts", json=NEW_CONTACT).json()
    everything = call.all("contacts")
    changed_today = [c["id"] for c in everything if c["last_updated_time"].startswith(TODAY)]
    assert made["id"] in changed_today and len(changed_today) > 1
