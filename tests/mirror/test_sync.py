"""Syncing the sandbox into a real DuckDB file with real dlt pipelines: every stream's rows
match the sandbox's, later syncs fetch only what changed (by date), objects changed later
the same day are caught, and nothing secret or key-like is stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd

from oncehub_nb.mirror.mirror import Mirror
from oncehub_nb.mirror.streams import STREAMS
from oncehub_nb.mirror.watermark import parse_time
from tests.mirror.conftest import BOOKINGS, CONTACTS, assert_mirrors, held
from tests.support import CANARY_KEY

ALL = tuple(s.table for s in STREAMS)


def booking_queries(box, since: float = 0.0) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in box.requests if r.path == "/v2/bookings" and r.time >= since]


def touch(box, table: str, object_id: str, moment: str, **changes) -> None:
    """Change an object in the sandbox's own data, as if OnceHub had changed it then."""
    account = box.account(CANARY_KEY)
    with account.lock:
        account.tables[table].update(object_id, {"last_updated_time": moment, **changes})


def test_first_sync_holds_every_stream_as_the_sandbox_has_it(box, client, mirror, tmp_path):
    client.post(
        "/webhooks", {"name": "m", "url": "http://127.0.0.1:9/h", "events": ["booking.canceled"]}
    )
    mirror.sync(client=client, batch_rows=200)
    assert mirror.ok, mirror.report
    assert_mirrors(box, mirror, ALL)
    report = mirror.report
    assert report.stream("bookings").new == BOOKINGS
    assert report.stream("contacts").fetched == CONTACTS
    assert report.stream("bookings").pages == 5  # 100 a page
    # nested lists are child tables, linked to their parent row
    assert {"bookings__attendees", "users__teams", "webhooks__events"} <= set(mirror.tables)
    linked = mirror.sql(
        "SELECT count(*) FROM bookings__attendees a JOIN bookings b ON a._dlt_parent_id = b._dlt_id"
    ).iat[0, 0]
    assert linked == mirror.sql("SELECT count(*) FROM bookings__attendees").iat[0, 0] > 0
    # timestamps are timezone-aware
    frame = mirror.df("bookings")
    assert isinstance(frame["last_updated_time"].dtype, pd.DatetimeTZDtype)
    assert str(frame["last_updated_time"].dt.tz) == "UTC"
    # the webhook's signing secret is never stored, and neither is the key
    assert "secret" not in mirror.df("webhooks").columns
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert CANARY_KEY.encode() not in stored
    assert b"secret" not in mirror.path.read_bytes().lower().replace(b"_secret", b"")
    # dlt's working folder is beside the file, not in the home folder
    assert (tmp_path / ".oncehub-dlt" / "oncehub.duckdb" / "oncehub_duckdb").is_dir()


def test_the_second_sync_asks_from_the_day_before_the_newest_change_held(box, client, mirror):
    mirror.sync(client=client)
    newest = max(parse_time(t) for t in held(mirror, "bookings").values())
    started = box.requests[-1].time
    changed = sorted(held(mirror, "bookings"))[:7]
    for n, object_id in enumerate(changed):
        touch(box, "bookings", object_id, f"{(newest + timedelta(days=n % 3)):%Y-%m-%dT%H:%M:%S}Z")
    mirror.sync(client=client)
    assert mirror.ok
    since = (newest.date() - timedelta(days=1)).isoformat()
    asked = [q for q in booking_queries(box, started) if "last_updated_time.gt" in q]
    assert asked and all(q["last_updated_time.gt"] == [since] for q in asked)
    part = mirror.report.stream("bookings")
    assert part.changed == 7 and part.new == 0 and part.pages < BOOKINGS // 100
    assert part.how == f"changed since {since} (date)"
    assert_mirrors(box, mirror, ("bookings", "contacts"))


def test_an_object_changed_later_on_the_same_day_is_caught(box, client, mirror):
    mirror.sync("bookings", client=client)
    newest = max(parse_time(t) for t in held(mirror, "bookings").values())
    later_same_day = newest + timedelta(seconds=30)
    assert later_same_day.date() == newest.date()
    object_id = sorted(held(mirror, "bookings"))[-1]
    touch(box, "bookings", object_id, f"{later_same_day:%Y-%m-%dT%H:%M:%S}.250Z", status="canceled")
    mirror.sync("bookings", client=client)
    assert mirror.report.stream("bookings").changed == 1
    row = mirror.sql(f"SELECT status, last_updated_time FROM bookings WHERE id = '{object_id}'")
    assert row.status.tolist() == ["canceled"]
    assert row.last_updated_time[0] == pd.Timestamp(later_same_day) + pd.Timedelta(milliseconds=250)
    assert_mirrors(box, mirror, ("bookings",))


def test_small_streams_are_replaced_whole(box, client, mirror):
    mirror.sync("teams", "webhooks", client=client)
    hook = client.post(
        "/webhooks", {"name": "n", "url": "http://127.0.0.1:9/n", "events": ["booking.canceled"]}
    )
    first = sorted(held(mirror, "webhooks"))[0]
    client.delete(f"/webhooks/{first}")
    mirror.sync("webhooks", client=client)
    part = mirror.report.stream("webhooks")
    assert (part.new, part.deleted, part.how) == (1, 1, "replaced whole")
    assert hook["id"] in held(mirror, "webhooks") and first not in held(mirror, "webhooks")
    assert_mirrors(box, mirror, ("teams", "webhooks"))


def test_two_files_in_one_folder_are_two_mirrors(client, tmp_path):
    Mirror(tmp_path / "a.duckdb").sync("bookings", client=client)
    other = Mirror(tmp_path / "b.duckdb").sync("bookings", "teams", client=client)
    assert other.report.stream("bookings").how == "everything"
    assert other.report.stream("bookings").new == BOOKINGS


def test_a_reopened_mirror_shows_its_last_sync(client, mirror, tmp_path):
    mirror.sync("users", client=client)
    again = Mirror(Path(tmp_path / "oncehub.duckdb"))
    text = str(again)
    assert "users" in text and "25" in text and "never" in text  # teams: never synced
    assert again.sql("select count(*) as n from users").n[0] == 25
    html = again._repr_html_()
    assert "<table" in html and "users" in html
