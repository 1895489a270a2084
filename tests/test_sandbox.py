"""The local OnceHub API sandbox, exercised over real HTTP with httpx."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from oncehub_nb.sandbox import (
    DEMO_ACCOUNT,
    DEMO_KEY,
    FAULT_KEYS,
    RateLimit,
    RecordedRequest,
    Sandbox,
    serve,
)
from oncehub_nb.sandbox.limits import SlidingWindows

REQUEST_ID = re.compile(r"^req_[0-9a-f]{16}$")
NEXT_LINK = re.compile(r'<([^>]+)>; rel="next"')
PREVIOUS_LINK = re.compile(r'<([^>]+)>; rel="previous"')
VALID_MESSAGE = {"message": f"The API key is valid for account: {DEMO_ACCOUNT}"}
RATE_LIMITED = {"type": "rate_limit_error", "message": "Request rate limit exceeded"}

COLLECTIONS = [
    ("users", "USR-", 25),
    ("teams", "TM-", 3),
    ("event-types", "ET-", 12),
    ("booking-pages", "BP-", 8),
    ("bookings", "BKNG-", 30),
    ("contacts", "CTC-", 20),
    ("webhooks", "WHK-", 2),
]


# Two long-lived clients: building an httpx.Client costs tens of milliseconds.
PLAIN = httpx.Client(timeout=5)  # for get(): no default headers
KEYED = httpx.Client(timeout=5)  # for the client fixture: base URL and demo key set per test


@pytest.fixture(scope="module", autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    PLAIN.close()
    KEYED.close()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(key_limit=None) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> httpx.Client:
    KEYED.base_url = sandbox.base_url
    KEYED.headers = {"API-Key": DEMO_KEY}
    return KEYED


def get(sandbox: Sandbox, path: str, key: str | None = DEMO_KEY, **kwargs) -> httpx.Response:
    headers = {} if key is None else {"API-Key": key}
    return PLAIN.get(sandbox.base_url + path, headers=headers, **kwargs)


def assert_json_error(response: httpx.Response, status: int, body: dict) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert REQUEST_ID.match(response.headers["request-id"])
    assert response.json() == body


# -- keys ----------------------------------------------------------------------------------


def test_demo_key_is_valid(sandbox: Sandbox) -> None:
    response = get(sandbox, "/test")
    assert response.status_code == 200
    assert response.json() == VALID_MESSAGE
    assert response.headers["content-type"] == "application/json"
    assert REQUEST_ID.match(response.headers["request-id"])
    assert int(response.headers["content-length"]) == len(response.content)
    assert sandbox.base_url == f"http://127.0.0.1:{sandbox.port}/v2"


def test_key_header_name_is_case_insensitive(sandbox: Sandbox) -> None:
    response = PLAIN.get(sandbox.base_url + "/test", headers={"aPi-KeY": DEMO_KEY})
    assert response.json() == VALID_MESSAGE


@pytest.mark.parametrize("key", [None, "", "not-a-real-key", DEMO_KEY.upper()])
def test_missing_or_unknown_key_is_401(sandbox: Sandbox, key: str | None) -> None:
    body = {"type": "authentication_error", "message": "Invalid API key."}
    assert_json_error(get(sandbox, "/test", key), 401, body)
    assert_json_error(get(sandbox, "/users", key), 401, body)


def test_extra_accounts_are_valid_keys() -> None:
    with Sandbox(accounts={"team-key": "ops@example.com"}) as sandbox:
        response = get(sandbox, "/test", "team-key")
        assert response.json() == {"message": "The API key is valid for account: ops@example.com"}
        assert get(sandbox, "/test").json() == VALID_MESSAGE


def test_fault_keys_are_documented() -> None:
    assert set(FAULT_KEYS) == {
        "sandbox-forbidden",
        "sandbox-ratelimited",
        "sandbox-server-error",
        "sandbox-bad-gateway",
        "sandbox-slow",
        "sandbox-drop",
    }
    assert all(isinstance(text, str) and text and "\n" not in text for text in FAULT_KEYS.values())


@pytest.mark.parametrize("path", ["/test", "/users", "/bookings/BKNG-nope", "/nope"])
def test_forbidden_key_on_any_path(sandbox: Sandbox, path: str) -> None:
    body = {
        "type": "authentication_error",
        "message": "Your account plan does not support API access. "
        "To use the OnceHub API, you must upgrade to the Enterprise plan.",
    }
    assert_json_error(get(sandbox, path, "sandbox-forbidden"), 403, body)


def test_ratelimited_key_is_always_429(sandbox: Sandbox) -> None:
    for _ in range(3):
        response = get(sandbox, "/test", "sandbox-ratelimited")
        assert_json_error(response, 429, RATE_LIMITED)
        assert "retry-after" not in response.headers


def test_server_error_key(sandbox: Sandbox) -> None:
    response = get(sandbox, "/contacts", "sandbox-server-error")
    assert response.status_code == 500
    assert response.json()["type"] == "api_error"
    assert response.json()["message"]
    assert REQUEST_ID.match(response.headers["request-id"])


def test_bad_gateway_key_answers_html(sandbox: Sandbox) -> None:
    response = get(sandbox, "/test", "sandbox-bad-gateway")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html><head><title>502 Bad Gateway</title>")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert int(response.headers["content-length"]) == len(response.content)
    assert REQUEST_ID.match(response.headers["request-id"])


def test_slow_key_answers_like_demo_key_after_waiting() -> None:
    with Sandbox(slow_seconds=0.3) as sandbox:
        started = time.monotonic()
        response = get(sandbox, "/test", "sandbox-slow")
        assert time.monotonic() - started >= 0.3
        assert response.status_code == 200
        assert response.json() == VALID_MESSAGE


def handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def test_stop_is_prompt_while_a_slow_request_waits() -> None:
    sandbox = Sandbox(slow_seconds=30).start()
    port = sandbox.port
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(get(sandbox, "/test", "sandbox-slow"))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    deadline = time.monotonic() + 2
    while sandbox.count(key="sandbox-slow") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox.count(key="sandbox-slow") == 1
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 2
    caller.join(timeout=2)
    assert not caller.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.HTTPError)
    deadline = time.monotonic() + 1  # the sleeping handler thread was woken up and ended
    while handler_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert handler_threads() == []
    with socket.socket() as probe:  # the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_drop_key_closes_connection_without_response(sandbox: Sandbox) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        get(sandbox, "/test", "sandbox-drop")
    assert sandbox.requests[-1].api_key == "sandbox-drop"
    assert sandbox.requests[-1].status == 0
    assert get(sandbox, "/test").status_code == 200  # the server carries on


# -- routing -------------------------------------------------------------------------------


def test_unknown_path_is_404(sandbox: Sandbox) -> None:
    body = {"type": "invalid_request_error", "message": "Unrecognized request URL (GET: /v2/nope)."}
    assert_json_error(get(sandbox, "/nope"), 404, body)
    assert get(sandbox, "/users/USR-x/extra").status_code == 404
    outside = PLAIN.get(sandbox.base_url.removesuffix("/v2") + "/elsewhere")
    assert outside.status_code == 404
    assert outside.json()["type"] == "invalid_request_error"


def test_unknown_path_still_needs_a_key(sandbox: Sandbox) -> None:
    assert get(sandbox, "/nope", "wrong-key").status_code == 401


def test_write_methods_are_refused_with_error_shape(client: httpx.Client) -> None:
    response = client.post("/users", json={"first_name": "X"})
    assert response.status_code in (404, 405)
    assert response.json()["type"] == "invalid_request_error"
    assert "POST: /v2/users" in response.json()["message"]
    assert REQUEST_ID.match(response.headers["request-id"])
    assert client.get("/test").status_code == 200  # keep-alive connection still usable


def test_head_has_headers_but_no_body(client: httpx.Client) -> None:
    response = client.head("/test")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_request_ids_are_unique(client: httpx.Client) -> None:
    ids = {client.get("/test").headers["request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_server_logs_nothing(sandbox: Sandbox, capfd: pytest.CaptureFixture[str]) -> None:
    get(sandbox, "/test", "secret-looking-key-123")
    get(sandbox, "/test")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# -- rate limits ---------------------------------------------------------------------------


def test_key_limit_sixth_request_in_a_second_is_429() -> None:
    with Sandbox(accounts={"other-key": "other@example.com"}) as sandbox:
        statuses = [get(sandbox, "/test").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        assert_json_error(get(sandbox, "/test"), 429, RATE_LIMITED)
        assert get(sandbox, "/test", "other-key").status_code == 200  # limit is per key
        sandbox.key_limit = None
        assert get(sandbox, "/test").status_code == 200


def test_key_limit_window_slides() -> None:
    with Sandbox(key_limit=RateLimit(2, 0.3)) as sandbox:
        assert [get(sandbox, "/test").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(0.35)
        assert get(sandbox, "/test").status_code == 200


def test_address_limit_counts_every_key() -> None:
    with Sandbox(key_limit=None, address_limit=RateLimit(3, 60)) as sandbox:
        assert get(sandbox, "/test").status_code == 200
        assert get(sandbox, "/test", "wrong-key").status_code == 401
        assert get(sandbox, "/users").status_code == 200
        assert_json_error(get(sandbox, "/test"), 429, RATE_LIMITED)
        assert get(sandbox, "/test", "wrong-key").status_code == 429
        sandbox.address_limit = None
        assert get(sandbox, "/test").status_code == 200


def test_retry_after_header_when_configured() -> None:
    with Sandbox(retry_after=2, key_limit=RateLimit(1, 60)) as sandbox:
        assert get(sandbox, "/test", "sandbox-ratelimited").headers["retry-after"] == "2"
        assert get(sandbox, "/test").status_code == 200
        limited = get(sandbox, "/test")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "2"


def test_sliding_window_rejections_do_not_count() -> None:
    now = [100.0]
    windows = SlidingWindows(clock=lambda: now[0])
    limit = RateLimit(2, 1.0)
    assert [windows.allow("k", limit) for _ in range(4)] == [True, True, False, False]
    assert windows.allow("other", limit)
    now[0] += 1.01  # both accepted requests leave the window; rejected ones never entered
    assert [windows.allow("k", limit) for _ in range(3)] == [True, True, False]
    assert windows.allow("k", None)


# -- resources and pagination --------------------------------------------------------------


@pytest.mark.parametrize(("name", "prefix", "total"), COLLECTIONS)
def test_collections_list_everything(
    client: httpx.Client, name: str, prefix: str, total: int
) -> None:
    response = client.get(f"/{name}", params={"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list" and body["has_more"] is False
    assert "link" not in response.headers
    ids = [item["id"] for item in body["data"]]
    assert len(ids) == len(set(ids)) == total
    assert all(re.fullmatch(re.escape(prefix) + r"[0-9A-Z]{10}", i) for i in ids)
    emails = re.findall(r"[\w.+-]+@[\w.-]+", response.text)
    assert all(email.endswith("@example.com") for email in emails)


def test_default_page_is_ten_items_with_next_link(sandbox: Sandbox, client: httpx.Client) -> None:
    response = client.get("/users")
    body = response.json()
    assert len(body["data"]) == 10 and body["has_more"] is True
    last = body["data"][-1]["id"]
    assert (
        response.headers["link"] == f'<{sandbox.base_url}/users?limit=10&after={last}>; rel="next"'
    )


def test_pagination_walk_follows_links(client: httpx.Client) -> None:
    everything = [u["id"] for u in client.get("/users", params={"limit": 100}).json()["data"]]
    seen: list[str] = []
    url: str | None = "/users"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [u["id"] for u in response.json()["data"]]
        match = NEXT_LINK.search(response.headers.get("link", ""))
        assert response.json()["has_more"] is (match is not None)
        url = match.group(1) if match else None
        pages += 1
    assert pages == 3
    assert seen == everything and len(set(seen)) == 25


def test_previous_link_returns_the_page_before(client: httpx.Client) -> None:
    first = client.get("/bookings", params={"limit": 7})
    second = client.get(NEXT_LINK.search(first.headers["link"]).group(1))
    assert PREVIOUS_LINK.search(second.headers["link"])
    back = client.get(PREVIOUS_LINK.search(second.headers["link"]).group(1))
    assert back.json()["data"] == first.json()["data"]
    assert "previous" not in first.headers["link"]


def test_bookings_are_reverse_chronological(client: httpx.Client) -> None:
    times = [b["creation_time"] for b in client.get("/bookings?limit=100").json()["data"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("500", "Out of range value: 500. Please provide a number between 1 and 100."),
        ("0", "Out of range value: 0. Please provide a number between 1 and 100."),
        ("abc", None),
    ],
)
def test_bad_limit_is_400(client: httpx.Client, value: str, message: str | None) -> None:
    response = client.get("/users", params={"limit": value})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "invalid_request_error" and body["param"] == "limit"
    if message is not None:
        assert body["message"] == message


def test_after_and_before_together_is_400(client: httpx.Client) -> None:
    ids = [u["id"] for u in client.get("/users").json()["data"]]
    response = client.get("/users", params={"after": ids[0], "before": ids[5]})
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_request_error"
    assert response.json()["param"] in ("after", "before")


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_unknown_cursor_is_400(client: httpx.Client, cursor: str) -> None:
    response = client.get("/teams", params={cursor: "TM-NOPE"})
    assert response.status_code == 400
    assert response.json()["param"] == cursor


def test_get_one_object(client: httpx.Client) -> None:
    listed = client.get("/event-types").json()["data"][3]
    response = client.get(f"/event-types/{listed['id']}")
    assert response.status_code == 200
    assert response.json() == listed


def test_missing_object_is_404(sandbox: Sandbox) -> None:
    body = {"type": "invalid_request_error", "message": "No such user: 'USR-nope'", "param": "id"}
    assert_json_error(get(sandbox, "/users/USR-nope"), 404, body)


def test_data_is_deterministic(sandbox: Sandbox) -> None:
    with Sandbox() as other:
        assert get(sandbox, "/contacts").json() == get(other, "/contacts").json()


# -- recording and lifecycle ---------------------------------------------------------------


def test_requests_are_recorded(sandbox: Sandbox) -> None:
    response = get(sandbox, "/users", params={"limit": 2})
    get(sandbox, "/test", "wrong-key")
    get(sandbox, "/test")
    assert sandbox.count() == 3
    assert sandbox.count(path="/v2/test") == 2
    assert sandbox.count(key="wrong-key") == 1
    assert sandbox.count(path="/v2/test", key=DEMO_KEY) == 1
    first = sandbox.requests[0]
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path, first.query) == ("GET", "/v2/users", "limit=2")
    assert (first.api_key, first.client_address, first.status) == (DEMO_KEY, "127.0.0.1", 200)
    assert first.request_id == response.headers["request-id"]
    assert abs(first.time - time.time()) < 10
    assert first.user_agent.startswith("python-httpx/")
    assert len({r.client_port for r in sandbox.requests}) == 1  # one keep-alive connection
    assert [r.status for r in sandbox.requests] == [200, 401, 200]
    sandbox.clear_requests()
    assert sandbox.requests == [] and sandbox.count() == 0


def test_two_sandboxes_at_once() -> None:
    with Sandbox() as one, Sandbox() as two:
        assert one.port != two.port
        assert get(one, "/test").status_code == 200
        assert get(two, "/users").status_code == 200
        assert (one.count(), two.count()) == (1, 1)


def test_base_url_needs_start() -> None:
    with pytest.raises(RuntimeError):
        _ = Sandbox().base_url


def test_serve_prints_and_stops_on_event() -> None:
    lines: list[str] = []
    stop = threading.Event()
    runner = threading.Thread(
        target=serve, kwargs={"out": lines.append, "stop_event": stop}, daemon=True
    )
    runner.start()
    deadline = time.monotonic() + 2
    while not any("Ctrl+C" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.01)
    text = "\n".join(lines)
    base_url = re.search(r"http://127\.0\.0\.1:\d+/v2", text).group(0)
    assert DEMO_KEY in text
    assert all(key in text for key in FAULT_KEYS)
    response = PLAIN.get(base_url + "/test", headers={"API-Key": DEMO_KEY})
    assert response.json() == VALID_MESSAGE
    stop.set()
    runner.join(timeout=2)
    assert not runner.is_alive()
    assert lines[-1] == "sandbox stopped"
    with pytest.raises(httpx.ConnectError):
        PLAIN.get(base_url + "/test", headers={"API-Key": DEMO_KEY})
