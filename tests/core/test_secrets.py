"""A canary key goes through every path; it must come out nowhere."""

from __future__ import annotations

import contextlib
import io
import logging
import socket
from collections.abc import Iterator

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.cli import main
from oncehub_nb.errors import OnceHubError
from oncehub_nb.keys import ApiKey, locate_key
from oncehub_nb.sandbox import RateLimit
from oncehub_nb.validation import check
from tests.support import CANARY_KEY

FAST = {"backoff": 0.0, "rate_limit": False}


def everything_said(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)


def test_canary_is_valid_and_never_shown(sandbox, debug_logs):
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, **FAST) as client:
        result = check(client)
        users = client.get("/users", limit=2)
        shown = [repr(client), str(client), repr(client.key), repr(client._http.auth)]
    assert result.ok, result
    assert users["data"]
    shown += [str(result), repr(result), result._repr_html_()]
    assert any(r.name == "oncehub_nb" for r in debug_logs.records)
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    haystack = "\n".join(shown) + everything_said(debug_logs)
    assert CANARY_KEY not in haystack
    assert sandbox.requests[-1].api_key == CANARY_KEY  # it did travel, in the header


def _silent_port() -> socket.socket:
    """A listening socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener


@pytest.mark.parametrize(
    "failure", ["rejected", "unknown-path", "rate-limited", "refused", "timeout"]
)
def test_canary_absent_from_every_failure(sandbox, debug_logs, failure):
    key, base_url, options = CANARY_KEY, sandbox.base_url, {}
    if failure == "rejected":
        key = CANARY_KEY + "-wrong"
    if failure == "rate-limited":
        sandbox.key_limit = RateLimit(1, 30.0)
    with contextlib.ExitStack() as stack:
        if failure == "refused":
            base_url = "http://127.0.0.1:9/v2"
        if failure == "timeout":  # a short timeout, which a server that never answers meets
            listener = stack.enter_context(_silent_port())
            base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/v2"
            options = {"timeout": 0.1}
        client = stack.enter_context(OnceHub(key, base_url=base_url, retries=1, **options, **FAST))
        if failure == "rate-limited":
            assert check(client).ok
        try:
            client.get("/nope" if failure == "unknown-path" else "/test")
        except OnceHubError as caught:
            error = caught
        else:
            pytest.fail(f"{failure}: no error raised")
        result = check(client)
    assert result.ok is (failure == "unknown-path")
    shown = [str(error), repr(error), str(result), repr(result), result._repr_html_()]
    haystack = "\n".join(shown) + everything_said(debug_logs)
    assert CANARY_KEY not in haystack


def test_canary_absent_from_rejected_key_output(sandbox, debug_logs, capsys, monkeypatch):
    wrong = CANARY_KEY + "-wrong"
    monkeypatch.setenv("ONCEHUB_API_KEY", wrong)
    status = main(["check", "--base-url", sandbox.base_url])
    out, err = capsys.readouterr()
    assert status == 1
    assert "401" in out
    assert CANARY_KEY not in out + err + everything_said(debug_logs)


def test_canary_absent_from_key_errors(tmp_path, monkeypatch, capsys):
    bad_inputs = [CANARY_KEY + "\nX-Injected: yes", CANARY_KEY + " tail", CANARY_KEY + "é"]
    for text in bad_inputs:
        with pytest.raises(OnceHubError) as caught:
            ApiKey(text)
        assert CANARY_KEY not in str(caught.value) + repr(caught.value)
    (tmp_path / ".env").write_text(f"OTHER={CANARY_KEY}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    search = locate_key()
    assert CANARY_KEY not in repr(search)
    status = main(["check"])
    out, err = capsys.readouterr()
    assert status == 2
    assert CANARY_KEY not in out + err


def test_server_echo_is_scrubbed(sandbox):
    """Should a server ever echo the key back in an error, it is masked before display."""
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, **FAST) as client:
        assert CANARY_KEY not in client._scrub(f"bad key {CANARY_KEY}!")
        assert client.key.masked in client._scrub(f"bad key {CANARY_KEY}!")


@pytest.fixture
def root_log() -> Iterator[io.StringIO]:
    """A handler on the root logger printing everything at DEBUG, as a user might add one."""
    root, stream = logging.getLogger(), io.StringIO()
    handler, saved_level = logging.StreamHandler(stream), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved_level)


def test_no_handler_prints_the_key(sandbox, root_log):
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, **FAST) as client:
        check(client)
    printed = root_log.getvalue()
    assert "HTTP Request: GET" in printed  # httpx's own log line
    assert "GET /test -> 200" in printed  # ours
    assert CANARY_KEY not in printed
