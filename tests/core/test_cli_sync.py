"""``oncehub-nb sync``: the account into a DuckDB file from a terminal, the key from the
environment, a progress line on stderr, the mirror's table on stdout, exit status 0/1/2."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from oncehub_nb.cli import main
from oncehub_nb.sandbox import Sandbox
from tests.support import CANARY_ACCOUNT, CANARY_KEY


@pytest.fixture
def box():
    with Sandbox(key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT}) as sb:
        yield sb


def test_sync_writes_the_file_and_prints_the_mirror(box, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    target = tmp_path / "m.duckdb"
    status = main(["sync", "teams", "users", "--path", str(target), "--base-url", box.base_url])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "OnceHub mirror" in out and "users" in out
    assert "oncehub sync users" in err
    assert CANARY_KEY not in out + err
    with duckdb.connect(str(target)) as connection:
        assert connection.execute("select count(*) from users").fetchall() == [(25,)]


def test_sync_usage_problems_exit_2(box, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    status = main(
        ["sync", "meetings", "--path", str(tmp_path / "m.duckdb"), "--base-url", box.base_url]
    )
    assert status == 2
    assert "Unknown stream" in capsys.readouterr().err
