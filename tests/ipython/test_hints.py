"""Each card's "What to do" fits its error: the magics against the sandbox, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from oncehub_nb.explore.result import ErrorResult
from oncehub_nb.session import current
from oncehub_nb.validation import ValidationResult
from tests.support import CANARY_KEY, close_shell, closed_port, fresh_shell, run_cell

WRONG_KEY = "FAKE-unknown-to-the-sandbox-0001"
WHY = (
    "Usually a typo, or an admin regenerated or deleted the key (a regenerated key stops "
    "working at once)."
)
NO_VALIDATE = "%oncehub_auth --no-validate"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    """A shell not signed in, that neither retries nor pauses."""
    shell = fresh_shell(monkeypatch)
    shell.run_line_magic("config", "OnceHubMagics.retries = 0")
    shell.run_line_magic("config", "OnceHubMagics.rate_limit = False")
    yield shell
    close_shell()


def sign_in(shell: InteractiveShell, key: str, base_url: str) -> ValidationResult:
    result = run_cell(shell, f"r = %oncehub_auth {key} --base-url {base_url}\nr")
    assert isinstance(result, ValidationResult) and not result.ok
    return result


def notes(result: ValidationResult) -> str:
    return " ".join(result.notes)


def test_a_rejected_key_at_sign_in_says_why_and_how_to_enter_a_new_one(fresh, box) -> None:
    result = sign_in(fresh, WRONG_KEY, box.base_url)
    assert result.status_code == 401
    assert result.hint == (
        f"{WHY} Check the key passed as an argument, or create a new key in OnceHub's API "
        "settings and run %oncehub_auth --prompt to enter it; add --save to keep it in .env."
    )
    assert notes(result) == "The session was not changed (no key is set)."
    assert NO_VALIDATE not in str(result) and "from argument" not in str(result)
    assert "ApiKey('…0001') passed as an argument" in str(result)
    assert not current().signed_in


def test_oncehub_test_gives_the_same_hint_for_a_rejected_key(fresh, box) -> None:
    result = run_cell(fresh, f"%oncehub_test {WRONG_KEY} --base-url {box.base_url}")
    assert result.status_code == 401
    assert "run %oncehub_auth --prompt to enter it; add --save" in result.hint


def test_a_key_rejected_by_a_later_call_gets_the_same_hint_on_its_card(fresh, box) -> None:
    run_cell(fresh, f"%oncehub_auth {WRONG_KEY} --base-url {box.base_url} --no-validate")
    result = run_cell(fresh, "%oncehub bookings")
    assert isinstance(result, ErrorResult) and result.status_code == 401
    assert result.error.hint.startswith(f"{WHY} Check the key passed as an argument")
    assert "What to do" in str(result) and "%oncehub_auth --prompt" in str(result)


def test_listening_for_webhooks_with_a_rejected_key_says_the_same(fresh, box) -> None:
    run_cell(fresh, f"%oncehub_auth {WRONG_KEY} --base-url {box.base_url} --no-validate")
    with pytest.raises(UsageError) as caught:
        run_cell(fresh, "%oncehub_webhooks listen --events booking.scheduled")
    assert str(caught.value).startswith("401 authentication_error: Invalid API key.")
    assert "run %oncehub_auth --prompt to enter it" in str(caught.value)


def test_a_plan_without_api_access_is_a_decision_no_validate_cannot_help(fresh, box) -> None:
    result = sign_in(fresh, "sandbox-forbidden", box.base_url)
    assert result.status_code == 403
    assert "upgrade" in result.hint
    assert NO_VALIDATE not in str(result)


def test_a_fault_on_oncehubs_side_suggests_keeping_the_key_unchecked(fresh, box) -> None:
    result = sign_in(fresh, "sandbox-server-error", box.base_url)
    assert result.status_code == 500
    assert notes(result) == (
        "The session was not changed (no key is set). OnceHub could not check the key just "
        f"now: to keep it without a check, use {NO_VALIDATE}."
    )


def test_nothing_listening_on_this_machine_says_start_the_server(fresh) -> None:
    result = sign_in(fresh, CANARY_KEY, f"http://127.0.0.1:{closed_port()}/v2")
    assert result.status_code is None and "refused" in result.message
    assert result.hint == (
        "Nothing answers at that port on this machine: start the server, or check the base "
        "URL's port. For the built-in sandbox: %oncehub_auth --sandbox, or oncehub-nb sandbox."
    )
    assert NO_VALIDATE in notes(result)  # validating is impossible: keeping it can help


def test_an_unknown_id_says_check_the_id(ip, box) -> None:
    result = run_cell(ip, "%oncehub bookings/BKNG-DOESNOTEXIST")
    assert result.status_code == 404 and result.error.param == "id"
    assert result.error.hint.startswith("Check the ID: list the objects to see which exist.")


def test_a_conflict_says_look_at_the_object_as_it_is_now(ip, box) -> None:
    scheduled = run_cell(ip, "%oncehub bookings status==scheduled limit==50")
    # not a paid one: those are refused with 422 (which of them comes first is the date's)
    booking = next(b["id"] for b in scheduled if not b.get("payment_information"))
    ip.user_ns["booking_id"] = booking
    run_cell(ip, "%oncehub POST bookings/$booking_id/cancel cancellation_reason=Ill")
    result = run_cell(ip, "%oncehub POST bookings/$booking_id/cancel cancellation_reason=Ill")
    assert isinstance(result, ErrorResult) and result.status_code == 409
    assert result.error.hint == (
        "The object's current state (or another object) does not allow this: fetch it "
        "again to see where it stands, then decide."
    )
