"""``%oncehub_sync`` in a shell signed in to the sandbox: it returns the mirror (never shows
it itself), follows the ``mirror`` setting, refuses what it cannot do in one line, and a
sync kept out of sight that stopped early is named after the cell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from oncehub_nb.http import paging
from oncehub_nb.mirror.mirror import Mirror
from oncehub_nb.sandbox import FaultPlan
from tests.support import CANARY_KEY, run_cell


def test_the_magic_returns_the_mirror_in_the_setting_s_file(ip, tmp_path, capsys):
    ip.run_line_magic("config", f"OnceHubMagics.mirror = '{tmp_path / 'data' / 'my.duckdb'}'")
    mirror = run_cell(ip, "m = %oncehub_sync teams event-types\nm")
    assert isinstance(mirror, Mirror) and mirror.ok
    assert mirror.path == tmp_path / "data" / "my.duckdb" and mirror.path.exists()
    assert set(mirror.sql("select * from teams").id) == set(mirror.df("teams").id)
    assert "teams" in str(mirror) and CANARY_KEY not in str(mirror)
    captured = capsys.readouterr()
    assert "oncehub sync teams" in captured.err  # the progress line, in a terminal shell
    assert CANARY_KEY not in captured.out + captured.err


def test_unknown_streams_and_destinations_are_one_line_errors(ip, tmp_path):
    with pytest.raises(UsageError, match="Unknown stream"):
        ip.run_line_magic("oncehub_sync", f"meetings --path {tmp_path / 'm.duckdb'}")
    with pytest.raises(UsageError, match="dlt destination"):
        ip.run_line_magic("oncehub_sync", f"teams --to 'no/such' --path {tmp_path / 'm.duckdb'}")


def test_a_stopped_sync_kept_out_of_sight_is_named_after_the_cell(
    ip, box, tmp_path, capsys, monkeypatch
):
    box.faults = FaultPlan(rate=1.0, kinds=("server_error",))
    ip.run_line_magic("config", "OnceHubMagics.retries = 0")
    ip.run_line_magic("config", "OnceHubMagics.backoff = 0")
    monkeypatch.setattr(paging, "PAGE_RETRIES", 0)  # the page is not tried again: no pause
    run_cell(ip, f"m = %oncehub_sync teams -q --path {tmp_path / 'm.duckdb'}")
    assert not ip.user_ns["m"].ok
    assert "%oncehub_sync stopped" in capsys.readouterr().err
