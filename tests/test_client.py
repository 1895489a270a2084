"""The client over real HTTP against the sandbox: every key, retries, limits, transport faults."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from oncehub_nb import OnceHub, validate
from oncehub_nb.api_client import APIKeyAuth, redact_headers
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
from oncehub_nb.keys import ApiKey
from oncehub_nb.ratelimit import Limit
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY, RateLimit
from oncehub_nb.urls import check_base_url

FAST = {"backoff": 0.01, "rate_limit": False}


def make_client(sandbox, key: str, **options) -> OnceHub:
    return OnceHub(ApiKey(key, source="test"), base_url=sandbox.base_url, **{**FAST, **options})


def test_valid_key(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        result = client.test()
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
        client.test()
    recorded = sandbox.requests[-1]
    assert recorded.api_key == DEMO_KEY
    assert recorded.path == "/v2/test"


def test_one_connection_pool_reused(sandbox):
    with make_client(sandbox, DEMO_KEY) as client:
        for _ in range(3):
            client.test()
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
    assert "mistyped" in result.hint and "regenerated or deleted" in result.hint
    assert "it came from argument" in result.hint
    text = str(result)
    for piece in ("401", "authentication_error", "Invalid API key.", result.request_id):
        assert piece in text


def test_forbidden_plan(sandbox):
    result = validate("sandbox-forbidden", base_url=sandbox.base_url, **FAST)
    assert isinstance(result.error, PermissionDenied)
    assert result.status_code == 403
    assert "Enterprise plan" in result.message
    assert "plan has no API access" in result.hint


def test_rate_limited_key_is_retried_then_reported(sandbox):
    result = validate("sandbox-ratelimited", base_url=sandbox.base_url, retries=3, **FAST)
    assert isinstance(result.error, RateLimitError)
    assert result.status_code == 429
    assert result.retries == 3
    assert sandbox.count(path="/v2/test") == 4
    assert "Retried 3 times" in result.hint
    assert "Retries" in str(result) and "3" in str(result)


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
    assert "502 Bad Gateway" in result.error.body_excerpt
    assert "proxy or gateway" in result.hint
    html = result._repr_html_()
    assert "<h1>" not in html
    assert "&lt;h1&gt;502 Bad Gateway" in html


def test_slow_server_times_out_within_budget(sandbox):
    sandbox.slow_seconds = 5
    started = time.monotonic()
    result = validate("sandbox-slow", base_url=sandbox.base_url, timeout=0.3, retries=1, **FAST)
    assert isinstance(result.error, TimeoutFailed)
    assert result.retries == 1
    assert sandbox.count() == 2
    assert time.monotonic() - started < 3
    assert "raise the timeout" in result.hint


def test_total_budget_caps_retries(sandbox):
    sandbox.slow_seconds = 5
    started = time.monotonic()
    result = validate(
        "sandbox-slow",
        base_url=sandbox.base_url,
        timeout=0.4,
        total_timeout=1.0,
        retries=10,
        **FAST,
    )
    assert isinstance(result.error, TimeoutFailed)
    assert time.monotonic() - started < 2.0
    assert result.retries < 10


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


def test_retry_after_is_honoured(sandbox):
    sandbox.retry_after = 0.3
    started = time.monotonic()
    result = validate("sandbox-ratelimited", base_url=sandbox.base_url, retries=2, **FAST)
    elapsed = time.monotonic() - started
    assert result.retries == 2
    assert elapsed >= 0.6  # two waits of Retry-After, not the 0.01 s backoff


def test_limiter_keeps_under_the_server_limit_by_waiting(sandbox):
    sandbox.key_limit = RateLimit(3, 0.5)
    with make_client(
        sandbox, DEMO_KEY, rate_limit=True, retries=0, account_limit=Limit(3, 0.5)
    ) as client:
        waited = 0.0
        for _ in range(8):
            assert client.test().ok
            waited += client.last_call.waited
    assert sandbox.count() == 8
    assert all(r.status == 200 for r in sandbox.requests)
    assert waited >= 0.5


def test_without_limiter_the_server_limit_bites(sandbox):
    sandbox.key_limit = RateLimit(3, 5.0)
    with make_client(sandbox, DEMO_KEY, retries=0) as client:
        results = [client.test() for _ in range(5)]
    assert [r.status_code for r in results] == [200, 200, 200, 429, 429]


def test_address_limit_is_shared_across_clients(sandbox):
    limit = Limit(4, 0.5)
    sandbox.address_limit = RateLimit(4, 0.5)
    clients = [
        make_client(sandbox, key, rate_limit=True, retries=0, address_limit=limit)
        for key in (DEMO_KEY, "FAKE-other-key-0005")
    ]
    statuses = [clients[i % 2].test().status_code for i in range(10)]
    for client in clients:
        client.close()
    assert 429 not in statuses


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
        assert client.test().ok


def test_default_base_url_and_user_agent(sandbox):
    with OnceHub("FAKE-key-default-0007") as client:
        assert client.base_url == "https://api.oncehub.com/v2"
    with make_client(sandbox, DEMO_KEY) as client:
        client.test()
    assert sandbox.requests[-1].user_agent.startswith("oncehub-nb/")


def test_auth_and_header_reprs_are_redacted():
    key = ApiKey("FAKE-redact-me-0008")
    assert "redact-me" not in repr(APIKeyAuth(key))
    request = httpx.Request("GET", "https://x.invalid", headers={"API-Key": key.reveal()})
    assert redact_headers(request.headers)["api-key"] == "[redacted]"


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
