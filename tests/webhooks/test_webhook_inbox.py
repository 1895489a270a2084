"""The inbox over real HTTP on 127.0.0.1: answers, records, replays, concurrency, cleanup."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest

import oncehub_nb
from oncehub_nb.errors import ConfigError
from oncehub_nb.webhooks import SIGNATURE_HEADER, SigningSecret, WebhookEvent, WebhookInbox, sign
from oncehub_nb.webhooks import inbox as inbox_module
from oncehub_nb.webhooks.events import events_text
from oncehub_nb.webhooks.server import HANDLER_TIMEOUT
from tests.kernels import outputs_text
from tests.support import FakeClock, loopback

SECRET = "whsec-canary-5b1e9d0c7a3f-do-not-leak"
OLD = "whsec-rotated-out-77aa88bb99cc"


def booking_event(n: int = 1, kind: str = "booking.scheduled", subject: str = "Live demo") -> dict:
    """An event shaped like the reference's ``booking.scheduled`` example."""
    return {
        "id": f"EVNT-{n:010d}",
        "object": "event",
        "creation_time": "2020-03-22T09:49:12Z",
        "type": kind,
        "api_version": "v2",
        "data": {
            "object": "booking",
            "id": f"BKNG-{n:012d}",
            "tracking_id": "D36E0002",
            "subject": subject,
            "status": "scheduled" if kind == "booking.scheduled" else "canceled",
            "in_trash": False,
            "creation_time": "2020-03-22T09:48:48Z",
            "starting_time": "2020-03-22T04:30:00Z",
            "customer_timezone": "America/New_York",
            "duration_minutes": 60,
            "owner": "USR-FSD423423",
            "conversation": None,
            "cancel_reschedule_url": "https://oncehub.com/m/BKNG-3KM0HY2BF9SL",
        },
    }


def raw(event: dict) -> bytes:
    return json.dumps(event, indent=1).encode()


def signed(body: bytes, secret: str, stamp: int) -> str:
    """The header computed here with hmac/hashlib, independently of the package."""
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},s={digest}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def inbox(clock):
    with WebhookInbox(SECRET, clock=clock, display=False) as box:
        yield box


@pytest.fixture
def http() -> httpx.Client:
    return loopback()


