"""The local OnceHub API sandbox, exercised over real HTTP with httpx."""

from __future__ import annotations

import ast
import atexit
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import httpx
import pytest

from oncehub_nb.sandbox import (
    DEMO_ACCOUNT,
    DEMO_KEY,
    FAULT_KEYS,
    RateLimit,
    RecordedRequest,
    Sandbox,
    resources,
    serve,
)
from oncehub_nb.sandbox.checks import Field, Kind, ListOf, Record, Text, _is_zone_name, is_time_zone
from oncehub_nb.sandbox.limits import SlidingWindows
from oncehub_nb.sandbox.router import api
from tests.sandbox.helpers import pinned
from tests.support import FakeClock

REQUEST_ID = re.compile(r"^req_[0-9a-f]{16}$")
STATUS_IN_DESCRIPTION = re.compile(r"^(\d{3}): ")
NEXT_LINK = re.compile(r'<([^>]+)>; rel="next"')
PREVIOUS_LINK = re.compile(r'<([^>]+)>; rel="previous"')
VALID_MESSAGE = {"message": f"The API key is valid for account: {DEMO_ACCOUNT}"}
RATE_LIMITED = {"type": "rate_limit_error", "message": "Request rate limit exceeded"}
INVALID_KEY = {"type": "authentication_error", "message": "Invalid API key."}
HANG_GUARD = 10  # seconds: only ever reached if the sandbox hangs

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


# Closed when the process ends: with pytest-xdist's work stealing, a module's tests can
# resume on a worker after a module-scoped fixture was torn down.
atexit.register(PLAIN.close)
atexit.register(KEYED.close)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(clock=pinned(), key_limit=None) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> httpx.Client:
    KEYED.base_url = sandbox.base_url
    KEYED.headers = {"API-Key": DEMO_KEY}
    return KEYED


def get(
    sandbox: Sandbox, path: str, key: str | None = DEMO_KEY, **kwargs: object
) -> httpx.Response:
    """GET ``path`` under the sandbox's base URL, with ``key`` as the API-Key header."""
    headers = {} if key is None else {"API-Key": key}
    return PLAIN.get(sandbox.base_url + path, headers=headers, **kwargs)


def assert_json_error(response: httpx.Response, status: int, body: dict[str, str]) -> None:
    """An API-shaped error: status, JSON content type, a request id and exactly ``body``."""
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


@pytest.mark.parametrize("key", [None, "", "FAKE-not-a-real-key", DEMO_KEY.upper()])
def test_missing_or_unknown_key_is_401(sandbox: Sandbox, key: str | None) -> None:
    assert_json_error(get(sandbox, "/test", key), 401, INVALID_KEY)
    assert_json_error(get(sandbox, "/users", key), 401, INVALID_KEY)


def test_extra_accounts_are_valid_keys() -> None:
    with Sandbox(clock=pinned(), accounts={"FAKE-team-key": "ops@example.com"}) as sandbox:
        response = get(sandbox, "/test", "FAKE-team-key")
        assert response.json() == {"message": "The API key is valid for account: ops@example.com"}
        assert get(sandbox, "/test").json() == VALID_MESSAGE


STATUS_FAULT_KEYS = sorted(k for k, text in FAULT_KEYS.items() if STATUS_IN_DESCRIPTION.match(text))


@pytest.mark.parametrize("key", STATUS_FAULT_KEYS)
def test_fault_key_answers_the_status_its_description_names(sandbox: Sandbox, key: str) -> None:
    """What ``oncehub-nb sandbox`` prints about a fault key ("403: ...") is what it does."""
    documented = int(STATUS_IN_DESCRIPTION.match(FAULT_KEYS[key]).group(1))
    assert get(sandbox, "/test", key).status_code == documented


def test_fault_keys_without_a_status_have_their_own_tests() -> None:
    """Every fault key is exercised: by status above, or by the slow and drop tests below."""
    assert len(STATUS_FAULT_KEYS) == 4
    assert set(FAULT_KEYS) - set(STATUS_FAULT_KEYS) == {"sandbox-slow", "sandbox-drop"}


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
    body = {
        "type": "api_error",
        "message": "Something went wrong on our side. Please try again later.",
    }
    assert_json_error(get(sandbox, "/contacts", "sandbox-server-error"), 500, body)


