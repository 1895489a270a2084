"""The inbox's HTTP side: a standard-library threading server that takes POSTs only.

One thread per connection, one request per connection (HTTP/1.0). Every method but POST
is answered 405; a POST without Content-Length 411, with a bad one 400, with more than
``max_body`` bytes 413 (the body is not kept); every other POST goes to the receiver,
which says what to answer. Nothing is printed: errors go to the ``oncehub_nb.webhooks``
logger. :meth:`InboxServer.stop` cuts open connections and joins every thread it started.

Every bound comes from :class:`~oncehub_nb.webhooks.limits.InboxLimits`: the request line and
headers together may take ``max_headers`` bytes (431 above); a connection may stay silent
``idle_timeout`` seconds and take ``request_timeout`` seconds in all (a slow sender is cut,
its delivery recorded 408 once its headers were read); at most ``max_connections`` are
served at once (one more is answered 503 and closed, without a thread). Time comes from
the inbox's clock, so tests can move it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from oncehub_nb.http.clock import Clock

from .limits import INBOX_LIMITS, InboxLimits

__all__ = ["HANDLER_TIMEOUT", "InboxServer", "Receiver"]

logger = logging.getLogger("oncehub_nb.webhooks")

HANDLER_TIMEOUT = INBOX_LIMITS.request_timeout  # seconds a connection may take, by default
DRAIN_LIMIT = 16 * 1024 * 1024  # bytes read and dropped after a 413 so the answer arrives
Headers = list[tuple[str, str]]
_BUSY_TEXT = b"The inbox is busy: send the delivery again."
_BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 1\r\nContent-Length: %d\r\n\r\n%s" % (len(_BUSY_TEXT), _BUSY_TEXT)
)


class Receiver(Protocol):
    """What the server hands deliveries to."""

    def receive(self, body: bytes, headers: Headers, path: str) -> tuple[int, str]:
        """Record a delivery; the status and text to answer."""
        ...

    def refuse(
        self, status: int, reason: str, headers: Headers, path: str, body_size: int = 0
    ) -> None:
        """Record a delivery refused before its body was read (or while it was)."""
        ...


class _Deadline(io.RawIOBase):
    """A socket's input that gives up when the connection is silent for ``idle`` seconds
    (socket.timeout, a TimeoutError) or when ``deadline`` (on ``clock``) has passed."""

    def __init__(self, sock: socket.socket, clock: Clock, deadline: float, idle: float) -> None:
        self.sock, self.clock, self.deadline, self.idle = sock, clock, deadline, idle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - self.clock.monotonic()
        if left <= 0:
            raise TimeoutError("the request took longer than request_timeout")
        self.sock.settimeout(min(self.idle, left))
        return self.sock.recv_into(buffer)


class _HeaderBudget:
    """The request's input, its lines (request line and headers) limited to ``budget``
    bytes in all: past it, LineTooLong, which http.server answers 431."""

    def __init__(self, stream: io.BufferedReader, budget: int) -> None:
        self._stream, self._left = stream, budget
        self.read, self.read1 = stream.read, stream.read1

    def readline(self, limit: int = -1) -> bytes:
        if self._left <= 0:
            raise http.client.LineTooLong("request line and headers")
        line = self._stream.readline(self._left if limit < 0 else min(limit, self._left))
        self._left -= len(line)
        return line

    def close(self) -> None:
        self._stream.close()


class _Handler(BaseHTTPRequestHandler):
    server: InboxServer
    timeout = HANDLER_TIMEOUT
    server_version = "oncehub-nb-inbox"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        limits = self.server.limits
        deadline = self.server.clock.monotonic() + limits.request_timeout
        raw = _Deadline(self.connection, self.server.clock, deadline, limits.idle_timeout)
        self.rfile.close()
        budget = _HeaderBudget(io.BufferedReader(raw), limits.max_headers)
        self.rfile = budget  # type: ignore[assignment]

    def do_POST(self) -> None:
        headers = self.headers.items()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return self._refuse(411, "No Content-Length: send the body with its length.")
        length_text = length_text.strip()
        if not (length_text.isascii() and length_text.isdigit()):
            return self._refuse(400, "Content-Length is not a number of bytes.")
        length = int(length_text)
        if length > self.server.limits.max_body:
            self._refuse(
                413,
                f"The body of {length:,} bytes is over the limit of "
                f"{self.server.limits.max_body:,}.",
                length,
            )
            return self._drain(length)
        try:
            body = self.rfile.read(length)
        except TimeoutError:  # a slow sender: cut, and said
            limit = self.server.limits.request_timeout
            self._refuse(408, f"The body did not arrive within {limit:g} s: cut.", length)
            raise
        if len(body) < length:
            return self._refuse(
                400, f"The body ended after {len(body):,} of {length:,} bytes.", len(body)
            )
        status, text = self.server.receiver.receive(body, headers, self.path)
        self._answer(status, text)

    def _refuse(self, status: int, reason: str, size: int = 0) -> None:
        self.server.receiver.refuse(status, reason, self.headers.items(), self.path, size)
        self._answer(status, reason)

    def _drain(self, length: int) -> None:
        """Read what the client still sends (up to a limit), so it sees the answer."""
        left = min(length, DRAIN_LIMIT)
        with contextlib.suppress(OSError):  # a slow or vanished sender: nothing to wait for
            while left > 0:
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

    def _answer(self, status: int, text: str, allow: bool = False) -> None:
        payload = text.encode("utf-8")
        self.connection.settimeout(self.server.limits.idle_timeout)  # a reader that reads
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if allow:
            self.send_header("Allow", "POST")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _not_allowed(self) -> None:
        self._answer(405, "This webhook inbox takes POST only.", allow=True)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # GET, HEAD, PUT, DELETE, any other method
            return self._not_allowed
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("inbox %s: " + format, self.address_string(), *args)


class InboxServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its connections, so it can bound and stop them."""

    daemon_threads = True
    request_queue_size = 128  # many deliveries may connect at once

    def __init__(
        self, host: str, port: int, receiver: Receiver, limits: InboxLimits, clock: Clock
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.receiver = receiver
        self.limits = limits
        self.clock = clock
        self._connections: dict[Any, threading.Thread] = {}
        self._changed = threading.Condition()
        super().__init__((host, port), _Handler)

    @property
    def max_body(self) -> int:
        return self.limits.max_body

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host (slow on some hosts)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._changed:
            busy = len(self._connections) >= self.limits.max_connections
            if not busy:
                thread = threading.Thread(
                    target=self.process_request_thread,
                    args=(request, client_address),
                    name="oncehub-webhooks-request",
                    daemon=True,
                )
                self._connections[request] = thread
                self._changed.notify_all()
        if busy:  # answered at once, from this thread, without waiting for the sender
            logger.debug("inbox: busy, %s refused", client_address)
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.send(_BUSY)
            self.shutdown_request(request)
            return
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._changed:
            self._connections.pop(request, None)
            self._changed.notify_all()
        super().shutdown_request(request)

    @property
    def connections(self) -> int:
        """Connections being served now."""
        with self._changed:
            return len(self._connections)

    def wait_connections(self, count: int, timeout: float) -> bool:
        """Wait until exactly ``count`` connections are being served; whether they are."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._connections) == count, timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("inbox: error while handling %s", client_address, exc_info=True)

    def stop(self, timeout: float = HANDLER_TIMEOUT) -> None:
        """After ``shutdown()``: cut open connections, join their threads, close the socket."""
        with self._changed:
            open_now = list(self._connections.items())
        for request, _ in open_now:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            thread.join(timeout)
        self.server_close()