def post(http, inbox, body: bytes, value: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if value is not None:
        headers[SIGNATURE_HEADER] = value
    return http.post(inbox.url, content=body, headers=headers)


def now(clock: FakeClock) -> int:
    return int(clock.time())


# -- one delivery ------------------------------------------------------------------------------


def test_a_verified_delivery_is_answered_200_and_kept_as_received(inbox, http, clock):
    body = raw(booking_event(7))
    clock.advance(2.5)
    response = post(http, inbox, body, signed(body, SECRET, now(clock)))
    assert (response.status_code, response.text) == (200, "ok")
    (event,) = inbox.wait_for(1)
    assert isinstance(event, WebhookEvent)
    assert event.verified and event.reason is None and event.http_status == 200
    assert event.body == body and event.payload == booking_event(7)
    assert event.event_type == "booking.scheduled" and event.event_id == "EVNT-0000000007"
    assert (event.subject, event.status) == ("Live demo", "scheduled")
    assert event.received_at == datetime.fromtimestamp(clock.time(), timezone.utc)
    assert event.headers[SIGNATURE_HEADER] == signed(body, SECRET, now(clock))
    assert event.headers["Content-Type"] == "application/json" and event.path == "/"
    assert inbox.url == f"http://127.0.0.1:{inbox.port}/" and inbox.port > 0


def test_any_path_is_accepted_and_recorded(inbox, http, clock):
    body = raw(booking_event())
    response = http.post(
        inbox.url + "hooks/oncehub?x=1",
        content=body,
        headers={SIGNATURE_HEADER: signed(body, SECRET, now(clock))},
    )
    assert response.status_code == 200
    assert inbox.events[0].path == "/hooks/oncehub?x=1"


def test_a_tampered_body_is_refused_401_and_recorded(inbox, http, clock):
    body = raw(booking_event())
    tampered = body.replace(b"Live demo", b"Live demo!")
    response = post(http, inbox, tampered, signed(body, SECRET, now(clock)))
    assert response.status_code == 401
    assert "does not match" in response.text
    (event,) = inbox.events
    assert not event.verified and event.http_status == 401
    assert "does not match" in (event.reason or "")
    # refused: a small record, whatever anyone sent (no body, payload or headers kept)
    assert (event.body, event.payload, event.headers) == (b"", None, {})
    assert event.body_size == len(tampered) and event.headers_size > 0


def test_a_wrong_secret_then_the_right_one(inbox, http, clock):
    body = raw(booking_event())
    inbox.secret = OLD
    assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 401
    inbox.secret = SigningSecret(SECRET)
    # a refused delivery does not burn its signature: the same one is accepted now
    assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 200
    assert [e.verified for e in inbox.events] == [False, True]
    assert inbox.secrets == (SigningSecret(SECRET),)


def test_no_secret_yet_is_503_until_one_is_set(clock, http):
    with WebhookInbox(clock=clock, display=False) as inbox:
        body = raw(booking_event())
        value = signed(body, SECRET, now(clock))
        response = post(http, inbox, body, value)
        assert response.status_code == 503 and "inbox.secret" in response.text
        assert inbox.secret is None and "no signing secret yet" in str(inbox)
        inbox.secret = SECRET
        assert post(http, inbox, body, value).status_code == 200
        assert [e.http_status for e in inbox.events] == [503, 200]


def test_secret_rotation_with_add_and_remove(inbox, http, clock):
    inbox.secret = OLD
    assert inbox.add_secret(SECRET) == SigningSecret(SECRET)
    inbox.add_secret(SECRET)  # once only
    assert len(inbox.secrets) == 2 and inbox.secret == SigningSecret(SECRET)
    first, second, third = (raw(booking_event(n)) for n in (1, 2, 3))
    assert post(http, inbox, first, signed(first, OLD, now(clock))).status_code == 200
    both = sign(second, [OLD, SECRET], timestamp=now(clock))
    assert post(http, inbox, second, both).status_code == 200
    inbox.remove_secret(OLD)
    assert post(http, inbox, third, signed(third, OLD, now(clock))).status_code == 401
    assert post(http, inbox, third, signed(third, SECRET, now(clock))).status_code == 200


# -- replays and time ------------------------------------------------------------------------


def test_a_replay_is_refused_409_even_with_extra_signatures(inbox, http, clock):
    body = raw(booking_event())
    value = signed(body, SECRET, now(clock))
    assert post(http, inbox, body, value).status_code == 200
    clock.advance(30)
    again = post(http, inbox, body, value)
    assert again.status_code == 409 and "Replay" in again.text
    padded = value + ",s=" + "0" * 64  # a junk s= does not make it new
    assert post(http, inbox, body, padded).status_code == 409
    reordered = f"s={value.split('s=')[1]},t={now(clock) - 30}"
    assert post(http, inbox, body, reordered).status_code == 409
    # OnceHub retrying signs anew (a new t=): that is not a replay
    assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 200
    assert [e.http_status for e in inbox.events] == [200, 409, 409, 409, 200]
    assert [e.verified for e in inbox.events] == [True, False, False, False, True]
    assert "Replay" in (inbox.events[1].reason or "")


def test_old_and_future_timestamps_are_refused(inbox, http, clock):
    body = raw(booking_event())
    stale = signed(body, SECRET, now(clock))
    clock.advance(301)
    old = post(http, inbox, body, stale)
    assert old.status_code == 401 and "301 s old" in old.text
    future = post(http, inbox, body, signed(body, SECRET, now(clock) + 301))
    assert future.status_code == 401 and "in the future" in future.text
    assert post(http, inbox, body, signed(body, SECRET, now(clock) + 300)).status_code == 200
    assert [e.verified for e in inbox.events] == [False, False, True]


def test_seen_signatures_are_forgotten_once_the_tolerance_refuses_them(clock):
    with WebhookInbox(SECRET, clock=clock, tolerance=10, display=False) as inbox:
        sent = []
        for n in range(1100):
            body = raw(booking_event(n))
            sent.append((body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))}))
            assert inbox.receive(*sent[-1])[0] == 200
            clock.advance(0.5)
        assert len(inbox._seen) < 100  # pruned once past 1024: the rest were too old
        assert inbox.receive(*sent[-1])[0] == 409  # the recent ones are still known
        first = inbox.receive(*sent[0])  # forgotten, yet refused: too old
        assert first[0] == 401 and "s old" in first[1]


