"""Webhook deliveries end to end: the sandbox POSTs signed events to a receiver here.

The receiver is a small stdlib HTTP server on 127.0.0.1 in this file. Signatures are
checked with ``hmac``/``hashlib`` directly (OnceHub's "Webhook signatures" page), not
with the package's code, and each payload against the reference file's schema for its
event. Retry waits go through an injected sleep, so no test waits them out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from oncehub_nb.sandbox import EVENT_TYPES, Delivery, Sandbox
from oncehub_nb.sandbox.webhooks_out.courier import Courier, Outgoing
from tests.reference import SPEC_URI, assert_valid, component, pointer, spec
from tests.support import CANARY_ACCOUNT, CANARY_KEY, FakeClock, loopback

JSON = dict[str, Any]
HEADERS = {"API-Key": CANARY_KEY}
WAIT = 10.0  # seconds: the most any wait here may take before the test fails


# -- a receiver --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Received:
    """One POST as the receiver got it: path, headers and the raw body."""

    path: str
    headers: Message
    body: bytes


class Receiver:
    """A webhook endpoint on 127.0.0.1: records each POST and answers 200.

    ``statuses`` are answered first, one per request; with a ``gate`` each answer waits
    until the gate is set.
    """

    def __init__(self, statuses: tuple[int, ...] = (), gate: threading.Event | None = None):
        self.received: list[Received] = []
        self._statuses = list(statuses)
        self._gate = gate
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self._cond:
            self.received.append(Received(handler.path, handler.headers, body))
            status = self._statuses.pop(0) if self._statuses else 200
            self._cond.notify_all()
        if self._gate is not None:
            self._gate.wait(WAIT)
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def wait_for(self, count: int) -> list[Received]:
        """The requests received, once there are ``count`` of them."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.received) >= count, WAIT), self.received
            return list(self.received)

    def at(self, path: str) -> list[Received]:
        with self._cond:
            return [r for r in self.received if r.path == path]

    def close(self) -> None:
        if self._gate is not None:
            self._gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(WAIT)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


class Sleeps(list[float]):
    """An injected sleep: records each wait (none taken) and the thread that asked for it."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.threads.append(threading.current_thread())


@pytest.fixture
def sleeps() -> Sleeps:
    """The waits between delivery attempts the sandbox asked for (none taken)."""
    return Sleeps()


@pytest.fixture
def box(sleeps: Sleeps) -> Iterator[Sandbox]:
    with Sandbox(
        key_limit=None,
        address_limit=None,
        accounts={CANARY_KEY: CANARY_ACCOUNT},
        bookings=200,
        delivery_sleep=sleeps,
    ) as sandbox:
        yield sandbox


# -- helpers -------------------------------------------------------------------------------


def event_types() -> list[str]:
    """The event types: the reference file's ``webhooks`` section."""
    return list(spec()["webhooks"])


def event_schema(event_type: str) -> JSON:
    """The reference file's request-body schema for one webhook event."""
    parts = ("webhooks", event_type, "post", "requestBody", "content", "application/json")
    return {"$ref": SPEC_URI + pointer(*parts, "schema")}


def call(box: Sandbox, method: str, path: str, body: Any = None, **params: Any) -> Any:
    response = loopback().request(
        method, box.base_url + path, json=body, params=params, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return response.json()


def subscribe(box: Sandbox, url: str, events: list[str], name: str | None = None) -> JSON:
    """A subscription made through ``POST /webhooks``; the answer carries its secret."""
    body = {"url": url, "name": name or url, "events": events}
    return call(box, "POST", "/webhooks", body)


def signature_ok(secret: str, received: Received) -> bool:
    """OnceHub's check: ``s`` is the hex HMAC-SHA256 of ``<t>.<raw body>`` under the secret."""
    fields = dict(part.split("=", 1) for part in received.headers["Oncehub-Signature"].split(","))
    assert set(fields) == {"t", "s"}, fields
    assert abs(time.time() - int(fields["t"])) < 300
    message = fields["t"].encode() + b"." + received.body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["s"])