def test_bad_gateway_key_answers_html(sandbox: Sandbox) -> None:
    response = get(sandbox, "/test", "sandbox-bad-gateway")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html><head><title>502 Bad Gateway</title>")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert int(response.headers["content-length"]) == len(response.content)
    assert REQUEST_ID.match(response.headers["request-id"])


def test_slow_key_answers_like_demo_key_after_its_wait() -> None:
    with Sandbox(clock=pinned(), slow_seconds=0.01) as sandbox:
        response = get(sandbox, "/test", "sandbox-slow")
        assert response.status_code == 200
        assert response.json() == VALID_MESSAGE
        assert sandbox.requests[-1].status == 200


def test_slow_key_holds_its_answer_back() -> None:
    """With ``slow_seconds`` far above the client's read timeout, no answer comes in time."""
    with Sandbox(clock=pinned(), slow_seconds=30) as sandbox:
        with pytest.raises(httpx.ReadTimeout):
            get(sandbox, "/test", "sandbox-slow", timeout=httpx.Timeout(5, read=0.2))
        assert sandbox.requests[-1].api_key == "sandbox-slow"
        assert sandbox.requests[-1].status == 0  # still pending


class ArrivalClock:
    """A fake monotonic clock that also reports which threads asked it the time.

    The sandbox reads its clock for the address limit as soon as a request is
    recorded, in the thread handling it: that is the event a test waits on.
    """

    def __init__(self) -> None:
        self.fake = FakeClock()
        self.asked = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self) -> float:
        self.threads.append(threading.current_thread())
        self.asked.set()
        return self.fake.monotonic()


