"""Fixtures of the mirror tests: a sandbox large enough for several pages and batches, a
client for it (rate limiting off, or on with a fake clock both sides share), and the
sandbox's own data to compare the mirror with. Every mirror is a real DuckDB file (and
real dlt pipelines) under the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas
import pytest

from oncehub_nb import OnceHub
from oncehub_nb.mirror.mirror import Mirror
from oncehub_nb.sandbox import Sandbox
from tests.support import CANARY_ACCOUNT, CANARY_KEY

BOOKINGS, CONTACTS = 450, 120


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """A sandbox with a few pages of bookings and contacts, limits off."""
    with Sandbox(
        bookings=BOOKINGS,
        contacts=CONTACTS,
        key_limit=None,
        address_limit=None,
        accounts={CANARY_KEY: CANARY_ACCOUNT},
    ) as sandbox:
        yield sandbox


@pytest.fixture
def client(box: Sandbox) -> Iterator[OnceHub]:
    with OnceHub(CANARY_KEY, base_url=box.base_url, rate_limit=False, backoff=0) as api:
        yield api


@pytest.fixture
def mirror(tmp_path: Path) -> Mirror:
    return Mirror(tmp_path / "oncehub.duckdb")


def truth(box: Sandbox, table: str) -> dict[str, Any]:
    """The sandbox's own objects of a stream (by table name): id -> last_updated_time."""
    path = table.replace("_", "-")
    objects = box.account(CANARY_KEY).tables[path].by_id
    return {i: o.get("last_updated_time") for i, o in objects.items()}


def held(mirror: Mirror, table: str) -> dict[str, Any]:
    """What the mirror holds of a stream: id -> last_updated_time as OnceHub writes it."""
    columns = set(mirror.sql(f"SELECT * FROM {table} LIMIT 0").columns)
    cursor = "last_updated_time" if "last_updated_time" in columns else "NULL"
    frame = mirror.sql(f"SELECT id, {cursor} AS t FROM {table}")
    return {row.id: None if pandas.isna(row.t) else _text(row.t) for row in frame.itertuples()}


def _text(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{moment.microsecond // 1000:03d}Z" if moment.microsecond else "Z"
    )


def same_moment(a: str | None, b: str | None) -> bool:
    from oncehub_nb.mirror.watermark import parse_time

    return parse_time(a) == parse_time(b)


def assert_mirrors(box: Sandbox, mirror: Mirror, tables: tuple[str, ...]) -> None:
    """Every stream in ``tables`` holds exactly the sandbox's objects, once each, with the
    same last_updated_time: 0 lost, 0 duplicated, nothing extra."""
    for table in tables:
        expected, got = truth(box, table), held(mirror, table)
        [(rows, distinct)] = mirror.sql(
            f"SELECT count(*), count(DISTINCT id) FROM {table}"
        ).itertuples(index=False)
        assert rows == distinct, f"{table}: duplicated rows"
        assert set(got) == set(expected), f"{table}: lost {set(expected) - set(got)}"
        for key, moment in expected.items():
            assert same_moment(got[key], moment), (table, key, got[key], moment)