def check_delivery(received: Received, secret: str, event_type: str) -> JSON:
    """The delivered event: signed with ``secret``, headers as documented, schema-valid."""
    names = [name for name, _ in received.headers.items()]
    assert "Oncehub-Signature" in names  # the documented spelling
    assert received.headers["Content-Type"] == "application/json"
    assert "sandbox" in received.headers["User-Agent"]
    assert signature_ok(secret, received)
    assert not signature_ok(secret[::-1], received)
    event = httpx.Response(200, content=received.body).json()
    assert_valid(event, event_schema(event_type))
    assert set(event) == {"id", "object", "creation_time", "type", "api_version", "data"}
    assert (event["object"], event["type"], event["api_version"]) == ("event", event_type, "v2")
    assert event["id"].startswith("EVNT-")
    return event


def as_webhook_data(booking: JSON) -> JSON:
    """A booking as GET serves it, shaped as the reference's ``BookingWebhookData``."""
    data = {k: v for k, v in booking.items() if k not in ("contact", "utm_params")}
    url = booking.get("reschedule_url") or f"https://book.example.com/m/{booking['id']}"
    return {**data, "conversation": None, "cancel_reschedule_url": url}


def bookings(box: Sandbox, **params: Any) -> list[JSON]:
    return call(box, "GET", "/bookings", limit=100, **params)["data"]


def upcoming(box: Sandbox, n: int) -> JSON:
    """The ``n``-th scheduled booking that was not paid for (those can be canceled)."""
    found = [b for b in bookings(box, status="scheduled") if not b.get("payment_information")]
    assert len(found) > n
    return found[n]


# -- the booking actions -------------------------------------------------------------------


def schedule(box: Sandbox) -> str:
    calendars = call(box, "GET", "/booking-calendars", limit=100)["data"]
    calendar = next(c for c in calendars if c["published"] and c["host"].startswith("USR-"))
    start = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    slots = call(box, "GET", f"/booking-calendars/{calendar['id']}/time-slots", start_time=start)
    form = {"name": "Dana Guest", "email": "dana.guest@example.org"}
    body = {"start_time": slots[0]["start_time"], "guest_time_zone": "Europe/Paris"}
    made = call(
        box, "POST", f"/booking-calendars/{calendar['id']}/schedule", {**body, "booking_form": form}
    )
    return str(made["id"])


def cancel(box: Sandbox) -> str:
    booking = upcoming(box, 0)
    assert call(box, "POST", f"/bookings/{booking['id']}/cancel", {"cancellation_reason": "Ill"})
    return str(booking["id"])


def request_reschedule(box: Sandbox) -> str:
    booking = upcoming(box, 1)
    body = {"reschedule_reason": "Host is ill"}
    assert call(box, "POST", f"/bookings/{booking['id']}/request-reschedule", body)
    return str(booking["id"])


def reassign(box: Sandbox) -> str:
    booking = upcoming(box, 2)
    users = call(box, "GET", "/users", limit=100)["data"]
    user = next(u for u in users if u["status"] == "active" and u["id"] != booking["owner"])
    made = call(box, "POST", f"/bookings/{booking['id']}/reassign", {"new_host": user["id"]})
    assert made["owner"] == user["id"]
    return str(booking["id"])


def no_show(box: Sandbox) -> str:
    booking = bookings(box, status="completed")[0]
    assert call(box, "POST", f"/bookings/{booking['id']}/no-show")["status"] == "no_show"
    return str(booking["id"])


ACTIONS: dict[str, Callable[[Sandbox], str]] = {
    "booking.scheduled": schedule,
    "booking.canceled": cancel,
    "booking.canceled_reschedule_requested": request_reschedule,
    "booking.reassigned": reassign,
    "booking.no_show": no_show,
}
STATUS_AFTER = {
    "booking.scheduled": "scheduled",
    "booking.canceled": "canceled",
    "booking.canceled_reschedule_requested": "canceled",
    "booking.no_show": "no_show",
}


@pytest.mark.needs_openapi
def test_the_sandbox_knows_every_documented_event_type() -> None:
    assert list(EVENT_TYPES) == event_types() and len(EVENT_TYPES) == 11


