"""The tutorial's sign-in form in Notebook 7 (``jupyter notebook``)."""

from __future__ import annotations

import re

from e2ekit.keys import DEMO_KEY, SUCCESS_EXPECTED, WRONG_KEY, WRONG_KEY_EXPECTED
from e2ekit.ui import NotebookUI
from playwright.sync_api import expect


def test_form_renders_with_a_masked_field(notebook7: NotebookUI) -> None:
    form = notebook7.auth_form()
    masked = form.root.locator(".oncehub-auth-key input[type=password]")
    notebook7.check("the key field is masked", lambda: expect(masked).to_have_count(1))
    assert "/notebooks/" in notebook7.page.url
    notebook7.shot("form-rendered")


def test_demo_key_validates(notebook7: NotebookUI) -> None:
    status = notebook7.auth_form().validate(DEMO_KEY, SUCCESS_EXPECTED)
    assert status.lstrip().startswith("✔"), status


def test_wrong_key_shows_the_full_error(notebook7: NotebookUI) -> None:
    status = notebook7.auth_form().validate(WRONG_KEY, WRONG_KEY_EXPECTED)
    assert re.search(r"Request-Id\s*req_[0-9a-f]{8,}", status), status
    assert WRONG_KEY not in notebook7.page_text()
