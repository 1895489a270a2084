"""``%oncehub_auth`` and ``%oncehub_test``: thin shells over keys, session and results.

Expected failures surface as one-line ``UsageError``s or as inline results, never
as tracebacks. Loading this module imports neither httpx nor ipywidgets.
"""

from __future__ import annotations

import sys
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Float, Int, TraitError, TraitType, Unicode, observe, validate

from oncehub_nb.errors import KeyNotFound, NoInteractiveInput, OnceHubError
from oncehub_nb.ipython.display import display_now
from oncehub_nb.ipython.prompt import ask_for_key, can_ask
from oncehub_nb.keys import ApiKey, KeySearch, locate_key, sandbox_key
from oncehub_nb.session import Session, current
from oncehub_nb.settings import Settings, check_setting
from oncehub_nb.urls import check_base_url, resolve_base_url

if TYPE_CHECKING:  # the result type only; its module loads on the first check
    from oncehub_nb.validation import ValidationResult

__all__ = ["OnceHubMagics", "OnceHubUsageError", "load", "unload"]

INLINE_KEY_WARNING = (
    "Warning: a key typed into the cell is now in IPython's input history and in the "
    "notebook's source. Prefer ONCEHUB_API_KEY or a .env file next to the notebook "
    "(see .env.example), and consider rotating this key in OnceHub."
)
SETTING_NAMES = tuple(item.name for item in fields(Settings))
_TRAIT_KINDS: dict[type, type[TraitType]] = {bool: Bool, int: Int, float: Float, str: Unicode}


class OnceHubUsageError(UsageError):
    """An expected problem, shown by IPython as one line without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows only plain UsageError without a traceback; subclasses say so here.
        return [f"UsageError: {self}"]


def _usage(error: OnceHubError) -> OnceHubUsageError:
    return OnceHubUsageError(str(error))


def _setting(name: str) -> TraitType:
    """A ``%config`` trait for one of :class:`Settings`' fields: its type, default and help."""
    default = Settings.default(name)
    return _TRAIT_KINDS[type(default)](default, help=Settings.help(name)).tag(config=True)


