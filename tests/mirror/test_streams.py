"""Which streams exist, how they are named, and that secrets never reach a table."""

from __future__ import annotations

import pytest

from oncehub_nb.errors import ConfigError
from oncehub_nb.mirror.streams import STREAMS, choose, without_secrets


def test_nine_streams_two_of_them_incremental():
    assert [s.table for s in STREAMS] == [
        "bookings", "contacts", "users", "teams", "event_types", "booking_pages",
        "master_pages", "booking_calendars", "webhooks",
    ]  # fmt: skip
    assert [s.table for s in STREAMS if s.incremental] == ["bookings", "contacts"]


def test_streams_are_named_as_paths_or_tables_in_the_usual_order():
    assert [s.table for s in choose(["webhooks", "event-types,bookings"])] == [
        "bookings",
        "event_types",
        "webhooks",
    ]
    assert choose([]) == list(STREAMS)
    with pytest.raises(ConfigError, match=r"Unknown stream.*meetings.*booking-pages"):
        choose(["meetings"])


def test_secrets_are_left_out_at_any_depth():
    hook = {"id": "WHK-1", "secret": "s3", "nested": [{"client_secret": "x", "ok": 1}]}
    assert without_secrets(hook) == {"id": "WHK-1", "nested": [{"ok": 1}]}
