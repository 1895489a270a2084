"""A %oncehub line read into a call, without a shell: options, items, cell bodies, previews."""

from __future__ import annotations

import shlex

import pytest

from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.call import REDACTED, ApiCall, expand_path, parse_command, would_refuse


def test_the_method_defaults_to_get_and_is_read_in_any_case() -> None:
    assert parse_command("bookings").method == "GET"
    command = parse_command("post contacts first_name=Ann")
    assert (command.method, command.method_given, command.path) == ("POST", True, "contacts")


def test_options_are_read_with_or_without_an_equals_sign() -> None:
    command = parse_command("bookings --max-items=25 -o recent --quiet --curl --dry-run")
    assert command.max_items == 25 and command.output == "recent"
    assert command.quiet and command.curl and command.dry_run and command.fetches_many
    assert parse_command("bookings --max-items 7").max_items == 7
    assert parse_command("bookings --all").fetch_all


def test_the_old_max_flag_still_reads_as_max_items() -> None:
    assert parse_command("bookings --max 9").max_items == 9


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("bookings --max-items lots", "--max-items needs a whole number"),
        ("bookings --max-items 0", "--max-items needs a whole number"),
        ("bookings -o 2x", "-o needs a variable name"),
        ("bookings --frobnicate", "Unknown option '--frobnicate'"),
        ("bookings users", "neither an option nor a request item"),
        ("--all", "No path"),
        ("bookings 'unclosed", "cannot be read"),
    ],
)
def test_lines_that_cannot_be_read_say_what_is_wrong(line: str, words: str) -> None:
    with pytest.raises(RequestProblem, match=words):
        parse_command(line)


def test_endpoints_needs_no_path() -> None:
    assert parse_command("--endpoints").endpoints


def test_items_and_the_cell_body_make_one_json_body_items_winning() -> None:
    command = parse_command("POST webhooks name=mine")
    cell = '{"name": "theirs", "url": "https://hooks.example.org/x"}'
    call = ApiCall.build(command, "/webhooks", {}, cell)
    assert call.body == {"name": "mine", "url": "https://hooks.example.org/x"}


@pytest.mark.parametrize(
    ("line", "cell", "words"),
    [
        ("GET bookings", '{"a": 1}', "only with POST or PATCH"),
        ("POST contacts", "[1, 2]", "must be a JSON object"),
        ("POST contacts", '{"a": }', "The cell body is not valid JSON"),
    ],
)
def test_cell_bodies_that_cannot_be_sent_are_refused(line: str, cell: str, words: str) -> None:
    with pytest.raises(RequestProblem, match=words):
        ApiCall.build(parse_command(line), "/x", {}, cell)


def test_a_blank_cell_is_no_body() -> None:
    call = ApiCall.build(parse_command("POST contacts"), "/contacts", {}, "  \n")
    assert call.body is None


def test_the_dry_run_shows_the_request_with_the_key_hidden() -> None:
    call = ApiCall.build(parse_command("POST contacts first_name=Ann"), "/contacts", {})
    call.base_url = "https://api.oncehub.com/v2"
    text = call.dry_run()
    assert text.splitlines()[:2] == [
        "POST https://api.oncehub.com/v2/contacts",
        f"API-Key: {REDACTED}",
    ]
    assert '"first_name": "Ann"' in text and str(call) == text


def test_the_curl_command_reads_the_key_from_the_environment_and_quotes_everything() -> None:
    line = "GET bookings status==scheduled status==completed"
    call = ApiCall.build(parse_command(line), "/bookings", {})
    call.base_url = "http://127.0.0.1:8000/v2"
    words = shlex.split(call.curl("MY_KEY"))
    assert words[:3] == ["curl", "-sS", call.url]
    assert "status=scheduled&status=completed" in call.url
    assert "API-Key: $MY_KEY" in words  # expanded by the shell that runs it, never here
    post = ApiCall.build(parse_command('POST contacts "note=it\'s"'), "/contacts", {})
    assert shlex.split(post.curl())[-1] == '{"note": "it\'s"}'


def test_paths_take_names_from_the_namespace() -> None:
    assert expand_path("bookings/{bid}", {"bid": "BKNG-9"}) == "bookings/BKNG-9"


def test_a_preview_shows_the_request_then_what_oncehub_would_refuse() -> None:
    call = ApiCall.build(parse_command("POST contacts email=a@example.com"), "/contacts", {})
    call.base_url = "https://api.oncehub.com/v2"
    problem = RequestProblem(
        "POST /contacts needs the body fields first_name and last_name.", hint="Add them."
    )
    shown = call.preview(refusal=problem)
    assert shown.startswith(call.dry_run() + "\n\n")
    assert shown.splitlines()[-1] == would_refuse(problem)
    assert would_refuse(problem) == (
        "OnceHub would refuse this: POST /contacts needs the body fields first_name and "
        "last_name. Add them."
    )
    assert call.preview() == call.dry_run()  # nothing to refuse: the request alone


def test_a_curl_preview_says_why_in_a_shell_comment() -> None:
    call = ApiCall.build(parse_command("POST contacts email=a@example.com"), "/contacts", {})
    shown = call.preview(dry_run=False, curl=True, refusal=RequestProblem("No.", hint=""))
    command, comment = shown.splitlines()
    assert command == call.curl()
    assert comment == "# OnceHub would refuse this: No."
    assert shlex.split(shown, comments=True) == shlex.split(command)  # pasted, it still runs
