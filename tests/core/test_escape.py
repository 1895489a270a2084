"""Every text view shows control characters escaped, never sends them to the terminal:
the webhook inbox, result tables and field views, cards, errors, progress lines (the scan
report: tests/scanner/test_hostile.py). One helper does it: ``escape.printable``."""

from __future__ import annotations

import json

import pytest

from oncehub_nb.display.fit import fit_line
from oncehub_nb.errors import AuthenticationError, InvalidRequestError
from oncehub_nb.escape import printable
from oncehub_nb.explore.views import list_text, object_text
from oncehub_nb.validation import ValidationResult
from oncehub_nb.webhooks import SIGNATURE_HEADER, WebhookInbox, sign
from tests.support import FakeClock

# What a forged field would do: clear the line, go back to its start, and write a row
# that reads "verified"; recolour; reverse the text; hide a tag-character message.
CLEAR_AND_FORGE = "\x1b[2K\r10:00:00  booking.scheduled  ✓ verified"
RECOLOUR = "\x1b[32mall good\x1b[0m"
REVERSED = "invoice\u202egpj.exe"
TAGGED = "hello\U000e0041\U000e0042"
CONTROLS = ("\x1b", "\r", "\u202e", "\U000e0041", "\x07", "\x9b")


def unprintable(text: str) -> list[str]:
    return [char for char in CONTROLS if char in text]


def test_printable_escapes_what_a_terminal_would_obey() -> None:
    assert printable(CLEAR_AND_FORGE) == "\\x1b[2K\\x0d10:00:00  booking.scheduled  ✓ verified"
    assert printable(RECOLOUR) == "\\x1b[32mall good\\x1b[0m"
    assert printable(REVERSED) == "invoice\\u202egpj.exe"
    assert printable(TAGGED) == "hello\\U000e0041\\U000e0042"
    assert printable("lone \ud800 surrogate\x9b") == "lone \\ud800 surrogate\\x9b"
    assert printable("a\nb\tc", keep="\n") == "a\nb\\x09c"
    plain = "Zoë's booking 👩‍💻 (BKNG-3KM0HY2BF9SL) — ünïcode"  # joiner and all: as it is
    assert printable(plain) is plain


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_the_inbox_text_shows_a_forged_row_escaped(clock: FakeClock) -> None:
    """A guest's booking subject is the sender's text: a verified event can carry it."""
    secret = "whsec-escape-0a1b2c3d4e5f-do-not-leak"
    event = {
        "id": "EVNT-1",
        "type": "booking.scheduled",
        "data": {"id": "BKNG-1", "subject": CLEAR_AND_FORGE, "status": RECOLOUR},
    }
    body = json.dumps(event).encode()
    with WebhookInbox(secret, clock=clock, display=False) as inbox:
        inbox.receive(body, {SIGNATURE_HEADER: sign(body, secret, timestamp=int(clock.time()))})
        inbox.receive(body + b" ", {SIGNATURE_HEADER: "t=1,s=" + "0" * 64}, path="/\x1b[2J")
        text = str(inbox)
    assert unprintable(text) == []
    assert "\\x1b[2K" in text  # the forged row is text in the subject column, no more


def test_tables_and_field_views_show_server_text_escaped() -> None:
    bookings = [
        {"id": "BKNG-1", "subject": CLEAR_AND_FORGE, "status": "scheduled"},
        {"id": "BKNG-2", "subject": REVERSED, "status": RECOLOUR, f"x{TAGGED}": 1},
    ]
    table = list_text(bookings, kind="booking", limit=20, footer=f"footer {RECOLOUR}", width=200)
    fields = object_text(bookings[1], kind="booking", width=100)
    for text in (table, fields):
        assert unprintable(text) == [], text
    assert "invoice\\u202egpj.exe" in table and "x" + printable(TAGGED) in fields


def test_cards_and_errors_show_server_messages_escaped() -> None:
    error = InvalidRequestError(
        f"bad value {CLEAR_AND_FORGE}", status_code=400, error_type=RECOLOUR, param=REVERSED,
        request_id="req\x1b]0;title\x07",
    )  # fmt: skip
    rejected = AuthenticationError(f"rejected {RECOLOUR}", status_code=401)
    card = str(ValidationResult.failure(None, error, base_url="https://api.oncehub.com/v2"))
    for text in (card, str(error), str(rejected), *error._render_traceback_()):
        assert unprintable(text) == [], text
    assert "bad value \\x1b[2K\\x0d10:00:00" in card
    assert error.message == f"bad value {CLEAR_AND_FORGE}"  # the value itself is kept


def test_progress_lines_are_escaped() -> None:
    line = fit_line([f"bookings {RECOLOUR}", "3 pages", "done"], 200)
    assert unprintable(line) == [] and "\\x1b[32m" in line
