"""Text views fit the terminal: tables, one object, the endpoint list and error cards, at
80 and 100 columns, read from the terminal when shown; IDs are never cut.

At 100 columns, before this rule, ``%oncehub bookings limit==5`` was 163 characters wide,
``%oncehub users`` 116 and the endpoint list 120.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from oncehub_nb.display.cards import text_card
from oncehub_nb.display.fit import (
    FALLBACK_WIDTH,
    fit_line,
    fit_table,
    shorten,
    terminal_width,
    wrap,
)
from oncehub_nb.errors import OnceHubError
from oncehub_nb.explore.catalog import CATALOG
from oncehub_nb.explore.result import ErrorResult, ListResult
from oncehub_nb.explore.views import columns_for, endpoints_table, list_text, object_text
from oncehub_nb.http.api_client import OnceHub
from oncehub_nb.sandbox import Sandbox
from tests.support import CANARY_KEY, loopback

JSON = dict[str, Any]
WIDTHS = (80, 100)
EXPANDED = "data.event_type,data.owner,data.contact"
ID = re.compile(r"[A-Z]{2,5}-[A-Za-z0-9]+")
NOTE = re.compile(r"Not shown \(too narrow\): (.+?) — widen the terminal or use \.df\(\)")
FOOTER = "5 of 100 fetched shown · more on OnceHub: .more() for the next page, or %oncehub "
FOOTER += "bookings --all · .df() for a DataFrame"


def listed(box: Sandbox, path: str, **params: Any) -> list[JSON]:
    response = loopback().get(
        box.base_url + path, params={"limit": 100, **params}, headers={"API-Key": CANARY_KEY}
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[OnceHub]:
    with OnceHub(CANARY_KEY, base_url=sandbox.base_url, rate_limit=False) as made:
        yield made


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def ids_in(value: Any) -> set[str]:
    """Every OnceHub ID anywhere in an object (nested objects and lists included)."""
    if isinstance(value, str):
        return {value} if ID.fullmatch(value) else set()
    if isinstance(value, dict):
        return set().union(*(ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(ids_in(v) for v in value)) if value else set()
    return set()


def assert_ids_whole(text: str, known: set[str]) -> None:
    """No ID is cut ("USR-AB…") and every ID-shaped word is one of the objects' IDs."""
    assert not re.search(r"[A-Z]{2,5}-[A-Za-z0-9]*…", text), text
    shown = set(ID.findall(text))
    assert shown <= known, f"not whole IDs: {shown - known}"


def check_table(text: str, objects: list[JSON], kind: str, width: int) -> list[str]:
    """Every line within ``width``; each row starts with its object's whole ID; the note
    names exactly the columns the header leaves out. The columns left out."""
    assert widest(text) <= width, f"{widest(text)} > {width}:\n{text}"
    lines = text.splitlines()
    rows = lines[2 : 2 + len(objects)]
    assert [row.split()[0] for row in rows] == [obj["id"] for obj in objects], text
    assert_ids_whole(text, set().union(*(ids_in(obj) for obj in objects)))
    columns = columns_for(kind, objects)
    header = lines[0].split()
    assert header[0] == "id" and all(name in columns for name in header), header
    dropped = [name for name in columns if name not in header]
    note = NOTE.search(" ".join(text.split()))
    if dropped:
        assert note, f"no note of the columns left out:\n{text}"
        assert note.group(1).split(", ") == dropped
    else:
        assert note is None, text
    return dropped


# -- tables ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_bookings_fit_leaving_out_the_least_useful_columns(sandbox: Sandbox, width: int) -> None:
    bookings = listed(sandbox, "/bookings")[:5]
    text = list_text(bookings, kind="booking", limit=5, footer=FOOTER, width=width)
    dropped = check_table(text, bookings, "booking", width)
    assert {"event_type", "contact", "duration_minutes"} <= set(dropped)
    assert {"subject", "status", "starting_time"}.isdisjoint(dropped)
    for booking, row in zip(bookings, text.splitlines()[2:], strict=False):
        subject = row.split("  ")[1].strip()  # whole, or shortened with "…"
        assert subject == booking["subject"] or booking["subject"].startswith(subject[:-1])
    assert "%oncehub bookings --all" in text  # the footer breaks between its parts


