"""The auth widget driven from Python: fields set, button clicked, as a front end would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import oncehub_nb
from oncehub_nb.ipython.widget import TEXT_FALLBACK, AuthWidget
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY
from oncehub_nb.session import current
from tests.support import CANARY_ACCOUNT, CANARY_KEY


@pytest.fixture
def form(sandbox) -> Iterator[AuthWidget]:
    """A form aimed at the test's sandbox; the session's key and settings are restored after."""
    settings = current().settings
    widget = AuthWidget(base_url=sandbox.base_url)
    yield widget
    current().forget()
    current().configure(settings)
    widget.box.close_all()


def type_and_validate(form: AuthWidget, key: str) -> None:
    """Type ``key`` into the field and click Validate."""
    form.source.value = "typed"
    form.password.value = key
    form.button.click()


def press_enter(form: AuthWidget, key: str) -> None:
    """What the front end sends when Enter is pressed in the field."""
    form.source.value = "typed"
    form.password.value = key
    form.password._handle_string_msg(None, {"event": "submit"}, None)


def all_widget_state() -> str:
    """Every widget's state, as it would be saved into the notebook."""
    import json

    import ipywidgets

    return json.dumps(ipywidgets.Widget.get_manager_state(drop_defaults=False))


def test_typed_key_validates_signs_in_and_is_cleared(form):
    type_and_validate(form, CANARY_KEY)
    assert form.password.value == ""
    assert f"Key valid for {CANARY_ACCOUNT}" in form.status.value
    assert "the sign-in form" in form.status.value
    assert "oncehub-header" not in form.status.value  # the form's card names where itself
    assert form.last_result.header  # the result itself has it (the sandbox is not OnceHub)
    assert current().signed_in
    assert len(oncehub_nb.client().get("/users", limit=1)["data"]) == 1
    assert CANARY_KEY not in all_widget_state()


def test_enter_in_the_field_does_the_same(form):
    press_enter(form, DEMO_KEY)
    assert form.password.value == ""
    assert DEMO_ACCOUNT in form.status.value
    assert form.last_result.ok


def test_wrong_key_shows_the_error_and_reenables_the_button(form):
    seen = []
    form.button.observe(lambda change: seen.append(change["new"]), names="disabled")
    type_and_validate(form, "FAKE-wrong-widget-key-0001")
    status = form.status.value
    for piece in ("401", "authentication_error", "Invalid API key.", "req_", "a typo"):
        assert piece in status
    assert "from the sign-in form" in status and "--no-validate" not in status
    assert seen == [True, False]  # busy while validating, enabled again after
    assert form.button.description == "Validate"
    assert not current().signed_in
    assert form.password.value == ""


@pytest.mark.parametrize(
    ("key", "pieces", "attempts"),
    [
        ("sandbox-forbidden", ("403", "Enterprise"), 1),  # a 403 is not retried
        ("sandbox-ratelimited", ("429", "rate_limit_error"), 2),  # a 429 is, once here
    ],
)
def test_fault_keys_show_their_messages(form, sandbox, key, pieces, attempts):
    current().configure(retries=1, backoff=0)  # no real waiting between attempts
    type_and_validate(form, key)
    for piece in pieces:
        assert piece in form.status.value
    assert sandbox.count(key=key) == attempts
    assert not form.button.disabled
    assert not current().signed_in
    assert "The session was not changed (no key is set)" in form.status.value


def test_a_failed_check_keeps_the_working_key(form):
    type_and_validate(form, DEMO_KEY)
    working = oncehub_nb.client()
    current().configure(retries=0)
    type_and_validate(form, "sandbox-server-error")
    assert "HTTP 500" in form.status.value
    assert "the previous key is still in use" in form.status.value
    assert oncehub_nb.client() is working and not working.closed


def test_empty_typed_key_says_what_to_do(form, sandbox):
    type_and_validate(form, "   ")
    assert "No key was typed" in form.status.value
    assert "Paste your key" in form.status.value
    assert sandbox.count() == 0


