"""Paging through a real sandbox: every object exactly once and in order, for any page size
and cap, under injected faults, under both rate limits, and after an interruption."""

from __future__ import annotations

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.constants import Limit
from oncehub_nb.errors import ServerError
from oncehub_nb.explore.result import ListResult
from oncehub_nb.http.paging import Listing, Progress
from oncehub_nb.sandbox import FaultPlan, RateLimit, Sandbox
from tests.support import CANARY_ACCOUNT, CANARY_KEY, FakeClock, loopback

BOOKINGS = 53  # not a multiple of any page size below


@pytest.fixture(scope="module")
def box():
    with Sandbox(
        key_limit=None,
        address_limit=None,
        accounts={CANARY_KEY: CANARY_ACCOUNT},
        bookings=BOOKINGS,
    ) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def every_id(box) -> list[str]:
    """The sandbox's own order, read in one page with plain httpx: the witness."""
    answer = loopback().get(
        f"{box.base_url}/bookings", params={"limit": 100}, headers={"API-Key": CANARY_KEY}
    )
    ids = [b["id"] for b in answer.json()["data"]]
    assert len(ids) == BOOKINGS and answer.json()["has_more"] is False
    return ids


def _client(box, **options) -> OnceHub:
    return OnceHub(CANARY_KEY, base_url=box.base_url, rate_limit=False, **options)


