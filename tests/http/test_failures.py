"""Transport failures produced for real, through the real client, on 127.0.0.1.

Every failure here happens on a real socket: a closed port, a TLS server whose
certificate the client does not trust, TLS spoken to a plain-HTTP port, a server
that never answers, a listener whose accept queue is full, a server that hangs up.
The one exception is DNS, where the resolver is made to fail (nothing is sent
anywhere to find an unknown name). No httpx transport is mocked; the only thing
patched besides the resolver is a pass-through recorder around
``transport_failure``, so the tests can see the real exception chain it was given.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import itertools
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import trustme

from oncehub_nb import OnceHub
from oncehub_nb.errors import ConnectionFailed, TimeoutFailed, TLSFailed, TransportError
from oncehub_nb.http.failures import transport_failure
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.validation import check

KEY = "FAKE-failure-key-0001"
HOST = "127.0.0.1"
NO_SUCH_HOST = "api.oncehub.invalid"
TINY = 0.2  # seconds: every client timeout in this file
# raw exception text that must never reach a user's screen
RAW_TEXT = ("Traceback", 'File "', "[Errno", "[SSL:", "_ssl.c", "httpx", "httpcore")


# -- helpers ------------------------------------------------------------------------------


def links(error: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, as ``transport_failure`` walks it."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def first(error: BaseException, kind: type[BaseException]) -> BaseException:
    """The first exception of ``kind`` in the chain (fails the test if there is none)."""
    found = [e for e in links(error) if isinstance(e, kind)]
    assert found, f"no {kind.__name__} in {[type(e).__name__ for e in links(error)]}"
    return found[0]


def set_text(error: BaseException, text: str | None) -> None:
    """Replace the message text of every link in the chain (types and attributes stay)."""
    for link in links(error):
        link.args = () if text is None else (text,)
        if isinstance(link, OSError):
            link.strerror = text


def words(error: BaseException) -> set[str]:
    """The words in the text of every link of the chain (an OSError's "[Errno n]" aside)."""
    text = " ".join(str(link) for link in links(error))
    return set(re.findall(r"[A-Za-z_]{4,}", re.sub(r"\[Errno -?\d+\]", "", text)))


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, noted, closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def accept_queue(listener: socket.socket) -> tuple[int, int]:
    """Linux TCP_INFO of a listening socket: (connections waiting in the queue, its limit)."""
    info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    # struct tcp_info: 8 bytes of u8 fields, then u32 rto, ato, snd_mss, rcv_mss, unacked, sacked;
    # for a listener, unacked is the accept queue's length and sacked its backlog.
    *_, queued, limit = struct.unpack_from("8B6I", info)
    return queued, limit


@dataclass(frozen=True)
class Scenario:
    """How to make one failure happen for real, and what the user must then read."""

    name: str
    base_url: str
    error: type[TransportError]
    message: str  # the exact message, or for TLS handshakes its fixed start
    key: str = KEY
    exact: bool = True
    hint: str = ""  # what to do, when not the class's default

    @property
    def what_to_do(self) -> str:
        return self.hint or str(self.error.default_hint)

    @property
    def url(self) -> str:
        return f"{self.base_url}/test"

    def client(self, **options: Any) -> OnceHub:
        """A real client for this scenario: no retries, no pauses, no rate limiter."""
        settings: dict[str, Any] = {
            "retries": 0,
            "backoff": 0.0,
            "rate_limit": False,
            "timeout": TINY,
            "connect_timeout": TINY,
            **options,
        }
        return OnceHub(self.key, base_url=self.base_url, **settings)

    def fail(self, **options: Any) -> TransportError:
        """Call ``GET /test`` and return the error it raised."""
        with self.client(**options) as client, pytest.raises(TransportError) as caught:
            client.get("/test")
        return caught.value

    def check(self, error: TransportError) -> None:
        """The class and the words a user acts on."""
        assert type(error) is self.error
        if self.exact:
            assert error.message == self.message
        else:
            assert error.message.startswith(self.message)
        assert error.url == self.url
        assert error.hint == self.what_to_do


@dataclass
class Seen:
    """One call of ``transport_failure`` by the client: what it got and what it made."""

    error: httpx.TransportError
    url: str
    result: TransportError


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests go straight to 127.0.0.1, never through a proxy from the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Seen]:
    """Every real httpx exception the client hands to ``transport_failure`` (passed through)."""
    calls: list[Seen] = []

    def recording(
        error: httpx.TransportError, url: str, retries: int = 0, **options: Any
    ) -> TransportError:
        result = transport_failure(error, url, retries, **options)
        calls.append(Seen(error, url, result))
        return result

    # the module that defines the client, wherever the refactoring puts it
    client_module = importlib.import_module(OnceHub.__module__)
    monkeypatch.setattr(client_module, "transport_failure", recording)
    return calls