def test_bad_input_is_refused_before_any_request(form, sandbox):
    type_and_validate(form, "FAKE key with space")
    assert "contains a space" in form.status.value
    assert "FAKE key with space" not in form.status.value
    assert sandbox.count() == 0


def test_key_from_a_dotenv_file(form, tmp_path):
    env_file = tmp_path / "keys.env"
    env_file.write_text(f"ONCEHUB_API_KEY={DEMO_KEY}\n", encoding="utf-8")
    form.source.value = "dotenv"
    form.path.value = str(env_file)
    form.button.click()
    assert DEMO_ACCOUNT in form.status.value
    assert f"dotenv file {env_file}" in form.status.value


def test_missing_dotenv_file_is_reported(form, tmp_path):
    form.source.value = "dotenv"
    form.path.value = str(tmp_path / "absent.env")
    form.button.click()
    assert "No dotenv file at" in form.status.value
    assert not form.button.disabled


def test_dotenv_path_is_prefilled_with_the_discovered_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"ONCEHUB_API_KEY={DEMO_KEY}\n", encoding="utf-8")
    nested = tmp_path / "notebooks"
    nested.mkdir()
    monkeypatch.chdir(nested)
    widget = AuthWidget()
    try:
        assert widget.path.value == str(tmp_path / ".env")
        assert widget.source.value == "dotenv"
        assert widget.password.layout.display == "none"
        widget.source.value = "typed"
        assert widget.path.layout.display == "none" and widget.password.layout.display is None
    finally:
        widget.box.close_all()


def test_without_a_dotenv_file_the_form_asks_for_a_typed_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    widget = AuthWidget()
    try:
        assert widget.source.value == "typed"
        assert widget.path.value == str(tmp_path / ".env")  # where one would be looked for
        assert widget.path.layout.display == "none" and widget.password.layout.display is None
    finally:
        widget.box.close_all()


def test_the_field_is_a_password_field_and_warns_about_saving(form):
    import ipywidgets

    assert isinstance(form.password, ipywidgets.Password)
    assert "Do not save the notebook" in form.note.value
    assert "oncehub-auth" in form.box._dom_classes


def test_text_fallback_says_what_to_do(form):
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == TEXT_FALLBACK
    assert "%oncehub_auth --prompt" in TEXT_FALLBACK and ".env" in TEXT_FALLBACK
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == form.box.model_id


def test_session_url_is_used_when_no_url_given(sandbox):
    """A form made without ``base_url`` talks to wherever the session already talks to."""
    signed_in = current().sign_in(oncehub_nb.ApiKey(DEMO_KEY), sandbox.base_url)
    widget = AuthWidget()
    try:
        assert signed_in is not None and signed_in.ok
        assert widget.base_url == sandbox.base_url
        type_and_validate(widget, DEMO_KEY)
        assert DEMO_ACCOUNT in widget.status.value
        assert sandbox.count(key=DEMO_KEY) == 2  # the sign-in, then the form's own check
    finally:
        current().forget()
        widget.box.close_all()


def test_remember_in_dotenv_saves_the_confirmed_key(form, sandbox, tmp_path, monkeypatch):
    from dotenv import dotenv_values

    monkeypatch.chdir(tmp_path)
    form.remember.value = True
    type_and_validate(form, CANARY_KEY)
    env = tmp_path / ".env"
    assert dotenv_values(env)["ONCEHUB_API_KEY"] == CANARY_KEY
    assert dotenv_values(env)["ONCEHUB_BASE_URL"] == sandbox.base_url
    assert oct(env.stat().st_mode & 0o777) == "0o600"
    assert f"Remembered in {env}" in form.saved.value
    assert CANARY_KEY not in all_widget_state() and CANARY_KEY not in form.saved.value


def test_remember_does_nothing_for_a_refused_key(form, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    form.remember.value = True
    type_and_validate(form, "FAKE-wrong-key-1234")
    assert not (tmp_path / ".env").exists() and form.saved.value == ""


def test_remember_is_offered_only_for_a_typed_key(form):
    form.source.value = "dotenv"
    assert form.remember.layout.display == "none"
    form.source.value = "typed"
    assert form.remember.layout.display is None