@pytest.mark.needs_openapi
@pytest.mark.parametrize("event_type", list(ACTIONS))
def test_a_booking_action_is_delivered_to_who_asked(
    box: Sandbox, receiver: Receiver, event_type: str
) -> None:
    others = [e for e in event_types() if e != event_type]
    unwanted = subscribe(box, receiver.url("/others"), others)  # older: its turn would be first
    wanted = subscribe(box, receiver.url("/wanted"), [event_type])
    also = subscribe(box, receiver.url("/also"), [event_type, "conversation.closed"])
    booking_id = ACTIONS[event_type](box)
    served = call(box, "GET", f"/bookings/{booking_id}")
    finals = box.wait_for_deliveries(1, WAIT, url=wanted["url"])
    box.wait_for_deliveries(1, WAIT, url=also["url"])
    (got,) = receiver.at("/wanted")
    event = check_delivery(got, wanted["secret"], event_type)
    assert not signature_ok(also["secret"], got)  # each subscription its own secret
    assert event["data"] == as_webhook_data(served)
    if event_type in STATUS_AFTER:
        assert event["data"]["status"] == STATUS_AFTER[event_type]
    (same,) = receiver.at("/also")
    assert check_delivery(same, also["secret"], event_type) == event  # one event, two POSTs
    assert [(r.event_id, r.attempt, r.status, r.ok) for r in finals] == [
        (event["id"], 1, 200, True)
    ]
    assert finals[0].subscription_id == wanted["id"] and finals[0].event_type == event_type
    assert receiver.at("/others") == []
    assert [r for r in box.deliveries if r.subscription_id == unwanted["id"]] == []


@pytest.mark.needs_openapi
def test_every_booking_action_in_a_row_arrives_in_order(box: Sandbox, receiver: Receiver) -> None:
    hook = subscribe(box, receiver.url("/all"), event_types())
    done = [(event_type, action(box)) for event_type, action in ACTIONS.items()]
    finals = box.wait_for_deliveries(len(done), WAIT, url=hook["url"])
    events = [
        check_delivery(r, hook["secret"], t)
        for r, (t, _) in zip(receiver.wait_for(5), done, strict=True)
    ]
    assert [(e["type"], e["data"]["id"]) for e in events] == done
    assert [r.event_id for r in finals] == [e["id"] for e in events]


# -- emit ----------------------------------------------------------------------------------


@pytest.mark.needs_openapi
def test_emit_sends_every_documented_event_type(box: Sandbox, receiver: Receiver) -> None:
    hook = subscribe(box, receiver.url("/all"), event_types())
    ids = [box.emit(event_type, key=CANARY_KEY) for event_type in event_types()]
    box.wait_for_deliveries(len(ids), WAIT, url=hook["url"])
    received = receiver.wait_for(len(ids))
    for event_type, event_id, got in zip(event_types(), ids, received, strict=True):
        event = check_delivery(got, hook["secret"], event_type)
        assert event["id"] == event_id
        data = event["data"]
        if event_type.startswith("conversation."):
            assert data["status"] == event_type.split(".")[1] and data["id"].startswith("CVR-")
            assert_valid(data["contact"], component("Contact"))
            assert_valid(data["owner"], component("User"))
            assert data["contact"]["object"] == "contact" and data["owner"]["object"] == "user"
            assert data["bot"]["object"] == "bot" and data["website"]["object"] == "website"
        else:
            assert "contact" not in data and "utm_params" not in data
            assert data["id"].startswith("BKNG-") and data["cancel_reschedule_url"]
            if event_type in ("booking.completed", "booking.no_show"):
                assert data["status"] == event_type.split(".")[1]


@pytest.mark.needs_openapi
def test_emit_for_a_booking_with_overrides(box: Sandbox, receiver: Receiver) -> None:
    hook = subscribe(box, receiver.url("/hook"), ["booking.completed", "conversation.closed"])
    booking = upcoming(box, 0)
    first = box.emit("booking.completed", booking["id"], key=CANARY_KEY, subject="Renamed")
    second = box.emit("conversation.closed", booking["id"], key=CANARY_KEY)
    box.wait_for_deliveries(2, WAIT, url=hook["url"])
    completed, closed = (
        check_delivery(r, hook["secret"], t)
        for r, t in zip(
            receiver.wait_for(2), ("booking.completed", "conversation.closed"), strict=True
        )
    )
    assert (completed["id"], closed["id"]) == (first, second)
    assert completed["data"] == {
        **as_webhook_data(booking),
        "status": "completed",
        "subject": "Renamed",
    }
    assert closed["data"]["bookings"] == [booking["id"]]
    assert call(box, "GET", f"/bookings/{booking['id']}") == booking  # nothing stored changed


