"""A client-side limiter that waits instead of letting OnceHub answer 429.

OnceHub allows 5 requests per second per account and 200 requests per 5 minutes
per IP address. One limiter per (host, key) holds the first window and one per
host the second, shared by every client in the process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ACCOUNT_LIMIT",
    "ADDRESS_LIMIT",
    "Limit",
    "RateLimiter",
    "SlidingWindow",
    "shared_limiter",
]


@dataclass(frozen=True)
class Limit:
    """At most ``max_requests`` in any ``period`` seconds."""

    max_requests: int
    period: float


ACCOUNT_LIMIT = Limit(5, 1.0)
ADDRESS_LIMIT = Limit(200, 300.0)


class SlidingWindow:
    """Thread-safe sliding-window counter: ``reserve()`` says how long to wait."""

    def __init__(
        self, limit: Limit, clock: Callable[[], float] = time.monotonic, margin: float = 0.05
    ) -> None:
        self.limit = limit
        self.margin = margin  # a little slack so the server's clock agrees with ours
        self._clock = clock
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book the next free slot; return the seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            while self._stamps and self._stamps[0] <= now - self.limit.period:
                self._stamps.popleft()
            if len(self._stamps) < self.limit.max_requests:
                slot = now
            else:
                slot = max(
                    now, self._stamps[-self.limit.max_requests] + self.limit.period + self.margin
                )
            self._stamps.append(slot)
            return slot - now


class RateLimiter:
    """Several windows at once; ``acquire()`` sleeps until all allow a request."""

    def __init__(self, windows: list[SlidingWindow], sleep: Callable[[float], None] = time.sleep):
        self.windows = windows
        self._sleep = sleep

    def acquire(self) -> float:
        """Wait for a slot in every window; return the seconds waited."""
        wait = max((window.reserve() for window in self.windows), default=0.0)
        if wait > 0:
            self._sleep(wait)
        return wait


_registry: dict[str, SlidingWindow] = {}
_registry_lock = threading.Lock()


def _window(name: str, limit: Limit) -> SlidingWindow:
    with _registry_lock:
        window = _registry.get(name)
        if window is None or window.limit != limit:
            window = _registry[name] = SlidingWindow(limit)
        return window


def shared_limiter(
    host: str,
    key_value: str,
    account: Limit | None = ACCOUNT_LIMIT,
    address: Limit | None = ADDRESS_LIMIT,
) -> RateLimiter:
    """The process-wide limiter for this host and key (the key only as a hash)."""
    digest = hashlib.sha256(key_value.encode()).hexdigest()[:16]
    windows = []
    if account is not None:
        windows.append(_window(f"account:{host}:{digest}", account))
    if address is not None:
        windows.append(_window(f"address:{host}", address))
    return RateLimiter(windows)
