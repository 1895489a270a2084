"""The sandbox HTTP server: a local stand-in for ``https://api.oncehub.com/v2``."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import resources
from .clock import SYSTEM_CLOCK, Clock, as_clock, moment
from .faults import FaultPlan
from .limits import RateLimit, SlidingWindows
from .replies import (
    DEMO_ACCOUNT,
    DEMO_KEY,
    Reply,
    error_reply,
    fault_reply,
    new_request_id,
    rate_limited,
    unauthorized,
    unrecognized,
)
from .router import api
from .store import Account, Sizes
from .webhooks_out import Courier, Delivery, payloads

DEFAULT_KEY_LIMIT = RateLimit(5, 1.0)  # OnceHub: 5 requests per second per account
DEFAULT_ADDRESS_LIMIT = RateLimit(200, 300.0)  # OnceHub: 200 requests per 5 minutes per IP
LINGER_SECONDS = 0.5  # at most, reading what a client sends after a malformed request
MAX_BODY = 1 << 20  # the largest request body read


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it. ``status`` is 0 while pending or if dropped."""

    method: str
    path: str
    query: str
    api_key: str | None = field(repr=False)  # kept for tests; never shown in a repr
    client_address: str
    status: int
    request_id: str
    time: float  # when it arrived, on the sandbox's clock (seconds since the epoch)
    client_port: int = 0  # the client's source port: one value per TCP connection
    user_agent: str | None = None
    fault: str | None = None  # the injected fault (see FaultPlan), if any


