"""Tables and field views of real sandbox objects: columns, limits, secrets, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import pytest

from oncehub_nb.display.cells import CELL_WIDTH, MASK, format_cell, mask_secrets
from oncehub_nb.explore.resources import by_kind
from oncehub_nb.explore.views import (
    columns_for,
    list_html,
    list_text,
    object_html,
    object_kind,
    object_text,
)
from oncehub_nb.sandbox import Sandbox
from tests.support import CANARY_KEY, loopback

JSON = dict[str, Any]
EXPANDED = "data.event_type,data.owner,data.contact"


def fetch(box: Sandbox, path: str, **params: Any) -> Any:
    """The JSON body of a GET on the sandbox (200 expected)."""
    response = loopback().get(box.base_url + path, params=params, headers={"API-Key": CANARY_KEY})
    assert response.status_code == 200, response.text
    return response.json()


def listed(box: Sandbox, path: str, **params: Any) -> list[JSON]:
    return fetch(box, path, limit=100, **params)["data"]


def new_webhook(box: Sandbox, name: str) -> JSON:
    """A subscription created on the sandbox, with its fresh secret."""
    body = {"url": "https://hooks.example.com/new", "name": name, "events": ["booking.canceled"]}
    response = loopback().post(
        box.base_url + "/webhooks", json=body, headers={"API-Key": CANARY_KEY}
    )
    assert response.status_code == 200, response.text
    return response.json()


def body_rows(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html.split("<tbody>", 1)[1])


# -- kinds and columns ---------------------------------------------------------------------

PATHS = {
    "/bookings": "booking",
    "/booking-calendars": "booking_calendar",
    "/booking-pages": "booking_page",
    "/event-types": "event_type",
    "/master-pages": "master_page",
    "/users": "user",
    "/teams": "team",
    "/contacts": "contact",
    "/webhooks": "webhook",
    "/notifications/sms": "notification",
}


@pytest.mark.parametrize(("path", "kind"), PATHS.items())
def test_each_kind_gets_id_first_then_its_own_columns(
    sandbox: Sandbox, path: str, kind: str
) -> None:
    objects = listed(sandbox, path)
    assert object_kind(objects) == kind
    assert object_kind([], f"/v2{path}?limit=5") == kind
    columns = columns_for(kind, objects)
    assert columns[0] == "id"
    assert len(columns) >= 2
    assert set(columns[1:]) <= set(by_kind(kind).columns)  # the chosen ones, nothing else
    assert "secret" not in columns and "object" not in columns
    header = list_text(objects, limit=3).splitlines()[0].split()
    assert header == columns


def test_the_fields_people_look_for(sandbox: Sandbox) -> None:
    bookings = columns_for("booking", listed(sandbox, "/bookings"))
    assert bookings[:5] == ["id", "subject", "status", "starting_time", "duration_minutes"]
    assert "owner" in bookings
    users = columns_for("user", listed(sandbox, "/users"))
    assert users[:4] == ["id", "first_name", "last_name", "email"]
    assert {"role_name", "timezone"} <= set(users)
    contacts = columns_for("contact", listed(sandbox, "/contacts"))
    assert contacts[:6] == ["id", "first_name", "last_name", "email", "company", "status"]
    assert "owner" in contacts
    webhooks = columns_for("webhook", listed(sandbox, "/webhooks"))
    assert webhooks == ["id", "name", "url", "events", "creation_time"]


def test_kind_from_ids_paths_and_unknown_objects(sandbox: Sandbox) -> None:
    contact = listed(sandbox, "/contacts")[0]
    bare = {key: value for key, value in contact.items() if key != "object"}
    assert object_kind([bare]) == "contact"  # from the CTC- prefix
    assert object_kind(bare, "/contacts/" + bare["id"]) == "contact"
    page = fetch(sandbox, "/teams", limit=2)
    assert object_kind(page) == "team"  # a list page: its items' kind
    user_id = listed(sandbox, "/users")[0]["id"]
    schedule = fetch(sandbox, f"/users/{user_id}/scheduling-availability")
    assert object_kind(schedule) == "schedule"
    assert object_kind({}, f"/users/{user_id}/scheduling-availability") is None
    assert object_kind([], "/bookings/BKNG-1/no-show") is None
    assert columns_for("schedule", [schedule]) == ["id", "timezone"]  # scalars only


def test_unknown_kind_shows_id_and_first_scalar_fields(sandbox: Sandbox) -> None:
    bookings = listed(sandbox, "/bookings")
    columns = columns_for(None, bookings)
    scalars = [
        key
        for key, value in bookings[0].items()
        if key not in ("id", "object") and not isinstance(value, (dict, list))
    ]
    assert columns == ["id", *scalars[:5]]


# -- limits and footer ---------------------------------------------------------------------


def test_at_most_limit_rows_then_the_footer(sandbox: Sandbox) -> None:
    bookings = listed(sandbox, "/bookings")
    footer = "7 of 100 fetched shown · more on OnceHub: .more() · .df() for a DataFrame"
    html = list_html(bookings, kind="booking", limit=7, footer=footer)
    rows = body_rows(html)
    assert len(rows) == 7
    assert all(obj["id"] in html for obj in bookings[:7])
    assert not any(obj["id"] in html for obj in bookings[7:])
    assert html.index(footer) > html.index("</table>")
    text = list_text(bookings, kind="booking", limit=7, footer=footer).splitlines()
    assert len(text) == 2 + 7 + 1 and text[-1] == footer
    assert [line.split()[0] for line in text[2:9]] == [obj["id"] for obj in bookings[:7]]
    assert not any(obj["id"] in "\n".join(text) for obj in bookings[7:])


def test_text_columns_are_aligned(sandbox: Sandbox) -> None:
    users = listed(sandbox, "/users")
    lines = list_text(users, limit=10).splitlines()
    starts = [m.start() for m in re.finditer(r"(?<=  )\S", lines[0])]
    for line in lines[2:]:
        assert all(line[start - 2 : start] == "  " for start in starts), line


def test_an_empty_list_says_so() -> None:
    html = list_html([], kind="booking", limit=20, footer="0 fetched")
    assert "No bookings." in html and "0 fetched" in html
    assert body_rows(html) == []
    assert list_text([], kind="booking", limit=20).splitlines()[-1] == "No bookings."


class Guarded(Sequence[JSON]):
    """A long sequence that fails the test when an item past ``allowed`` is looked at."""

    def __init__(self, items: list[JSON], length: int, allowed: int) -> None:
        self.items, self.length, self.allowed = items, length, allowed

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> JSON: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[JSON]: ...
    def __getitem__(self, index: int | slice) -> JSON | Sequence[JSON]:
        if isinstance(index, slice):
            raise AssertionError("the whole sequence was sliced")
        if not -self.length <= index < self.length:
            raise IndexError(index)
        if index < 0 or index >= self.allowed:
            raise AssertionError(f"item {index} looked at, past the limit {self.allowed}")
        return self.items[index % len(self.items)]

    def __iter__(self) -> Iterator[JSON]:
        for index in range(self.length):
            yield self[index]


def test_ten_thousand_objects_render_like_their_first_rows(sandbox: Sandbox) -> None:
    page = listed(sandbox, "/bookings", expand=EXPANDED)
    many = [page[n % len(page)] for n in range(10_000)]
    footer = "20 of 10,000 fetched shown · .df() for a DataFrame"
    for render in (list_html, list_text):
        assert render(many, kind=None, limit=20, footer=footer) == render(
            many[:20], kind=None, limit=20, footer=footer
        )
        guarded = Guarded(page, 10_000, allowed=20)  # rows past the limit are never read
        assert render(guarded, kind=None, limit=20, footer=footer) == render(
            many[:20], kind=None, limit=20, footer=footer
        )


# -- secrets -------------------------------------------------------------------------------


def test_webhook_secrets_never_shown(sandbox: Sandbox) -> None:
    created = new_webhook(sandbox, "Secret holder")
    hooks = listed(sandbox, "/webhooks")
    secrets = [hook["secret"] for hook in hooks]
    assert created["secret"] in secrets and len(secrets) >= 2
    views = [
        list_html(hooks, limit=20, footer=""),
        list_text(hooks, limit=20, footer=""),
        list_html(hooks, kind="unknown", limit=20, footer=""),  # generic columns too
        *(object_html(hook) for hook in hooks),
        *(object_text(hook) for hook in hooks),
        object_text({"id": "X-1", "hooks": hooks, "nested": {"secret": created["secret"]}}),
        object_html({"id": "X-1", "inner": {"more": {"secret": created["secret"]}}}),
    ]
    for view in views:
        assert not any(secret in view for secret in secrets), view
    assert MASK in object_text(created) and MASK in object_html(created)
    assert "secret" not in columns_for("unknown", hooks)


def test_mask_secrets_is_a_deep_copy(sandbox: Sandbox) -> None:
    created = new_webhook(sandbox, "Deep secret")
    wrapped = {"id": "X-1", "hooks": [created], "meta": {"secret": None}}
    masked = mask_secrets(wrapped)
    assert masked["hooks"][0]["secret"] == MASK
    assert masked["hooks"][0]["name"] == "Deep secret"
    assert masked["meta"]["secret"] is None  # nothing set, nothing to hide
    assert wrapped["hooks"][0]["secret"] == created["secret"]  # the original is untouched
    assert created["secret"] not in repr(masked)


# -- escaping ------------------------------------------------------------------------------


def test_server_text_is_escaped(sandbox: Sandbox) -> None:
    new_webhook(sandbox, "<script>alert('hook')</script>")
    hooks = listed(sandbox, "/webhooks")
    hostile = next(hook for hook in hooks if hook["name"].startswith("<script>"))
    footer = "<b>footer</b> & more"
    for html in (list_html(hooks, limit=20, footer=footer), object_html(hostile)):
        assert "<script>" not in html and "<b>" not in html
        assert "&lt;script&gt;" in html
    assert "&lt;b&gt;footer&lt;/b&gt; &amp; more" in list_html(hooks, limit=20, footer=footer)
    assert "<script>alert('hook')</script>" in list_text(hooks, limit=20)  # text stays text


def test_in_html_ids_never_wrap_and_other_cells_may(sandbox: Sandbox) -> None:
    booking = listed(sandbox, "/bookings", expand=EXPANDED)[0]
    cells = re.findall(r'<td style="([^"]*)">(.*?)</td>', list_html([booking], limit=1))
    by_text = {re.sub(r"<[^>]+>", "", text): style for style, text in cells}
    assert "white-space:nowrap" in by_text[booking["id"]]
    assert "white-space:normal" in by_text[booking["subject"]]
    owner = booking["owner"]
    named = next(text for _, text in cells if owner["id"] in text and text != owner["id"])
    assert f'<span style="white-space:nowrap">({owner["id"]})</span>' in named  # may wrap before
    assert "form_<wbr>submission.<wbr>name" in list_html([booking], limit=1)  # headers may too


# -- cells and nested objects --------------------------------------------------------------


def test_nested_objects_and_lists_are_summarised(sandbox: Sandbox) -> None:
    booking = next(
        b for b in listed(sandbox, "/bookings", expand=EXPANDED) if b["event_type"] is not None
    )
    owner, event_type = booking["owner"], booking["event_type"]
    text = list_text([booking], limit=1, width=400)  # wide enough for every column in full
    full_name = f"{owner['first_name']} {owner['last_name']}"
    assert f"{full_name} ({owner['id']})" in text
    assert f"{event_type['name']} ({event_type['id']})" in text
    assert owner["email"] not in text  # a summary, not the object
    assert format_cell(booking["attendees"]) == ", ".join(booking["attendees"])
    assert format_cell([{"id": "TM-1"}, {"id": "TM-2"}]) == "TM-1, TM-2"
    assert format_cell([{"day": "Monday", "hours": []}] * 3) == "3 items"
    assert format_cell(["x" * 30, "y" * 30]) == "2 items"  # too long to join
    assert format_cell({"join_url": "https://x.example"}) == "join_url: https://x.example"
    assert format_cell([]) == "" and format_cell(None) == ""


def test_cells_cut_long_text_but_never_ids(sandbox: Sandbox) -> None:
    event_type = next(e for e in listed(sandbox, "/event-types") if len(e["description"]) > 60)
    cut = format_cell(event_type["description"])
    assert len(cut) == CELL_WIDTH and cut.endswith("…")
    assert event_type["description"].startswith(cut[:-1])
    long_id = "BKNG-" + "A1" * 40
    assert format_cell(long_id) == long_id
    assert format_cell({"id": long_id, "name": "n" * 100}).endswith(f"({long_id})")
    assert format_cell("line one\nline two") == "line one line two"


def test_timestamps_stay_readable(sandbox: Sandbox) -> None:
    booking = listed(sandbox, "/bookings")[0]
    day, clock = booking["starting_time"].rstrip("Z").split("T")
    assert format_cell(booking["starting_time"]) == f"{day} {clock.removesuffix(':00')} UTC"
    assert format_cell("2025-03-17T11:00:30+02:00") == "2025-03-17 11:00:30 +02:00"
    assert format_cell(True) == "true" and format_cell(45) == "45"


def test_one_object_reads_as_labelled_rows(sandbox: Sandbox) -> None:
    booking = next(
        b for b in listed(sandbox, "/bookings", expand=EXPANDED) if b["event_type"] is not None
    )
    text = object_text(booking)
    lines = text.splitlines()
    assert lines[0] == f"booking {booking['subject']} ({booking['id']})"
    assert re.search(rf"^  status +{booking['status']}$", text, re.M)
    nested = re.search(r"^  event_type .*\n((?:    .*\n)+)", text, re.M)
    assert nested is not None  # the expanded object's fields follow, one level in
    assert re.search(rf"^    name +{re.escape(booking['event_type']['name'])}$", text, re.M)
    teams = ", ".join(booking["owner"]["teams"])
    assert re.search(rf"^    teams *{teams}$", text, re.M)  # a nested list, joined
    assert "object " not in lines[1]  # the kind is in the title, not a row
    html = object_html(booking, kind="booking")
    assert html.count("<tr>") == len(lines) - 1
    assert "padding:1px 12px 1px 16px" in html  # nested rows indented
    assert booking["id"] in html.split("</div>", 1)[0]  # in the title


def test_object_view_of_an_unknown_kind(sandbox: Sandbox) -> None:
    user_id = listed(sandbox, "/users")[0]["id"]
    schedule: Mapping[str, Any] = fetch(sandbox, f"/users/{user_id}/scheduling-availability")
    text = object_text(schedule)
    assert text.splitlines()[0].startswith("schedule")
    assert re.search(rf"^  weekly +{len(schedule['weekly'])} items$", text, re.M)
    assert re.search(r"^    \[0\] +day: Monday", text, re.M)
