"""``--to``: the same sync into dlt's filesystem destination (Parquet files in a temporary
folder, configured the way dlt configures it), read back with DuckDB; and contacts deleted
in OnceHub removed by the ID sweep."""

from __future__ import annotations

import duckdb

from oncehub_nb.mirror.mirror import Mirror
from tests.mirror.conftest import BOOKINGS, assert_mirrors, held, truth


def parquet_ids(folder, table: str) -> list[str]:
    files = [str(p) for p in (folder / "oncehub" / table).rglob("*.parquet")]
    assert files, f"no Parquet files for {table}"
    return [row[0] for row in duckdb.sql(f"SELECT id FROM read_parquet({files})").fetchall()]


def test_to_filesystem_writes_parquet_that_duckdb_reads_back(box, client, tmp_path, monkeypatch):
    bucket = tmp_path / "bucket"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", bucket.as_uri())
    mirror = Mirror(tmp_path / "oncehub.duckdb", to="filesystem")
    mirror.sync("bookings", "users", client=client, batch_rows=200)
    assert mirror.ok, mirror.report
    ids = parquet_ids(bucket, "bookings")
    assert len(ids) == len(set(ids)) == BOOKINGS
    assert set(ids) == set(truth(box, "bookings"))
    assert set(parquet_ids(bucket, "users")) == set(truth(box, "users"))
    assert list((bucket / "oncehub").glob("bookings__attendees/*.parquet"))  # child tables
    # dlt cannot merge into plain files: a second sync replaces the table, never duplicates
    mirror.sync("bookings", client=client, batch_rows=200)
    assert mirror.ok
    again = parquet_ids(bucket, "bookings")
    assert len(again) == len(set(again)) == BOOKINGS
    assert "cannot merge" in mirror.report.stream("bookings").how
    assert not (tmp_path / "oncehub.duckdb").exists()  # nothing else was written there


def test_the_id_sweep_removes_contacts_deleted_in_onceHub(box, client, mirror):
    mirror.sync("contacts", client=client)
    gone = sorted(held(mirror, "contacts"))[:3]
    for contact in gone:
        client.delete(f"/contacts/{contact}")
    mirror.sync("contacts", client=client)  # incremental: cannot see deletions
    assert set(gone) <= set(held(mirror, "contacts"))
    mirror.sync("contacts", client=client, sweep=True)
    assert mirror.report.stream("contacts").deleted == 3
    assert not set(gone) & set(held(mirror, "contacts"))
    orphans = mirror.sql(
        "SELECT count(*) FROM contacts__custom_fields c "
        "WHERE c._dlt_root_id NOT IN (SELECT _dlt_id FROM contacts)"
    ).iat[0, 0]
    assert orphans == 0  # their child rows went with them
    assert_mirrors(box, mirror, ("contacts",))
