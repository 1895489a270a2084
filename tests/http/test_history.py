"""The client's history: one record per call sent (retries included in it), what was
asked and what came back, never the key, secret body fields masked. Real HTTP to the
sandbox; failures made for real (a refused port)."""

from __future__ import annotations

import contextlib

from oncehub_nb import OnceHub
from oncehub_nb.errors import ConnectionFailed, NotFoundError
from oncehub_nb.http.history import MASK, History, hide_secrets
from tests.support import CANARY_KEY, FakeClock

FAST = {"backoff": 0.0, "rate_limit": False}


def test_each_call_is_one_record_with_its_answer(sandbox):
    history = History()
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, history=history, **FAST) as client:
        client.get("/users", limit=2)
        with contextlib.suppress(NotFoundError):
            client.get("/bookings/BKNG-NOPE")
    first, second = list(history)
    assert (first.number, first.method, first.path) == (1, "GET", "/users")
    assert first.params == {"limit": 2}
    assert first.status_code == 200 and first.request_id and first.request_id.startswith("req_")
    assert first.base_url == sandbox.base_url and first.elapsed >= 0
    assert (second.number, second.status_code, second.outcome) == (2, 404, "")
    assert history.get(2) == second and history.get(3) is None
    assert CANARY_KEY not in repr(list(history))


def test_a_call_with_no_answer_is_recorded_with_why(sandbox):
    history = History()
    clock = FakeClock()
    refused = "http://127.0.0.1:9/v2"  # nothing listens on port 9
    options = {"history": history, "retries": 2, "clock": clock, **FAST}
    with (
        OnceHub(CANARY_KEY, base_url=refused, **options) as client,
        contextlib.suppress(ConnectionFailed),
    ):
        client.get("/test")
    (record,) = history  # two retries: still one call
    assert record.status_code is None and record.outcome == ConnectionFailed.title
    assert record.at == clock.time() - record.elapsed


def test_secret_fields_of_a_body_are_masked_at_any_depth(sandbox):
    history = History()
    body = {"name": "hook", "secret": CANARY_KEY, "nested": [{"client_secret": CANARY_KEY}]}
    client = OnceHub(CANARY_KEY, base_url=sandbox.base_url, history=history, **FAST)
    with client, contextlib.suppress(Exception):  # refused or not, it is recorded
        client.post("/webhooks", body)
    (record,) = history
    assert record.body == {"name": "hook", "secret": MASK, "nested": [{"client_secret": MASK}]}
    assert record.hid_secret
    assert body["secret"] == CANARY_KEY  # the caller's body is not touched
    assert CANARY_KEY not in repr(record)


def test_hide_secrets_leaves_other_values_alone():
    assert hide_secrets({"a": [1, {"b": None}]}) == ({"a": [1, {"b": None}]}, False)
    assert hide_secrets("secret") == ("secret", False)  # a value named nothing


def test_the_oldest_records_go_beyond_the_limit():
    history = History(limit=2)
    for path in ("/a", "/b", "/c"):
        history.add("GET", path, None, None)
    assert [(r.number, r.path) for r in history] == [(2, "/b"), (3, "/c")]
