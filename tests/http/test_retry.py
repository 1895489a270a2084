"""The retry decision, alone: what happened + attempts + time left -> wait or give up."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from oncehub_nb.errors import ConnectionFailed, TimeoutFailed, TLSFailed
from oncehub_nb.http.retry import RetryPolicy, next_wait, retry_after_seconds

POLICY = RetryPolicy(retries=3, backoff=0.5)


def top_of_band(low: float, high: float) -> float:
    return high


def decide(outcome, *, method="GET", retries_done=0, time_left=30.0, retry_after=None):
    return next_wait(
        POLICY,
        method=method,
        outcome=outcome,
        retries_done=retries_done,
        time_left=time_left,
        retry_after=retry_after,
        jitter=top_of_band,
    )


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses_wait_with_exponential_backoff(status):
    assert [decide(status, retries_done=n) for n in range(3)] == [0.5, 1.0, 2.0]
    assert decide(status, retries_done=3) is None  # the policy's three retries are spent


@pytest.mark.parametrize("status", [200, 201, 400, 401, 402, 403, 404, 409, 422, 501])
def test_other_statuses_are_final(status):
    assert decide(status) is None


@pytest.mark.parametrize(
    "error",
    [
        ConnectionFailed("refused"),
        TimeoutFailed("slow"),
    ],
)
def test_transport_failures_are_retried(error):
    assert decide(error) == 0.5


def test_a_certificate_problem_is_not_retried():
    assert decide(TLSFailed("certificate")) is None


def test_posts_are_never_retried():
    assert decide(503, method="POST") is None
    assert decide(ConnectionFailed("dropped"), method="post") is None


def test_the_backoff_is_capped():
    policy = RetryPolicy(retries=10, backoff=1.0, max_backoff=8.0)
    assert policy.backoff_delay(6, jitter=top_of_band) == 8.0


def test_jitter_stays_in_the_upper_half_of_the_band():
    bands = []
    POLICY.backoff_delay(2, jitter=lambda low, high: bands.append((low, high)) or low)
    assert bands == [(0.5, 1.0)]


def test_retry_after_replaces_the_backoff():
    assert decide(429, retry_after=7.0) == 7.0
    assert decide(429, retry_after=0.0) == 0.0


def test_a_wait_that_would_end_after_the_deadline_gives_up():
    assert decide(503, time_left=0.4) is None  # the backoff would be 0.5 s
    assert decide(503, time_left=0.6) == 0.5
    assert decide(429, retry_after=30.0, time_left=29.0) is None


def test_zero_backoff_retries_at_once():
    policy = RetryPolicy(retries=2, backoff=0.0)
    waits = [
        next_wait(policy, method="GET", outcome=500, retries_done=n, time_left=1.0)
        for n in range(3)
    ]
    assert waits == [0.0, 0.0, None]


NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        ("0.25", 0.25),
        ("0", 0.0),
        ("-3", 0.0),  # a date or number in the past means "now"
        (formatdate(NOW + 120, usegmt=True), 120.0),
        (formatdate(NOW - 60, usegmt=True), 0.0),
        ("Thu, 01 Jan 2026 00:00:30 GMT", 30.0),
    ],
)
def test_retry_after_in_seconds_and_as_an_http_date(header, seconds):
    assert retry_after_seconds(header, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("header", [None, "", "soon", "nan", "Thu, 99 Foo 2026", "1 2 3"])
def test_unusable_retry_after_is_ignored(header):
    assert retry_after_seconds(header, now=NOW) is None