# -- refused before or without verification -------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, "", "t=abc,s=00", "sha256=abcdef", "t=1,t=2,s=" + "0" * 64]
)
def test_malformed_or_missing_headers_are_400(inbox, http, value):
    body = raw(booking_event())
    response = post(http, inbox, body, value)
    assert response.status_code == 400
    (event,) = inbox.events
    assert not event.verified and SIGNATURE_HEADER in (event.reason or "")


def test_two_signature_headers_are_400(inbox, http, clock):
    body = raw(booking_event())
    value = signed(body, SECRET, now(clock))
    response = http.post(
        inbox.url, content=body, headers=[(SIGNATURE_HEADER, value), (SIGNATURE_HEADER, value)]
    )
    assert response.status_code == 400 and "more than one" in response.text


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"[" * 100_000])
def test_a_signed_body_that_is_not_a_json_object_is_400(inbox, http, clock, body):
    response = post(http, inbox, body, signed(body, SECRET, now(clock)))
    assert response.status_code == 400 and "not a JSON object" in response.text
    (event,) = inbox.events
    assert event.payload is None and not event.verified
    assert event.body == b"" and event.body_size == len(body)


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405_and_not_recorded(inbox, http, method):
    response = http.request(method, inbox.url)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert inbox.events == []


def test_the_body_limit(clock, http):
    with WebhookInbox(SECRET, clock=clock, max_body=1000, display=False) as inbox:
        event = booking_event()
        event["data"]["subject"] = ""
        pad = 1000 - len(raw(event))
        event["data"]["subject"] = "x" * pad
        exactly = raw(event)
        assert len(exactly) == 1000
        assert post(http, inbox, exactly, signed(exactly, SECRET, now(clock))).status_code == 200
        over = exactly + b" "
        response = post(http, inbox, over, signed(over, SECRET, now(clock)))
        assert response.status_code == 413 and "1,001 bytes" in response.text
        large = b"x" * 3_000_000  # the inbox reads no more than it must, yet answers
        assert post(http, inbox, large, "t=1,s=" + "0" * 64).status_code == 413
        kept = inbox.events[1]
        assert (kept.http_status, kept.body, kept.verified, kept.headers) == (413, b"", False, {})
        assert kept.body_size == 1001 and inbox.events[2].body_size == 3_000_000


def raw_request(inbox: WebhookInbox, data: bytes, half_close: bool = False) -> bytes:
    """Send bytes as they are; the whole answer."""
    with socket.create_connection(("127.0.0.1", inbox.port), timeout=10) as conn:
        conn.sendall(data)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_content_length_missing_bad_or_short(inbox):
    missing = raw_request(inbox, b"POST / HTTP/1.1\r\nHost: x\r\n\r\n{}")
    assert missing.startswith(b"HTTP/1.0 411 ")
    bad = raw_request(inbox, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n{}")
    assert bad.startswith(b"HTTP/1.0 400 ")
    short = raw_request(
        inbox, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}", half_close=True
    )
    assert short.startswith(b"HTTP/1.0 400 ") and b"after 2 of 100 bytes" in short
    assert [e.http_status for e in inbox.events] == [411, 400, 400]


def test_receive_can_be_fed_directly(inbox, clock):
    body = raw(booking_event())
    pairs = [("oncehub-signature", signed(body, SECRET, now(clock)))]
    assert inbox.receive(body, pairs) == (200, "ok")
    assert inbox.receive(body, pairs)[0] == 409


# -- concurrency ------------------------------------------------------------------------------


def test_fifty_deliveries_at_once_none_lost_none_duplicated(inbox, http, clock):
    count = 50
    bodies = [raw(booking_event(n)) for n in range(count)]
    values = [signed(body, SECRET, now(clock)) for body in bodies]
    start = threading.Barrier(count)

    def deliver(n: int) -> int:
        start.wait()
        return post(http, inbox, bodies[n], values[n]).status_code

    with ThreadPoolExecutor(count) as pool:
        statuses = list(pool.map(deliver, range(count)))
    assert statuses == [200] * count
    events = inbox.wait_for(count, timeout=10)
    assert len(events) == count
    ids = [event.event_id for event in events]
    assert sorted(ids) == sorted(f"EVNT-{n:010d}" for n in range(count))
    assert all(event.verified for event in events)
    assert sorted(event.body for event in events) == sorted(bodies)


