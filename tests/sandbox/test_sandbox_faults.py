"""Seeded faults: a reproducible share of requests fails in each documented way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from oncehub_nb import OnceHub
from oncehub_nb.errors import OnceHubError
from oncehub_nb.sandbox import DEMO_KEY, FAULT_KINDS, FaultPlan, Sandbox
from tests.sandbox.helpers import pinned

PLAN = FaultPlan(rate=0.5, seed=7, retry_after=2.0)


@pytest.fixture
def faulty() -> Iterator[Sandbox]:
    with Sandbox(
        clock=pinned(), key_limit=None, address_limit=None, faults=PLAN, slow_seconds=0.0
    ) as box:
        yield box


def statuses(box: Sandbox, calls: int) -> list[int | str]:
    """Each call's status, or the transport failure's class name."""
    seen: list[int | str] = []
    with httpx.Client(base_url=box.base_url, headers={"API-Key": DEMO_KEY}, timeout=5) as http:
        for _ in range(calls):
            try:
                seen.append(http.get("/test").status_code)
            except httpx.TransportError as error:
                seen.append(type(error).__name__)
    return seen


def test_the_plan_decides_by_seed_and_arrival_number_alone():
    first = [PLAN.fault_for(n) for n in range(200)]
    assert first == [PLAN.fault_for(n) for n in range(200)]
    assert first != [FaultPlan(rate=0.5, seed=8).fault_for(n) for n in range(200)]
    share = sum(f is not None for f in first) / len(first)
    assert 0.35 < share < 0.65  # about half of 200 (binomial: far outside 5 sigma otherwise)
    assert set(first) - {None} == set(FAULT_KINDS)
    assert [FaultPlan().fault_for(n) for n in range(50)] == [None] * 50


def test_each_injected_fault_answers_as_its_kind(faulty: Sandbox):
    seen = statuses(faulty, 60)
    planned = [PLAN.fault_for(n) for n in range(60)]
    expected = {
        None: 200,
        "slow": 200,  # held back for slow_seconds (0 here), then answered
        "server_error": 500,
        "bad_gateway": 502,
        "rate_limited": 429,
        "rate_limited_retry_after": 429,
        "drop": "RemoteProtocolError",
    }
    assert seen == [expected[fault] for fault in planned]
    recorded = [r.fault for r in faulty.requests]
    assert recorded == planned


def test_retry_after_only_where_planned(faulty: Sandbox):
    with httpx.Client(base_url=faulty.base_url, headers={"API-Key": DEMO_KEY}) as http:
        answers = []
        for _ in range(40):
            try:
                answers.append(http.get("/test"))
            except httpx.TransportError:
                answers.append(None)
    for fault, answer in zip([PLAN.fault_for(n) for n in range(40)], answers, strict=True):
        if fault == "rate_limited_retry_after":
            assert answer is not None and answer.headers["retry-after"] == "2"
        elif fault == "rate_limited":
            assert answer is not None and "retry-after" not in answer.headers


def test_a_client_pages_through_faults_with_its_retries(faulty: Sandbox):
    faulty.faults = FaultPlan(rate=0.3, seed=11, kinds=("server_error", "drop", "bad_gateway"))
    with OnceHub(DEMO_KEY, base_url=faulty.base_url, backoff=0, rate_limit=False) as client:
        users = list(client.paginate("/users", limit=5))
    assert len({u["id"] for u in users}) == len(users) == 25
    kinds = Counter(r.fault for r in faulty.requests if r.fault)
    assert sum(kinds.values()) >= 1  # some pages needed a retry, and got their answer


def test_a_fault_without_retries_reaches_the_caller(faulty: Sandbox):
    faulty.faults = FaultPlan(rate=1.0, seed=1, kinds=("server_error",))
    client = OnceHub(DEMO_KEY, base_url=faulty.base_url, retries=0, rate_limit=False)
    with client, pytest.raises(OnceHubError) as caught:
        client.get("/users")
    assert caught.value.status_code == 500


@pytest.mark.parametrize(
    ("rate", "kinds", "words"),
    [(1.5, ("drop",), "between 0 and 1"), (0.1, ("meteor",), "meteor"), (0.1, (), "none")],
)
def test_a_bad_plan_is_refused_with_what_to_give(rate, kinds, words):
    with pytest.raises(ValueError, match=words):
        FaultPlan(rate=rate, kinds=kinds)
