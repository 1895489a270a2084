"""Request items on their own: parsing, names from the namespace, query and body (no shell)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.items import (
    Item,
    expand_names,
    json_error,
    parse_item,
    split_items,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status==scheduled", Item("status", "==", "scheduled")),
        ("city=Lyon", Item("city", "=", "Lyon")),
        ("count:=3", Item("count", ":=", "3")),
        ("note=a=b", Item("note", "=", "a=b")),  # the first separator wins
        ("q==x==y", Item("q", "==", "x==y")),
        ('time:="12:30"', Item("time", ":=", '"12:30"')),
        ("empty=", Item("empty", "=", "")),
    ],
)
def test_items_split_at_their_first_separator(text: str, expected: Item) -> None:
    assert parse_item(text) == expected


@pytest.mark.parametrize("text", ["bookings", "/bookings/BKNG-1", "GET", "https://x.example/v2"])
def test_words_without_a_separator_are_not_items(text: str) -> None:
    assert parse_item(text) is None


@pytest.mark.parametrize("text", ["==x", "=x", ":=1"])
def test_an_item_needs_a_name(text: str) -> None:
    with pytest.raises(RequestProblem, match="has no name"):
        parse_item(text)


def test_names_come_from_the_namespace_and_doubled_characters_stand_for_themselves() -> None:
    class Booking:
        id = "BKNG-7"

    space = {"booking_id": "BKNG-1", "n": 3, "b": Booking()}
    assert expand_names("bookings/{booking_id}", space) == "bookings/BKNG-1"
    assert expand_names("$booking_id/x", space) == "BKNG-1/x"
    assert expand_names("{b.id}", space) == "BKNG-7"
    assert expand_names("$n items", space) == "3 items"
    assert expand_names("$$5 {{x}}", space) == "$5 {x}"


def test_a_missing_name_or_attribute_says_which() -> None:
    with pytest.raises(RequestProblem, match="no variable 'missing'"):
        expand_names("{missing}", {})
    with pytest.raises(RequestProblem, match="no attribute 'nope'"):
        expand_names("{x.nope}", {"x": object()})


def test_get_sends_every_item_as_a_query_parameter() -> None:
    items = [Item("status", "==", "scheduled"), Item("limit", "=", "5")]
    parts = split_items(items, "GET")
    assert parts.query == {"status": "scheduled", "limit": "5"} and parts.body == {}


def test_repeated_query_names_become_a_list() -> None:
    items = [Item("status", "==", s) for s in ("scheduled", "completed", "canceled")]
    assert split_items(items, "GET").query == {"status": ["scheduled", "completed", "canceled"]}


def test_writes_send_fields_as_json_strings_and_raw_json() -> None:
    items = [
        Item("first_name", "=", "Ann"),
        Item("employees", ":=", "12"),
        Item("tags", ":=", '["a", "b"]'),
        Item("expand", "==", "owner"),
    ]
    parts = split_items(items, "POST")
    assert parts.body == {"first_name": "Ann", "employees": 12, "tags": ["a", "b"]}
    assert parts.query == {"expand": "owner"}


def test_a_raw_item_naming_a_variable_takes_its_value_not_its_text() -> None:
    guest: dict[str, Any] = {"name": "Dana", "email": "dana@example.org"}
    parts = split_items([Item("booking_form", ":=", "$guest")], "POST", {"guest": guest})
    assert parts.body == {"booking_form": guest}


def test_raw_json_on_a_call_without_a_body_is_refused_with_the_query_form() -> None:
    with pytest.raises(RequestProblem, match="DELETE sends no body") as refused:
        split_items([Item("count", ":=", "3")], "DELETE")
    assert refused.value.hint == "For a query parameter write count==3."


def test_invalid_raw_json_names_line_and_column() -> None:
    with pytest.raises(RequestProblem, match=r"count:= is not valid JSON: .* line 1, column 1"):
        split_items([Item("count", ":=", "three")], "PATCH")


def test_json_errors_read_as_a_sentence() -> None:
    try:
        json.loads('{"a": }')
    except json.JSONDecodeError as error:
        problem = json_error(error, "The cell body")
    assert str(problem).startswith("The cell body is not valid JSON: Expecting value at line 1")
    assert "nothing was sent" in (problem.hint or "")
