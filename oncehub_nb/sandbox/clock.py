"""The sandbox's one clock: what "now" is for its data, its answers and its rate limits.

A :class:`Sandbox` reads time only through the clock it was given (the system's by
default): its seeded data runs back from the clock's time when the sandbox was made,
writes are stamped with the clock's time of the request, rate-limit windows slide on
its monotonic seconds, and webhook signatures and request records carry its time. A
test gives a clock of its own (anything with ``time()`` and ``monotonic()``) and
decides what time it is.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "StartingAt", "SystemClock", "as_clock", "moment"]


class Clock(Protocol):
    """What the sandbox needs of time."""

    def time(self) -> float:
        """Seconds since the epoch: "now" for data, stamps, signatures and records."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (rate-limit windows)."""
        ...


class SystemClock:
    """The real clock."""

    time = staticmethod(_time.time)
    monotonic = staticmethod(_time.monotonic)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


class StartingAt:
    """The real clock's pace from a chosen instant: the same data, whatever the date.

    ``StartingAt(datetime(2025, 3, 14, 16, tzinfo=timezone.utc))`` says it is that
    instant when made, and time runs on from there, as ``monotonic`` counts it.
    """

    def __init__(self, start: datetime, monotonic: Callable[[], float] = _time.monotonic) -> None:
        self.start = start
        self.monotonic = monotonic
        self._offset = start.timestamp() - monotonic()

    def time(self) -> float:
        return self._offset + self.monotonic()

    def __repr__(self) -> str:
        return f"StartingAt({self.start.isoformat()})"


class _RateLimitsOnly:
    """The older form, a bare monotonic function: it drives the rate limits only."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.monotonic = monotonic
        self.time = _time.time


def as_clock(clock: Clock | Callable[[], float]) -> Clock:
    """``clock`` as a :class:`Clock`; a bare function is taken as the monotonic seconds."""
    if hasattr(clock, "time") and hasattr(clock, "monotonic"):
        return clock
    if callable(clock):
        return _RateLimitsOnly(clock)
    raise TypeError(f"not a clock: {clock!r} (it needs time() and monotonic())")


def moment(clock: Clock, *, whole_seconds: bool = False) -> datetime:
    """The clock's time as an aware UTC datetime, to the millisecond (or the second)."""
    now = datetime.fromtimestamp(clock.time(), timezone.utc)
    if whole_seconds:
        return now.replace(microsecond=0)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
