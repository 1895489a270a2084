"""``%oncehub`` and ``%%oncehub`` through a real IPython shell, against the sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from oncehub_nb.explore.result import ErrorResult, ListResult, ObjectResult
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.session import current
from tests.support import CANARY_ACCOUNT, CANARY_KEY, run_cell


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """The sandbox ``ip`` is signed in to, with 45 bookings."""
    with Sandbox(
        key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT}, bookings=45
    ) as sandbox:
        yield sandbox


run = run_cell


def sent(box: Sandbox) -> list[tuple[str, str, str]]:
    return [(r.method, r.path, r.query) for r in box.requests if r.path != "/v2/test"]


# --- paths and methods ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["bookings", "/bookings", "/v2/bookings", "v2/bookings/"])
def test_a_list_by_any_spelling_of_its_path(ip, box, path) -> None:
    result = run(ip, f"r = %oncehub {path}\nr")
    assert isinstance(result, ListResult)
    assert len(result) == 10 and result.has_more  # OnceHub's default page
    assert result.status_code == 200 and result.request_id.startswith("req_")
    assert sent(box)[-1] == ("GET", "/v2/bookings", "")


def test_get_with_query_items(ip, box) -> None:
    result = run(ip, "%oncehub GET bookings status=scheduled limit==20")
    assert {b["status"] for b in result} == {"scheduled"}
    assert len(result) <= 20
    method, path, query = sent(box)[-1]
    assert (method, path) == ("GET", "/v2/bookings")
    assert sorted(query.split("&")) == ["limit=20", "status=scheduled"]


def test_one_object_with_names_from_the_namespace(ip, box) -> None:
    listed = run(ip, "%oncehub bookings limit==20")
    first = next(b["id"] for b in listed if b.get("event_type"))  # a booking-page booking
    ip.user_ns["booking_id"] = first
    by_braces = run(ip, "%oncehub bookings/{booking_id} expand==event_type")
    by_dollar = run(ip, "%oncehub bookings/$booking_id")
    assert isinstance(by_braces, ObjectResult)
    assert by_braces["id"] == by_dollar["id"] == first
    assert isinstance(by_braces["event_type"], dict)  # expanded
    assert sent(box)[-2] == ("GET", f"/v2/bookings/{first}", "expand=event_type")


def test_an_unknown_name_is_refused_before_sending(ip, box) -> None:
    before = len(sent(box))
    with pytest.raises(UsageError, match="no variable 'nope'"):
        run(ip, "%oncehub bookings/{nope}")
    assert len(sent(box)) == before


def test_post_patch_delete(ip, box) -> None:
    owner = run(ip, "%oncehub users limit==1")[0]["id"]
    ip.user_ns["owner"] = owner
    made = run(
        ip,
        "%oncehub POST contacts email=ann@example.com first_name=Ann last_name=Lee "
        "owner=$owner employees:=12",
    )
    assert isinstance(made, ObjectResult) and made.status_code in (200, 201)
    contact = made["id"]
    assert made["employees"] == 12 and made["owner"] == owner
    ip.user_ns["contact"] = contact
    changed = run(ip, "%oncehub PATCH contacts/$contact city=Lyon")
    assert changed["city"] == "Lyon"
    assert run(ip, "%oncehub contacts/$contact")["city"] == "Lyon"
    run(ip, "%oncehub DELETE contacts/$contact")
    gone = run(ip, "%oncehub contacts/$contact")
    assert isinstance(gone, ErrorResult) and gone.status_code == 404


def test_a_cell_body_with_items(ip, box) -> None:
    made = run(
        ip,
        "%%oncehub POST webhooks name=from-items\n"
        '{"url": "https://example.com/hook", "name": "from-cell", '
        '"events": ["booking.scheduled"]}\n',
    )
    assert made["name"] == "from-items"  # items win over the cell's fields
    assert made["events"] == ["booking.scheduled"]
    assert made["secret"] not in str(made) and made["secret"] not in made._repr_html_()
    run(ip, f"%oncehub DELETE webhooks/{made['id']}")


def test_invalid_json_names_line_and_column_and_sends_nothing(ip, box) -> None:
    before = len(sent(box))
    with pytest.raises(UsageError, match="line 2, column 8"):
        run(ip, '%%oncehub POST webhooks\n{"url":\n  "x", bad}\n')
    with pytest.raises(UsageError, match="employees:="):
        run(ip, "%oncehub POST contacts employees:=twelve")
    assert len(sent(box)) == before


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("bokings", "/bookings"),  # the closest path
        ("PUT bookings", "GET"),  # the methods it has
        ("DELETE bookings", "GET"),
        ("bookings colour==red", "status"),  # the parameters it takes
        ("bookings status==sideways", "scheduled"),  # the allowed values
        ("bookings limit==500", "100"),
        ("bookings --frobnicate", "--all"),
        ("bookings --max lots", "--max"),
        ("bookings last_updated_time.gt==yesterday", "YYYY-MM-DD"),
        ("contacts creation_time.lt==14/03/2025", "YYYY-MM-DD"),
        ("", "path"),
    ],
)
def test_mistakes_are_refused_before_sending(ip, box, line, words) -> None:
    before = len(sent(box))
    with pytest.raises(UsageError) as raised:
        run(ip, f"%oncehub {line}")
    assert words in str(raised.value)
    assert len(sent(box)) == before
    assert run(ip, "1 + 1") == 2  # the kernel goes on


def test_an_api_error_shows_as_oncehub_test_shows_it(ip, box) -> None:
    result = run(ip, "%oncehub bookings/BKNG-DOESNOTEXIST")
    assert isinstance(result, ErrorResult) and not result.ok
    assert result.status_code == 404 and result.request_id
    assert "No such booking" in str(result)


def test_no_key_points_to_oncehub_auth(ip) -> None:
    current().forget()
    with pytest.raises(UsageError, match="%oncehub_auth"):
        run(ip, "%oncehub bookings")


@pytest.mark.parametrize(
    ("item", "means"),
    [
        ("last_updated_time.gt==2025-03-14T10:00:00Z", "use last_updated_time.gt==2025-03-13"),
        ("creation_time.lt==2025-03-14T23:59:59.000Z", "use creation_time.lt==2025-03-15"),
    ],
)
def test_a_time_in_a_date_filter_is_sent_with_a_note_first(
    ip, box, capsys, monkeypatch, item, means
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    before = len(sent(box))
    result = run(ip, f"%oncehub bookings {item}")
    err = capsys.readouterr().err
    assert isinstance(result, ListResult)
    assert len(sent(box)) == before + 1
    assert "by date only" in err and means in " ".join(err.split()), err
    assert all(len(line) <= 60 for line in err.splitlines()), err


def test_a_date_in_a_date_filter_gets_no_note(ip, box, capsys) -> None:
    run(ip, "%oncehub bookings last_updated_time.gt==2025-03-14")
    run(ip, "%oncehub notifications/sms creation_time.gt==2025-03-14T10:00:00Z")  # a date-time
    assert "Note:" not in capsys.readouterr().err


# --- options --------------------------------------------------------------------------


def test_dry_run_and_curl_send_nothing_and_hide_the_key(ip, box, capsys) -> None:
    before = len(sent(box))
    run(ip, "%oncehub POST contacts email=a@example.com first_name=A last_name=B --dry-run")
    run(ip, "%oncehub bookings status==scheduled --curl")
    out = capsys.readouterr().out
    assert len(sent(box)) == before
    assert CANARY_KEY not in out
    assert f"POST {box.base_url}/contacts" in out and '"email": "a@example.com"' in out
    assert f"curl -sS '{box.base_url}/bookings?status=scheduled'" in out
    assert '"API-Key: $ONCEHUB_API_KEY"' in out


def test_previews_of_an_incomplete_request_show_it_and_why_oncehub_would_refuse_it(
    ip, box, capsys
) -> None:
    before = len(box.requests)
    run(ip, "%oncehub POST contacts email=a@example.com --dry-run")
    dry_run = capsys.readouterr().out
    run(ip, "%oncehub POST contacts email=a@example.com first_name=A --curl")
    curl = capsys.readouterr().out
    assert len(box.requests) == before  # nothing left, not even a check
    assert dry_run.startswith(f"POST {box.base_url}/contacts\n")
    assert '"email": "a@example.com"' in dry_run
    assert dry_run.rstrip().endswith(
        "\n\nOnceHub would refuse this: POST /contacts needs the body fields first_name and "
        "last_name. Add them as name=value items (or name:=json)."
    )
    assert curl.startswith(f"curl -sS -X POST {box.base_url}/contacts ")
    assert curl.splitlines()[-1] == (
        "# OnceHub would refuse this: POST /contacts needs the body field last_name. "
        "Add it as a name=value item (or name:=json)."
    )
    assert CANARY_KEY not in dry_run + curl


def test_sending_an_incomplete_request_is_still_refused_before_anything_leaves(ip, box) -> None:
    before = len(box.requests)
    with pytest.raises(UsageError) as caught:
        run(ip, "%oncehub POST contacts email=a@example.com")
    assert str(caught.value) == (
        "Not sent: POST /contacts needs the body fields first_name and last_name. "
        "Add them as name=value items (or name:=json)."
    )
    with pytest.raises(UsageError, match=r"needs the body field last_name\. Add it as"):
        run(ip, "%oncehub POST contacts email=a@example.com first_name=A")
    assert len(box.requests) == before


def test_output_variable_and_quiet(ip, box) -> None:
    assert run(ip, "%oncehub users -o people --quiet") is not None
    assert isinstance(ip.user_ns["people"], ListResult) and len(ip.user_ns["people"]) == 10


def test_all_and_max_fetch_many_with_a_final_progress_line(ip, box, capsys) -> None:
    everything = run(ip, "%oncehub bookings --all")
    assert len(everything) == 45 and not everything.has_more
    assert sent(box)[-1][2] == "limit=100"  # 100 a page when fetching many
    capped = run(ip, "%oncehub bookings --max 25 limit==10")
    assert capped.ids() == everything.ids()[:25] and capped.has_more
    err = capsys.readouterr().err
    assert "45 objects" in err and "done in" in err  # the terminal's progress line, on stderr
    capped.more(to_end=True)
    assert capped.ids() == everything.ids()


def test_all_on_a_single_object_is_refused(ip, box) -> None:
    with pytest.raises(UsageError, match="--all"):
        run(ip, "%oncehub bookings/BKNG-X --all")


def test_displaylimit_and_footer(ip, box) -> None:
    ip.run_line_magic("config", "OnceHubMagics.displaylimit = 3")
    result = run(ip, "%oncehub bookings --max 12")
    text = str(result)
    assert "3 of 12 fetched shown" in text
    assert ".more()" in text and ".df()" in text
    assert sum(b["id"] in text for b in result) == 3


def test_recent_ids_are_remembered_for_completion(ip, box) -> None:
    result = run(ip, "%oncehub bookings limit==5")
    assert current().recent_ids[:5] == result.ids()


def test_endpoints_table(ip) -> None:
    table = run(ip, "%oncehub --endpoints")
    text = str(table)
    assert "/bookings/{id}/cancel" in text and "POST" in text


def test_help_documents_the_magic(ip) -> None:
    doc = ip.find_line_magic("oncehub").__doc__
    for word in ("name==value", "name:=json", "--all", "--max", "--dry-run", "--curl", "-o NAME"):
        assert word in doc


# --- Tab completion, as %load_ext installs it --------------------------------------------


def completions(shell: InteractiveShell, text: str) -> list[str]:
    from IPython.core.completer import provisionalcompleter

    with provisionalcompleter():
        return [c.text for c in shell.Completer.completions(text, len(text))]


def test_tab_completes_paths_and_the_ids_just_listed(ip, box) -> None:
    assert "bookings" in completions(ip, "%oncehub boo")
    listed = run(ip, "%oncehub bookings limit==3")
    offered = completions(ip, "%oncehub bookings/")
    assert [f"bookings/{i}" for i in listed.ids()] == [o for o in offered if "BKNG-" in o][:3]
    assert "status=" in completions(ip, "%oncehub bookings sta")
    ip.run_line_magic("unload_ext", "oncehub_nb")
    assert "bookings" not in completions(ip, "%oncehub boo")


def test_an_interrupted_fetch_keeps_what_came_and_more_resumes(ip, box, monkeypatch) -> None:
    """Ctrl-C during --all (raised from the progress line after the second page): the
    result keeps two whole pages, says so, and .more(to_end=True) fetches the rest once."""
    from oncehub_nb.ipython import progress

    interruptions = []

    def interrupting(shell, label):
        def hook(state):
            if state.pages == 2 and not state.done and not interruptions:
                interruptions.append(state)
                raise KeyboardInterrupt

        return hook

    monkeypatch.setattr(progress, "progress_for", interrupting)
    partial = run(ip, "r = %oncehub bookings --all limit==10\nr")
    assert len(partial) == 20 and partial.interrupted and partial.has_more
    assert "interrupted" in str(partial)
    resumed = run(ip, "r.more(to_end=True)")
    assert resumed is ip.user_ns["r"] and not resumed.interrupted and not resumed.has_more
    everything = run(ip, "%oncehub bookings limit==100")
    assert ip.user_ns["r"].ids() == everything.ids()
