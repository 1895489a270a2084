"""Staying under OnceHub's rate limits on this side, before OnceHub answers 429.

OnceHub allows 5 requests per second per account and 200 per 5 minutes per IP
address. One window per (host, key) holds the first limit and one per host the
second, shared by every client in the process. A caller books the next free slot
and chooses what a long wait means: :meth:`RateLimiter.book` with a
``max_wait`` books nothing and raises :class:`WouldWait` when the slot is further
away (a single call reports it at once); with ``max_wait=None`` it always books,
and the caller waits visibly (paging).

A booked slot is when a request may leave, not when OnceHub counts it: a pause after
booking (a progress line, the garbage collector, the network) makes it arrive later,
and a window of booked times would then let a later request arrive too early. So once
the answer is in, the caller settles the slot at the time the answer came
(:meth:`RateLimiter.settle`): OnceHub counted the request before it answered, so a
request sent a full period after that can never meet it in one window.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import threading
from collections import deque
from dataclasses import dataclass

from oncehub_nb.constants import ACCOUNT_LIMIT, ADDRESS_LIMIT, Limit
from oncehub_nb.http.clock import SYSTEM_CLOCK, Clock

__all__ = ["Booking", "RateLimiter", "SlidingWindow", "WouldWait", "shared_limiter"]

# A little slack so that OnceHub's clock agrees with ours about when a window has moved.
MARGIN = 0.05


class SlidingWindow:
    """The times of the requests booked within one limit's window (not thread-safe alone)."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._slots: deque[float] = deque()

    def wait_at(self, now: float) -> float:
        """Seconds from ``now`` until this window has room for one more request."""
        while self._slots and self._slots[0] <= now - self.limit.period:
            self._slots.popleft()
        if len(self._slots) < self.limit.max_requests:
            return 0.0
        free_at = self._slots[-self.limit.max_requests] + self.limit.period + MARGIN
        return max(0.0, free_at - now)

    def book(self, at: float) -> None:
        """Count a request sent at ``at`` (kept in order: a window shared by several keys
        may be booked later for an earlier time)."""
        bisect.insort(self._slots, at)

    def move(self, booked: float, to: float) -> None:
        """Count the request booked at ``booked`` at ``to`` instead (when its answer came)."""
        if to <= booked:
            return
        with contextlib.suppress(ValueError):  # gone: it left the window, count it again
            self._slots.remove(booked)
        bisect.insort(self._slots, to)

    def left_at(self, now: float) -> int:
        """How many more requests the window takes at ``now`` without waiting."""
        used = sum(1 for slot in self._slots if now - self.limit.period < slot <= now)
        booked_ahead = sum(1 for slot in self._slots if slot > now)
        return max(0, self.limit.max_requests - used - booked_ahead)


@dataclass(frozen=True)
class Booking:
    """A slot booked in every window of one limiter: when it is, and the wait until then."""

    at: float
    wait: float


@dataclass
class WouldWait(Exception):
    """The next free slot is further away than the caller allowed; nothing was booked."""

    wait: float
    limit: Limit


# One lock for every booking: windows are shared between limiters (the address limit).
_booking = threading.Lock()


class RateLimiter:
    """Several windows at once: a request may go when every one of them has room."""

    def __init__(self, windows: list[SlidingWindow], clock: Clock = SYSTEM_CLOCK) -> None:
        self.windows = windows
        self.clock = clock

    def book(self, max_wait: float | None = None) -> Booking:
        """Book the next slot free in every window.

        Raises WouldWait, booking nothing, when it is more than ``max_wait`` away.
        """
        with _booking:
            now = self.clock.monotonic()
            waits = [(window.wait_at(now), window.limit) for window in self.windows]
            wait, limit = max(waits, key=lambda pair: pair[0], default=(0.0, None))
            if limit is not None and max_wait is not None and wait > max_wait:
                raise WouldWait(wait, limit)
            for window in self.windows:
                window.book(now + wait)
            return Booking(now + wait, wait)

    def settle(self, booking: Booking, answered_at: float) -> None:
        """Count the booked request at ``answered_at``, when its answer (or failure) came."""
        with _booking:
            for window in self.windows:
                window.move(booking.at, answered_at)

    def budget(self) -> list[tuple[Limit, int]]:
        """Each limit, and how many requests it still takes now without waiting."""
        with _booking:
            now = self.clock.monotonic()
            return [(window.limit, window.left_at(now)) for window in self.windows]

    def acquire(self, max_wait: float | None = None) -> Booking:
        """Book a slot and sleep until it."""
        booking = self.book(max_wait)
        if booking.wait > 0:
            self.clock.sleep(booking.wait)
        return booking


_windows: dict[str, SlidingWindow] = {}


def _shared_window(name: str, limit: Limit) -> SlidingWindow:
    with _booking:
        window = _windows.get(name)
        if window is None or window.limit != limit:
            window = _windows[name] = SlidingWindow(limit)
        return window


def shared_limiter(
    host: str,
    key_value: str,
    account: Limit | None = ACCOUNT_LIMIT,
    address: Limit | None = ADDRESS_LIMIT,
    clock: Clock = SYSTEM_CLOCK,
) -> RateLimiter:
    """The process-wide limiter for this host and key (the key is kept only as a hash)."""
    digest = hashlib.sha256(key_value.encode()).hexdigest()[:16]
    windows = []
    if account is not None:
        windows.append(_shared_window(f"account:{host}:{digest}", account))
    if address is not None:
        windows.append(_shared_window(f"address:{host}", address))
    return RateLimiter(windows, clock)
