"""The inbox's HTTP side: a standard-library threading server that takes POSTs only.

One thread per connection, one request per connection (HTTP/1.0). Every method but POST
is answered 405; a POST without Content-Length 411, with a bad one 400, with more than
``max_body`` bytes 413 (the body is not kept); every other POST goes to the receiver,
which says what to answer. Nothing is printed: errors go to the ``oncehub_nb.webhooks``
logger. :meth:`InboxServer.stop` cuts open connections and joins every thread it started.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = ["HANDLER_TIMEOUT", "InboxServer", "Receiver"]

logger = logging.getLogger("oncehub_nb.webhooks")

HANDLER_TIMEOUT = 10.0  # seconds a connection may take to send its request
DRAIN_LIMIT = 16 * 1024 * 1024  # bytes read and dropped after a 413 so the answer arrives
Headers = list[tuple[str, str]]


class Receiver(Protocol):
    """What the server hands deliveries to."""

    def receive(self, body: bytes, headers: Headers, path: str) -> tuple[int, str]:
        """Record a delivery; the status and text to answer."""
        ...

    def refuse(self, status: int, reason: str, headers: Headers, path: str) -> None:
        """Record a delivery refused before its body was read."""
        ...


class _Handler(BaseHTTPRequestHandler):
    server: InboxServer
    timeout = HANDLER_TIMEOUT
    server_version = "oncehub-nb-inbox"
    sys_version = ""

    def do_POST(self) -> None:
        headers = self.headers.items()
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return self._refuse(411, "No Content-Length: send the body with its length.")
        length_text = length_text.strip()
        if not (length_text.isascii() and length_text.isdigit()):
            return self._refuse(400, "Content-Length is not a number of bytes.")
        length = int(length_text)
        if length > self.server.max_body:
            self._refuse(
                413, f"The body of {length:,} bytes is over the limit of {self.server.max_body:,}."
            )
            return self._drain(length)
        body = self.rfile.read(length)
        if len(body) < length:
            return self._refuse(400, f"The body ended after {len(body):,} of {length:,} bytes.")
        status, text = self.server.receiver.receive(body, headers, self.path)
        self._answer(status, text)

    def _refuse(self, status: int, reason: str) -> None:
        self.server.receiver.refuse(status, reason, self.headers.items(), self.path)
        self._answer(status, reason)

    def _drain(self, length: int) -> None:
        """Read what the client still sends (up to a limit), so it sees the answer."""
        left = min(length, DRAIN_LIMIT)
        while left > 0:
            chunk = self.rfile.read1(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)

    def _answer(self, status: int, text: str, allow: bool = False) -> None:
        payload = text.encode("utf-8")
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
    """A ThreadingHTTPServer that knows its connections, so it can stop them all."""

    daemon_threads = True
    request_queue_size = 128  # many deliveries may connect at once

    def __init__(self, host: str, port: int, receiver: Receiver, max_body: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.receiver = receiver
        self.max_body = max_body
        self._connections: dict[Any, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host (slow on some hosts)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="oncehub-webhooks-request",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("inbox: error while handling %s", client_address, exc_info=True)

    def stop(self, timeout: float = HANDLER_TIMEOUT) -> None:
        """After ``shutdown()``: cut open connections, join their threads, close the socket."""
        with self._connections_lock:
            open_now = list(self._connections.items())
        for request, _ in open_now:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
        for _, thread in open_now:
            thread.join(timeout)
        self.server_close()
