"""The date-granular rule, by itself: from the date of the newest value held, minus a day."""

from __future__ import annotations

from datetime import datetime, timezone

from oncehub_nb.mirror.watermark import later, parse_time, since_date, utc_date


def test_both_of_onceHubs_timestamp_forms_are_read():
    plain, full = parse_time("2025-03-14T16:00:00Z"), parse_time("2025-03-14T16:00:00.250Z")
    assert plain == datetime(2025, 3, 14, 16, tzinfo=timezone.utc)
    assert full == datetime(2025, 3, 14, 16, 0, 0, 250000, tzinfo=timezone.utc)
    assert parse_time("2025-03-14") is None and parse_time(None) is None
    assert parse_time("not a time at all!!") is None


def test_later_compares_moments_not_text():
    # as text, "…00Z" sorts after "…00.500Z"; as moments it is earlier
    assert later("2025-03-14T16:00:00Z", "2025-03-14T16:00:00.500Z") == "2025-03-14T16:00:00.500Z"
    assert later("2025-03-14T16:00:01Z", "2025-03-14T16:00:00.500Z") == "2025-03-14T16:00:01Z"
    assert later(None, "garbage") is None


def test_since_is_the_day_before_the_newest_date_held():
    assert since_date("2025-03-14T23:59:59.999Z") == "2025-03-13"
    assert since_date("2025-03-14T00:00:00Z") == "2025-03-13"
    assert since_date(None) is None


def test_a_pass_that_ran_past_midnight_asks_from_the_day_before_it_began():
    assert since_date("2025-03-15T00:10:00Z", last_pass_began="2025-03-14") == "2025-03-13"
    assert since_date("2025-03-10T08:00:00Z", last_pass_began="2025-03-14") == "2025-03-09"


def test_utc_date_of_an_epoch_second():
    assert utc_date(0).isoformat() == "1970-01-01"
