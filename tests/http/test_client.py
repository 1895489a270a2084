"""The client over real HTTP against the sandbox: every key, retries, limits, transport faults."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from oncehub_nb import OnceHub, validate
from oncehub_nb.constants import Limit
from oncehub_nb.errors import (
    AuthenticationError,
    ConfigError,
    ConnectionFailed,
    InsecureURLError,
    InvalidRequestError,
    NotFoundError,
    PermissionDenied,
    RateLimitError,
    ServerError,
    TimeoutFailed,
    TLSFailed,
    UnexpectedResponse,
)
from oncehub_nb.http.auth import APIKeyAuth
from oncehub_nb.keys import ApiKey
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY, RateLimit, Sandbox
from oncehub_nb.urls import check_base_url
from oncehub_nb.validation import check
from tests.support import FakeClock

FAST = {"backoff": 0.0, "rate_limit": False}


def make_client(sandbox, key: str, **options) -> OnceHub:
    return OnceHub(ApiKey(key, source="test"), base_url=sandbox.base_url, **{**FAST, **options})


def test_valid_key(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        result = check(client)
    assert result.ok is True
    assert result.account == DEMO_ACCOUNT
    assert result.status_code == 200
    assert result.request_id and result.request_id.startswith("req_")
    assert result.message == f"The API key is valid for account: {DEMO_ACCOUNT}"
    assert result.error is None
    assert result.retries == 0
    assert result.key_source == "test"
    assert result.masked_key == "ApiKey('…-key')"
    assert result.elapsed > 0
    assert f"Key valid for {DEMO_ACCOUNT}" in str(result)


def test_headers_sent(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        check(client)
    recorded = sandbox.requests[-1]
    assert recorded.api_key == DEMO_KEY
    assert recorded.path == "/v2/test"


def test_one_connection_pool_reused(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        for _ in range(3):
            check(client)
        assert len(sandbox.requests) == 3
        assert len({r.client_port for r in sandbox.requests}) == 1
    assert client.closed


def test_wrong_key_is_a_result_with_hint_naming_the_source(sandbox):
    result = validate("FAKE-wrong-key-0001", base_url=sandbox.base_url, **FAST)
    assert result.ok is False
    assert result.status_code == 401
    assert isinstance(result.error, AuthenticationError)
    assert result.error_type == "authentication_error"
    assert result.message == "Invalid API key."
    assert result.request_id.startswith("req_")
    assert result.hint == (
        "Usually a typo, or an admin regenerated or deleted the key (a regenerated key stops "
        "working at once). Check the key passed as an argument; if it was replaced, create a "
        "new key in OnceHub's API settings (it is shown only once) and use that one."
    )
    assert "--no-validate" not in str(result)
    text = str(result)
    for piece in ("401", "authentication_error", "Invalid API key.", result.request_id):
        assert piece in text


def test_forbidden_plan(sandbox):
    result = validate("sandbox-forbidden", base_url=sandbox.base_url, **FAST)
    assert isinstance(result.error, PermissionDenied)
    assert result.status_code == 403
    assert "Enterprise plan" in result.message
    assert "plan has no API access" in result.hint


def test_rate_limited_key_is_retried_with_exponential_backoff_then_reported(sandbox):
    clock = FakeClock()
    with make_client(sandbox, "sandbox-ratelimited", retries=3, backoff=0.5, clock=clock) as c:
        result = check(c)
    assert isinstance(result.error, RateLimitError)
    assert result.status_code == 429 and result.error.sent
    assert result.retries == 3
    assert sandbox.count(path="/v2/test") == 4
    # full jitter between half and all of 0.5, 1, 2 seconds: each pause within its band
    assert len(clock.sleeps) == 3
    for pause, ceiling in zip(clock.sleeps, (0.5, 1.0, 2.0), strict=False):
        assert ceiling / 2 <= pause <= ceiling
    assert "Retried 3 times" in result.hint
    assert "  Retries     3" in str(result)


def test_server_error_retried_then_reported(sandbox):
    result = validate("sandbox-server-error", base_url=sandbox.base_url, retries=2, **FAST)
    assert isinstance(result.error, ServerError)
    assert result.error_type == "api_error"
    assert result.retries == 2
    assert sandbox.count() == 3
    assert "quote the Request-Id" in result.hint


def test_bad_gateway_html_is_unexpected_response(sandbox):
    result = validate("sandbox-bad-gateway", base_url=sandbox.base_url, retries=1, **FAST)
    assert isinstance(result.error, UnexpectedResponse)
    assert result.status_code == 502
    assert "not OnceHub's JSON" in result.message
    assert result.error.body_excerpt == "502 Bad Gateway (HTML page)"
    assert "proxy or gateway" in result.hint
    text, html = str(result), result._repr_html_()
    assert "  Body        502 Bad Gateway (HTML page)\n" in text
    assert "<title>" not in text and "<h1>" not in text
    assert "502 Bad Gateway (HTML page)" in html
    assert "<h1>" not in html and "&lt;h1&gt;" not in html  # no markup, raw or escaped


def test_slow_server_times_out_and_is_retried(sandbox):
    sandbox.slow_seconds = 5
    result = validate("sandbox-slow", base_url=sandbox.base_url, timeout=0.2, retries=1, **FAST)
    assert isinstance(result.error, TimeoutFailed)
    assert result.message == "Timed out waiting for an answer from 127.0.0.1."
    assert result.retries == 1
    assert sandbox.count() == 2
    assert result.hint.endswith("try again later, or raise the timeout setting.")


def test_each_wait_is_cut_to_the_time_left(sandbox):
    """The server answers after 1 s, within the 10 s read timeout but not the 0.2 s total."""
    sandbox.slow_seconds = 1
    result = validate(
        "sandbox-slow", base_url=sandbox.base_url, timeout=10, total_timeout=0.2, **FAST
    )
    assert isinstance(result.error, TimeoutFailed)
    assert result.retries == 0  # no time left for another attempt
    assert result.hint is not None and result.hint.endswith("raise the total_timeout setting.")


def test_total_timeout_caps_the_retries_and_their_pauses(sandbox):
    clock = FakeClock()
    with make_client(
        sandbox, "sandbox-server-error", retries=10, backoff=0.4, total_timeout=1.0, clock=clock
    ) as client:
        result = check(client)
    assert isinstance(result.error, ServerError)
    assert 1 <= result.retries < 10
    assert len(clock.sleeps) == result.retries == sandbox.count() - 1
    assert sum(clock.sleeps) < 1.0  # every pause ended before the deadline


def test_dropped_connection(sandbox):
    result = validate("sandbox-drop", base_url=sandbox.base_url, retries=1, **FAST)
    assert isinstance(result.error, ConnectionFailed)
    assert "closed the connection without answering" in result.message
    assert result.retries == 1
    assert sandbox.count() == 2


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = validate(
        "FAKE-key-refused-0002", base_url=f"http://127.0.0.1:{port}/v2", retries=0, **FAST
    )
    assert isinstance(result.error, ConnectionFailed)
    assert "refused" in result.message
    assert result.status_code is None


def test_dns_failure():
    result = validate(
        "FAKE-key-dns-0003", base_url="https://no-such-host.invalid/v2", retries=0, **FAST
    )
    assert isinstance(result.error, ConnectionFailed)
    assert "no-such-host.invalid" in result.message


def test_tls_failure_against_a_plain_http_port(sandbox):
    port = sandbox.port
    result = validate(
        "FAKE-key-tls-0004", base_url=f"https://127.0.0.1:{port}/v2", retries=0, **FAST
    )
    assert isinstance(result.error, TLSFailed)
    assert "certificates" in result.hint


def test_unknown_path_is_not_found(sandbox):
    with make_client(sandbox, DEMO_KEY) as client, pytest.raises(NotFoundError) as caught:
        client.get("/no-such-thing")
    assert caught.value.status_code == 404
    assert caught.value.error_type == "invalid_request_error"
    assert caught.value.request_id.startswith("req_")


def test_bad_parameter_names_the_param(sandbox):
    with make_client(sandbox, DEMO_KEY) as client, pytest.raises(InvalidRequestError) as caught:
        client.get("/users", limit=500)
    assert caught.value.param == "limit"
    assert "Check the parameter 'limit'" in caught.value.hint
    assert "(param: limit)" in str(caught.value)


def test_list_and_paginate(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        page = client.get("/users", limit=5)
        assert page["object"] == "list" and len(page["data"]) == 5 and page["has_more"]
        users = list(client.paginate("/users", limit=10))
    assert len(users) == len({u["id"] for u in users}) == 25
    assert all(u["id"].startswith("USR-") for u in users)


def test_post_is_never_retried(sandbox):
    client = make_client(sandbox, "sandbox-server-error", retries=3)
    with client, pytest.raises(ServerError) as caught:
        client.post("/webhooks", json_body={"url": "https://example.com/hook"})
    assert caught.value.retries == 0
    assert sandbox.count() == 1


def test_retry_after_in_seconds_replaces_the_backoff(sandbox):
    sandbox.retry_after = 7
    clock = FakeClock()
    with make_client(sandbox, "sandbox-ratelimited", retries=2, backoff=0.5, clock=clock) as c:
        result = check(c)
    assert result.retries == 2
    assert clock.sleeps == [7.0, 7.0]


def test_retry_after_beyond_the_deadline_is_not_waited_for(sandbox):
    sandbox.retry_after = 60
    clock = FakeClock()
    with make_client(sandbox, "sandbox-ratelimited", retries=3, clock=clock) as client:
        result = check(client)
    assert isinstance(result.error, RateLimitError)
    assert result.retries == 0 and clock.sleeps == []
    assert sandbox.count() == 1


class _RetryAfterDate(BaseHTTPRequestHandler):
    """429 with ``Retry-After`` as an HTTP date 5 s ahead of the test's clock, then 200."""

    clock: FakeClock
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if len(self.seen) == 1:
            body = b'{"type": "rate_limit_error", "message": "Request rate limit exceeded"}'
            self.send_response(429)
            self.send_header("Retry-After", formatdate(self.clock.time() + 5, usegmt=True))
        else:
            body = b'{"message": "The API key is valid for account: date@example.com"}'
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def retry_after_date_server() -> Iterator[tuple[str, type[_RetryAfterDate]]]:
    handler = type("Handler", (_RetryAfterDate,), {"clock": FakeClock(), "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2", handler
    server.shutdown()
    server.server_close()
    thread.join()


def test_retry_after_as_an_http_date(retry_after_date_server):
    base_url, handler = retry_after_date_server
    with OnceHub("FAKE-date-key-0010", base_url=base_url, clock=handler.clock, **FAST) as c:
        result = check(c)
    assert result.ok and result.account == "date@example.com"
    assert result.retries == 1
    assert handler.clock.sleeps == [5.0]
    assert handler.seen == ["/v2/test", "/v2/test"]


def test_limiter_keeps_under_the_server_limit_by_waiting():
    clock = FakeClock()
    with Sandbox(key_limit=RateLimit(3, 0.5), address_limit=None, clock=clock.monotonic) as box:
        client = OnceHub(
            DEMO_KEY,
            base_url=box.base_url,
            retries=0,
            account_limit=Limit(3, 0.5),
            clock=clock,
        )
        with client:
            results = [check(client) for _ in range(8)]
        statuses = [r.status for r in box.requests]
    assert [r.ok for r in results] == [True] * 8
    assert statuses == [200] * 8
    # calls 4 and 7 waited for the window to move (by its length plus a safety margin)
    assert clock.sleeps == [pytest.approx(0.55), pytest.approx(0.55)]
    assert sum(r.waited for r in results) == pytest.approx(sum(clock.sleeps))


def test_a_request_that_arrives_late_still_leaves_a_full_period_before_the_next():
    """The first request reaches the sandbox 0.3 s after it left (a pause on the way): the
    window counts it from its answer, so the sixth is not refused (it would arrive 0.75 s
    after the five the sandbox counted, if the client counted from the booking)."""
    clock = FakeClock()
    stamps: list[float] = []

    def arrival() -> float:  # the sandbox's clock for its limits: one read per request
        if not stamps:
            clock.advance(0.3)
        stamps.append(clock.now)
        return clock.now

    with Sandbox(key_limit=RateLimit(5, 1.0), address_limit=None, clock=arrival) as box:
        with OnceHub(DEMO_KEY, base_url=box.base_url, retries=0, clock=clock) as client:
            results = [check(client) for _ in range(6)]
        statuses = [r.status for r in box.requests]
    assert statuses == [200] * 6, statuses
    assert [r.ok for r in results] == [True] * 6
    assert stamps[5] - stamps[1] > 1.0  # the sandbox's window: five in any second, no more


def test_a_wait_longer_than_total_timeout_is_reported_and_nothing_sent(sandbox):
    clock = FakeClock()
    client = make_client(
        sandbox,
        DEMO_KEY,
        rate_limit=True,
        account_limit=Limit(2, 60.0, "per account"),
        total_timeout=1.0,
        clock=clock,
    )
    with client:
        assert check(client).ok and check(client).ok
        with pytest.raises(RateLimitError) as caught:
            client.get("/users")
        result = check(client)
    error = caught.value
    assert sandbox.count() == 2  # neither the third nor the fourth call was sent
    assert clock.sleeps == []  # and nothing waited
    assert error.status_code is None and not error.sent
    assert error.retry_in == pytest.approx(60.05)
    assert error.limit == "2 requests per minute per account"
    assert "Not sent" in error.message and "needs a 60.0 s wait" in error.message
    assert "total_timeout is 1.0 s" in error.message
    assert "Nothing was sent" in error.hint
    assert result.title == "Rate limited — not sent"
    assert "Status      not sent" in str(result)


def test_without_limiter_the_server_limit_bites(sandbox):
    sandbox.key_limit = RateLimit(3, 5.0)
    with make_client(sandbox, DEMO_KEY, retries=0) as client:
        results = [check(client) for _ in range(5)]
    assert [r.status_code for r in results] == [200, 200, 200, 429, 429]


def test_address_limit_is_shared_across_clients():
    clock = FakeClock()
    with Sandbox(key_limit=None, address_limit=RateLimit(4, 0.5), clock=clock.monotonic) as box:
        clients = [
            OnceHub(key, base_url=box.base_url, retries=0, address_limit=Limit(4, 0.5), clock=clock)
            for key in (DEMO_KEY, "FAKE-other-key-0005")
        ]
        statuses = [check(clients[i % 2]).status_code for i in range(10)]
        for client in clients:
            client.close()
    # one shared window: the second client's calls waited for the first's too
    assert statuses == [200, 401] * 5
    assert clock.sleeps == [pytest.approx(0.55), pytest.approx(0.55)]  # window + margin


# --- configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://api.oncehub.com/v2", "http://10.0.0.5:8000/v2", "http://example.com"]
)
def test_plain_http_refused_except_loopback(url):
    with pytest.raises(InsecureURLError, match="Refusing plain-HTTP"):
        OnceHub("FAKE-key-http-0006", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/v2", "http://localhost:9/v2/", "http://[::1]:9/v2"]
)
def test_plain_http_allowed_to_loopback(url):
    assert check_base_url(url) == url.rstrip("/")


def test_not_a_url():
    with pytest.raises(ConfigError, match="not an http"):
        check_base_url("api.oncehub.com")


def test_base_url_from_environment(monkeypatch, sandbox):
    monkeypatch.setenv("ONCEHUB_BASE_URL", sandbox.base_url)
    with OnceHub("sandbox-demo-key", **FAST) as client:
        assert client.base_url == sandbox.base_url
        assert check(client).ok


def test_default_base_url_and_user_agent(sandbox):
    with OnceHub("FAKE-key-default-0007") as client:
        assert client.base_url == "https://api.oncehub.com/v2"
    with make_client(sandbox, DEMO_KEY) as client:
        check(client)
    assert sandbox.requests[-1].user_agent.startswith("oncehub-nb/")


def test_auth_repr_is_masked():
    key = ApiKey("FAKE-redact-me-0008")
    assert repr(APIKeyAuth(key)) == "APIKeyAuth(ApiKey('…0008'))"


def test_client_repr_masks_key(sandbox):
    with make_client(sandbox, "FAKE-client-repr-0009") as client:
        assert "client-repr" not in repr(client)
        assert "…0009" in repr(client)


def test_base_url_from_the_keys_dotenv_file(monkeypatch, sandbox, tmp_path):
    (tmp_path / ".env").write_text(
        f"ONCEHUB_API_KEY={DEMO_KEY}\nONCEHUB_BASE_URL={sandbox.base_url}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = validate(**FAST)
    assert result.ok and result.base_url == sandbox.base_url
    monkeypatch.setenv("ONCEHUB_BASE_URL", "http://127.0.0.1:9/v2")
    with OnceHub(**FAST) as client:
        assert client.base_url == "http://127.0.0.1:9/v2"  # the environment wins over .env