@pytest.mark.needs_openapi
def test_emit_refuses_unknown_types_and_bookings(box: Sandbox) -> None:
    with pytest.raises(ValueError, match=r"booking\.exploded") as refused:
        box.emit("booking.exploded")
    assert all(name in str(refused.value) for name in event_types())
    with pytest.raises(ValueError, match="BKNG-NOPE"):
        box.emit("booking.canceled", "BKNG-NOPE")
    assert box.deliveries == []


# -- failures, retries, never blocking -----------------------------------------------------


@pytest.mark.needs_openapi
def test_a_failing_receiver_is_retried_with_backoff(box: Sandbox, sleeps: list[float]) -> None:
    failing = Receiver(statuses=(500, 503))
    try:
        hook = subscribe(box, failing.url("/flaky"), ["booking.canceled"])
        booking_id = cancel(box)
        (final,) = box.wait_for_deliveries(1, WAIT, url=hook["url"])
        tries = [r for r in box.deliveries if r.url == hook["url"]]
        assert [(r.attempt, r.status, r.ok, r.final) for r in tries] == [
            (1, 500, False, False),
            (2, 503, False, False),
            (3, 200, True, True),
        ]
        assert tries[0].error == "HTTP 500" and final.error is None
        assert len({r.event_id for r in tries}) == 1 and sleeps == [1.0, 2.0]
        received = failing.wait_for(3)
        assert len({r.body for r in received}) == 1  # the same event each time, signed each time
        for got in received:
            event = check_delivery(got, hook["secret"], "booking.canceled")
            assert event["data"]["id"] == booking_id
    finally:
        failing.close()


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_receiver_fails_the_delivery_not_the_call(
    box: Sandbox, sleeps: Sleeps
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/gone"
    hook = subscribe(box, url, ["booking.canceled"])
    cancel(box)
    (final,) = box.wait_for_deliveries(1, WAIT, url=url)
    # the attempts and the waits between them were the delivery worker's, not the call's
    assert len(sleeps.threads) == 3 and threading.current_thread() not in sleeps.threads
    tries = [r for r in box.deliveries if r.url == url]
    assert [(r.attempt, r.status, r.final) for r in tries] == [
        (1, None, False),
        (2, None, False),
        (3, None, False),
        (4, None, True),
    ]
    assert all("refused" in (r.error or "").lower() for r in tries), tries
    assert final.subscription_id == hook["id"] and not final.ok and sleeps == [1.0, 2.0, 4.0]


def test_the_api_call_does_not_wait_for_the_receiver(box: Sandbox) -> None:
    gate = threading.Event()
    held = Receiver(gate=gate)
    try:
        hook = subscribe(box, held.url("/held"), ["booking.canceled"])
        cancel(box)  # answered while the receiver has yet to answer the delivery
        assert [r for r in box.deliveries if r.url == hook["url"]] == []
        held.wait_for(1)
        gate.set()
        (final,) = box.wait_for_deliveries(1, WAIT, url=hook["url"])
        assert final.ok
    finally:
        held.close()


def test_a_remote_url_is_not_sent_to(box: Sandbox) -> None:
    url = "https://hooks.example.org/never"
    hook = subscribe(box, url, ["conversation.started"])
    event_id = box.emit("conversation.started", key=CANARY_KEY)
    (final,) = box.wait_for_deliveries(1, WAIT, url=url)
    assert (final.event_id, final.subscription_id, final.attempt) == (event_id, hook["id"], 0)
    assert final.final and final.status is None and "not sent" in (final.error or "")


def delivery_workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "oncehub-sandbox-webhooks"}


def test_stop_drops_a_pending_retry() -> None:
    failing = Receiver(statuses=(500,))
    box = Sandbox(key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT})
    earlier = delivery_workers()  # other sandboxes' workers, if any are still alive
    try:
        box.start()
        hook = subscribe(box, failing.url("/flaky"), ["conversation.abandoned"])
        box.emit("conversation.abandoned", key=CANARY_KEY)
        failing.wait_for(1)  # answered 500: the default sleep now waits 1 s to retry
        (worker,) = delivery_workers() - earlier
        box.stop()
        worker.join(WAIT)  # a hang guard only: the worker ended with stop()
        assert not worker.is_alive()
        assert len(failing.received) == 1
        assert [(r.attempt, r.final) for r in box.deliveries if r.url == hook["url"]] in (
            [],  # stopped before the failed attempt was recorded
            [(1, False)],
        )
    finally:
        box.stop()
        failing.close()


