"""A canary key goes through every path; it must come out nowhere."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


# -- profiles, status, history and code export ---------------------------------------


def test_canary_absent_from_profiles_status_history_and_code_export(
    sandbox, debug_logs, capsys, monkeypatch
):
    """The canary saved as a profile, used, listed, shown as status, in the history and
    exported as code: it travels in the header, and is written in the profiles file only."""
    import oncehub_nb
    from oncehub_nb.sources.profiles import profiles_path, read_profiles
    from tests.support import close_shell, fresh_shell, run_cell

    ip = fresh_shell(monkeypatch)
    try:
        ip.run_line_magic("config", "OnceHubMagics.rate_limit = False")
        monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
        save = f"%oncehub_auth --base-url {sandbox.base_url} --save --profile canary"
        shown = [str(run_cell(ip, save))]
        monkeypatch.delenv("ONCEHUB_API_KEY")
        results = [
            run_cell(ip, "%oncehub_auth --profile canary"),
            run_cell(ip, "%oncehub_test --profile canary"),
            run_cell(ip, "%oncehub bookings limit==2"),
            run_cell(ip, "%oncehub bookings/BKNG-NOPE"),
            run_cell(ip, f"%oncehub POST webhooks {HOOK}"),
            run_cell(ip, "%oncehub_auth --status"),
            run_cell(ip, "%oncehub --history"),
            oncehub_nb.status(),
        ]
        run_cell(ip, "%oncehub bookings limit==2 --curl --python --dry-run")
        table = results[2]
        exported = [table.request.curl(), table.request.python(), table.request.dry_run()]
        profiles = read_profiles()
        shown += [repr(profiles), *(p.where for p in profiles.values()), repr(oncehub_nb.client())]
        for result in results:
            shown += [str(result), repr(result), result._repr_html_()]
        shown += [repr(list(results[6])), *exported, repr(current_session())]
        assert main(["profiles"]) == 0
        assert main(["check", "--profile", "canary"]) == 0
    finally:
        close_shell()
    out, err = capsys.readouterr()
    haystack = "\n".join(shown) + out + err + everything_said(debug_logs)
    assert "Profile canary" in haystack and "'canary'" in out  # they did show up
    assert CANARY_KEY not in haystack
    assert CANARY_KEY in profiles_path().read_text(encoding="utf-8")  # where it was saved
    assert sandbox.requests[-1].api_key == CANARY_KEY


HOOK = "name=canary url=https://example.com/h events:='[\"booking.scheduled\"]'"


def current_session():
    from oncehub_nb.session import current

    return current()


# -- what client.request() returns -------------------------------------------------------------


def test_a_response_from_request_shows_the_key_masked(sandbox, debug_logs):
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, **FAST) as client:
        response = client.request("GET", "/test")
        masked = client.key.masked_ascii
    shown = [
        repr(response.request.headers),
        str(dict(response.request.headers)),
        str(response.request.headers.raw),
        repr(response.headers),
    ]
    assert response.request.headers["API-Key"] == masked
    assert CANARY_KEY not in "\n".join(shown) + everything_said(debug_logs)
    assert sandbox.requests[-1].api_key == CANARY_KEY  # it did travel, in the header


def test_an_apikey_gives_no_state() -> None:
    import copy
    import pickle

    key = ApiKey(CANARY_KEY)
    for attempt in (lambda: key.__getstate__(), lambda: pickle.dumps(key), lambda: copy.copy(key)):
        with pytest.raises(TypeError) as refused:
            attempt()
        assert CANARY_KEY not in str(refused.value)


# -- a server that echoes the key back ---------------------------------------------------------


def variants(key: str) -> list[str]:
    """The key as an echoing server writes it: as is, lower- and upper-cased, JSON
    \\u-escaped, HTML entities, URL-encoded."""
    return [
        key,
        key.lower(),
        key.upper(),
        "".join(f"\\u{ord(c):04x}" for c in key),
        "".join(f"&#{ord(c)};" for c in key),
        "".join(f"%{ord(c):02X}" for c in key),
    ]


def leaks(text: str) -> list[str]:
    return [form for form in variants(CANARY_KEY) if form in text]


class _Echo(BaseHTTPRequestHandler):
    """Answers with the API-Key header it was sent, in the place the path names."""

    def do_GET(self) -> None:
        key = self.headers.get("API-Key", "")
        escaped = "".join(f"\\u{ord(c):04x}" for c in key)
        kind = self.path.rsplit("/", 1)[-1]
        status, content_type, reason = 200, "application/json", "OK"
        body = json.dumps({"message": f"API key is valid for account: {key.lower()}"})
        if kind == "error":  # OnceHub's error shape, the key in every field
            status = 401
            fields = {"type": key.upper(), "message": "bad key @@ECHO@@", "param": key.lower()}
            body = json.dumps(fields).replace("@@ECHO@@", escaped)
        elif kind == "page":  # a proxy's HTML page, the key in its title (as entities)
            status, content_type = 502, "text/html"
            entities = "".join(f"&#{ord(c)};" for c in key)
            body = f"<html><head><title>Bad gateway {entities}</title></head></html>"
        elif kind == "text":  # 200, not JSON
            content_type, body = "text/plain", f"key={key}"
        elif kind == "reason":  # in the status line's reason phrase
            status, reason, body = 401, key, "{}"
        payload = body.encode()
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", key.lower())
        self.send_header("X-Echo", "".join(f"%{ord(c):02X}" for c in key))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    """A tiny server on 127.0.0.1 that echoes the key back."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("kind", ["test", "error", "page", "text", "reason"])
def test_a_key_echoed_back_reaches_no_card_error_or_log_line(echo, debug_logs, kind):
    from oncehub_nb.explore.result import ErrorResult
    from oncehub_nb.validation import ValidationResult

    shown: list[str] = []
    with OnceHub(CANARY_KEY, base_url=echo, retries=0, **FAST) as client:
        try:
            response = client.request("GET", f"/{kind}")
            shown += [repr(response.headers), repr(response.request.headers)]
            client.json_of(response)
        except OnceHubError as caught:
            error = caught
            shown += [str(error), repr(error), *error._render_traceback_()]
            shown += [getattr(error, "body_excerpt", ""), str(getattr(error, "request_id", ""))]
            result = ValidationResult.failure(client, error)
            card = ErrorResult(error, method="GET", path=f"/{kind}", key=repr(client.key))
            shown += [str(card), card._repr_html_()]
        else:
            assert kind == "test"
            result = check(client)
            assert result.ok and result.account == client.key.masked  # echoed: masked
        shown += [str(result), repr(result), result._repr_html_(), repr(client.last_call)]
    haystack = "\n".join(shown) + everything_said(debug_logs)
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    assert leaks(haystack) == []
