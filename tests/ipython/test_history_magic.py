"""``%oncehub --history``, ``--replay N``, ``r.request`` (``.curl()``, ``.python()``) and
``--python``, through a real shell against the sandbox. The Python snippet is run as
printed, in a subprocess, and must return what the magic returned."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from IPython.core.error import UsageError

from oncehub_nb.explore.export import Code
from oncehub_nb.explore.history import HistoryView
from oncehub_nb.session import current
from tests.support import CANARY_KEY, run_cell


def run_snippet(code: str, key: str = CANARY_KEY) -> subprocess.CompletedProcess[str]:
    """Run a generated snippet as printed, with the key in ONCEHUB_API_KEY only."""
    env = {**os.environ, "ONCEHUB_API_KEY": key}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )


def test_history_lists_each_request_with_status_time_and_request_id(ip, box):
    run_cell(ip, "r = %oncehub bookings limit==3 status==scheduled")
    run_cell(ip, "m = %oncehub bookings/BKNG-NOPE")
    history = run_cell(ip, "%oncehub --history")
    assert isinstance(history, HistoryView)
    listed, missing = history.records[-2:]
    assert (listed.method, listed.path) == ("GET", "/bookings")
    assert listed.params == {"limit": "3", "status": "scheduled"}
    assert listed.status_code == 200 and listed.request_id == ip.user_ns["r"].request_id
    assert (missing.status_code, missing.request_id) == (404, ip.user_ns["m"].request_id)
    text = str(history)
    for value in ("/bookings", "limit=3&status=scheduled", "200", "404", listed.request_id):
        assert value in text
    assert "/bookings/BKNG-NOPE" in history._repr_html_()
    assert CANARY_KEY not in text + history._repr_html_()


def test_history_counts_cell_code_calls_too(ip, box):
    import oncehub_nb

    oncehub_nb.client().get("/users", limit=1)
    (record,) = [r for r in current().history if r.path == "/users"]
    assert record.params == {"limit": 1}


def test_replay_sends_the_request_again_and_returns_the_same_data(ip, box, capsys):
    first = run_cell(ip, "%oncehub bookings limit==4")
    number = current().history.get(len(current().history)).number
    again = run_cell(ip, f"%oncehub --replay {number}")
    assert again.data == first.data and again.request_id != first.request_id
    assert f"Replaying #{number}: GET {box.base_url}/bookings?limit=4" in capsys.readouterr().err
    assert current().history.get(number + 1).path == "/bookings"  # the replay is recorded


def test_replay_of_a_write_sends_it_again(ip, box):
    contact = run_cell(ip, "%oncehub contacts limit==1").ids()[0]
    run_cell(ip, f"%oncehub PATCH contacts/{contact} city=Lyon")
    number = max(r.number for r in current().history)
    run_cell(ip, f"%oncehub PATCH contacts/{contact} city=Paris")
    replayed = run_cell(ip, f"%oncehub --replay {number}")
    assert replayed.data["city"] == "Lyon"
    assert run_cell(ip, f"%oncehub contacts/{contact}").data["city"] == "Lyon"


def test_replay_refuses_what_it_cannot_send(ip, box):
    with pytest.raises(UsageError, match="No request #99"):
        ip.run_line_magic("oncehub", "--replay 99")
    with pytest.raises(UsageError, match="--replay needs the number"):
        ip.run_line_magic("oncehub", "--replay x")
    with pytest.raises(UsageError, match="take no path"):
        ip.run_line_magic("oncehub", "bookings --history")
    current().history.add("POST", "/webhooks", None, {"name": "h", "secret": "s3cr3t-value"})
    number = max(r.number for r in current().history)
    with pytest.raises(UsageError, match="had a secret in its body"):
        ip.run_line_magic("oncehub", f"--replay {number}")
    assert "s3cr3t-value" not in str(run_cell(ip, "%oncehub --history"))


def test_every_result_has_its_request_as_curl_and_python(ip, box):
    table = run_cell(ip, "%oncehub bookings limit==2")
    one = run_cell(ip, f"%oncehub bookings/{table.ids()[0]}")
    failed = run_cell(ip, "%oncehub bookings/BKNG-NOPE")
    for result in (table, one, failed):
        curl, python = result.request.curl(), result.request.python()
        assert box.base_url in curl and '"API-Key: $ONCEHUB_API_KEY"' in curl
        assert isinstance(python, Code) and 'os.environ["ONCEHUB_API_KEY"]' in python
        assert CANARY_KEY not in curl + python
        compile(python, "<snippet>", "exec")
    assert table.request.query == {"limit": "2"}
    few = run_cell(ip, "%oncehub bookings status==canceled --max-items 3 -q")
    assert few.request.query == {"status": "canceled", "limit": 3}  # its first page, as sent
    assert current().history.get(len(current().history)).params == few.request.query
    every = run_cell(ip, "%oncehub bookings status==canceled --all -q")
    assert every.request.query == {"status": "canceled", "limit": 100}


def test_python_option_prints_the_snippet_and_sends_nothing(ip, box, capsys):
    before = len(current().history)
    line = "%oncehub POST contacts email=b@example.com first_name=B last_name=Bee --python"
    assert run_cell(ip, line) is None
    out = capsys.readouterr().out
    assert "httpx.request(" in out and '"POST"' in out and "'email': 'b@example.com'" in out
    assert len(current().history) == before


def test_code_shows_as_written_in_ipython(ip, box):
    table = run_cell(ip, "%oncehub bookings limit==2")
    ip.user_ns["snippet"] = table.request.python()
    shown = ip.display_formatter.format(ip.user_ns["snippet"])[0]
    assert shown["text/plain"] == str(ip.user_ns["snippet"])  # no quotes, no \n escapes
    assert shown["text/html"].startswith('<pre class="oncehub-code">')


@pytest.mark.slow  # Python subprocesses running the snippets
def test_the_python_snippet_runs_as_printed_and_returns_the_magics_data(ip, box):
    table = run_cell(ip, "%oncehub bookings status==scheduled limit==5")
    done = run_snippet(table.request.python())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"] == table.data

    one = run_cell(ip, f"%oncehub bookings/{table.ids()[0]} expand==event_type")
    done = run_snippet(one.request.python())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == one.data

    contact = run_cell(ip, "%oncehub contacts limit==1").ids()[0]
    changed = run_cell(ip, f"%oncehub PATCH contacts/{contact} city=Lyon job_title=Chef")
    run_cell(ip, f"%oncehub PATCH contacts/{contact} city=Paris job_title=Baker")
    done = run_snippet(changed.request.python())  # the same PATCH, sent by the snippet
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert (made["city"], made["job_title"]) == ("Lyon", "Chef")
    same = {k: v for k, v in made.items() if k != "last_updated_time"}
    assert same == {k: v for k, v in changed.data.items() if k != "last_updated_time"}

    done = run_snippet(table.request.python(), key="wrong-key-000000000000")
    assert done.returncode != 0 and "401" in done.stderr  # raise_for_status
