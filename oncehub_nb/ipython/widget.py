"""The sign-in form: a key from a .env file or typed into a masked field, then validated.

The typed key is read and cleared first thing when Validate (or Enter) is pressed,
so it never stays in the widget's state and is never saved into the notebook.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from oncehub_nb.errors import InvalidKeyInput, OnceHubError
from oncehub_nb.keys import ApiKey, discover_dotenv, key_from_dotenv
from oncehub_nb.session import Session, current
from oncehub_nb.validation import ValidationResult

__all__ = ["TEXT_FALLBACK", "AuthWidget"]

TEXT_FALLBACK = (
    "OnceHub sign-in form (needs Jupyter widgets). If you see this text instead of a form, "
    "widgets are not available in this front end: run %oncehub_auth --prompt, or put "
    "ONCEHUB_API_KEY=<your key> in a .env file next to the notebook and run %oncehub_auth."
)
SAVE_WARNING = (
    "The typed key is cleared from the form when you press Validate or Enter. "
    "Do not save the notebook while a key is typed in but not yet validated."
)
TYPED_SOURCE = "the sign-in form"


class AuthWidget:
    """Choose where the key comes from, press Validate, see the result inline.

    On success the key becomes the session's, for ``%oncehub_test`` and
    ``oncehub_nb.client()``.
    """

    def __init__(
        self,
        *,
        session: Session | None = None,
        env_file: str | None = None,
        var: str | None = None,
        base_url: str | None = None,
    ) -> None:
        import ipywidgets as w

        self.session = session or current()
        self.var = var or self.session.settings.var
        self._base_url = base_url
        self.last_result: ValidationResult | None = None
        self._busy = False
        dotenv_path = (
            env_file
            or self.session.settings.env_file
            or str(discover_dotenv() or Path.cwd() / ".env")
        )
        has_dotenv = Path(dotenv_path).is_file()

        self.source = w.ToggleButtons(
            options=[("Type the key", "typed"), (".env file", "dotenv")],
            value="dotenv" if has_dotenv else "typed",
            description="Key from:",
        )
        self.path = w.Text(
            value=dotenv_path, description=".env file:", layout=w.Layout(width="32em")
        )
        self.password = w.Password(
            value="",
            placeholder="Paste your OnceHub API key",
            description="API key:",
            layout=w.Layout(width="32em"),
        )
        self.remember = w.Checkbox(
            value=False,
            description="Remember in .env",
            tooltip="Once OnceHub confirms the key, save it in .env next to the notebook "
            "(a file only you can read), so that %oncehub_auth finds it after a restart.",
            indent=False,
            layout=w.Layout(width="32em"),
        )
        self.button = w.Button(description="Validate", button_style="primary", icon="check")
        self.status = w.HTML(value="")
        self.saved = w.HTML(value="")
        self.note = w.HTML(value=f"<small>{escape(SAVE_WARNING)}</small>")
        for widget, name in (
            (self.source, "source"),
            (self.path, "path"),
            (self.password, "key"),
            (self.remember, "remember"),
            (self.button, "validate"),
            (self.status, "status"),
            (self.saved, "saved"),
            (self.note, "note"),
        ):
            widget.add_class(f"oncehub-auth-{name}")
        self.box = w.VBox(
            [
                self.source,
                self.path,
                self.password,
                self.remember,
                self.button,
                self.status,
                self.saved,
                self.note,
            ]
        )
        self.box.add_class("oncehub-auth")

        self.button.on_click(self._on_validate)
        with warnings.catch_warnings():
            # Enter in the field: ipywidgets 8 still sends the submit event this relies on.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.password.on_submit(self._on_validate)
        self.source.observe(self._show_source_fields, names="value")
        self._show_source_fields()

    @property
    def base_url(self) -> str | None:
        """The URL given, else wherever the session already talks to (e.g. its sandbox)."""
        return self._base_url or self.session.base_url

    # -- behaviour ---------------------------------------------------------------------

    def _show_source_fields(self, _change: Any = None) -> None:
        typed = self.source.value == "typed"
        self.password.layout.display = None if typed else "none"
        self.remember.layout.display = None if typed else "none"
        self.path.layout.display = "none" if typed else None

    def _on_validate(self, _widget: Any = None) -> None:
        typed = self.password.value
        self.password.value = ""  # first thing: the key must not stay in widget state
        if self._busy:
            return
        self._busy = True
        self.button.disabled = True
        self.button.description = "Validating…"
        self.status.value = "<i>Validating…</i>"
        self.saved.value = ""
        try:
            self.last_result = self._validate(typed)
            # the form says where the key went itself: no header line above its card
            self.status.value = replace(self.last_result, header=None)._repr_html_()
            if self.last_result.ok and self.remember.value and self.source.value == "typed":
                self.saved.value = self._remember()
        except Exception as error:  # unexpected: report it here, never lose the form
            self.status.value = (
                f"<b>Unexpected error:</b> {escape(type(error).__name__)}: {escape(str(error))}"
            )
        finally:
            self._busy = False
            self.button.disabled = False
            self.button.description = "Validate"

    def _validate(self, typed: str) -> ValidationResult:
        try:
            key = self._key(typed)
        except OnceHubError as problem:
            return ValidationResult.failure(None, problem, base_url=self.base_url)
        result = self.session.sign_in(key, self.base_url)
        assert result is not None
        return result

    def _remember(self) -> str:
        """Save the session's (just confirmed) key into .env next to the notebook; HTML."""
        from oncehub_nb.constants import DEFAULT_BASE_URL
        from oncehub_nb.remember import save_key, target

        key, base_url = self.session.key, self.session.base_url
        assert key is not None
        try:
            saved = save_key(
                key, target(None), self.var, base_url if base_url != DEFAULT_BASE_URL else None
            )
        except OnceHubError as error:
            return f"<b>Not remembered:</b> {escape(str(error))}"
        lines = [f"Remembered in {saved.path}: %oncehub_auth finds it after a restart."]
        lines += saved.notes()
        return "<br>".join(escape(line) for line in lines)

    def _key(self, typed: str) -> ApiKey:
        if self.source.value == "typed":
            if not typed.strip():
                raise InvalidKeyInput(
                    "No key was typed.",
                    hint="Paste your key into the field, then press Validate or Enter.",
                )
            return ApiKey(typed, source=TYPED_SOURCE)
        path = self.path.value.strip()
        if not path:
            raise InvalidKeyInput("No .env file path given.", hint="Type the path of your .env.")
        key, _warnings = key_from_dotenv(path, self.var)
        return key

    # -- display -------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.box._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = TEXT_FALLBACK
        return bundle

    def __repr__(self) -> str:
        return f"<AuthWidget: {'signed in' if self.session.signed_in else 'not signed in'}>"