def test_the_same_delivery_fifty_times_at_once_is_accepted_once(inbox, http, clock):
    count = 50
    body = raw(booking_event())
    value = signed(body, SECRET, now(clock))
    start = threading.Barrier(count)

    def deliver(_: int) -> int:
        start.wait()
        return post(http, inbox, body, value).status_code

    with ThreadPoolExecutor(count) as pool:
        statuses = list(pool.map(deliver, range(count)))
    assert sorted(statuses) == [200] + [409] * (count - 1)
    assert sum(event.verified for event in inbox.wait_for(count)) == 1


def test_wait_for(inbox, clock):
    with pytest.raises(TimeoutError, match=r"0 of 1 deliveries arrived within 0\.01 s"):
        inbox.wait_for(1, timeout=0.01)
    body = raw(booking_event())
    arrived = threading.Event()

    def later() -> None:
        arrived.wait(10)
        inbox.receive(body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})

    worker = threading.Thread(target=later)
    worker.start()
    arrived.set()
    assert [e.event_id for e in inbox.wait_for(1, timeout=10)] == ["EVNT-0000000001"]
    worker.join()
    inbox.close()
    with pytest.raises(TimeoutError, match="before the inbox was closed"):
        inbox.wait_for(2, timeout=10)


# -- cleanup -----------------------------------------------------------------------------------


def threads_since(before: set[threading.Thread]) -> list[str]:
    """The package's threads (all named ``oncehub-…``) started since ``before`` and still
    alive. Threads of other tests may come and go meanwhile: they are not compared."""
    return sorted(
        t.name for t in threading.enumerate() if t not in before and t.name.startswith("oncehub-")
    )


def test_close_frees_the_port_and_ends_every_thread(clock, http, caplog):
    caplog.set_level("DEBUG", logger="oncehub_nb.webhooks")
    before = set(threading.enumerate())
    inbox = WebhookInbox(SECRET, clock=clock, display=False)
    body = raw(booking_event())
    assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 200
    handlers = set(threading.enumerate())
    idle = socket.create_connection(("127.0.0.1", inbox.port))  # connected, says nothing
    hang_guard = time.monotonic() + HANDLER_TIMEOUT
    while not threads_since(handlers):  # until the inbox has accepted it
        assert time.monotonic() < hang_guard, "the idle connection was never accepted"
        time.sleep(0.001)
    inbox.close()
    # the idle connection was cut, not waited out: a handler that is waited out ends
    # with http.server's "Request timed out", HANDLER_TIMEOUT after it started
    assert not [r for r in caplog.records if "timed out" in r.getMessage()]
    assert idle.recv(1) == b""  # closed by the inbox (at once: the socket blocks otherwise)
    idle.close()
    assert threads_since(before) == []
    assert inbox.closed
    inbox.close()  # again: nothing happens
    with pytest.raises(httpx.ConnectError):
        post(http, inbox, body, signed(body, SECRET, now(clock)))
    with WebhookInbox(SECRET, port=inbox.port, display=False) as again:
        assert again.port == inbox.port
    assert threads_since(before) == []


def test_a_port_in_use_is_a_config_error():
    with WebhookInbox(display=False) as first, pytest.raises(ConfigError, match="Cannot listen"):
        WebhookInbox(port=first.port, display=False)


def test_bad_settings_are_config_errors():
    for options in ({"tolerance": -1}, {"max_body": 0}, {"max_body": 1.5}):
        with pytest.raises(ConfigError):
            WebhookInbox(display=False, **options)


def test_the_package_offers_the_inbox_lazily():
    assert oncehub_nb.WebhookInbox is WebhookInbox
    assert "WebhookInbox" in dir(oncehub_nb)
    from oncehub_nb import webhooks

    assert webhooks.WebhookInbox is WebhookInbox and "WebhookInbox" in dir(webhooks)


# -- views and secrets -------------------------------------------------------------------------


def test_table_text_html_and_repr(inbox, http, clock):
    hostile = '<script>alert("x")</script>'
    body = raw(booking_event(1, subject=hostile))
    post(http, inbox, body, signed(body, SECRET, now(clock)))
    post(http, inbox, body + b" ", signed(body, SECRET, now(clock)))
    html, text = inbox._repr_html_(), str(inbox)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "✓ verified" in html and "✗ The signature does not match" in html
    assert text.splitlines()[1].split() == [
        "time",
        "(UTC)",
        "event",
        "subject",
        "status",
        "verified",
    ]
    assert "2 deliveries, 1 verified" in text and "…leak" in text
    assert repr(inbox).startswith(f"WebhookInbox(url='{inbox.url}'")
    assert "SigningSecret('…leak')" in repr(inbox)