# -- servers ------------------------------------------------------------------------------


class TcpServer:
    """A listener on 127.0.0.1 whose thread hands each accepted connection to ``handle``.

    Connections are kept open until ``stop()``, which accepts and handles whatever is
    still queued, then joins the thread, so counts read after it are final.
    """

    def __init__(self, handle: Callable[[socket.socket], None], backlog: int = 8) -> None:
        self._handle = handle
        self._listener = socket.create_server((HOST, 0), backlog=backlog)
        self._listener.settimeout(0.02)
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"test-server-{self.port}")
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                if self._stopping.is_set():
                    return  # nothing left in the queue
                continue
            self.accepted += 1
            self._open.append(conn)
            conn.settimeout(2.0)  # a broken client cannot hang the thread
            with contextlib.suppress(OSError):
                self._handle(conn)

    def stop(self) -> None:
        """Handle what is queued, join the thread, close every socket (idempotent)."""
        self._stopping.set()
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "server thread did not stop"
        self._listener.close()
        for conn in self._open:
            conn.close()


@pytest.fixture
def tcp_servers() -> Iterator[Callable[..., TcpServer]]:
    """Start servers with ``tcp_servers(handle, backlog=8)``; all stop at the end of the test."""
    started: list[TcpServer] = []

    def start(handle: Callable[[socket.socket], None], backlog: int = 8) -> TcpServer:
        server = TcpServer(handle, backlog)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@dataclass
class TLSServer:
    """A TLS server on 127.0.0.1 with a certificate from a CA the client does not know."""

    ca: trustme.CA
    server: TcpServer
    handshakes: list[ssl.SSLError | None] = field(default_factory=list)  # None: it succeeded


@pytest.fixture
def tls_server(tcp_servers: Callable[..., TcpServer]) -> TLSServer:
    """Handshakes with anyone; records each handshake's outcome as the server saw it."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(HOST).configure_cert(context)
    outcomes: list[ssl.SSLError | None] = []

    def handshake(conn: socket.socket) -> None:
        try:
            context.wrap_socket(conn, server_side=True).close()
        except ssl.SSLError as refused:
            outcomes.append(refused)
        else:
            outcomes.append(None)

    return TLSServer(ca, tcp_servers(handshake), outcomes)


@pytest.fixture
def silent_server(tcp_servers: Callable[..., TcpServer]) -> TcpServer:
    """Accepts connections (listen(8)) and never reads from them or answers."""
    return tcp_servers(lambda conn: None, backlog=8)


@dataclass
class Resolver:
    """What was asked of the patched resolver, and what tried to connect."""

    asked: list[str] = field(default_factory=list)
    connects: list[Any] = field(default_factory=list)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """``api.oncehub.invalid`` does not resolve; any other name goes to the real resolver."""
    record = Resolver()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        record.asked.append(host)
        if host == NO_SUCH_HOST:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        record.connects.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return record


# -- the failures ---------------------------------------------------------------------------


@pytest.fixture
def refused() -> Scenario:
    """A port that was free a moment ago: connecting is refused."""
    port = free_port()
    return Scenario(
        "refused",
        f"http://{HOST}:{port}/v2",
        ConnectionFailed,
        f"Connection to {HOST} was refused (nothing is listening on port {port}).",
        hint=(  # on this machine: no network to check, a server to start
            "Nothing answers at that port on this machine: start the server, or check the "
            "base URL's port. For the built-in sandbox: %oncehub_auth --sandbox, or "
            "oncehub-nb sandbox."
        ),
    )


@pytest.fixture
def untrusted_certificate(tls_server: TLSServer) -> Scenario:
    """https:// to the TLS server, whose CA the client does not trust."""
    return Scenario(
        "untrusted certificate",
        f"https://{HOST}:{tls_server.server.port}/v2",
        TLSFailed,
        f"The TLS certificate of {HOST} was not accepted (unable to get local issuer certificate).",
    )


