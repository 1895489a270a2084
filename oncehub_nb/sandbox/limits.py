"""Sliding-window rate limiting for the sandbox server."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_requests`` requests in any window of ``period`` seconds."""

    max_requests: int
    period: float


class SlidingWindows:
    """One sliding window (a deque of timestamps) per bucket name; thread-safe.

    The limit is passed on every call so that it can be changed while the server runs.
    A request that is refused does not count toward the window.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, limit: RateLimit | None) -> bool:
        """Count one request for ``bucket`` and say whether it is within ``limit``."""
        if limit is None:
            return True
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(bucket, deque())
            while window and window[0] <= now - limit.period:
                window.popleft()
            if len(window) >= limit.max_requests:
                return False
            window.append(now)
            return True
