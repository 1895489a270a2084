"""Log lines with every live client's key masked, in any form a server could echo it.

httpx masks only ``Authorization``; httpcore's DEBUG lines list the response's headers
and httpx's the reason phrase, both the server's words. A server that echoes the key back
(in a ``Request-Id``, lower-cased, ``\\u``-escaped…) would put it in those lines. A filter
on each of those loggers (and the package's own) masks the keys of the clients alive at
that moment (``ApiKey.scrub``); it costs nothing unless DEBUG lines are being written.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

from oncehub_nb.keys import ApiKey

__all__ = ["LOGGERS", "watch"]

# httpcore names one logger per module (connection, http11, http2, proxy, socks).
LOGGERS = (
    "oncehub_nb",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class _HasKey(Protocol):
    key: ApiKey


class _KeyMask(logging.Filter):
    """Masks the watched clients' keys in each record it sees (and lets it through)."""

    def __init__(self) -> None:
        super().__init__()
        self.clients: weakref.WeakSet[_HasKey] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        keys = [client.key for client in list(self.clients)]
        if not keys:
            return True
        message = original = record.getMessage()
        for key in keys:
            message = key.scrub(message)
        if message != original:
            record.msg, record.args = message, None
        return True


_mask = _KeyMask()
_installed = False
_lock = threading.Lock()


def watch(client: _HasKey) -> None:
    """Mask ``client.key`` in the DEBUG lines of httpx, httpcore and oncehub_nb for as
    long as the client lives."""
    global _installed
    with _lock:
        if not _installed:
            for name in LOGGERS:
                logging.getLogger(name).addFilter(_mask)
            _installed = True
        _mask.clients.add(client)
