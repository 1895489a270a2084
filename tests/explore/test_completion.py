"""Tab completion for %oncehub: the pure function at many cursor positions, then IPython."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence

import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from oncehub_nb.explore.catalog import CATALOG, WEBHOOK_EVENTS
from oncehub_nb.explore.checks import find
from oncehub_nb.explore.completion import OPTIONS, Completions, complete
from oncehub_nb.ipython.completing import MATCHER_ID, install, uninstall
from tests.support import drop_shell

RECENT = {
    "BKNG": ["BKNG-3KM0HY2BF9SL", "BKNG-7Q2XW1"],
    "USR": ["USR-FSD423423"],
    "TM": ["TM-GCJU8DLBTPY1"],
}
asked: list[str] = []


def recent_ids(kind: str) -> Sequence[str]:
    asked.append(kind)
    return RECENT.get(kind, [])


def at_end(text: str) -> Completions:
    return complete(text, len(text), recent_ids=recent_ids)


def at_bar(text: str) -> Completions:
    """Complete where ``|`` stands (the bar removed)."""
    cursor = text.index("|")
    return complete(text.replace("|", "", 1), cursor, recent_ids=recent_ids)


# --- the method and the path -------------------------------------------------------------


def test_after_the_magic_methods_and_top_level_paths() -> None:
    found = at_end("%oncehub ")
    assert found.matches[:4] == ["GET", "POST", "PATCH", "DELETE"]
    assert {"bookings", "test", "notifications/"} <= set(found.matches)
    assert "notifications" not in found.matches  # no such endpoint
    assert "bookings/" not in found.matches  # offered once "bookings" is typed whole
    assert (found.start, found.end) == (9, 9)


def test_method_prefix() -> None:
    assert at_end("%oncehub PA").matches == ["PATCH"]
    assert at_end("%oncehub de").matches == ["DELETE"]


def test_path_prefix() -> None:
    found = at_end("%oncehub boo")
    assert found.matches == ["bookings", "booking-calendars", "booking-pages"]
    assert (found.start, found.end) == (9, 12)
    assert at_end("%oncehub bookings").matches == ["bookings", "bookings/"]


def test_paths_follow_the_method() -> None:
    assert at_end("%oncehub DELETE ").matches == ["users/", "contacts/", "webhooks/"]
    assert at_end("%oncehub POST us").matches == ["users"]
    assert at_end("%oncehub PATCH us").matches == ["users/"]
    assert at_end("%oncehub POST master-pages/MP-1/").matches == [
        "master-pages/MP-1/one-time-links"
    ]
    assert at_end("%oncehub GET users/USR-1/").matches == ["users/USR-1/scheduling-availability"]


def test_leading_slash_and_v2_are_kept() -> None:
    assert at_end("%oncehub GET /boo").matches[0] == "/bookings"
    found = at_end("%oncehub /v2/web")
    assert found.matches == ["/v2/webhooks"]
    assert found.start == 9
    assert at_end("%oncehub /v2/webhooks").matches == ["/v2/webhooks", "/v2/webhooks/"]


def test_ids_from_the_last_listing() -> None:
    asked.clear()
    found = at_end("%oncehub bookings/")
    assert found.matches == ["bookings/BKNG-3KM0HY2BF9SL", "bookings/BKNG-7Q2XW1"]
    assert asked == ["BKNG"]
    assert at_end("%oncehub GET bookings/BKNG-7").matches == ["bookings/BKNG-7Q2XW1"]
    assert at_end("%oncehub contacts/").matches == []  # none listed lately
    assert at_end("%oncehub bookings/$bid").matches == []  # a notebook variable
    assert complete("%oncehub bookings/", 18).matches == []  # no lookup given


def test_sub_resources_after_an_id() -> None:
    found = at_end("%oncehub POST bookings/BKNG-7Q2XW1/")
    assert found.matches == [
        "bookings/BKNG-7Q2XW1/cancel",
        "bookings/BKNG-7Q2XW1/request-reschedule",
        "bookings/BKNG-7Q2XW1/reassign",
        "bookings/BKNG-7Q2XW1/no-show",
    ]
    assert at_end("%oncehub POST bookings/{bid}/re").matches == [
        "bookings/{bid}/request-reschedule",
        "bookings/{bid}/reassign",
    ]


def test_every_completed_path_is_one_find_accepts() -> None:
    for ep in CATALOG:
        first = ep.path.split("/")[1]
        offered = at_end(f"%oncehub {ep.method} {first[:3]}").matches
        assert first in offered or first + "/" in offered, ep.label
        for text in offered:
            if not text.endswith("/"):
                assert find(ep.method, text)[0].method == ep.method


# --- request items -----------------------------------------------------------------------


def test_query_parameters_after_the_path() -> None:
    found = at_end("%oncehub bookings ")
    assert "status=" in found.matches and "creation_time.gt=" in found.matches
    assert "limit=" in found.matches and "expand=" in found.matches
    assert all(m.endswith("=") for m in found.matches)
    assert at_end("%oncehub GET /v2/bookings st").matches == [
        "status=",
        "starting_time.gt=",
        "starting_time.lt=",
    ]
    assert at_end("%oncehub bookings/BKNG-1 ").matches == ["expand="]
    assert at_end("%oncehub DELETE users/USR-1 ").matches == []


def test_given_parameters_are_not_offered_again() -> None:
    found = at_end("%oncehub bookings status=scheduled limit=5 ")
    assert "status=" not in found.matches and "limit=" not in found.matches
    assert "owner=" in found.matches


def test_status_values() -> None:
    found = at_end("%oncehub bookings status=")
    assert found.matches == [
        "status=requested",
        "status=scheduled",
        "status=rescheduled",
        "status=completed",
        "status=canceled",
        "status=no_show",
    ]
    assert at_end("%oncehub bookings status=re").matches == [
        "status=requested",
        "status=rescheduled",
    ]
    assert at_end("%oncehub notifications/sms recipient_type==u").matches == [
        "recipient_type==user"
    ]
    assert at_end("%oncehub bookings status=zzz").matches == []


def test_expand_values() -> None:
    found = at_end("%oncehub bookings expand=")
    assert "expand=data.booking_page" in found.matches and "expand=data.owner" in found.matches
    assert all(m.startswith("expand=data.") for m in found.matches)
    assert at_end("%oncehub bookings expand=data.booking_page,data.o").matches == [
        "expand=data.booking_page,data.owner"
    ]
    assert "expand=owner" in at_end("%oncehub GET bookings/BKNG-1 expand=").matches
    assert at_end("%oncehub notifications/sms expand=").matches == ["expand=data.recipient"]


def test_ids_as_parameter_values() -> None:
    assert at_end("%oncehub bookings owner=").matches == ["owner=USR-FSD423423"]
    assert at_end("%oncehub bookings after=BKNG-3").matches == ["after=BKNG-3KM0HY2BF9SL"]
    assert at_end("%oncehub booking-calendars host=").matches == [
        "host=USR-FSD423423",
        "host=TM-GCJU8DLBTPY1",
    ]


def test_body_fields_after_post_contacts() -> None:
    found = at_end("%oncehub POST contacts ")
    assert {"first_name=", "last_name=", "email=", "status="} <= set(found.matches)
    assert "employees:=" in found.matches and "has_consent:=" in found.matches
    assert "custom_fields:=" in found.matches
    assert "id=" not in found.matches  # read-only fields are not offered
    assert at_end("%oncehub POST contacts fi").matches == ["first_name="]


def test_body_values() -> None:
    assert at_end("%oncehub PATCH users/USR-1 role_name=T").matches == ['role_name="Team Manager"']
    assert at_end('%oncehub POST users role_name="Te').matches == ['role_name="Team Manager"']
    assert at_end("%oncehub POST bookings/BKNG-1/cancel send_cancellation_email:=f").matches == [
        "send_cancellation_email:=false"
    ]
    assert at_end("%oncehub POST bookings/BKNG-1/reassign new_host=").matches == [
        "new_host=USR-FSD423423"
    ]
    found = at_end("%oncehub POST bookings/BKNG-1/cancel ")
    assert "cancellation_reason=" in found.matches and "expand==" in found.matches


def test_webhook_events_are_in_the_catalog() -> None:
    found = at_end("%oncehub POST webhooks ")
    assert found.matches == ["url=", "name=", "events:="]
    assert "booking.no_show" in WEBHOOK_EVENTS


def test_unknown_path_gives_no_items() -> None:
    assert at_end("%oncehub bokings st").matches == []


# --- options, other lines ------------------------------------------------------------------


def test_options() -> None:
    assert at_end("%oncehub bookings --").matches == [o for o in OPTIONS if o.startswith("--")]
    assert at_end("%oncehub bookings --d").matches == ["--dry-run"]
    assert "--all" not in at_end("%oncehub bookings --all --").matches
    assert at_end("%oncehub --end").matches == ["--endpoints"]
    assert at_end("%oncehub bookings -o ").matches == []  # a name of the user's choosing
    assert at_end("%oncehub bookings --max 5 ").matches[0] == "status="
    assert at_end("%oncehub -o res boo").matches[0] == "bookings"


def test_cell_magic_first_line_only() -> None:
    cell = '%%oncehub POST contacts fir\n{"first_name": "A"}\n'
    found = complete(cell, cell.index("\n"), recent_ids=recent_ids)
    assert found.matches == ["first_name="]
    assert (found.start, found.end) == (24, 27)
    assert complete(cell, len(cell) - 2).matches == []  # the JSON body
    assert at_end("x = 1\n%%oncehub boo").matches == []  # %% not on the first line


def test_line_magic_anywhere_in_a_cell() -> None:
    cell = "import os\nresult = %oncehub boo\nprint(result)"
    cursor = cell.index("boo") + 3
    found = complete(cell, cursor, recent_ids=recent_ids)
    assert found.matches[0] == "bookings"
    assert (found.start, found.end) == (cell.index("boo"), cursor)


def test_cursor_in_the_middle_of_the_line() -> None:
    found = at_bar("%oncehub GET boo| limit=5")
    assert found.matches[0] == "bookings" and (found.start, found.end) == (13, 16)
    found = at_bar("%oncehub bookings stat|us=x --all")
    assert found.matches == ["status="] and (found.start, found.end) == (18, 22)
    assert at_bar("%oncehub bookings st|  --all").matches == [
        "status=",
        "starting_time.gt=",
        "starting_time.lt=",
    ]
    assert at_bar("%oncehub | bookings").matches[:4] == ["GET", "POST", "PATCH", "DELETE"]


def test_not_ours() -> None:
    for text in ("%oncehub", "%oncehub_auth ", "%oncehub_test --", "print('%oncehub boo')", ""):
        assert at_end(text).matches == [], text
    assert at_bar("%once|hub boo").matches == []


def test_a_failing_lookup_does_not_break_completion() -> None:
    def broken(kind: str) -> Sequence[str]:
        raise RuntimeError("no listing")

    assert complete("%oncehub bookings/", 18, recent_ids=broken).matches == []
    assert complete("%oncehub boo", 12, recent_ids=broken).matches[0] == "bookings"


def test_importing_is_cheap() -> None:
    code = (
        "import sys, oncehub_nb.explore.completion, oncehub_nb.explore.checks;"
        "heavy = [m for m in ('httpx', 'IPython') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- through IPython --------------------------------------------------------------------


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    InteractiveShell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=config)
    yield ip
    uninstall(ip)
    drop_shell(ip)


def texts(ip: InteractiveShell, text: str, offset: int | None = None) -> list[tuple[int, str]]:
    offset = len(text) if offset is None else offset
    with provisionalcompleter():
        return [(c.start, c.text) for c in ip.Completer.completions(text, offset)]


def ours(ip: InteractiveShell) -> list[object]:
    return [
        m
        for m in ip.Completer.custom_matchers
        if getattr(m, "matcher_identifier", None) == MATCHER_ID
    ]


def test_ipython_completes_oncehub_lines(shell: InteractiveShell) -> None:
    install(shell, recent_ids)
    found = texts(shell, "%oncehub boo")
    assert (9, "bookings") in found
    assert all(text.startswith("booking") for _, text in found)  # nothing else mixed in
    assert texts(shell, "%oncehub bookings/") == [
        (9, "bookings/BKNG-3KM0HY2BF9SL"),
        (9, "bookings/BKNG-7Q2XW1"),
    ]
    assert texts(shell, "%oncehub bookings status=sch") == [(18, "status=scheduled")]
    assert texts(shell, "x = %oncehub bookings expand=data.ow") == [(22, "expand=data.owner")]
    cell = '%%oncehub POST contacts fir\n{"a": 1}'
    assert texts(shell, cell, cell.index("\n")) == [(24, "first_name=")]


def test_other_lines_keep_ipythons_completions(shell: InteractiveShell) -> None:
    install(shell, recent_ids)
    assert (0, "print") in texts(shell, "pri")


def test_the_legacy_complete_api(shell: InteractiveShell) -> None:
    install(shell, recent_ids)
    with pytest.warns(PendingDeprecationWarning):
        fragment, matches = shell.Completer.complete(line_buffer="%oncehub boo", cursor_pos=12)
    assert fragment == "boo" and matches[0] == "bookings"


def test_install_twice_keeps_one_matcher(shell: InteractiveShell) -> None:
    before = len(shell.Completer.custom_matchers)
    install(shell, recent_ids)
    install(shell, lambda kind: ["BKNG-NEW"] if kind == "BKNG" else [])
    assert len(ours(shell)) == 1
    assert len(shell.Completer.custom_matchers) == before + 1
    assert texts(shell, "%oncehub bookings/") == [(9, "bookings/BKNG-NEW")]  # the latest
    found = texts(shell, "%oncehub boo")
    assert len(found) == len({text for _, text in found})  # no duplicates
    uninstall(shell)
    assert ours(shell) == []
    assert (9, "bookings") not in texts(shell, "%oncehub boo")
