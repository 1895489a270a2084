"""The tutorial's sign-in form in JupyterLab, against the sandbox started in the kernel.

The tests share one page (the tutorial, run once); each leaves the form as it found
it: the field empty, the button enabled.
"""

from __future__ import annotations

import re
import secrets

from e2ekit.keys import (
    DEMO_KEY,
    FORBIDDEN,
    RATE_LIMITED,
    SUCCESS_EXPECTED,
    WRONG_KEY,
    WRONG_KEY_EXPECTED,
    assert_no_key_saved,
)
from e2ekit.ui import NotebookUI
from playwright.sync_api import expect


def test_run_all_renders_the_form_with_a_masked_field(lab: NotebookUI) -> None:
    # The premise: no key anywhere, so the tutorial signed in to its own sandbox.
    assert "No OnceHub key found: using the built-in sandbox" in lab.page_text()
    form = lab.auth_form()
    masked = form.root.locator(".oncehub-auth-key input[type=password]")
    lab.check("the key field is masked", lambda: expect(masked).to_have_count(1))
    assert form.root.locator(".oncehub-auth-key input").count() == 1  # and nothing else
    lab.check("button reads Validate", lambda: expect(form.button).to_have_text("Validate"))
    lab.check("button enabled", lambda: expect(form.button).to_be_enabled())
    lab.check("no result yet", lambda: expect(form.status).to_have_text(""))
    lab.shot("form-rendered")


def test_typed_key_is_masked_and_never_shown(lab: NotebookUI) -> None:
    form = lab.auth_form()
    key = f"FAKE-masked-{secrets.token_hex(4)}"
    form.type_key(key)  # checks the field's type and the page text too
    lab.shot("masked-key-typed")
    assert key not in lab.page_text()
    form.submit(["401"])
    assert key not in lab.page_text()


def test_demo_key_validates_on_click(lab: NotebookUI) -> None:
    status = lab.auth_form().validate(DEMO_KEY, SUCCESS_EXPECTED)
    assert status.lstrip().startswith("✔"), status


def test_demo_key_validates_on_enter(lab: NotebookUI) -> None:
    status = lab.auth_form().validate(DEMO_KEY, SUCCESS_EXPECTED, enter=True)
    assert status.lstrip().startswith("✔"), status


def test_wrong_key_shows_the_full_error(lab: NotebookUI) -> None:
    status = lab.auth_form().validate(WRONG_KEY, WRONG_KEY_EXPECTED)
    assert re.search(r"Request-Id\s*req_[0-9a-f]{8,}", status), status
    assert WRONG_KEY not in status


def test_forbidden_key_shows_403(lab: NotebookUI) -> None:
    status = lab.auth_form().validate(FORBIDDEN, ["403", "Enterprise"])
    assert status.lstrip().startswith("✘"), status


def test_rate_limited_key_shows_429_after_retries(lab: NotebookUI) -> None:
    status = lab.auth_form().validate(RATE_LIMITED, ["429", "rate limit"], timeout=30)
    assert re.search(r"Retries\s*[1-9]", status), status


def test_form_login_is_the_session_for_magics(lab: NotebookUI) -> None:
    lab.auth_form().validate(DEMO_KEY, SUCCESS_EXPECTED)
    output = lab.run_new_cell("%oncehub_test")
    # The tutorial signed in with the sandbox's demo key already; only the form names
    # itself as the key's source.
    lab.expect_text(output, [*SUCCESS_EXPECTED, "from the sign-in form"], "%oncehub_test")
    output.scroll_into_view_if_needed()
    lab.shot("oncehub-test-after-form-login")


def test_saved_notebook_holds_no_typed_key(lab: NotebookUI) -> None:
    canary = f"FAKE-save-canary-{secrets.token_hex(4)}"
    lab.auth_form().validate(canary, WRONG_KEY_EXPECTED)
    saved = lab.save()
    lab.shot("saved")
    assert canary not in saved
    assert canary not in lab.server.log_path.read_text(encoding="utf-8", errors="replace")
    notebook = assert_no_key_saved(saved, lab.typed_keys)
    counts = [cell["execution_count"] for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(counts[:13]), f"the run was not saved (execution counts {counts})"
