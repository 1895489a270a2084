"""The client-side limiter, alone, on a fake clock: book, wait, or refuse to wait."""

from __future__ import annotations

import pytest

from oncehub_nb.constants import ACCOUNT_LIMIT, ADDRESS_LIMIT, Limit
from oncehub_nb.http.ratelimit import MARGIN, RateLimiter, SlidingWindow, WouldWait, shared_limiter
from tests.support import FakeClock

PER_SECOND = Limit(2, 1.0, "per account")
PER_MINUTE = Limit(3, 60.0, "per IP address")


def limiter(*limits: Limit) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter([SlidingWindow(limit) for limit in limits], clock), clock


def test_room_in_the_window_means_no_wait():
    limits, clock = limiter(PER_SECOND)
    assert [limits.acquire().wait for _ in range(2)] == [0.0, 0.0]
    assert clock.sleeps == []


def test_a_full_window_waits_until_the_oldest_request_leaves_it():
    limits, clock = limiter(PER_SECOND)
    limits.acquire(), limits.acquire()
    assert limits.acquire().wait == pytest.approx(1.0 + MARGIN)
    assert clock.sleeps == [pytest.approx(1.0 + MARGIN)]


def test_the_longest_wait_of_all_windows_wins_and_names_its_limit():
    limits, clock = limiter(PER_SECOND, PER_MINUTE)
    for _ in range(3):
        limits.acquire(max_wait=5)
    with pytest.raises(WouldWait) as caught:
        limits.acquire(max_wait=5)
    assert caught.value.limit is PER_MINUTE
    assert caught.value.wait == pytest.approx(60 + MARGIN - sum(clock.sleeps))


def test_a_refused_wait_books_nothing():
    limits, _clock = limiter(PER_SECOND)
    limits.acquire(), limits.acquire()
    for _ in range(3):
        with pytest.raises(WouldWait):
            limits.book(max_wait=0.5)
    assert limits.acquire(max_wait=2).wait == pytest.approx(1.0 + MARGIN)  # not pushed back


def test_a_slot_settled_at_its_answer_counts_from_then():
    limits, clock = limiter(PER_SECOND)
    late = limits.acquire()
    clock.advance(0.3)  # the answer came 0.3 s after the request left
    limits.settle(late, clock.monotonic())
    limits.acquire()
    assert limits.acquire().wait == pytest.approx(1.0 + MARGIN)  # 0.7 s without settling


def test_settling_never_moves_a_slot_earlier_and_survives_an_expired_one():
    limits, clock = limiter(PER_SECOND)
    booking = limits.book(None)
    limits.settle(booking, booking.at - 5)  # an answer cannot come before the request
    assert limits.budget() == [(PER_SECOND, 1)]
    clock.advance(2.0)  # the slot has left the window; its answer came only now
    limits.budget()
    limits.settle(booking, clock.monotonic())
    assert limits.budget() == [(PER_SECOND, 1)]


def test_a_window_booked_out_of_order_waits_for_the_right_request():
    """A shared window can be booked for an earlier time after a later one (another key's
    limiter had to wait): the request to wait for is the second newest in time, not in
    booking order."""
    window = SlidingWindow(Limit(2, 10.0))
    for at in (5.0, 0.0, 1.0):
        window.book(at)
    assert window.wait_at(0.5) == pytest.approx(1.0 + 10.0 + MARGIN - 0.5)  # not 0's


def test_without_a_bound_the_caller_always_gets_a_slot():
    limits, _clock = limiter(PER_MINUTE)
    waits = [limits.book(max_wait=None).wait for _ in range(7)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:6] == [pytest.approx(60 + MARGIN)] * 3
    assert waits[6] == pytest.approx(120 + 2 * MARGIN)


def test_shared_limiters_share_the_address_window_but_not_the_account_one():
    clock = FakeClock()
    first = shared_limiter("api.example", "FAKE-key-one", Limit(1, 1.0), Limit(2, 10.0), clock)
    second = shared_limiter("api.example", "FAKE-key-two", Limit(1, 1.0), Limit(2, 10.0), clock)
    assert first.windows[1] is second.windows[1]
    assert first.windows[0] is not second.windows[0]
    assert first.acquire().wait == 0.0 and second.acquire().wait == 0.0
    assert first.book(max_wait=None).wait == pytest.approx(10 + MARGIN)


def test_the_registry_keeps_only_a_hash_of_the_key():
    from oncehub_nb.http import ratelimit

    shared_limiter("api.example", "FAKE-secret-in-registry-0001")
    assert not any("FAKE-secret" in name for name in ratelimit._windows)


def test_oncehubs_limits_read_as_documented():
    assert str(ACCOUNT_LIMIT) == "5 requests per second per account"
    assert str(ADDRESS_LIMIT) == "200 requests per 5 minutes per IP address"


def test_the_budget_is_what_each_window_takes_now_without_waiting():
    limits, clock = limiter(PER_SECOND, PER_MINUTE)
    assert limits.budget() == [(PER_SECOND, 2), (PER_MINUTE, 3)]
    limits.acquire()
    assert limits.budget() == [(PER_SECOND, 1), (PER_MINUTE, 2)]
    limits.acquire()
    assert limits.budget() == [(PER_SECOND, 0), (PER_MINUTE, 1)]
    clock.advance(1.0)  # the second's requests have left its window, not the minute's
    assert limits.budget() == [(PER_SECOND, 2), (PER_MINUTE, 1)]
    limits.acquire()
    wait = limits.book(None).wait  # booked ahead (a wait to come) counts as used
    assert wait > 1 and limits.budget() == [(PER_SECOND, 0), (PER_MINUTE, 0)]
    clock.advance(wait + 60.0 + MARGIN)  # every booking has left both windows
    assert limits.budget() == [(PER_SECOND, 2), (PER_MINUTE, 3)]
