"""The magics (``%oncehub_auth``, ``%oncehub_test``, ``%oncehub``/``%%oncehub``,
``%oncehub_webhooks`` and ``%oncehub_sync``): their arguments and ``%config
OnceHubMagics`` settings.

What each does lives in its handler module (``auth.py``, ``call.py``, ``webhooks.py``,
``mirroring.py``),
loaded on the first call and given a :class:`MagicContext`: ``%load_ext``
imports only IPython's magic machinery, traitlets, ``settings`` (the traits are
made from it) and the leaf modules below it. Expected failures surface as one-line
``UsageError``s or as inline results, never as tracebacks.
"""

from __future__ import annotations

import sys
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument
from traitlets import Bool, Float, Int, TraitError, TraitType, Unicode, observe, validate

from oncehub_nb.ipython.arguments import (
    lazy_magic_arguments,
    parse_arguments,
    semicolon_outside,
    without_semicolon,
)
from oncehub_nb.ipython.usage import OnceHubUsageError
from oncehub_nb.settings import Settings, check_setting

if TYPE_CHECKING:
    from oncehub_nb.ipython.context import MagicContext
    from oncehub_nb.session import Session
    from oncehub_nb.validation import ValidationResult
    from oncehub_nb.whoami import Status

__all__ = ["OnceHubMagics", "OnceHubUsageError", "load", "unload"]