@pytest.fixture
def tls_to_plain_http(sandbox: Sandbox) -> Scenario:
    """https:// to the sandbox, which speaks plain HTTP: the handshake itself fails."""
    return Scenario(
        "TLS to plain HTTP",
        f"https://{HOST}:{sandbox.port}/v2",
        TLSFailed,
        f"The TLS handshake with {HOST} failed (",
        exact=False,
    )


@pytest.fixture
def no_answer(silent_server: TcpServer) -> Scenario:
    """A server that accepts and then says nothing: the read times out."""
    return Scenario(
        "no answer",
        f"http://{HOST}:{silent_server.port}/v2",
        TimeoutFailed,
        f"Timed out waiting for an answer from {HOST}.",
        hint=(
            "OnceHub or the network is slow or unreachable: try again later, or raise the "
            "timeout setting."
        ),
    )


@pytest.fixture
def full_accept_queue() -> Iterator[Scenario]:
    """A listener with listen(0) whose queue is full: new SYNs are dropped, connect times out.

    Linux queues backlog + 1 connections; client connections that are never accepted
    fill the queue, and TCP_INFO confirms it is full before the test runs.
    """
    listener = socket.create_server((HOST, 0), backlog=0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(4):
            queued, limit = accept_queue(listener)
            if queued > limit:
                break
            fillers.append(socket.create_connection((HOST, port), timeout=1.0))
            for _ in range(1000):  # until the kernel has queued it (on loopback, at once)
                if accept_queue(listener)[0] > queued:
                    break
                time.sleep(0.001)
        queued, limit = accept_queue(listener)
        assert queued > limit, f"accept queue not full: {queued} queued, backlog {limit}"
        yield Scenario(
            "connect timeout",
            f"http://{HOST}:{port}/v2",
            TimeoutFailed,
            f"Timed out connecting to {HOST}.",
            hint=(
                "OnceHub or the network is slow or unreachable: try again later, or raise the "
                "connect_timeout setting."
            ),
        )
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.fixture
def dropped(sandbox: Sandbox) -> Scenario:
    """The sandbox's ``sandbox-drop`` key: the request is read, then the connection closed."""
    return Scenario(
        "dropped",
        sandbox.base_url,
        ConnectionFailed,
        f"{HOST} closed the connection without answering.",
        key="sandbox-drop",
    )


@pytest.fixture
def unresolvable(resolver: Resolver) -> Scenario:
    """A host name the (patched) resolver does not know."""
    return Scenario(
        "DNS",
        f"https://{NO_SUCH_HOST}/v2",
        ConnectionFailed,
        f"Could not resolve the host name {NO_SUCH_HOST}.",
    )


@pytest.fixture
def not_http(tcp_servers: Callable[..., TcpServer]) -> Scenario:
    """Something else on the port (an SSH banner): an answer, but not HTTP."""

    def banner(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        conn.close()

    server = tcp_servers(banner)
    return Scenario(
        "not HTTP",
        f"http://{HOST}:{server.port}/v2",
        ConnectionFailed,
        f"{HOST} answered with something that is not HTTP (is the base URL's port right?).",
    )


@pytest.fixture
def tls_hangup(tcp_servers: Callable[..., TcpServer]) -> Scenario:
    """A TLS front end that accepts the connection and hangs up before the handshake ends."""
    server = tcp_servers(lambda conn: conn.close())
    return Scenario(
        "TLS hang-up",
        f"https://{HOST}:{server.port}/v2",
        ConnectionFailed,
        f"{HOST} closed the connection during the TLS handshake.",
    )


SCENARIOS = [
    "not_http",
    "tls_hangup",
    "refused",
    "untrusted_certificate",
    "tls_to_plain_http",
    "no_answer",
    "full_accept_queue",
    "dropped",
    "unresolvable",
]


# -- one test per failure -------------------------------------------------------------------


def test_connection_refused_names_the_port_and_is_retried(
    refused: Scenario, seen: list[Seen]
) -> None:
    """Nothing listens on the port: ConnectionFailed naming it; retried per policy."""
    error = refused.fail(retries=2)
    refused.check(error)
    assert "refused" in error.message
    assert f"port {urlsplit(refused.url).port})" in error.message
    assert error.retries == 2
    assert len(seen) == 3
    assert all(isinstance(first(s.error, OSError), ConnectionRefusedError) for s in seen)


def test_untrusted_certificate_says_why_and_is_not_retried(
    untrusted_certificate: Scenario, tls_server: TLSServer, seen: list[Seen]
) -> None:
    """The client rejects the certificate: TLSFailed with the reason; one handshake only."""
    error = untrusted_certificate.fail(retries=3)
    tls_server.server.stop()  # handles anything still queued, so the counts are final
    untrusted_certificate.check(error)
    assert "certificate" in error.message and "not accepted" in error.message
    real = first(seen[0].error, ssl.SSLCertVerificationError)
    assert isinstance(real, ssl.SSLCertVerificationError)
    assert f"({real.verify_message})" in error.message
    assert error.retries == 0
    assert len(seen) == 1
    assert tls_server.server.accepted == 1
    [server_side] = tls_server.handshakes
    assert server_side is not None and server_side.reason == "TLSV1_ALERT_UNKNOWN_CA"


def test_the_tls_server_is_fine_for_a_client_that_trusts_its_ca(tls_server: TLSServer) -> None:
    """Control: the same server completes a handshake once its CA is trusted."""
    context = ssl.create_default_context()
    tls_server.ca.configure_trust(context)
    with (
        socket.create_connection((HOST, tls_server.server.port), timeout=2.0) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        assert tls.version() is not None
    tls_server.server.stop()
    assert tls_server.handshakes == [None]


def test_tls_to_a_plain_http_port_is_a_handshake_failure(
    tls_to_plain_http: Scenario, sandbox: Sandbox, seen: list[Seen]
) -> None:
    """The sandbox answers the ClientHello in plain HTTP: TLSFailed "handshake", not retried."""
    error = tls_to_plain_http.fail(retries=2)
    tls_to_plain_http.check(error)
    assert "handshake" in error.message
    assert "certificate" not in error.message
    real = first(seen[0].error, ssl.SSLError)
    assert not isinstance(real, ssl.SSLCertVerificationError)
    assert isinstance(real, ssl.SSLError) and real.reason
    assert error.message == f"The TLS handshake with {HOST} failed ({real.reason})."
    assert error.retries == 0
    assert len(seen) == 1
    assert sandbox.requests == []  # no HTTP request (nor the key) ever got through


def test_a_server_that_never_answers_times_out_waiting(
    no_answer: Scenario, silent_server: TcpServer, seen: list[Seen]
) -> None:
    """Connected, request sent, no answer: TimeoutFailed while waiting; retried per policy."""
    error = no_answer.fail(retries=1, timeout=TINY)
    silent_server.stop()
    no_answer.check(error)
    assert error.message.startswith(f"Timed out waiting for an answer from {HOST}")
    assert error.retries == 1
    assert [type(s.error) for s in seen] == [httpx.ReadTimeout, httpx.ReadTimeout]
    assert silent_server.accepted == 2  # the retry came on a new connection


def test_a_full_accept_queue_times_out_connecting(
    full_accept_queue: Scenario, seen: list[Seen]
) -> None:
    """The SYN is dropped by a full accept queue: TimeoutFailed while connecting; retried."""
    error = full_accept_queue.fail(retries=1, connect_timeout=TINY)
    full_accept_queue.check(error)
    assert error.message.startswith(f"Timed out connecting to {HOST}")
    assert error.retries == 1
    assert [type(s.error) for s in seen] == [httpx.ConnectTimeout, httpx.ConnectTimeout]


def test_a_dropped_connection_is_reported_and_retried(
    dropped: Scenario, sandbox: Sandbox, seen: list[Seen]
) -> None:
    """The server reads the request and hangs up: ConnectionFailed; one retry, two connections."""
    error = dropped.fail(retries=1)
    dropped.check(error)
    assert "closed the connection without answering" in error.message
    assert error.retries == 1
    requests = sandbox.requests
    assert [(r.path, r.api_key, r.status) for r in requests] == [
        ("/v2/test", "sandbox-drop", 0),
        ("/v2/test", "sandbox-drop", 0),
    ]
    assert len({r.client_port for r in requests}) == 2
    assert [type(s.error) for s in seen] == [httpx.RemoteProtocolError] * 2


def test_an_unresolvable_host_is_named(
    unresolvable: Scenario, resolver: Resolver, seen: list[Seen]
) -> None:
    """The resolver fails: ConnectionFailed naming the host; nothing is contacted."""
    error = unresolvable.fail(retries=1)
    unresolvable.check(error)
    assert error.message == f"Could not resolve the host name {NO_SUCH_HOST}."
    assert error.retries == 1
    assert resolver.asked == [NO_SUCH_HOST, NO_SUCH_HOST]  # the patched path ran, twice
    assert resolver.connects == []  # and no socket connected anywhere
    assert all(isinstance(first(s.error, OSError), socket.gaierror) for s in seen)


# -- across all the failures ---------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_classification_survives_without_any_message_text(
    name: str, request: pytest.FixtureRequest, seen: list[Seen]
) -> None:
    """The real chain with every message removed gets the same class and message."""
    scenario: Scenario = request.getfixturevalue(name)
    scenario.check(scenario.fail())
    [call] = seen
    before = words(call.error)
    set_text(call.error, None)
    assert before and not before & words(call.error)  # no word of the real messages is left
    again = transport_failure(call.error, call.url)
    assert type(again) is type(call.result)
    assert again.message == call.result.message
    scenario.check(again)


def test_classification_ignores_misleading_message_text(
    request: pytest.FixtureRequest, seen: list[Seen]
) -> None:
    """Each real chain, carrying another real failure's text, still gets its own class."""
    scenarios: list[Scenario] = [request.getfixturevalue(name) for name in SCENARIOS]
    for scenario in scenarios:
        scenario.fail()
    assert len(seen) == len(scenarios)
    texts = [" | ".join(str(link) for link in links(call.error)) for call in seen]
    saved = [[(e.args, getattr(e, "strerror", None)) for e in links(c.error)] for c in seen]
    for (i, call), j in itertools.product(enumerate(seen), range(len(seen))):
        if i == j:
            continue
        set_text(call.error, texts[j])
        again = transport_failure(call.error, call.url)
        assert (type(again), again.message) == (type(call.result), call.result.message), (
            f"{scenarios[i].name} carrying the text of {scenarios[j].name}"
        )
        for link, (args, strerror) in zip(links(call.error), saved[i], strict=True):
            link.args = args
            if isinstance(link, OSError):
                link.strerror = strerror


@pytest.mark.parametrize("name", SCENARIOS)
def test_validation_result_shows_title_and_hint_without_traceback(
    name: str, request: pytest.FixtureRequest
) -> None:
    """``check(client)`` returns the failure as a result, shown in words, not a traceback."""
    scenario: Scenario = request.getfixturevalue(name)
    with scenario.client() as client:
        result = check(client)
    assert result.ok is False
    assert isinstance(result.error, scenario.error)
    scenario.check(result.error)
    assert result.status_code is None
    assert result.retries == 0
    assert result.title == scenario.error.title
    assert result.hint == scenario.what_to_do
    text, page = str(result), result._repr_html_()
    assert scenario.error.title in text and scenario.what_to_do in text
    assert result.error.message in text
    assert html.escape(scenario.error.title) in page
    assert html.escape(scenario.what_to_do) in page
    assert html.escape(result.error.message) in page
    for raw in RAW_TEXT:
        assert raw not in text and raw not in page
    assert scenario.key not in text and scenario.key not in page


@pytest.mark.parametrize("name", ["not_http", "tls_hangup"])
def test_hang_ups_and_foreign_answers_are_connection_failures_and_retried(
    name: str, request: pytest.FixtureRequest, seen: list[Seen]
) -> None:
    """Neither is a certificate problem: both are ConnectionFailed, and worth a retry."""
    scenario: Scenario = request.getfixturevalue(name)
    error = scenario.fail(retries=1)
    scenario.check(error)
    assert error.retries == 1
    assert len(seen) == 2