def test_the_table_shows_the_newest_rows(inbox, clock):
    for n in range(25):
        body = raw(booking_event(n, subject=f"meeting {n}"))
        inbox.receive(body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})
    text = str(inbox)
    assert "meeting 24" in text and "meeting 5" in text and "meeting 4\n" not in text
    assert "the last 20 of 25 shown" in text and "the last 20 of 25 shown" in inbox._repr_html_()
    inbox.clear()
    assert inbox.events == [] and "No deliveries yet." in str(inbox)


@pytest.mark.parametrize("width", [80, 100])
def test_the_text_table_fits_the_terminal(inbox, clock, width, monkeypatch):
    subject = "Quarterly business review with the whole leadership team of Example Corp"
    body = raw(booking_event(1, subject=subject))
    inbox.receive(body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})
    inbox.receive(body + b" ", {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})
    no_subject = booking_event(2, kind="booking.canceled")
    del no_subject["data"]["subject"]  # the subject column shows the booking's ID instead
    body = raw(no_subject)
    inbox.receive(body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})
    monkeypatch.setenv("COLUMNS", str(width))  # read when shown
    text = str(inbox)
    assert max(len(line) for line in text.splitlines()) <= width, text
    assert "BKNG-000000000002" in text  # an ID, never shortened
    assert not re.search(r"[A-Z]{2,5}-[A-Za-z0-9]*…", text), text
    assert "Quarterly business" in text and "✗ The signature" in text  # shortened, not dropped
    wide = events_text(inbox.events, title="t", footer="f", limit=20, width=400)
    assert subject[:40] in wide and max(len(line) for line in wide.splitlines()) > width


def test_a_narrow_terminal_names_the_columns_left_out(inbox, clock):
    body = raw(booking_event(1))
    inbox.receive(body, {SIGNATURE_HEADER: signed(body, SECRET, now(clock))})
    text = events_text(inbox.events, title="inbox", footer="1 delivery", limit=20, width=40)
    assert max(len(line) for line in text.splitlines()) <= 40, text
    assert text.splitlines()[1].split() == ["time", "(UTC)", "verified"]
    note = " ".join(text.split()).split("Not shown (too narrow): ", 1)[1]
    assert note.startswith("event, subject, status — widen the terminal or read inbox.events")


def test_the_secret_appears_nowhere(clock, http, caplog):
    caplog.set_level("DEBUG")
    said = []
    with WebhookInbox([OLD, SECRET], clock=clock, max_body=5000, display=False) as inbox:
        body = raw(booking_event())
        deliveries = [
            (body, signed(body, SECRET, now(clock))),
            (body, signed(body, SECRET, now(clock))),
            (body + b"!", signed(body, SECRET, now(clock))),
            (body, signed(body, SECRET, now(clock) - 999)),
            (body, SECRET),
            (body, f"t={now(clock)},s={SECRET}"),
            (b"x" * 6000, signed(body, SECRET, now(clock))),
        ]
        for content, value in deliveries:
            said.append(post(http, inbox, content, value).text)
        said += [repr(inbox), str(inbox), inbox._repr_html_(), repr(inbox.secrets)]
        for event in inbox.events:
            said += [repr(event), str(event.reason), *event.row()]
    said += [record.getMessage() for record in caplog.records]
    haystack = "\n".join(said)
    assert "Replay" in haystack and "does not match" in haystack and "old" in haystack
    assert SECRET not in haystack and OLD not in haystack


# -- the live table in a notebook -----------------------------------------------------------


class FakeHandle:
    """Stands in for IPython's DisplayHandle: keeps what it was given."""

    def __init__(self, bundle: dict) -> None:
        self.bundles = [bundle]
        self.threads: list[str] = []

    def update(self, bundle: dict, raw: bool = False) -> None:
        assert raw
        self.bundles.append(bundle)
        self.threads.append(threading.current_thread().name)