@magics_class
class OnceHubMagics(Magics):
    """Magics for the OnceHub API. Settings: ``%config OnceHubMagics``."""

    # One trait per Settings field (a test checks that none is missing).
    base_url = _setting("base_url")
    timeout = _setting("timeout")
    connect_timeout = _setting("connect_timeout")
    total_timeout = _setting("total_timeout")
    retries = _setting("retries")
    backoff = _setting("backoff")
    rate_limit = _setting("rate_limit")
    var = _setting("var")
    env_file = _setting("env_file")

    _session: Session | None = None  # set before traitlets applies config (and observers run)

    def __init__(self, shell: Any = None, session: Session | None = None, **kwargs: Any) -> None:
        self._session = session
        super().__init__(shell=shell, **kwargs)

    @property
    def session(self) -> Session:
        """The shared session, made to follow these settings on first use."""
        if self._session is None:
            self._session = current()
            self._push_settings()
        return self._session

    # -- configuration -------------------------------------------------------------

    def settings(self) -> Settings:
        """The current settings as one value."""
        return Settings(**{name: getattr(self, name) for name in SETTING_NAMES})

    @validate(*SETTING_NAMES)
    def _check_setting(self, proposal: Any) -> Any:
        name = proposal["trait"].name
        try:
            return check_setting(name, proposal["value"])
        except OnceHubError as error:
            said = str(error)
            raise TraitError(
                f"OnceHubMagics.{said}"
                if said.startswith(name)
                else f"OnceHubMagics.{name}: {said}"
            ) from None

    @observe(*SETTING_NAMES)
    def _settings_changed(self, change: Any) -> None:
        if self._session is not None:
            self._push_settings()

    def _push_settings(self) -> None:
        assert self._session is not None
        self._session.configure(self.settings())

    # -- helpers ---------------------------------------------------------------------

    def _search(self, args: Any) -> KeySearch:
        search = locate_key(
            args.key,
            env_file=args.env_file or self.env_file or None,
            var=args.var or self.var,
        )
        for warning in search.warnings:
            print(f"Note: {warning}", file=sys.stderr)
        return search

    def _base_url(self, args: Any) -> str | None:
        if not args.base_url:
            return None
        return check_base_url(args.base_url)

    @staticmethod
    def _warn_inline_key(args: Any) -> None:
        if args.key and not args.sandbox:
            print(INLINE_KEY_WARNING, file=sys.stderr)

    def _show_widget(self, message: str | None = None, base_url: str | None = None) -> None:
        from IPython.display import display

        from oncehub_nb.ipython.widget import AuthWidget  # ipywidgets: only when shown

        if message:
            print(message)
        display(AuthWidget(session=self.session, base_url=base_url))

    # -- %oncehub_auth ---------------------------------------------------------------

    @magic_arguments()
    @argument(
        "key",
        nargs="?",
        help="The key itself. Discouraged: it stays in the input history and the notebook.",
    )
    @argument("--env-file", metavar="PATH", help="Read the key from this dotenv file.")
    @argument("--var", metavar="NAME", help="Variable holding the key (ONCEHUB_API_KEY).")
    @argument("--prompt", action="store_true", help="Ask for the key even if one is found.")
    @argument("--widget", action="store_true", help="Show the sign-in form.")
    @argument("--base-url", metavar="URL", help="API base URL for this session.")
    @argument(
        "--sandbox",
        action="store_true",
        help="Use the built-in local sandbox (with sandbox-demo-key, or the key given).",
    )
    @argument(
        "--fallback-sandbox",
        action="store_true",
        help="If no key is found, use the built-in sandbox instead of asking for one.",
    )
    @argument("--no-validate", action="store_true", help="Keep the key without calling /test.")
    @argument("--forget", action="store_true", help="Drop the key and close the client.")
    @line_magic
    def oncehub_auth(self, line: str = "") -> None:
        """Find your OnceHub API key, keep it for this session and validate it.

        Looks in order at: the argument, ONCEHUB_API_KEY, then .env from the
        notebook's folder upward. With no key found it shows a sign-in form in a
        notebook, asks with a hidden prompt in a terminal, and fails at once
        where nobody can answer (nbclient, papermill).
        """
        args = parse_argstring(self.oncehub_auth, line)
        if args.forget:
            had_key = self.session.forget()
            print("OnceHub key forgotten." if had_key else "There was no OnceHub key to forget.")
            return
        self._warn_inline_key(args)
        try:
            key, base_url = self._resolve_key(args)
        except OnceHubError as error:
            raise _usage(error) from None
        if key is None:
            return  # the widget took over
        result = self.session.sign_in(key, base_url, validate=not args.no_validate)
        if result is None:
            print(f"OnceHub key {key!r} from {key.source} set for this session (not validated).")
        else:
            display_now(result)

    def _resolve_key(self, args: Any) -> tuple[ApiKey | None, str | None]:
        """The key to use and its base URL; (None, …) when the widget was shown instead."""
        base_url = self._base_url(args)
        if args.sandbox:
            return sandbox_key(args.key), self.session.sandbox_url()
        if args.widget:
            self._show_widget(base_url=base_url)
            return None, base_url
        var = args.var or self.var
        if args.prompt:
            return ask_for_key(self.shell, var), base_url
        search = self._search(args)
        if search.key is not None:
            explicit = base_url or self.base_url or None
            return search.key, resolve_base_url(explicit, search.dotenv_base_url)
        if args.fallback_sandbox:
            print("No OnceHub key found: using the built-in sandbox (no real account).")
            return sandbox_key(), self.session.sandbox_url()
        in_kernel = getattr(self.shell, "kernel", None) is not None
        if in_kernel and can_ask(self.shell):
            tried = "; ".join(search.tried)
            self._show_widget(f"No OnceHub key found ({tried}). Sign in below:", base_url)
            return None, base_url
        if not can_ask(self.shell):
            raise NoInteractiveInput(var=var)
        return ask_for_key(self.shell, var), base_url

    # -- %oncehub_test ---------------------------------------------------------------

    @magic_arguments()
    @argument("key", nargs="?", help="Validate this key instead (it lands in the history).")
    @argument("-q", "--quiet", action="store_true", help="Return the result without showing it.")
    @argument("--env-file", metavar="PATH", help="Validate the key from this dotenv file.")
    @argument("--var", metavar="NAME", help="Variable holding the key.")
    @argument("--base-url", metavar="URL", help="API base URL for this check.")
    @argument(
        "--sandbox", action="store_true", help="Check against the built-in sandbox (demo key)."
    )
    @line_magic
    def oncehub_test(self, line: str = "") -> Any:
        """Validate the session's key (or one found with the options) with GET /test.

        ``r = %oncehub_test`` keeps the result: r.ok, r.account, r.status_code,
        r.request_id, r.error. The session is not changed.
        """
        args = parse_argstring(self.oncehub_test, line)
        self._warn_inline_key(args)
        try:
            result = self._run_test(args)
        except OnceHubError as error:
            raise _usage(error) from None
        if args.quiet:
            cell = getattr(self.shell, "execution_count", None)
            if cell is not None:
                result.shown_in_cells.append(cell)  # returned, but not shown in this cell
        else:
            display_now(result)
        return result

    def _run_test(self, args: Any) -> ValidationResult:
        base_url = self._base_url(args)
        if args.sandbox:
            return self.session.check(sandbox_key(args.key), self.session.sandbox_url())
        if args.key or args.env_file or args.var or base_url:
            search = self._search(args)
            if search.key is None:
                raise KeyNotFound(search.tried + search.warnings, var=args.var or self.var)
            explicit = base_url or self.base_url or None
            return self.session.check(
                search.key, resolve_base_url(explicit, search.dotenv_base_url)
            )
        if not self.session.signed_in:
            raise OnceHubUsageError(
                "No OnceHub key in this session: run %oncehub_auth first "
                "(or oncehub_nb.AuthWidget())."
            )
        return self.session.client().test()


def _drop_from_configurables(shell: Any) -> None:
    configurables = getattr(shell, "configurables", [])
    configurables[:] = [c for c in configurables if not isinstance(c, OnceHubMagics)]


def load(shell: Any) -> None:
    """Register the magics once per shell (loading twice is harmless).

    Settings from the IPython config that are unusable are reported and dropped,
    so the extension still loads with its defaults.
    """
    if any(isinstance(c, OnceHubMagics) for c in getattr(shell, "configurables", [])):
        return
    try:
        magics = OnceHubMagics(shell=shell)
    except TraitError as error:
        _drop_from_configurables(shell)  # IPython added the half-made instance
        print(
            f"oncehub_nb: ignoring the OnceHubMagics settings in your config: {error}",
            file=sys.stderr,
        )
        config = getattr(shell, "config", None)
        if config is not None and "OnceHubMagics" in config:
            del config["OnceHubMagics"]
        magics = OnceHubMagics(shell=shell)
    shell.register_magics(magics)


def unload(shell: Any) -> None:
    """Unregister the magics; the session's key stays (``--forget`` drops it)."""
    for configurable in list(getattr(shell, "configurables", [])):
        if isinstance(configurable, OnceHubMagics):
            for kind, names in configurable.magics.items():
                for name in names:
                    shell.magics_manager.magics[kind].pop(name, None)
    _drop_from_configurables(shell)
    shell.magics_manager.registry.pop("OnceHubMagics", None)
