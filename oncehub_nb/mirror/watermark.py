"""Incremental reading that is correct when OnceHub compares dates, not times.

OnceHub's reference types every ``*.gt``/``*.lt`` list filter as a date, and the live
API compares ``last_updated_time.gt`` by date. So the mirror never asks "changed after
this instant": it asks from the *date* of the newest value it holds, minus one day
(``gt`` is strict: ``gt=2025-03-13`` still returns everything changed on the 14th),
and lets the merge on ``id`` drop what it already has. An object changed later on the
same day as the last sync is therefore always fetched again.

One more guard: an object can change after a pass has read it while the pass runs on
past midnight; the next pass then asks from no later than the day before the date
the previous pass began.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

__all__ = ["later", "parse_time", "since_date", "utc_date"]


def parse_time(text: object) -> datetime | None:
    """A timestamp in either of OnceHub's forms (``…:SSZ``, ``…:SS.mmmZ``), or None."""
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=timezone.utc)
    if not isinstance(text, str) or len(text) < 19:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def later(held: str | None, seen: object) -> str | None:
    """The later of the newest timestamp held (text) and one just seen (text as OnceHub
    wrote it, or a datetime), as text; unreadable values are ignored."""
    new, old = parse_time(seen), parse_time(held)
    if new is None:
        return held
    if old is None or new > old:
        return seen if isinstance(seen, str) else new.isoformat().replace("+00:00", "Z")
    return held


def utc_date(epoch_seconds: float) -> date:
    """The UTC date of a moment given in seconds since the epoch."""
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).date()


def since_date(newest: str | None, last_pass_began: str | None = None) -> str | None:
    """The ``last_updated_time.gt`` date for the next pass (``YYYY-MM-DD``): the date of the
    newest value held, minus one day, and no later than the day before the previous pass
    began. None when nothing is held (read everything)."""
    moment = parse_time(newest)
    if moment is None:
        return None
    day = moment.astimezone(timezone.utc).date()
    if last_pass_began:
        day = min(day, date.fromisoformat(last_pass_began))
    return (day - timedelta(days=1)).isoformat()