def test_the_live_table_grows_in_place(monkeypatch, clock, http):
    import IPython.display

    handles: list[FakeHandle] = []

    def fake_display(bundle, raw=False, display_id=None):
        assert raw and display_id is True
        handles.append(FakeHandle(bundle))
        return handles[-1]

    monkeypatch.setattr(IPython.display, "display", fake_display)
    monkeypatch.setattr(inbox_module, "in_kernel", lambda: True)
    before = set(threading.enumerate())
    with WebhookInbox(SECRET, clock=clock) as inbox:
        assert handles == [] and "oncehub-webhooks-display" not in threads_since(before)
        inbox._ipython_display_()  # what IPython calls for the cell's last line
        (handle,) = handles
        assert "oncehub-webhooks-display" in threads_since(before)
        assert "No deliveries yet." in handle.bundles[0]["text/html"]
        for n in range(3):
            body = raw(booking_event(n, kind="booking.canceled", subject=f"<b>talk {n}</b>"))
            assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 200
        inbox.wait_for(3)
        assert inbox._live.settle(10)
        latest = handle.bundles[-1]
        assert latest["text/html"].count("booking.canceled") == 3
        assert "&lt;b&gt;talk 2&lt;/b&gt;" in latest["text/html"]
        assert "3 deliveries, 3 verified" in latest["text/plain"]
        assert set(handle.threads) == {"oncehub-webhooks-display"}  # not the server's threads
        inbox._ipython_display_()  # shown again further down: both outputs follow
        body = raw(booking_event(3, kind="booking.canceled"))
        assert post(http, inbox, body, signed(body, SECRET, now(clock))).status_code == 200
        inbox.wait_for(4)
        assert inbox._live.settle(10)
        assert all("4 deliveries" in h.bundles[-1]["text/plain"] for h in handles)
    assert len(handles) == 2  # one output per display, each updated in place
    assert all("(closed)" in h.bundles[-1]["text/plain"] for h in handles)
    assert threads_since(before) == []
    assert all(SECRET not in text for h in handles for b in h.bundles for text in b.values())


def test_a_terminal_prints_the_inbox_as_text(monkeypatch, clock):
    """Outside a kernel the inbox has no ``_ipython_display_``: IPython prints its text."""
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.setattr(inbox_module, "in_kernel", lambda: False)
    with WebhookInbox(SECRET, clock=clock) as inbox:
        assert not hasattr(inbox, "_ipython_display_")
        data, _ = DisplayFormatter().format(inbox)
        assert data["text/plain"] == str(inbox) and "No deliveries yet." in str(inbox)


def test_no_display_outside_a_kernel(monkeypatch, clock):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed"))
    with WebhookInbox(SECRET, clock=clock) as inbox:
        assert inbox._live is not None and inbox._live.outputs == 0


@pytest.mark.kernel
def test_the_live_table_in_a_real_kernel(tmp_path):
    """nbclient runs a kernel: the output made by the first cell is updated by the inbox's
    display thread while the second cell runs (no close, no re-display)."""
    import nbformat
    from nbclient import NotebookClient

    setup = f"from oncehub_nb.webhooks import WebhookInbox\ninbox = WebhookInbox({SECRET!r})\ninbox"
    deliver = (
        "import httpx, json\n"
        "from oncehub_nb.webhooks import sign\n"
        "for n in range(3):\n"
        "    body = json.dumps({'id': f'EVNT-{n}', 'type': 'booking.rescheduled',\n"
        "                       'data': {'subject': f'Kernel talk {n}', 'status': 'scheduled'}}"
        ").encode()\n"
        f"    r = httpx.post(inbox.url, content=body, headers={{'Oncehub-Signature': "
        f"sign(body, {SECRET!r})}})\n"
        "    assert r.status_code == 200, r.text\n"
        "inbox.wait_for(3)\n"
        "assert inbox._live.settle(10)\n"
        "print('updates', inbox._live.updates)\n"
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(deliver)]
    )
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    (table,) = nb.cells[0].outputs
    assert table.output_type == "display_data"
    html = table.data["text/html"]
    assert html.count("booking.rescheduled") == 3 and "Kernel talk 2" in html
    assert "3 deliveries, 3 verified" in table.data["text/plain"]
    assert "(closed)" not in table.data["text/plain"]
    assert outputs_text(nb.cells[1]).startswith("updates ")
    for cell in nb.cells:
        cell.source = ""  # the author typed the secret; the outputs must not hold it
    assert SECRET not in nbformat.writes(nb)
