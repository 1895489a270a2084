"""Interrupted syncs (Ctrl-C, a storm of 429s, seeded faults): what was loaded stays, the next
sync resumes the pass where it stopped, and the mirror ends equal to the sandbox's data,
nothing lost and nothing held twice. No test waits on a real clock: the client's pauses
run on a fake one."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from oncehub_nb import OnceHub, RateLimitError
from oncehub_nb.mirror.streams import STREAMS
from oncehub_nb.sandbox import FaultPlan
from tests.mirror.conftest import BOOKINGS, assert_mirrors, held
from tests.support import CANARY_KEY, FakeClock


@pytest.fixture
def fake_client(box):
    with OnceHub(CANARY_KEY, base_url=box.base_url, rate_limit=False, clock=FakeClock()) as api:
        yield api


def stop_after(pages: int, stream: str = "bookings", do=None):
    """A progress hook that, once ``pages`` pages of ``stream`` came, raises Ctrl-C (or
    runs ``do``)."""

    def hook(name, progress):
        if name == stream and progress.pages == pages and not progress.done:
            if do is None:
                raise KeyboardInterrupt
            do()

    return hook


def test_ctrl_c_keeps_what_came_and_the_next_sync_resumes(box, fake_client, mirror):
    mirror.sync(client=fake_client, batch_rows=100, on_progress=stop_after(3))
    report = mirror.report
    assert report.interrupted and not mirror.ok
    part = report.stream("bookings")
    assert part.stopped == "interrupted" and part.resumes
    # Ctrl-C came as the third page arrived: the two pages taken before it are loaded
    assert len(held(mirror, "bookings")) == 200
    assert "the next sync resumes" in str(mirror)
    cursor = mirror.store.state(STREAMS[0]).pass_.after
    before = len(box.requests)
    mirror.sync(client=fake_client, batch_rows=100)
    assert mirror.ok
    first = next(parse_qs(r.query) for r in box.requests[before:] if r.path == "/v2/bookings")
    assert first["after"] == [cursor]  # resumed, not started again
    assert mirror.report.stream("bookings").new == BOOKINGS - 200
    assert_mirrors(box, mirror, ("bookings", "contacts", "users", "webhooks"))


def test_a_storm_of_429s_stops_the_sync_and_the_next_one_completes(box, fake_client, mirror):
    def storm():
        box.faults = FaultPlan(rate=1.0, kinds=("rate_limited",))

    mirror.sync(client=fake_client, batch_rows=100, on_progress=stop_after(2, do=storm))
    assert isinstance(mirror.report.error, RateLimitError)
    assert mirror.report.stream("bookings").stopped == "Rate limited"
    kept = len(held(mirror, "bookings"))
    assert kept == 200  # the two whole pages before the storm
    box.faults = FaultPlan()
    mirror.sync(client=fake_client, batch_rows=100)
    assert mirror.ok, mirror.report
    assert_mirrors(box, mirror, ("bookings", "contacts", "teams"))


def test_seeded_faults_throughout_still_give_the_sandbox_data(box, fake_client, mirror):
    kinds = ("server_error", "bad_gateway", "drop", "rate_limited", "rate_limited_retry_after")
    box.faults = FaultPlan(rate=0.25, seed=11, kinds=kinds)
    mirror.sync(client=fake_client, batch_rows=150)
    assert mirror.ok, mirror.report
    assert sum(1 for r in box.requests if r.fault) > 3
    assert mirror.report.requests > mirror.report.pages  # the retries are counted
    assert_mirrors(box, mirror, ("bookings", "contacts", "users", "booking_calendars"))


def test_a_failure_while_loading_is_reported_and_the_next_sync_recovers(box, fake_client, mirror):
    original = mirror.store.load
    calls = []

    def failing(batches):
        calls.append(len(batches))
        if len(calls) == 2:
            raise OSError("disk full (injected)")
        original(batches)

    mirror.store.load = failing  # the one seam: a destination that fails mid-sync
    mirror.sync(client=fake_client, batch_rows=100)
    assert isinstance(mirror.report.error, OSError) and not mirror.ok
    mirror.store.load = original
    mirror.sync(client=fake_client, batch_rows=100)
    assert mirror.ok
    assert_mirrors(box, mirror, ("bookings", "contacts"))
