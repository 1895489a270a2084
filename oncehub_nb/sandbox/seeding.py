"""Quick helpers for inventing many objects: times as whole epoch seconds, quick picks.

An account of 100,000 bookings is made in about a second, so its seeders count time in
epoch seconds (ints) rather than datetimes: :class:`Stamps` writes them in the
reference's full form with one ``strftime`` per day (``MINUTES`` and ``SECONDS`` hold
the rest of the text), and :func:`pick` chooses with a roll in [0, 1).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TypeVar

__all__ = ["DAY", "MINUTES", "PAIRS", "SECONDS", "Stamps", "pick", "random_ids"]

DAY = 86400
T = TypeVar("T")


def pick(items: Sequence[T], roll: float) -> T:
    """The item a uniform ``roll`` in [0, 1) lands on (faster than ``Random.choice``)."""
    return items[int(roll * len(items))]


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAIRS = [a + b for a in ALPHABET for b in ALPHABET][:1024]  # ten random bits -> two characters


def random_ids(rng: random.Random, prefix: str, count: int) -> list[str]:
    """``count`` distinct ids like ``CTC-OK9QM3KBWJ``, from 50 random bits each."""
    made: list[str] = []
    seen: set[str] = set()
    while len(made) < count:
        fresh = [
            f"{prefix}-{PAIRS[bits & 1023]}{PAIRS[(bits >> 10) & 1023]}"
            f"{PAIRS[(bits >> 20) & 1023]}{PAIRS[(bits >> 30) & 1023]}{PAIRS[bits >> 40]}"
            for bits in map(rng.getrandbits, [50] * (count - len(made)))
        ]
        for made_id in fresh:  # a repeat (hardly ever) is dropped and made again
            if made_id not in seen:
                seen.add(made_id)
                made.append(made_id)
    return made


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