def test_stop_cuts_a_slow_request_short() -> None:
    """stop() returns, the waiting client is cut off, the handler thread ends, the port is free."""
    clock = ArrivalClock()
    # An address limit makes the sandbox read the clock for every request it records.
    sandbox = Sandbox(slow_seconds=30, address_limit=RateLimit(100, 60), clock=clock).start()
    port = sandbox.port
    outcome: list[object] = []
    patient = httpx.Client(timeout=60)  # far longer than the test: only stop() ends the call

    def call() -> None:
        try:
            outcome.append(
                patient.get(sandbox.base_url + "/test", headers={"API-Key": "sandbox-slow"})
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    try:
        assert clock.asked.wait(HANG_GUARD), "the slow request never reached the sandbox"
        handler = clock.threads[0]
        assert [r.status for r in sandbox.requests] == [0]  # received, not answered
        stopper = threading.Thread(target=sandbox.stop, daemon=True)
        stopper.start()
        stopper.join(HANG_GUARD)
        assert not stopper.is_alive()  # stop() did not wait for the slow request
        caller.join(HANG_GUARD)
        assert not caller.is_alive()
        assert len(outcome) == 1
        assert isinstance(outcome[0], httpx.RemoteProtocolError)  # cut, not timed out
        handler.join(HANG_GUARD)  # the handler thread was woken from its wait and ended
        assert not handler.is_alive()
    finally:
        sandbox.stop()
        patient.close()
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
    def unrecognized(path: str) -> dict[str, str]:
        return {
            "type": "invalid_request_error",
            "message": f"Unrecognized request URL (GET: {path}).",
        }

    assert_json_error(get(sandbox, "/nope"), 404, unrecognized("/v2/nope"))
    assert_json_error(
        get(sandbox, "/users/USR-x/extra"), 404, unrecognized("/v2/users/USR-x/extra")
    )
    outside = PLAIN.get(sandbox.base_url.removesuffix("/v2") + "/elsewhere")
    assert_json_error(outside, 404, unrecognized("/elsewhere"))


def test_unknown_path_still_needs_a_key(sandbox: Sandbox) -> None:
    assert_json_error(get(sandbox, "/nope", "FAKE-wrong-key"), 401, INVALID_KEY)


@pytest.mark.parametrize("method", ["POST", "DELETE", "TRACE", "PROPFIND"])
def test_a_method_the_path_does_not_have_is_405_with_allow(
    client: httpx.Client, method: str
) -> None:
    response = client.request(method, "/teams", json={"name": "X"})
    body = {
        "type": "invalid_request_error",
        "message": f"Unsupported method for this URL ({method}: /v2/teams). Allowed: GET, HEAD.",
    }
    assert_json_error(response, 405, body)
    assert response.headers["allow"] == "GET, HEAD"
    assert client.get("/test").status_code == 200  # keep-alive connection still usable


def test_write_method_on_an_unknown_path_is_404(client: httpx.Client) -> None:
    response = client.post("/nope", json={"first_name": "X"})
    body = {
        "type": "invalid_request_error",
        "message": "Unrecognized request URL (POST: /v2/nope).",
    }
    assert_json_error(response, 404, body)
    assert "allow" not in response.headers


def test_head_has_headers_but_no_body(client: httpx.Client) -> None:
    response = client.head("/test")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len(client.get("/test").content)


def test_request_ids_are_unique(client: httpx.Client) -> None:
    ids = {client.get("/test").headers["request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_server_logs_nothing(sandbox: Sandbox, capfd: pytest.CaptureFixture[str]) -> None:
    get(sandbox, "/test", "FAKE-secret-looking-key-123")
    get(sandbox, "/test")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# -- rate limits ---------------------------------------------------------------------------


def test_key_limit_sixth_request_in_a_second_is_429() -> None:
    """The default limit, OnceHub's 5 per second per key, on a clock that does not move."""
    clock = FakeClock()
    with Sandbox(accounts={"FAKE-other-key": "other@example.com"}, clock=clock) as sandbox:
        statuses = [get(sandbox, "/test").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        assert_json_error(get(sandbox, "/test"), 429, RATE_LIMITED)
        assert get(sandbox, "/test", "FAKE-other-key").status_code == 200  # limit is per key
        sandbox.key_limit = None
        assert get(sandbox, "/test").status_code == 200


def test_key_limit_window_slides() -> None:
    clock = FakeClock()
    with Sandbox(key_limit=RateLimit(2, 1.0), clock=clock) as sandbox:
        assert get(sandbox, "/test").status_code == 200
        clock.advance(0.5)
        assert [get(sandbox, "/test").status_code for _ in range(2)] == [200, 429]
        clock.advance(0.499)  # the first request is still 0.999 s old
        assert get(sandbox, "/test").status_code == 429
        clock.advance(0.001)  # now it is a full period old and leaves the window
        assert [get(sandbox, "/test").status_code for _ in range(2)] == [200, 429]
        clock.advance(0.5)  # the second leaves too
        assert get(sandbox, "/test").status_code == 200


def test_address_limit_counts_every_key() -> None:
    clock = FakeClock()
    limit = RateLimit(3, 60)
    with Sandbox(key_limit=None, address_limit=limit, clock=clock) as sandbox:
        assert get(sandbox, "/test").status_code == 200
        assert get(sandbox, "/test", "FAKE-wrong-key").status_code == 401
        assert get(sandbox, "/users").status_code == 200
        assert_json_error(get(sandbox, "/test"), 429, RATE_LIMITED)
        assert get(sandbox, "/test", "FAKE-wrong-key").status_code == 429
        clock.advance(60)  # the window has slid past all three
        assert get(sandbox, "/test").status_code == 200
        sandbox.address_limit = None
        assert [get(sandbox, "/test").status_code for _ in range(5)] == [200] * 5


def test_retry_after_header_when_configured() -> None:
    clock = FakeClock()
    with Sandbox(retry_after=2, key_limit=RateLimit(1, 60), clock=clock) as sandbox:
        assert get(sandbox, "/test", "sandbox-ratelimited").headers["retry-after"] == "2"
        assert get(sandbox, "/test").status_code == 200
        limited = get(sandbox, "/test")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "2"


def test_sliding_window_rejections_do_not_count() -> None:
    clock = FakeClock()
    windows = SlidingWindows(clock=clock.monotonic)
    limit = RateLimit(2, 1.0)
    assert [windows.allow("k", limit) for _ in range(4)] == [True, True, False, False]
    assert windows.allow("other", limit)
    clock.advance(1.0)  # both accepted requests leave the window; rejected ones never entered
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


@pytest.mark.parametrize(("name", "emails"), [("users", 25), ("bookings", 118), ("contacts", 20)])
def test_every_email_address_is_invented(client: httpx.Client, name: str, emails: int) -> None:
    """The collections with people in them use only example.com addresses."""
    text = client.get(f"/{name}", params={"limit": 100}).text
    found = re.findall(r"[\w.+-]+@[\w.-]+", text)
    assert len(found) == emails
    assert all(email.endswith("@example.com") for email in found)


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
    assert len(set(times)) == len(times) == 30  # distinct, so the order below is meaningful
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("500", "Out of range value: 500. Please provide a number between 1 and 100."),
        ("0", "Out of range value: 0. Please provide a number between 1 and 100."),
        ("abc", "Invalid integer: abc. Please provide a number between 1 and 100."),
    ],
)
def test_bad_limit_is_400(client: httpx.Client, value: str, message: str) -> None:
    response = client.get("/users", params={"limit": value})
    body = {"type": "invalid_request_error", "message": message, "param": "limit"}
    assert_json_error(response, 400, body)


def test_after_and_before_together_is_400(client: httpx.Client) -> None:
    ids = [u["id"] for u in client.get("/users").json()["data"]]
    response = client.get("/users", params={"after": ids[0], "before": ids[5]})
    body = {
        "type": "invalid_request_error",
        "message": "Received both before and after parameters. Please provide only one.",
        "param": "before",
    }
    assert_json_error(response, 400, body)


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_unknown_cursor_is_400(client: httpx.Client, cursor: str) -> None:
    response = client.get("/teams", params={cursor: "TM-NOPE"})
    body = {"type": "invalid_request_error", "message": "No such team: 'TM-NOPE'", "param": cursor}
    assert_json_error(response, 400, body)


def test_get_one_object(client: httpx.Client) -> None:
    listed = client.get("/event-types").json()["data"][3]
    response = client.get(f"/event-types/{listed['id']}")
    assert response.status_code == 200
    assert response.json() == listed


def test_missing_object_is_404(sandbox: Sandbox) -> None:
    body = {"type": "invalid_request_error", "message": "No such user: 'USR-nope'", "param": "id"}
    assert_json_error(get(sandbox, "/users/USR-nope"), 404, body)


def test_data_is_deterministic(sandbox: Sandbox) -> None:
    with Sandbox(clock=pinned()) as other:
        assert get(sandbox, "/contacts").json() == get(other, "/contacts").json()


# -- recording and lifecycle ---------------------------------------------------------------


def test_requests_are_recorded(sandbox: Sandbox) -> None:
    before = sandbox.clock.time()  # RecordedRequest.time is on the sandbox's clock
    response = get(sandbox, "/users", params={"limit": 2})
    after = sandbox.clock.time()
    get(sandbox, "/test", "FAKE-wrong-key")
    get(sandbox, "/test")
    assert sandbox.count() == 3
    assert sandbox.count(path="/v2/test") == 2
    assert sandbox.count(key="FAKE-wrong-key") == 1
    assert sandbox.count(path="/v2/test", key=DEMO_KEY) == 1
    first = sandbox.requests[0]
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path, first.query) == ("GET", "/v2/users", "limit=2")
    assert (first.api_key, first.client_address, first.status) == (DEMO_KEY, "127.0.0.1", 200)
    assert first.request_id == response.headers["request-id"]
    assert before <= first.time <= after
    assert first.user_agent.startswith("python-httpx/")
    assert len({r.client_port for r in sandbox.requests}) == 1  # one keep-alive connection
    assert [r.status for r in sandbox.requests] == [200, 401, 200]
    sandbox.clear_requests()
    assert sandbox.requests == [] and sandbox.count() == 0


def test_two_sandboxes_at_once() -> None:
    with Sandbox(clock=pinned()) as one, Sandbox(clock=pinned()) as two:
        assert one.port != two.port
        assert get(one, "/test").status_code == 200
        assert get(two, "/users").status_code == 200
        assert (one.count(), two.count()) == (1, 1)


def test_base_url_needs_start() -> None:
    with pytest.raises(RuntimeError, match="sandbox not started"):
        _ = Sandbox(clock=pinned()).base_url


def test_serve_prints_and_stops_on_event() -> None:
    lines: list[str] = []
    ready = threading.Event()

    def out(line: str) -> None:
        lines.append(line)
        if "Ctrl+C" in line:  # the last line printed before serve() waits
            ready.set()

    stop = threading.Event()
    runner = threading.Thread(target=serve, kwargs={"out": out, "stop_event": stop}, daemon=True)
    runner.start()
    assert ready.wait(HANG_GUARD), lines
    text = "\n".join(lines)
    base_url = re.search(r"http://127\.0\.0\.1:\d+/v2", text).group(0)
    assert DEMO_KEY in text
    listed = dict(line.strip().split(None, 1) for line in lines if line.startswith("  "))
    assert listed == FAULT_KEYS  # every fault key, each with its description
    response = PLAIN.get(base_url + "/test", headers={"API-Key": DEMO_KEY})
    assert response.json() == VALID_MESSAGE
    stop.set()
    runner.join(HANG_GUARD)
    assert not runner.is_alive()
    assert lines[-1] == "sandbox stopped"
    with pytest.raises(httpx.ConnectError):
        PLAIN.get(base_url + "/test", headers={"API-Key": DEMO_KEY})


# -- the sandbox's layout ----------------------------------------------------------------------

RESOURCES_PACKAGE = resources.__name__  # "oncehub_nb.sandbox.resources"
RESOURCE_MODULES = sorted(
    p for p in Path(resources.__file__).parent.glob("*.py") if p.name != "__init__.py"
)


def imported_modules(source: str, module: str) -> list[str]:
    """The absolute names of what ``source`` (module ``module``) imports, and imports from."""
    package = module.rsplit(".", 1)[0].split(".")
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            full = ".".join([*base, *([node.module] if node.module else [])])
            names.append(full)  # and each name, which may be a module ("from . import users")
            names += [f"{full}.{alias.name}" for alias in node.names]
    return names


def sibling_imports(source: str, module: str) -> list[str]:
    """What ``source`` imports from the resources package: its siblings or the package."""
    return [
        name
        for name in imported_modules(source, module)
        if name == RESOURCES_PACKAGE or name.startswith(RESOURCES_PACKAGE + ".")
    ]


def test_sibling_import_finder_sees_every_spelling() -> None:
    module = f"{RESOURCES_PACKAGE}.contacts"
    for source in (
        "from .users import fresh_id",
        "from . import users",
        "from .. import resources",
        "from ..resources.users import fresh_id",
        "import oncehub_nb.sandbox.resources.users",
        "from oncehub_nb.sandbox.resources import users",
        "def later():\n    from .users import fresh_id",
    ):
        assert sibling_imports(source, module), source
    core = "from ..store import Table\nfrom ..checks import Email\nimport hashlib"
    assert sibling_imports(core, module) == []


@pytest.mark.parametrize("path", RESOURCE_MODULES, ids=lambda p: p.stem)
def test_resource_modules_import_the_core_never_each_other(path: Path) -> None:
    """Shared code lives in the sandbox's core modules, so each resource stands alone."""
    module = f"{RESOURCES_PACKAGE}.{path.stem}"
    assert sibling_imports(path.read_text(encoding="utf-8"), module) == []


def test_every_resource_module_is_checked_for_sibling_imports() -> None:
    assert {p.stem for p in RESOURCE_MODULES} >= {"bookings", "contacts", "users", "webhooks"}
    assert len(RESOURCE_MODULES) == len(resources.SEEDERS) + 1  # and account_check


# -- time zones: one test, the same verdict wherever a time zone is taken ----------------------

ZONE_VERDICTS = {  # IANA names, as zoneinfo knows them, spelled as the tz database spells them
    "America/New_York": True,
    "Asia/Kolkata": True,
    "UTC": True,
    "Etc/GMT+5": True,
    "US/Eastern": True,  # backward-compatible links are IANA names too
    "Europe/Kiev": True,
    "GMT": True,
    "america/new_york": False,
    "AMERICA/NEW_YORK": False,
    "Invalid/Timezone": False,  # the reference's own example of an invalid timezone
    "": False,
    " UTC": False,
    "UTC ": False,
    "+02:00": False,
    "GMT+2": False,
    "CEST": False,
    "Mars/Olympus_Mons": False,
    "America": False,
    "America/New_York/": False,
    "../etc/passwd": False,
    "/usr/share/zoneinfo/UTC": False,
    "posix/UTC": False,
    "zone.tab": False,
    "posixrules": False,
    "localtime": False,  # a copy of the machine's own zone that some systems keep
}


def test_the_time_zone_test_follows_the_iana_names() -> None:
    if not available_timezones():
        pytest.skip("no tz database (neither the system's nor tzdata)")
    assert {name: is_time_zone(name) for name in ZONE_VERDICTS} == ZONE_VERDICTS
    assert not any(is_time_zone(value) for value in (None, 5, ["UTC"], {"name": "UTC"}))


def test_without_a_tz_database_the_shape_decides() -> None:
    no_database: frozenset[str] = frozenset()
    for name in ("UTC", "America/New_York", "Etc/GMT+5", "America/Argentina/Buenos_Aires"):
        assert _is_zone_name(name, no_database), name
    for name in ("america/new_york", "Invalid", "", " UTC", "+02:00", "../etc/passwd", 5):
        assert not _is_zone_name(name, no_database), name


def time_zone_verdicts(client: httpx.Client) -> dict[str, dict[str, bool]]:
    """For each endpoint that takes a time zone: which of ZONE_VERDICTS's names it accepts."""
    contact_id = client.get("/contacts").json()["data"][0]["id"]
    calendar_id = next(  # published, with a host who has a seat: it answers time slots
        c["id"]
        for c in client.get("/booking-calendars").json()["data"]
        if client.get(f"/booking-calendars/{c['id']}/time-slots").status_code == 200
    )
    form = {"name": "Ann Lee", "email": "ann.lee@example.org"}

    def refused(response: httpx.Response, param: str) -> bool:
        error = response.json() if response.status_code == 400 else {}
        return error.get("param") == param

    verdicts: dict[str, dict[str, bool]] = {}
    for n, name in enumerate(ZONE_VERDICTS):
        new = {"first_name": "Zo", "last_name": "Ne", "email": f"zone{n}@example.org"}
        answers = {
            "POST /contacts": client.post("/contacts", json={**new, "timezone": name}),
            "PATCH /contacts/{id}": client.patch(
                f"/contacts/{contact_id}", json={"timezone": name}
            ),
            "POST /booking-calendars/{id}/schedule": client.post(  # a time long past: 400
                f"/booking-calendars/{calendar_id}/schedule",
                json={
                    "start_time": "2020-01-06T10:00:00Z",
                    "guest_time_zone": name,
                    "booking_form": form,
                },
            ),
        }
        for operation, response in answers.items():
            param = "guest_time_zone" if "schedule" in operation else "timezone"
            assert response.status_code in (200, 201, 400), (operation, name, response.text)
            verdicts.setdefault(operation, {})[name] = not refused(response, param)
    return verdicts


def test_every_endpoint_that_takes_a_time_zone_gives_the_same_verdict(
    client: httpx.Client,
) -> None:
    expected = {name: is_time_zone(name) for name in ZONE_VERDICTS}
    for operation, verdicts in time_zone_verdicts(client).items():
        assert verdicts == expected, operation


# -- required body fields: null is refused like a missing field --------------------------------


def declared_fields(kind: Kind, where: str = "") -> Iterator[tuple[str, Field]]:
    """Every field of a body declaration, nested ones too, with its path (``a.b``)."""
    if isinstance(kind, ListOf):
        yield from declared_fields(kind.item, where)
    elif isinstance(kind, Record):
        for name, spec in kind.fields.items():
            path = f"{where}.{name}" if where else name
            yield path, spec
            yield from declared_fields(spec.kind, path)


SLOT = {"start_time": "09:00", "end_time": "12:00", "locations": [{"type": "phone_by_guest"}]}
VALID_BODIES = {  # a body that passes the operation's checks; "{user}": a user's id
    "POST /webhooks": {
        "url": "https://hooks.example.com/n",
        "name": "N",
        "events": ["booking.scheduled"],
    },
    "POST /bookings/{booking}/reassign": {
        "new_host": "{user}",
        "location": {"type": "virtual", "value": "zoom"},
    },
    "POST /booking-calendars/{calendar}/schedule": {
        "start_time": "2099-01-05T10:00:00Z",
        "guest_time_zone": "UTC",
        "booking_form": {"name": "Ann Lee", "email": "ann.lee@example.org"},
    },
    "POST /users": {"email": "new.user@example.org", "first_name": "New", "last_name": "User"},
    "POST /contacts": {
        "first_name": "New",
        "last_name": "Contact",
        "email": "new.contact@example.org",
        "custom_fields": [{"name": "lead_source", "value": "Webinar"}],
    },
    "PATCH /contacts/{contact}": {"custom_fields": [{"name": "lead_source", "value": "Webinar"}]},
    "PATCH /users/{user}/scheduling-availability": {
        "weekly": [{"day": "Monday", "working_hours": [SLOT]}],
        "overrides": [{"date": "2099-01-05", "working_hours": [SLOT]}],
    },
}
REQUIRED_FIELDS = {  # the required fields of each body, as the error's param names them
    "POST /webhooks": ("url", "name", "events"),
    "POST /bookings/{booking}/reassign": ("new_host", "location.type", "location.value"),
    "POST /booking-calendars/{calendar}/schedule": (
        "start_time",
        "guest_time_zone",
        "booking_form",
    ),
    "POST /users": ("email", "first_name", "last_name"),
    "POST /contacts": ("first_name", "last_name", "custom_fields.name"),
    "PATCH /contacts/{contact}": ("custom_fields.name",),
    "PATCH /users/{user}/scheduling-availability": (
        "weekly.day",
        "weekly.working_hours",
        *(f"{days}.working_hours.{name}" for days in ("weekly", "overrides") for name in SLOT),
        "weekly.working_hours.locations.type",
        "overrides.working_hours.locations.type",
    ),
}
REQUIRED_NULLS = [(op, field) for op, fields in REQUIRED_FIELDS.items() for field in fields]


def test_required_fields_are_never_nullable_and_each_is_tried_with_null() -> None:
    required = {
        (f"{op.method} {op.template}", path): spec
        for op in api.operations
        if op.body is not None
        for path, spec in declared_fields(op.body)
        if spec.required
    }
    assert [where for where, spec in required.items() if spec.nullable] == []
    tried = {(re.sub(r"\{\w+\}", "{id}", op), field) for op, field in REQUIRED_NULLS}
    assert tried == set(required)
    with pytest.raises(ValueError, match="cannot be nullable"):
        Field(Text(), required=True, nullable=True)


def with_null(body: Any, path: list[str]) -> Any:
    """``body`` with the field at ``path`` set to null (in every item of a list on the way)."""
    if isinstance(body, list):
        return [with_null(item, path) for item in body]
    head, rest = path[0], path[1:]
    return {**body, head: with_null(body[head], rest) if rest else None}


@pytest.mark.parametrize(
    ("operation", "field"), REQUIRED_NULLS, ids=[" ".join(t) for t in REQUIRED_NULLS]
)
def test_a_required_field_given_null_is_400_naming_it(
    client: httpx.Client, operation: str, field: str
) -> None:
    ids = {
        "user": client.get("/users").json()["data"][0]["id"],
        "booking": client.get("/bookings", params={"status": "scheduled"}).json()["data"][0]["id"],
        "calendar": client.get("/booking-calendars").json()["data"][0]["id"],
        "contact": client.get("/contacts").json()["data"][0]["id"],
    }
    method, template = operation.split(" ")
    body = json.loads(json.dumps(VALID_BODIES[operation]).replace("{user}", ids["user"]))
    answer = client.request(method, template.format(**ids), json=with_null(body, field.split(".")))
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert (error["type"], error["param"]) == ("invalid_request_error", field)
    assert re.search("null|missing|required", error["message"], re.IGNORECASE), error
