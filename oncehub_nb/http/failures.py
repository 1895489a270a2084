"""Naming what went wrong when no answer came, decided by exception type, not message text.

httpx wraps httpcore's exception, which wraps the socket or TLS error that really
happened; :func:`transport_failure` walks that chain (``__cause__`` and
``__context__``) and picks the error a person can act on.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Collection, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import h11
import httpx

from oncehub_nb.constants import LOOPBACK_HOSTS
from oncehub_nb.errors import ConnectionFailed, TimeoutFailed, TLSFailed, TransportError

__all__ = ["NOTHING_LISTENS_HERE", "slow_hint", "transport_failure"]

E = TypeVar("E", bound=BaseException)

# Each phase, and the setting that bounds it.
_TIMEOUT_PHASES: list[tuple[type[httpx.TimeoutException], str, str]] = [
    (httpx.ConnectTimeout, "connecting to", "connect_timeout"),
    (httpx.ReadTimeout, "waiting for an answer from", "timeout"),
    (httpx.WriteTimeout, "sending the request to", "timeout"),
    (httpx.PoolTimeout, "waiting for a free connection to", "timeout"),
]
NOTHING_LISTENS_HERE = (
    "Nothing answers at that port on this machine: start the server, or check the base "
    "URL's port. For the built-in sandbox: %oncehub_auth --sandbox, or oncehub-nb sandbox."
)


def slow_hint(setting: str) -> str:
    """What to do about a timeout bounded by ``setting``."""
    return (
        "OnceHub or the network is slow or unreachable: try again later, or raise the "
        f"{setting} setting."
    )


# Ways a connection ends from the other side (TLS alerts of a closed socket included).
_HANG_UPS: tuple[type[BaseException], ...] = (
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first(error: BaseException, kind: type[E]) -> E | None:
    return next((e for e in _chain(error) if isinstance(e, kind)), None)


def transport_failure(
    error: httpx.TransportError, url: str, retries: int = 0, *, cut: Collection[str] = ()
) -> TransportError:
    """Our error for an httpx transport failure, in words a user can act on. ``cut``: the
    timeout settings that were cut to the time the call had left (total_timeout's)."""
    parts = urlsplit(url)
    host = parts.hostname or url
    facts: dict[str, Any] = {"url": url, "retries": retries}
    if isinstance(error, httpx.TimeoutException):
        phase, setting = next(
            ((p, name) for kind, p, name in _TIMEOUT_PHASES if isinstance(error, kind)),
            ("waiting for", "timeout"),
        )
        if setting in cut:
            setting = "total_timeout"
        return TimeoutFailed(f"Timed out {phase} {host}.", hint=slow_hint(setting), **facts)
    certificate = _first(error, ssl.SSLCertVerificationError)
    if certificate is not None:
        why = certificate.verify_message or certificate.reason or "verification failed"
        return TLSFailed(f"The TLS certificate of {host} was not accepted ({why}).", **facts)
    if _first(error, h11.ProtocolError) is not None:  # an answer, but not HTTP/1.1
        return ConnectionFailed(
            f"{host} answered with something that is not HTTP (is the base URL's port right?).",
            **facts,
        )
    if any(_first(error, kind) for kind in _HANG_UPS) or isinstance(
        error, httpx.RemoteProtocolError
    ):
        # the other side hung up: worth another try, unlike a certificate
        in_handshake = isinstance(error, httpx.ConnectError) and parts.scheme == "https"
        during = "during the TLS handshake" if in_handshake else "without answering"
        return ConnectionFailed(f"{host} closed the connection {during}.", **facts)
    tls = _first(error, ssl.SSLError)
    if tls is not None:
        why = tls.reason or type(tls).__name__
        if isinstance(error, httpx.ConnectError):
            return TLSFailed(f"The TLS handshake with {host} failed ({why}).", **facts)
        return TLSFailed(f"The TLS connection with {host} failed ({why}).", **facts)
    if _first(error, socket.gaierror) is not None:
        return ConnectionFailed(f"Could not resolve the host name {host}.", **facts)
    if _first(error, ConnectionRefusedError) is not None:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return ConnectionFailed(
            f"Connection to {host} was refused (nothing is listening on port {port}).",
            hint=NOTHING_LISTENS_HERE if host in LOOPBACK_HOSTS else None,
            **facts,
        )
    root = list(_chain(error))[-1]
    return ConnectionFailed(f"Connection to {host} failed ({type(root).__name__}).", **facts)