@pytest.mark.parametrize("page_size", [1, 7, 100])
@pytest.mark.parametrize("cap", [None, 1, 7, 14, 15, 52, 53, 60])
def test_every_object_once_in_order(box, every_id, page_size, cap) -> None:
    box.clear_requests()
    with _client(box) as client:
        listing = Listing(client, "/bookings", page_size=page_size)
        came = listing.fetch(cap)
    wanted = every_id if cap is None else every_id[:cap]
    assert [b["id"] for b in listing.objects] == wanted
    assert came == len(wanted)
    assert listing.has_more == (len(wanted) < BOOKINGS)
    # never more requests than pages needed: a page is asked only for what is still wanted
    pages = -(-len(wanted) // page_size)
    assert box.count("/v2/bookings") == listing.pages == pages


def test_a_capped_fetch_resumes_where_it_stopped(box, every_id) -> None:
    with _client(box) as client:
        listing = Listing(client, "/bookings", page_size=7)
        listing.fetch(10)  # stops inside the second page
        listing.fetch(10)
        listing.fetch()
    assert [b["id"] for b in listing.objects] == every_id


def test_filters_are_kept_on_every_page(box) -> None:
    with _client(box) as client:
        expected = [b["id"] for b in client.get("/bookings", status="completed", limit=100)["data"]]
        listing = Listing(client, "/bookings", {"status": "completed"}, page_size=3)
        listing.fetch()
    assert expected and [b["id"] for b in listing.objects] == expected
    assert {b["status"] for b in listing.objects} == {"completed"}


def test_paginate_and_list(box, every_id) -> None:
    with _client(box) as client:
        assert [b["id"] for b in client.paginate("/bookings", limit=9)] == every_id
        result = ListResult.fetch(client, "/bookings", max_items=20, limit=10)
        assert result.ids() == every_id[:20] and result.has_more and result.pages == 2
        result.more()  # the next page, of the same size
        assert result.ids() == every_id[:30]
        result.more(5)
        assert result.ids() == every_id[:35]
        result.more(to_end=True)
    assert result.ids() == every_id and not result.has_more


def test_paginate_holds_one_page_at_a_time(box, every_id) -> None:
    """What paginate yielded is the caller's: its listing keeps nothing behind it (at
    100,000 bookings it held them all, and the collector walked them on every page)."""
    with _client(box) as client:
        objects = client.paginate("/bookings", limit=5)
        taken = [next(objects)["id"] for _ in range(12)]  # into the third page
        listing = objects.gi_frame.f_locals["listing"]
        assert listing.objects == [] and listing.fetched == 15 and listing.pages == 3
        taken += [b["id"] for b in objects]
    assert taken == every_id


def test_progress_reports_objects_pages_and_the_end(box) -> None:
    seen: list[Progress] = []
    with _client(box) as client:
        Listing(client, "/bookings", page_size=20).fetch(None, seen.append)
    assert [p.objects for p in seen if not p.done] == [0, 20, 40, 53]
    assert seen[-1].done and seen[-1].pages == 3 and not seen[-1].has_more
    assert "53 objects" in seen[-1].line() and "3 pages" in seen[-1].line()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_faults_lose_and_repeat_nothing(every_id, seed) -> None:
    plan = FaultPlan(
        rate=0.35,
        seed=seed,
        kinds=("server_error", "bad_gateway", "drop", "rate_limited", "rate_limited_retry_after"),
        retry_after=1.0,
    )
    clock = FakeClock()
    with Sandbox(
        key_limit=None,
        address_limit=None,
        accounts={CANARY_KEY: CANARY_ACCOUNT},
        bookings=BOOKINGS,
        faults=plan,
    ) as faulty:
        with _client(faulty, clock=clock) as client:
            listing = Listing(client, "/bookings", page_size=5)
            listing.fetch()
        failed = [r for r in faulty.requests if r.status != 200]
    assert [b["id"] for b in listing.objects] == every_id
    assert failed, "the plan should have failed some requests"
    assert clock.sleeps  # the backoffs were waited (on the fake clock)


def test_a_page_that_keeps_failing_stops_the_fetch_and_keeps_the_rest(every_id) -> None:
    clock = FakeClock()
    with (
        Sandbox(
            key_limit=None,
            address_limit=None,
            accounts={CANARY_KEY: CANARY_ACCOUNT},
            bookings=BOOKINGS,
        ) as box,
        _client(box, clock=clock, retries=0) as client,
    ):
        listing = Listing(client, "/bookings", page_size=10)
        listing.fetch(20)
        box.faults = FaultPlan(rate=1.0, kinds=("server_error",))
        with pytest.raises(ServerError):
            listing.fetch()
        assert [b["id"] for b in listing.objects] == every_id[:20]
        box.faults = FaultPlan()
        listing.fetch()
    assert [b["id"] for b in listing.objects] == every_id


def test_an_interruption_keeps_whole_pages_and_more_resumes(box, every_id) -> None:
    def stop_after_three_pages(progress: Progress) -> None:
        if progress.pages == 3 and not progress.done:
            raise KeyboardInterrupt

    with _client(box) as client:
        listing = Listing(client, "/bookings", page_size=5)
        with pytest.raises(KeyboardInterrupt):
            listing.fetch(None, stop_after_three_pages)
        assert [b["id"] for b in listing.objects] == every_id[:15]
        listing.fetch()
    assert [b["id"] for b in listing.objects] == every_id


def test_an_interruption_during_a_wait_loses_nothing(every_id) -> None:
    clock = FakeClock()
    with (
        Sandbox(
            key_limit=RateLimit(5, 1.0),
            address_limit=None,
            accounts={CANARY_KEY: CANARY_ACCOUNT},
            bookings=BOOKINGS,
            clock=clock.monotonic,
        ) as box,
        OnceHub(CANARY_KEY, base_url=box.base_url, clock=clock, address_limit=None) as client,
    ):
        listing = Listing(client, "/bookings", page_size=5)
        waits = 0

        def interrupt_second_wait(progress: Progress) -> None:
            nonlocal waits
            if progress.waiting:
                waits += 1
                if waits == 2:
                    raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            listing.fetch(None, interrupt_second_wait)
        kept = len(listing.objects)
        listing.fetch()
    assert 0 < kept < BOOKINGS
    assert [b["id"] for b in listing.objects] == every_id


def test_both_rate_limits_are_kept_without_a_single_429() -> None:
    """A long fetch against a sandbox enforcing both limits (the address limit scaled down
    so that it binds): the client waits, visibly, and the sandbox never answers 429."""
    clock = FakeClock()
    account, address = Limit(5, 1.0, "per account"), Limit(30, 60.0, "per IP address")
    with Sandbox(
        key_limit=RateLimit(account.max_requests, account.period),
        address_limit=RateLimit(address.max_requests, address.period),
        accounts={CANARY_KEY: CANARY_ACCOUNT},
        bookings=1000,
        clock=clock.monotonic,
    ) as box:
        with OnceHub(
            CANARY_KEY,
            base_url=box.base_url,
            clock=clock,
            account_limit=account,
            address_limit=address,
        ) as client:
            seen: list[Progress] = []
            listing = Listing(client, "/bookings", page_size=10)
            listing.fetch(None, seen.append)
        statuses = {r.status for r in box.requests}
    assert len(listing.objects) == 1000 and len({b["id"] for b in listing.objects}) == 1000
    assert statuses == {200}
    # 100 pages: 30 per minute bind, so at least three full windows were waited out
    assert listing.waited >= 3 * 60
    assert any(p.waiting > 0 for p in seen)