@pytest.mark.parametrize("width", WIDTHS)
def test_expanded_bookings_fit_with_every_id_whole(sandbox: Sandbox, width: int) -> None:
    bookings = listed(sandbox, "/bookings", expand=EXPANDED)[:5]
    text = list_text(bookings, kind="booking", limit=5, footer=FOOTER, width=width)
    check_table(text, bookings, "booking", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_users_fit(sandbox: Sandbox, width: int) -> None:
    users = listed(sandbox, "/users")[:10]
    text = list_text(users, kind="user", limit=10, width=width)
    dropped = check_table(text, users, "user", width)
    assert "timezone" in dropped, dropped  # the least useful, left out first
    assert all(user["email"] in text for user in users)  # never shortened


def test_free_text_is_shortened_before_a_column_is_left_out(sandbox: Sandbox) -> None:
    event_types = listed(sandbox, "/event-types")
    wide = list_text(event_types, kind="event_type", limit=20, width=400)
    assert widest(wide) > 80  # the descriptions need more than 80 columns
    text = list_text(event_types, kind="event_type", limit=20, width=80)
    assert check_table(text, event_types, "event_type", 80) == []
    assert text.splitlines()[0].split() == ["id", "name", "description"]
    assert "…" in text


def test_the_id_column_stays_whole_when_nothing_else_fits(sandbox: Sandbox) -> None:
    bookings = listed(sandbox, "/bookings", expand=EXPANDED)[:5]
    text = list_text(bookings, kind="booking", limit=5, width=30)
    lines = text.splitlines()
    assert lines[0].rstrip() == "id"
    assert [line.strip() for line in lines[2:7]] == [b["id"] for b in bookings]
    assert widest(text) <= 30
    assert NOTE.search(" ".join(text.split()))


def test_a_cell_is_shortened_around_its_id_never_through_it() -> None:
    named = "Someone with a rather long name (USR-ABCDEFGHIJ)"
    rows = [["BKNG-1", named, "USR-X, TM-ABCDEFGHIJKL"]]
    fitted = fit_table(["id", "owner", "teams"], rows, 56)
    owner, teams = fitted.rows[0][1:]
    assert owner.endswith("… (USR-ABCDEFGHIJ)") and len(owner) <= fitted.widths[1]
    assert teams == rows[0][2]  # shortened, it would cut an ID: it keeps its width
    assert fitted.dropped == []
    assert fit_table(["id", "owner", "teams"], rows, 50).dropped == ["teams"]
    assert shorten("USR-X, TM-ABCDEFGHIJKL", 12) == "USR-X, …"


# -- results read the terminal's width when shown ----------------------------------------


def test_results_read_the_width_each_time_they_are_shown(
    client: OnceHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = ListResult.fetch(client, "/bookings", max_items=5, limit=5)
    shown = {}
    for width in WIDTHS:
        monkeypatch.setenv("COLUMNS", str(width))
        shown[width] = str(result)
        assert widest(shown[width]) <= width
        assert terminal_width() == width
    assert shown[80] != shown[100]


def test_without_a_terminal_the_width_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr("shutil.os.get_terminal_size", _no_terminal)
    assert terminal_width() == FALLBACK_WIDTH
    assert terminal_width(57) == 57


def _no_terminal(*args: Any) -> Any:
    raise OSError("not a terminal")


# -- one object, the endpoint list, error cards ------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_one_object_wraps_long_values_between_words(sandbox: Sandbox, width: int) -> None:
    booking = listed(sandbox, "/bookings", expand=EXPANDED)[0]
    words = [f"word{n}" for n in range(40)]
    booking = {**booking, "notes": " ".join(words)}
    text = object_text(booking, kind="booking", width=width)
    assert widest(text) <= width, text
    assert_ids_whole(text, ids_in(booking))
    assert booking["id"] in text.splitlines()[0]
    after = text.split("notes", 1)[1]
    assert after.split()[: len(words)] == words  # wrapped, no word cut


@pytest.mark.parametrize("width", WIDTHS)
def test_the_endpoint_list_fits(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    table = endpoints_table()
    text = table.to_text(width)
    assert widest(text) <= width, text
    for ep in CATALOG:
        assert re.search(rf"^{ep.method} +{re.escape(ep.path)}( |$)", text, re.M), ep.label
    monkeypatch.setenv("COLUMNS", str(width))
    assert str(table) == text == table.text
    names = " ".join(" ".join(text.split("|")).split())  # every name whole, once unwrapped
    for name in ("creation_time.gt", "last_updated_time.lt", "new_host*", "no_show"):
        assert name in names


@pytest.mark.parametrize("width", WIDTHS)
def test_an_error_card_wraps_within_the_width(
    sandbox: Sandbox, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OnceHub("FAKE-not-the-key-of-anyone-0000", base_url=sandbox.base_url) as wrong:
        try:
            wrong.get("/bookings/BKNG-3KM0HY2BF9SL")
        except OnceHubError as error:
            result = ErrorResult.of(wrong, error, "GET", "/bookings/BKNG-3KM0HY2BF9SL")
    monkeypatch.setenv("COLUMNS", str(width))
    text = str(result)
    assert widest(text) <= width, text
    hint = result.error.hint
    assert hint and " ".join(text.split("What to do", 1)[1].split()) == " ".join(hint.split())
    title, rows = result._card()
    long = [*rows, ("Note", "see BKNG-3KM0HY2BF9SL " * 12)]
    card = text_card(title, False, long, width=width)
    assert widest(card) <= width
    assert_ids_whole(card, {"BKNG-3KM0HY2BF9SL"})
    assert card.count("BKNG-3KM0HY2BF9SL") == 12


# -- words and lines ------------------------------------------------------------------------


def test_wrap_breaks_long_words_at_separators_and_never_an_id() -> None:
    choices = "status (requested|scheduled|rescheduled|completed|canceled|no_show), owner"
    assert wrap(choices, 30, "  ") == [
        "status (requested|scheduled|",
        "  rescheduled|completed|",
        "  canceled|no_show), owner",
    ]
    assert wrap("BKNG-3KM0HY2BF9SL", 8) == ["BKNG-3KM0HY2BF9SL"]  # too long, but whole


def test_fit_line_leaves_out_middle_parts_first() -> None:
    parts = ["GET /bookings: 40 objects", "4 pages", "0.0 s waiting on rate limits", "done"]
    assert fit_line(parts, 200) == " · ".join(parts)
    assert fit_line(parts, 50) == "GET /bookings: 40 objects · 4 pages · done"
    assert fit_line(parts, 20) == "GET /bookings: 40 o…"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_and_the_history_fit_within_the_width(
    sandbox: Sandbox, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncehub_nb.explore.history import HistoryView
    from oncehub_nb.http.history import History

    monkeypatch.setenv("COLUMNS", str(width))
    header = (
        "Profile a-rather-long-profile-name-for-eu-staging · account "
        "someone.with.a.long.address@example.com · http://127.0.0.1:65535/v2"
    )
    bookings = listed(sandbox, "/bookings")[:5]
    history = History()
    params = {"limit": 5, "status": "scheduled", "starting_time.gt": "2025-03-14"}
    history.add("GET", "/bookings", params, None, status_code=200, request_id="req_0123456789ab")
    views = [
        list_text(bookings, kind="booking", header=header),
        object_text(bookings[0], kind="booking", header=header),
        text_card("A card", False, [("Message", "x")], header=header),
        str(HistoryView(list(history), header=header)),
    ]
    for text in views:
        assert widest(text) <= width, text
        assert " ".join(text.split("\n")[:2]).startswith("Profile a-rather-long-profile-name")
    assert "req_0123456789ab" in views[3]  # the Request-Id is never left out
