"""What a webhook inbox takes on, at most: memory for refused deliveries and headers,
events kept, time per request, idle connections, connections at once. Real sockets on
127.0.0.1; the bounds come from injected InboxLimits and a FakeClock, no test sleeps."""

from __future__ import annotations

import gc
import json
import select
import socket
import threading
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from oncehub_nb.errors import ConfigError
from oncehub_nb.webhooks import SIGNATURE_HEADER, WebhookInbox, sign
from oncehub_nb.webhooks.limits import INBOX_LIMITS, InboxLimits
from tests.support import FakeClock, loopback

SECRET = "whsec-bounds-0b1c2d3e4f5a-do-not-leak"
GUARD = 30.0  # seconds: a hang guard only, never reached when the tests pass


def delivery(n: int) -> bytes:
    return json.dumps({"id": f"EVNT-{n}", "type": "booking.scheduled", "data": {}}).encode()


def threads_named(prefix: str) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(prefix)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def connect(inbox: WebhookInbox) -> socket.socket:
    return socket.create_connection(("127.0.0.1", inbox.port), timeout=GUARD)


def everything(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- memory ------------------------------------------------------------------------------------


def test_refused_deliveries_are_kept_as_small_records(clock: FakeClock) -> None:
    """Forged 1 MB posts: refused 401, each kept in well under a kilobyte (they used to
    keep their bodies, and a parsed copy: about 2 MB each)."""
    body = b'{"type": "booking.scheduled", "pad": "' + b"x" * 999_900 + b'"}'
    forged = {SIGNATURE_HEADER: "t=1,s=" + "0" * 64}
    http = loopback()
    with WebhookInbox(SECRET, clock=clock, display=False) as inbox:
        assert http.post(inbox.url, content=body, headers=forged).status_code == 401  # warm
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(20):
                assert http.post(inbox.url, content=body, headers=forged).status_code == 401
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        events = inbox.events
    assert len(events) == 21 and {e.http_status for e in events} == {401}
    assert {(e.body, e.payload, e.event_type) for e in events} == {(b"", None, None)}
    assert {e.body_size for e in events} == {len(body)}
    assert grown < 20 * 2048, grown  # 20 records, not 20 MB


def test_headers_are_capped_like_the_body(clock: FakeClock) -> None:
    limits = InboxLimits(max_headers=2048)
    http = loopback()
    with WebhookInbox(SECRET, clock=clock, limits=limits, display=False) as inbox:
        body = delivery(1)
        signed = {SIGNATURE_HEADER: sign(body, SECRET, timestamp=int(clock.time()))}
        one_large = http.post(inbox.url, content=body, headers={**signed, "X-Pad": "a" * 3000})
        many = {**signed, **{f"X-Pad-{n}": "b" * 40 for n in range(60)}}
        assert one_large.status_code == 431
        assert http.post(inbox.url, content=body, headers=many).status_code == 431
        assert inbox.events == []  # never read as a delivery
        assert http.post(inbox.url, content=body, headers=signed).status_code == 200
        assert inbox.events[0].headers_size < 2048


def test_the_inbox_keeps_its_last_max_events_and_says_how_many_went(clock: FakeClock) -> None:
    with WebhookInbox(
        SECRET, clock=clock, limits=InboxLimits(max_events=3), display=False
    ) as inbox:
        for n in range(5):
            body = delivery(n)
            inbox.receive(body, {SIGNATURE_HEADER: sign(body, SECRET, timestamp=int(clock.time()))})
        inbox.receive(b"{}", {SIGNATURE_HEADER: "t=1,s=" + "0" * 64})  # refused: counted too
        assert [e.event_id for e in inbox.wait_for(6)] == ["EVNT-3", "EVNT-4", None]
        assert inbox.dropped == 3
        said = "3 deliveries, 2 verified (the oldest 3 let go: max_events 3)"
        assert said in str(inbox) and said in inbox._repr_html_()
        assert "dropped=3" in repr(inbox)
        inbox.clear()
        assert inbox.dropped == 0 and "let go" not in str(inbox)


def test_one_definition_of_each_bound() -> None:
    assert InboxLimits() == INBOX_LIMITS
    assert WebhookInbox.__init__.__kwdefaults__["limits"] is None  # None: INBOX_LIMITS
    for bad in ({"max_events": 0}, {"max_headers": -1}, {"request_timeout": 0},
                {"idle_timeout": float("inf")}, {"max_connections": 1.5}):  # fmt: skip
        with pytest.raises(ConfigError):
            InboxLimits(**bad)


# -- connections -------------------------------------------------------------------------------


@pytest.fixture
def slow_inbox(clock: FakeClock) -> Iterator[WebhookInbox]:
    limits = InboxLimits(request_timeout=30, idle_timeout=0.2, max_connections=2)
    with WebhookInbox(SECRET, clock=clock, limits=limits, display=False) as inbox:
        yield inbox


def test_an_idle_connection_is_closed(slow_inbox: WebhookInbox) -> None:
    """Connected, half a request, then silence: closed after idle_timeout (0.2 s here),
    its thread gone."""
    with connect(slow_inbox) as idle:
        idle.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        assert everything(idle) == b""  # closed by the inbox, no answer
    assert slow_inbox._server.wait_connections(0, GUARD)
    assert slow_inbox.events == []


def test_a_slow_sender_is_cut_when_its_time_is_up(
    slow_inbox: WebhookInbox, clock: FakeClock
) -> None:
    """A sender that is never idle, a byte at a time: cut once request_timeout (30 s on
    the inbox's clock) has passed, its delivery recorded 408."""
    with connect(slow_inbox) as slow:
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
        for _ in range(1_000_000):
            try:
                slow.sendall(b"x")
            except OSError:  # cut while sending (a reset)
                break
            clock.advance(1.0)  # each byte, a second later on the inbox's clock
            if select.select([slow], [], [], 0)[0]:  # the inbox answered (or closed)
                break
        try:
            answer = everything(slow)
        except ConnectionResetError:  # cut with bytes unread: the answer may be lost
            answer = b""
    assert answer == b"" or answer.startswith(b"HTTP/1.0 408 ")
    [event] = slow_inbox.wait_for(1)
    assert event.http_status == 408 and event.body == b"" and event.body_size == 1_000_000
    assert "did not arrive within 30 s: cut" in (event.reason or "")
    assert slow_inbox._server.wait_connections(0, GUARD)


def test_connections_beyond_the_cap_are_answered_503_without_a_thread(clock: FakeClock):
    """Two slow senders hold the two places (idle_timeout 30 s: they stay); a third
    connection is answered 503 at once; once they are gone a delivery is taken."""
    limits = InboxLimits(request_timeout=30, idle_timeout=30, max_connections=2)
    with WebhookInbox(SECRET, clock=clock, limits=limits, display=False) as inbox:
        first, second = connect(inbox), connect(inbox)
        first.sendall(b"POST / HTTP/1.1\r\n")
        second.sendall(b"POST / HTTP/1.1\r\n")
        assert inbox._server.wait_connections(2, GUARD)
        handlers = len(threads_named("oncehub-webhooks-request"))
        with connect(inbox) as third:
            answer = everything(third)
        assert answer.startswith(b"HTTP/1.0 503 ") and b"busy" in answer
        assert len(threads_named("oncehub-webhooks-request")) <= handlers
        first.close(), second.close()
        assert inbox._server.wait_connections(0, GUARD)
        body = delivery(1)
        signed = {SIGNATURE_HEADER: sign(body, SECRET, timestamp=int(clock.time()))}
        assert httpx.post(inbox.url, content=body, headers=signed).status_code == 200