def test_closing_the_courier_ends_a_retry_wait_at_once() -> None:
    """The default wait between attempts (an hour here) ends when the courier is closed: a
    worker still waiting would outlive close()'s generous join."""
    failing = Receiver(statuses=(500,))
    courier = Courier(delays=(3600.0,), name="courier-under-test")
    try:
        body = b'{"id": "EVNT-1"}'
        courier.submit(
            [Outgoing("EVNT-1", "conversation.abandoned", "WHK-1", failing.url("/x"), "s", body)]
        )
        failing.wait_for(1)
        hang_guard = time.monotonic() + WAIT
        while not courier.records:  # the failed attempt recorded: the wait is next
            assert time.monotonic() < hang_guard, "the first attempt was never recorded"
            time.sleep(0.001)
        (worker,) = [t for t in threading.enumerate() if t.name == "courier-under-test"]
        courier.close(timeout=WAIT)  # returns as soon as the worker has ended
        assert not worker.is_alive()
        assert len(failing.received) == 1
        assert [(r.attempt, r.status, r.final) for r in courier.records] == [(1, 500, False)]
    finally:
        courier.close()
        failing.close()


# -- secrets, reset, separate instances ----------------------------------------------------


def test_no_secret_in_the_repr_or_the_records(box: Sandbox, receiver: Receiver) -> None:
    hook = subscribe(box, receiver.url("/hook"), ["conversation.started"])
    box.emit("conversation.started", key=CANARY_KEY)
    (final,) = box.wait_for_deliveries(1, WAIT, url=hook["url"])
    assert "secret" not in {f.name for f in dataclasses.fields(Delivery)}
    for text in (repr(box), str(box), repr(box.deliveries), repr(final), repr(vars(final))):
        assert hook["secret"] not in text


def test_reset_clears_records_and_pending_deliveries(box: Sandbox) -> None:
    gate = threading.Event()
    held = Receiver(gate=gate)
    try:
        old = subscribe(box, held.url("/old"), ["conversation.started"])
        box.emit("conversation.started", key=CANARY_KEY)
        box.emit("conversation.started", key=CANARY_KEY)  # queued behind the held one
        held.wait_for(1)
        box.reset()
        assert box.deliveries == []
        gate.set()  # the held attempt ends after the reset: not recorded
        new = subscribe(box, held.url("/new"), ["conversation.started"])  # reset removed old
        box.emit("conversation.started", key=CANARY_KEY)
        box.wait_for_deliveries(1, WAIT, url=new["url"])  # one worker: older work is done
        assert {r.url for r in box.deliveries} == {new["url"]}
        assert len(held.at("/old")) == 1 and len(held.at("/new")) == 1
        assert old["id"] not in [h["id"] for h in call(box, "GET", "/webhooks")["data"]]
    finally:
        held.close()


def test_deliveries_carry_the_sandbox_clocks_time(receiver: Receiver) -> None:
    """The signature's ``t``, the event's creation time and the record: one clock."""
    clock = FakeClock(epoch=1_741_968_000.25)  # 2025-03-14T16:00:00.250Z
    accounts = {CANARY_KEY: CANARY_ACCOUNT}
    with Sandbox(key_limit=None, address_limit=None, clock=clock, accounts=accounts) as box:
        hook = subscribe(box, receiver.url("/t"), ["conversation.started"])
        assert hook["creation_time"] == "2025-03-14T16:00:00.250Z"
        clock.advance(10)
        box.emit("conversation.started", key=CANARY_KEY)
        (received,) = receiver.wait_for(1)
        event = httpx.Response(200, content=received.body).json()
        assert event["creation_time"] == "2025-03-14T16:00:10.250Z"
        signature = dict(p.split("=", 1) for p in received.headers["Oncehub-Signature"].split(","))
        assert signature["t"] == "1741968010"
        (record,) = box.wait_for_deliveries(1, WAIT)
        assert record.time == clock.time()


def test_sandboxes_do_not_share_deliveries(box: Sandbox, receiver: Receiver) -> None:
    hook = subscribe(box, receiver.url("/one"), ["booking.rescheduled"])
    with Sandbox(key_limit=None, address_limit=None) as other:
        box.emit("booking.rescheduled", key=CANARY_KEY)
        box.wait_for_deliveries(1, WAIT, url=hook["url"])
        assert other.deliveries == []
        with pytest.raises(TimeoutError, match="0 of 1"):
            other.wait_for_deliveries(1, timeout=0.05)
