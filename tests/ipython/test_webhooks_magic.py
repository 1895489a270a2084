"""%oncehub_webhooks listen / stop through a real shell: the sandbox delivers signed events
for booking changes made with %oncehub, the inbox verifies them, and nothing is left behind."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.session import current
from tests.support import CANARY_KEY, loopback, run_cell

run = run_cell


def subscriptions(box: Sandbox) -> set[str]:
    params, headers = {"limit": 100}, {"API-Key": CANARY_KEY}
    page = loopback().get(f"{box.base_url}/webhooks", params=params, headers=headers).json()
    return {w["id"] for w in page["data"]}


SCHEDULE = """
import oncehub_nb
api = oncehub_nb.client()
calendar_id = next(c["id"] for c in api.get("/booking-calendars", limit=100)["data"] if c["published"])
start = api.get(f"/booking-calendars/{calendar_id}/time-slots")[0]["start_time"]
guest = {"name": "Dana Guest", "email": "dana@example.org"}
made = %oncehub POST booking-calendars/$calendar_id/schedule start_time=$start guest_time_zone=Europe/Paris booking_form:=$guest -q
booking_id = made["id"]
"""  # noqa: E501


def test_listen_receives_verified_events_and_stop_cleans_up(ip, box, capsys) -> None:
    before = subscriptions(box)
    run(ip, "inbox = %oncehub_webhooks listen --events booking.scheduled booking.canceled")
    inbox = ip.user_ns["inbox"]
    out = capsys.readouterr().out
    listener = current().listener
    assert listener is not None and listener.webhook_id in out
    assert subscriptions(box) == before | {listener.webhook_id}
    run(ip, SCHEDULE)
    run(ip, "%oncehub POST bookings/$booking_id/cancel cancellation_reason=Ill -q")
    events = inbox.wait_for(2, timeout=10)
    assert [e.event_type for e in events] == ["booking.scheduled", "booking.canceled"]
    assert all(e.verified for e in events)
    assert {e.payload["data"]["id"] for e in events} == {ip.user_ns["booking_id"]}
    secret = next(iter(inbox.secrets)).reveal()
    assert secret not in str(inbox) and secret not in inbox._repr_html_()
    assert secret not in capsys.readouterr().out
    run(ip, "%oncehub_webhooks stop")
    assert current().listener is None and inbox.closed
    assert subscriptions(box) == before  # nothing left behind


def test_a_forged_delivery_is_shown_refused(ip, box) -> None:
    inbox = run(ip, "%oncehub_webhooks listen --events booking.canceled")
    body = b'{"id": "EVNT-1", "object": "event", "type": "booking.canceled", "data": {}}'
    answer = loopback().post(
        inbox.url, content=body, headers={"Oncehub-Signature": "t=1700000000,s=" + "0" * 64}
    )
    assert answer.status_code in (400, 401)
    (event,) = inbox.wait_for(1, timeout=5)
    assert not event.verified and event.reason
    assert "✗ The signature does not match" in str(inbox)
    run(ip, "%oncehub_webhooks stop")


def test_listen_needs_a_key_and_one_listener_at_a_time(ip, box) -> None:
    run(ip, "%oncehub_webhooks listen")
    with pytest.raises(UsageError, match="Already listening"):
        run(ip, "%oncehub_webhooks listen")
    listener = current().listener
    ip.run_line_magic("oncehub_auth", "--forget")  # forgetting the key stops listening too
    assert listener.stopped and listener.inbox.closed
    with pytest.raises(UsageError, match="%oncehub_auth"):
        run(ip, "%oncehub_webhooks listen")


def test_unknown_event_types_are_refused_before_anything(ip, box) -> None:
    before = subscriptions(box)
    with pytest.raises(UsageError, match=r"booking\.scheduled"):
        run(ip, "%oncehub_webhooks listen --events booking.exploded")
    assert subscriptions(box) == before and current().listener is None


def test_a_real_account_needs_a_public_url(ip, box, monkeypatch) -> None:
    """OnceHub cannot reach 127.0.0.1: without --public-url nothing is created."""
    client = current().client()
    monkeypatch.setattr(client, "base_url", "https://api.oncehub.com/v2")
    with pytest.raises(UsageError, match="--public-url"):
        run(ip, "%oncehub_webhooks listen")
    assert current().listener is None


def test_public_url_is_what_the_subscription_points_at(ip, box) -> None:
    inbox = run(ip, "%oncehub_webhooks listen --public-url https://tunnel.example.com/hook")
    listener = current().listener
    sent = (
        loopback()
        .get(f"{box.base_url}/webhooks/{listener.webhook_id}", headers={"API-Key": CANARY_KEY})
        .json()
    )
    assert sent["url"] == "https://tunnel.example.com/hook" and inbox.url.startswith("http://127")
    run(ip, "%oncehub_webhooks stop")


def test_status(ip, box, capsys) -> None:
    run(ip, "%oncehub_webhooks")
    assert "No webhook listener" in capsys.readouterr().out
