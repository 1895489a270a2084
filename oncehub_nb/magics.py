"""``%oncehub_auth`` and ``%oncehub_test``: thin shells over keys, session and results.

Expected failures surface as one-line ``UsageError``s or as inline results, never
as tracebacks. Loading this module imports neither httpx nor ipywidgets.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Bool, Float, Int, TraitError, Unicode, observe, validate

# Only IPython and traitlets at import: %load_ext must stay cheap. The rest of the
# package loads on the first magic call.
if TYPE_CHECKING:
    from oncehub_nb.errors import OnceHubError
    from oncehub_nb.keys import ApiKey, KeySearch
    from oncehub_nb.session import Session

__all__ = ["OnceHubMagics", "OnceHubUsageError", "load", "unload"]

DEFAULT_VAR = "ONCEHUB_API_KEY"
INLINE_KEY_WARNING = (
    "Warning: a key typed into the cell is now in IPython's input history and in the "
    "notebook's source. Prefer ONCEHUB_API_KEY or a .env file next to the notebook "
    "(see .env.example), and consider rotating this key in OnceHub."
)


class OnceHubUsageError(UsageError):
    """An expected problem, shown by IPython as one line without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows only plain UsageError without a traceback; subclasses say so here.
        return [f"UsageError: {self}"]


def _usage(error: OnceHubError) -> OnceHubUsageError:
    return OnceHubUsageError(str(error))


@magics_class
class OnceHubMagics(Magics):
    """Magics for the OnceHub API. Settings: ``%config OnceHubMagics``."""

    base_url = Unicode(
        "",
        help="API base URL. Empty: ONCEHUB_BASE_URL, else https://api.oncehub.com/v2.",
    ).tag(config=True)
    timeout = Float(10.0, help="Seconds to wait for OnceHub's answer.").tag(config=True)
    connect_timeout = Float(5.0, help="Seconds to wait for a connection.").tag(config=True)
    total_timeout = Float(30.0, help="Seconds one call may take in all, retries included.").tag(
        config=True
    )
    retries = Int(3, help="Retries of a GET after 429, 5xx or a connection error.").tag(config=True)
    var = Unicode(DEFAULT_VAR, help="Environment/.env variable that holds the key.").tag(
        config=True
    )
    env_file = Unicode(
        "", help="Dotenv file to read. Empty: .env from the notebook's folder upward."
    ).tag(config=True)
    rate_limit = Bool(
        True, help="Wait to stay under OnceHub's limits (5/s per account, 200/5 min per IP)."
    ).tag(config=True)

    _session: Session | None = None  # set before traitlets applies config (and observers run)

    def __init__(self, shell: Any = None, session: Session | None = None, **kwargs: Any) -> None:
        self._session = session
        super().__init__(shell=shell, **kwargs)

    @property
    def session(self) -> Session:
        """The shared session, made to follow these settings on first use."""
        if self._session is None:
            from oncehub_nb.session import current

            self._session = current()
            self._push_settings()
        return self._session

    # -- configuration -------------------------------------------------------------

    @validate("timeout", "connect_timeout", "total_timeout")
    def _positive_seconds(self, proposal: Any) -> float:
        value = proposal["value"]
        if not value > 0:
            raise TraitError(
                f"OnceHubMagics.{proposal['trait'].name} must be a number of seconds above 0, "
                f"not {value}."
            )
        return value

    @validate("retries")
    def _sane_retries(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 0 <= value <= 10:
            raise TraitError(f"OnceHubMagics.retries must be between 0 and 10, not {value}.")
        return value

    @validate("base_url")
    def _secure_base_url(self, proposal: Any) -> str:
        value = proposal["value"]
        if not value:
            return value
        from oncehub_nb.errors import OnceHubError
        from oncehub_nb.urls import check_base_url

        try:
            return check_base_url(value)
        except OnceHubError as error:
            raise TraitError(str(error)) from None

    @validate("var")
    def _variable_name(self, proposal: Any) -> str:
        value = proposal["value"]
        if not value.isidentifier():
            raise TraitError(f"OnceHubMagics.var must be a variable name, not {value!r}.")
        return value

    @observe(
        "base_url",
        "timeout",
        "connect_timeout",
        "total_timeout",
        "retries",
        "var",
        "env_file",
        "rate_limit",
    )
    def _settings_changed(self, change: Any) -> None:
        if self._session is not None:
            self._push_settings()

    def _push_settings(self) -> None:
        assert self._session is not None
        self._session.configure(
            base_url=self.base_url or None,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            total_timeout=self.total_timeout,
            retries=self.retries,
            var=self.var,
            env_file=self.env_file or None,
            rate_limit=self.rate_limit,
        )

    # -- helpers ---------------------------------------------------------------------

    def _search(self, args: Any) -> KeySearch:
        from oncehub_nb.keys import locate_key

        search = locate_key(
            args.key,
            env_file=args.env_file or self.env_file or None,
            var=args.var or self.var,
        )
        for warning in search.warnings:
            print(f"Note: {warning}", file=sys.stderr)
        return search

    def _base_url(self, args: Any) -> str | None:
        from oncehub_nb.urls import check_base_url

        if not args.base_url:
            return None
        return check_base_url(args.base_url)

    @staticmethod
    def _warn_inline_key(args: Any) -> None:
        if args.key and not args.sandbox:
            print(INLINE_KEY_WARNING, file=sys.stderr)

    def _show_widget(self, message: str | None = None, base_url: str | None = None) -> None:
        from IPython.display import display

        from oncehub_nb.widget import AuthWidget

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
        from oncehub_nb.errors import OnceHubError
        from oncehub_nb.inline import display_now

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
        from oncehub_nb.keys import sandbox_key
        from oncehub_nb.prompt import NoInteractiveInput, ask_for_key, can_ask

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
            from oncehub_nb.urls import resolve_base_url

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
            raise NoInteractiveInput(var)
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
        from oncehub_nb.errors import OnceHubError
        from oncehub_nb.inline import display_now

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

    def _run_test(self, args: Any) -> Any:
        from oncehub_nb.errors import KeyNotFound
        from oncehub_nb.keys import sandbox_key

        base_url = self._base_url(args)
        if args.sandbox:
            return self.session.check(sandbox_key(args.key), self.session.sandbox_url())
        if args.key or args.env_file or args.var or base_url:
            search = self._search(args)
            if search.key is None:
                raise KeyNotFound(search.tried + search.warnings, var=args.var or self.var)
            from oncehub_nb.urls import resolve_base_url

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