class Sandbox:
    """A fake OnceHub API v2 on a local port; use as a context manager or start()/stop().

    ``clock`` is the one source of time (see :mod:`.clock`): the seeded data runs back
    from its time when the sandbox is made, and requests, writes, rate limits, webhook
    signatures and records read it. A bare function is the older form: monotonic
    seconds for the rate limits only.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        key_limit: RateLimit | None = DEFAULT_KEY_LIMIT,
        address_limit: RateLimit | None = DEFAULT_ADDRESS_LIMIT,
        retry_after: float | None = None,
        slow_seconds: float = 60.0,
        accounts: dict[str, str] | None = None,
        clock: Clock | Callable[[], float] = SYSTEM_CLOCK,
        seed: int = 0,
        bookings: int = Sizes.bookings,
        contacts: int = Sizes.contacts,
        faults: FaultPlan | None = None,
        deliver_remote: bool = False,
        delivery_sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.key_limit = key_limit
        self.address_limit = address_limit
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self._accounts = {DEMO_KEY: DEMO_ACCOUNT, **(accounts or {})}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self.clock = as_clock(clock)
        self.seeded_at = moment(self.clock, whole_seconds=True)  # "now" for the seeded data
        self._key_windows = SlidingWindows(self.clock.monotonic)
        self._address_windows = SlidingWindows(self.clock.monotonic)
        self.seed = seed
        self.sizes = Sizes(bookings=bookings, contacts=contacts)
        self.faults = faults or FaultPlan()
        self._arrivals = 0  # numbers requests with a valid key, for the fault plan
        self._data: dict[str, Account] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._base_url: str | None = None
        self._thread: threading.Thread | None = None
        # Webhook deliveries: loopback URLs only unless deliver_remote; delivery_sleep
        # waits between retries (tests inject one that returns at once).
        self._courier = Courier(sleep=delivery_sleep, remote=deliver_remote, now=self.clock.time)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind the port and serve in a background thread; returns self."""
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        self._stopping.clear()
        self._courier.open()
        server = _Server((self.host, self.port), _Handler)
        server.sandbox = self
        self.port = server.server_address[1]
        self._base_url = f"http://{self.host}:{self.port}/v2"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name=f"oncehub-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections (including slow ones) and free the port.

        Webhook deliveries still queued or waiting to be retried are dropped.
        """
        server, thread = self._server, self._thread
        self._courier.close()
        if server is None:
            return
        self._stopping.set()
        server.shutdown_promptly()
        server.server_close()
        server.cut_connections()
        if thread is not None:
            thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:54321/v2`` (kept after stop())."""
        if self._base_url is None:
            raise RuntimeError("sandbox not started")
        return self._base_url

    # -- what happened ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def count(self, path: str | None = None, key: str | None = None) -> int:
        """How many recorded requests match ``path`` (e.g. ``/v2/test``) and ``key``."""
        return sum(
            1
            for r in self.requests
            if (path is None or r.path == path) and (key is None or r.api_key == key)
        )

    def _record(self, record: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(record)

    def _amend(self, record: RecordedRequest, **changes: Any) -> None:
        """Update the recorded request (found by its Request-Id) with what became known."""
        with self._lock:
            for i in range(len(self._requests) - 1, -1, -1):
                if self._requests[i].request_id == record.request_id:
                    self._requests[i] = replace(self._requests[i], **changes)
                    return

    # -- deciding the answer ---------------------------------------------------------------

    def account(self, key: str = DEMO_KEY) -> Account:
        """The account behind ``key`` (each key its own), made on first use."""
        email = DEMO_ACCOUNT if key == "sandbox-slow" else self._accounts[key]
        with self._lock:
            if email not in self._data:
                made = Account(
                    email, self.seed, self.sizes, resources.build_account, self.seeded_at
                )
                made.outbox = self._courier.submit
                self._data[email] = made
            return self._data[email]

    def reset(self) -> None:
        """Every account back to its seeded state; webhook delivery records and queue cleared."""
        self._courier.clear()
        with self._lock:
            accounts = list(self._data.values())
        for account in accounts:
            account.reset()

    # -- webhooks --------------------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt so far, oldest first (never with a secret)."""
        return self._courier.records

    def wait_for_deliveries(
        self, count: int = 1, timeout: float = 5.0, *, url: str | None = None
    ) -> list[Delivery]:
        """Block until ``count`` deliveries (to ``url`` if given) have finished.

        A delivery finishes when the receiver answers 2xx, when its last retry fails,
        or when it is not sent at all (a non-loopback URL). Returns the final record of
        each finished delivery; raises TimeoutError after ``timeout`` seconds.
        """
        return self._courier.wait(count, timeout, url)

    def emit(
        self,
        event_type: str,
        booking_id: str | None = None,
        *,
        key: str = DEMO_KEY,
        **overrides: Any,
    ) -> str:
        """Send a webhook event of any documented type to ``key``'s subscribers; its id.

        Booking events carry ``booking_id``'s booking (a random one if None) with the
        status the event implies; conversation events an invented conversation with one
        of the account's contacts. ``overrides`` replace fields of the event's ``data``.
        The stored data is not changed. An unknown type is a ValueError naming the
        valid ones.
        """
        return payloads.emit(
            self.account(key), event_type, booking_id, overrides, moment(self.clock)
        )

    def _injected_fault(self, record: RecordedRequest) -> tuple[bool, Reply | None]:
        """Whether the fault plan answers this request, and how (None: drop the connection)."""
        with self._lock:
            number, self._arrivals = self._arrivals, self._arrivals + 1
        fault = self.faults.fault_for(number)
        if fault is None:
            return False, None
        self._amend(record, fault=fault)
        if fault == "slow":  # held back, then answered normally (or dropped at stop())
            return self._stopping.wait(self.slow_seconds), None
        replies = {
            "server_error": fault_reply("sandbox-server-error"),
            "bad_gateway": fault_reply("sandbox-bad-gateway"),
            "rate_limited": rate_limited(None),
            "rate_limited_retry_after": rate_limited(self.faults.retry_after),
        }
        return True, replies.get(fault)  # "drop": no reply

    def _decide(
        self,
        method: str,
        path: str,
        query: str,
        key: str | None,
        client: str,
        body: bytes,
        record: RecordedRequest,
    ) -> Reply | None:
        """The reply for one request, or None to drop the connection without answering."""
        if not self._address_windows.allow(client, self.address_limit):
            return rate_limited(self.retry_after)
        if path != "/v2" and not path.startswith("/v2/"):
            return unrecognized(method, path)
        if key == "sandbox-drop":
            return None
        if key == "sandbox-ratelimited":
            return rate_limited(self.retry_after)
        fixed = fault_reply(key) if key else None
        if fixed is not None:
            return fixed
        if key == "sandbox-slow":
            if self._stopping.wait(self.slow_seconds):
                return None
        elif not key or key not in self._accounts:
            return unauthorized()
        if not self._key_windows.allow(key, self.key_limit):
            return rate_limited(self.retry_after)
        faulted, reply = self._injected_fault(record)
        if faulted:
            return reply
        now = moment(self.clock)
        return api.answer(self.account(key), method, path, query, body, self.base_url, now)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sandbox: Sandbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent about broken connections (the default prints a traceback)."""

    def shutdown_promptly(self) -> None:
        """shutdown(), without waiting out the serve loop's poll interval."""
        stopper = threading.Thread(target=self.shutdown, daemon=True)
        stopper.start()
        address, port = self.server_address[:2]
        host = str(address) if address not in ("", "0.0.0.0") else "127.0.0.1"
        while stopper.is_alive():  # a connection attempt wakes the loop up to see the flag
            with contextlib.suppress(OSError):
                socket.create_connection((host, port), timeout=0.2).close()
            stopper.join(0.01)

    def track(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.add(conn)
        if self.sandbox._stopping.is_set():
            _shut(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(conn)

    def cut_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            _shut(conn)


def _shut(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def version_string(self) -> str:
        return "oncehub-sandbox"

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: request lines and headers could reveal API keys."""

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        arrived = sandbox.clock.time()
        parts = urlsplit(self.path)
        body = self._read_body()
        if body is None:
            return
        record = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            api_key=self.headers.get("API-Key"),
            client_address=self.client_address[0],
            status=0,
            request_id=new_request_id(),
            time=arrived,
            client_port=self.client_address[1],
            user_agent=self.headers.get("User-Agent"),
        )
        sandbox._record(record)
        try:
            reply = sandbox._decide(
                self.command,
                parts.path,
                parts.query,
                record.api_key,
                record.client_address,
                body,
                record,
            )
        except Exception:  # a sandbox bug must still produce an API-shaped answer
            reply = error_reply(500, "api_error", "The sandbox failed to handle this request.")
        if reply is None:
            self._drop()
            return
        sandbox._amend(record, status=reply.status)
        self._send(reply, record.request_id)

    def __getattr__(self, name: str) -> Any:
        """Every method (TRACE, PROPFIND, …) reaches the router, which answers 405 or 404."""
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _read_body(self) -> bytes | None:
        """The request body; None (answered, and the connection closed) if unreadable."""
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "Send request bodies with a Content-Length.")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.send_error(400, "Unreadable or oversized request body.")
            return None
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self.close_connection = True
        _shut(self.connection)

    def _send(self, reply: Reply, request_id: str) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Request-Id", request_id)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP gets a JSON error too, then the connection is closed."""
        text = message or self.responses.get(code, ("Error",))[0]
        reply = error_reply(code, "invalid_request_error" if code < 500 else "api_error", text)
        reply.headers.append(("Connection", "close"))
        self._send(reply, new_request_id())
        self._linger()

    def _linger(self) -> None:
        """Close gracefully: half-close, then read what the client still sends.

        Closing with unread input makes the kernel send a reset, which can reach the
        client before the error it should read (a TLS client on this plain port would
        see "connection reset" instead of an HTTP answer).
        """
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_SECONDS)
            while self.connection.recv(65536):
                pass