SETTING_NAMES = tuple(item.name for item in fields(Settings))
_TRAIT_KINDS: dict[type, type[TraitType]] = {bool: Bool, int: Int, float: Float, str: Unicode}


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
    displaylimit = _setting("displaylimit")
    mirror = _setting("mirror")
    secret_timeout = _setting("secret_timeout")

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

    def settings(self) -> Settings:
        """The current settings as one value."""
        return Settings(**{name: getattr(self, name) for name in SETTING_NAMES})

    def context(self) -> MagicContext:
        """What a handler may use: the shell, the session and the settings in force."""
        from oncehub_nb.ipython.context import MagicContext

        return MagicContext(self.shell, self.session, self.settings())

    @validate(*SETTING_NAMES)
    def _check_setting(self, proposal: Any) -> Any:
        name = proposal["trait"].name
        try:
            return check_setting(name, proposal["value"])
        except ValueError as error:  # ConfigError: what is wrong and what to give
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

    # -- %oncehub_auth ---------------------------------------------------------------

    @lazy_magic_arguments
    @argument(
        "key",
        nargs="?",
        help="The key itself. Discouraged: it stays in the input history and the notebook.",
    )
    @argument("--env-file", metavar="PATH", help="Read the key from this dotenv file.")
    @argument("--var", metavar="NAME", help="Variable holding the key (ONCEHUB_API_KEY).")
    @argument(
        "--profile",
        metavar="NAME",
        help="Use this profile's key and base URL (with --save: store the key as this profile).",
    )
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
    @argument(
        "--save",
        nargs="?",
        const="",
        metavar="PATH",
        help="Once OnceHub confirms the key, remember it in .env next to the notebook (or PATH).",
    )
    @argument("--gitignore", action="store_true", help="With --save: add that .env to .gitignore.")
    @argument(
        "--forget",
        action="store_true",
        help="Drop the key and close the client (with --save: also remove it from .env, "
        "or with --profile from the profiles file).",
    )
    @argument(
        "--status",
        action="store_true",
        help="Who am I: profile, key source, account, base URL, rate limits left.",
    )
    @line_magic
    def oncehub_auth(self, line: str = "") -> ValidationResult | Status | None:
        """Find your OnceHub API key, keep it for this session and validate it.

        Looks in order at: the argument, ONCEHUB_API_KEY (in Colab or Kaggle, then
        the platform's secret of that name), the chosen profile (--profile NAME, else
        ONCEHUB_PROFILE, else the profiles file's "default"), then .env from the
        notebook's folder upward. With no key found it shows a sign-in form in a
        notebook, asks with a hidden prompt in a terminal or where widgets cannot
        show, and fails at once where nobody can answer (nbclient, papermill).
        Returns OnceHub's answer, shown when the line is the cell's last.
        """
        from oncehub_nb.ipython import auth  # the package loads on first use

        return auth.sign_in(self.context(), parse_arguments(self.oncehub_auth, line))

    # -- %oncehub_test ---------------------------------------------------------------

    @lazy_magic_arguments
    @argument("key", nargs="?", help="Validate this key instead (it lands in the history).")
    @argument(
        "-q",
        "--quiet",
        action="store_true",
        help="Kept for older notebooks: the check prints nothing while it runs anyway.",
    )
    @argument("--env-file", metavar="PATH", help="Validate the key from this dotenv file.")
    @argument("--var", metavar="NAME", help="Variable holding the key.")
    @argument("--profile", metavar="NAME", help="Validate this profile's key.")
    @argument("--base-url", metavar="URL", help="API base URL for this check.")
    @argument(
        "--sandbox", action="store_true", help="Check against the built-in sandbox (demo key)."
    )
    @line_magic
    def oncehub_test(self, line: str = "") -> ValidationResult:
        """Validate the session's key (or one found with the options) with GET /test.

        ``r = %oncehub_test`` keeps the result: r.ok, r.account, r.status_code,
        r.request_id, r.error. The session is not changed.
        """
        from oncehub_nb.ipython import auth  # the package loads on first use

        return auth.check(self.context(), parse_arguments(self.oncehub_test, line))

    # -- %oncehub_webhooks ----------------------------------------------------------------

    @lazy_magic_arguments
    @argument(
        "action",
        nargs="?",
        default="status",
        choices=("listen", "stop", "status"),
        help="listen: subscribe a local inbox; stop: delete it; status (the default).",
    )
    @argument(
        "--events",
        nargs="+",
        metavar="TYPE",
        help="Event types to receive (default: all), e.g. booking.scheduled booking.canceled",
    )
    @argument(
        "--public-url",
        metavar="URL",
        help="For a real account: your tunnel's URL that forwards to the inbox.",
    )
    @argument("--name", metavar="NAME", help="The subscription's name (default: generated).")
    @line_magic
    def oncehub_webhooks(self, line: str = "") -> Any:
        """Receive OnceHub's webhooks in the notebook, each signature verified.

        ``listen`` starts an inbox on 127.0.0.1, subscribes it with POST /webhooks and
        shows each delivery as it arrives (time, event, booking, status, verified or why
        not); the inbox is returned (``inbox.events``). OnceHub cannot reach 127.0.0.1:
        with a real account, run a tunnel and give --public-url. ``stop`` deletes the
        subscription and closes the inbox (so do %oncehub_auth --forget and kernel exit).
        """
        from oncehub_nb.ipython import webhooks  # the package loads on first use

        return webhooks.run(self.context(), parse_arguments(self.oncehub_webhooks, line))

    # -- %oncehub_sync ----------------------------------------------------------------------

    @lazy_magic_arguments
    @argument(
        "streams",
        nargs="*",
        metavar="STREAM",
        help="bookings, contacts, users, teams, event-types, booking-pages, master-pages, "
        "booking-calendars, webhooks (default: all)",
    )
    @argument(
        "--to",
        metavar="DEST",
        help="a dlt destination (postgres, bigquery, filesystem, …) configured as dlt does; "
        "default: the DuckDB file",
    )
    @argument(
        "--full",
        action="store_true",
        help="read bookings and contacts whole, and remove what OnceHub no longer has",
    )
    @argument(
        "--sweep",
        action="store_true",
        help="read contacts whole and remove those deleted in OnceHub",
    )
    @argument("--path", metavar="PATH", help="the DuckDB file (default: the mirror setting)")
    @argument("-q", "--quiet", action="store_true", help="no progress line")
    @line_magic
    def oncehub_sync(self, line: str = "") -> Any:
        """Mirror the account into a DuckDB file next to the notebook (oncehub.duckdb).

        Bookings and contacts are read incrementally (from the date of the newest change
        held, minus a day: OnceHub compares dates) and merged on id; the other streams
        are replaced whole. Returns the mirror: m.sql("select …") gives a DataFrame,
        m.df("bookings") a table, m.tables the names. Ctrl-C keeps what was loaded; the
        next sync resumes.
        """
        from oncehub_nb.ipython import mirroring  # the package loads on first use

        return mirroring.run(self.context(), parse_arguments(self.oncehub_sync, line))

    # -- %oncehub ------------------------------------------------------------------------

    @no_var_expand  # {name} and $name are ours to expand: JSON items hold braces
    @line_cell_magic
    def oncehub(self, line: str = "", cell: str | None = None) -> Any:
        """Call any OnceHub endpoint and show the answer as a table or a field view.

        ::

          %oncehub [METHOD] PATH [ITEM ...] [OPTIONS]
          %%oncehub POST|PATCH PATH [ITEM ...]   (the cell: a JSON object, the body)

        METHOD is GET (the default), POST, PATCH or DELETE; writes always name it.
        PATH: bookings, /bookings, /v2/bookings, bookings/BKNG-123. {name} and $name
        are replaced by variables of the notebook ($$ and {{ }} for the characters).

        Request items (as HTTPie writes them):
          name==value   a query parameter, always
          name=value    a query parameter on GET and DELETE; a JSON string on POST/PATCH
          name:=json    a raw JSON field: count:=3, tags:='["a","b"]', body:=$payload

        Options:
          --all          follow OnceHub's cursor to the end (100 a page unless limit==N)
          --max-items N  at most N objects in all (limit==N stays the page size)
          -o NAME        store the result in the variable NAME (r = %oncehub ... works too)
          --dry-run      print the request instead of sending it (the key hidden), and
                         what OnceHub would refuse in it, if anything
          --curl         print an equivalent curl command reading $ONCEHUB_API_KEY
          --python       print an equivalent httpx program reading $ONCEHUB_API_KEY
          -q, --quiet    no progress line while it runs
          --endpoints    a table of every endpoint that can be called
          --history      this session's requests (no key, no secrets), numbered
          --replay N     send request N of --history again

        The result is shown as IPython shows any value: when the line is the cell's
        last, not when it is assigned (r = %oncehub ...) or ends with ;.

        Lists show at most displaylimit rows (%config OnceHubMagics.displaylimit = 50);
        the result has .data, .raw, .status_code, .request_id, .df(), .to_csv(path),
        .more() to fetch the next page from where it stopped, and .request (its
        .curl() and .python() make the same request elsewhere). Long fetches show a
        progress line and wait under OnceHub's rate limits; Ctrl-C keeps what came.
        Calls the catalog does not know are refused before anything is sent.

        Examples::

          %oncehub bookings status==scheduled limit==20
          %oncehub bookings/{booking_id} expand==event_type
          r = %oncehub bookings --all
          %oncehub POST contacts email=ann@example.com first_name=Ann last_name=Lee
          %oncehub PATCH contacts/CTC-123 city=Lyon
          %oncehub DELETE webhooks/WHK-123
        """
        from oncehub_nb.ipython import call  # the package loads on first use

        return call.run(self.context(), without_semicolon(line), cell)


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
    _install_completion(shell)
    transformers = getattr(shell, "input_transformers_post", None)
    if transformers is not None and semicolon_outside not in transformers:
        transformers.append(semicolon_outside)


def _recent_ids(prefix: str) -> list[str]:
    """IDs with this prefix (``BKNG``) from the session's latest results, for completion."""
    from oncehub_nb.session import current

    return [i for i in current().recent_ids if i.startswith(f"{prefix}-")]


def _install_completion(shell: Any) -> None:
    from oncehub_nb.ipython.completing import install

    install(shell, _recent_ids)


def unload(shell: Any) -> None:
    """Unregister the magics; the session's key stays (``--forget`` drops it)."""
    for configurable in list(getattr(shell, "configurables", [])):
        if isinstance(configurable, OnceHubMagics):
            for kind, names in configurable.magics.items():
                for name in names:
                    shell.magics_manager.magics[kind].pop(name, None)
    _drop_from_configurables(shell)
    shell.magics_manager.registry.pop("OnceHubMagics", None)
    transformers = getattr(shell, "input_transformers_post", [])
    while semicolon_outside in transformers:
        transformers.remove(semicolon_outside)
    from oncehub_nb.ipython.completing import uninstall

    uninstall(shell)
