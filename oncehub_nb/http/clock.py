"""Time, injectable: the client reads the clock and sleeps only through a ``Clock``.

Tests pass a clock whose ``sleep`` advances its own time instead of waiting.
"""

from __future__ import annotations

import time as _time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "SystemClock"]


class Clock(Protocol):
    """What the client needs of time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for deadlines)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (for ``Retry-After`` given as an HTTP date)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    monotonic = staticmethod(_time.monotonic)
    time = staticmethod(_time.time)
    sleep = staticmethod(_time.sleep)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()
