"""Quick helpers for inventing many objects: times as whole epoch seconds, quick picks.

An account of 100,000 bookings is made in about a second, so its seeders count time in
epoch seconds (ints) rather than datetimes: :class:`Stamps` writes them in the
reference's full form with one ``strftime`` per day, :class:`Offsets` knows each time
zone's UTC offset day by day, and :func:`pick` chooses with a roll in [0, 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any, TypeVar

__all__ = ["DAY", "Offsets", "Stamps", "pick", "weekday"]

DAY = 86400
T = TypeVar("T")


def pick(items: Sequence[T], roll: float) -> T:
    """The item a uniform ``roll`` in [0, 1) lands on (faster than ``Random.choice``)."""
    return items[int(roll * len(items))]


def weekday(day: int) -> int:
    """Monday = 0 … Sunday = 6 for a day counted from 1970-01-01 (a Thursday)."""
    return (day + 3) % 7


MINUTES = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]  # "HH:MM:" of each minute
SECONDS = [f"{s:02d}.000Z" for s in range(60)]


class Stamps:
    """``2025-03-14T16:00:00.000Z`` for whole seconds since the epoch."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def text(self, epoch: int) -> str:
        day, rest = divmod(epoch, DAY)
        head = self._days.get(day)
        if head is None:
            moment = datetime.fromtimestamp(day * DAY, timezone.utc)
            head = self._days[day] = moment.strftime("%Y-%m-%dT")
        return head + MINUTES[rest // 60] + SECONDS[rest % 60]


class Offsets:
    """Each time zone's UTC offset in seconds, day by day (at noon UTC), worked out once."""

    def __init__(self) -> None:
        self._known: dict[tuple[Any, int], int] = {}

    def at(self, zone: tzinfo, day: int) -> int:
        """The offset of ``zone`` on ``day`` (days since the epoch)."""
        key = (zone, day)
        found = self._known.get(key)
        if found is None:
            noon = datetime.fromtimestamp(day * DAY + DAY // 2, timezone.utc).astimezone(zone)
            offset = noon.utcoffset()
            found = self._known[key] = int(offset.total_seconds()) if offset else 0
        return found

    def local_day(self, zone: tzinfo, epoch: int) -> int:
        """The day (since the epoch) that it is in ``zone`` at ``epoch``."""
        day = epoch // DAY
        offset = self._known.get((zone, day))
        return (epoch + (self.at(zone, day) if offset is None else offset)) // DAY

    def utc(self, zone: tzinfo, day: int, minute: int) -> int:
        """Epoch seconds of ``minute`` minutes after local midnight of ``day`` in ``zone``."""
        offset = self._known.get((zone, day))
        return day * DAY + minute * 60 - (self.at(zone, day) if offset is None else offset)
