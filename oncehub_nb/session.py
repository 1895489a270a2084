"""The notebook session's key and client, shared by the magics, the widget and cell code.

After ``%oncehub_auth`` (or a validated widget login), ``oncehub_nb.client()``
returns the authenticated client, so cell code never handles the key. The session also
knows which profile the key came from and which account OnceHub confirmed (for the
header above results, and ``oncehub_nb.status()``), and keeps the history of the
requests its clients sent. One session per process: each kernel has its own.
Nothing here imports IPython, ipywidgets or httpx at import time.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from oncehub_nb.constants import DEFAULT_BASE_URL, DEFAULT_PROFILE
from oncehub_nb.errors import ARGUMENT_SOURCE, NoSessionKey
from oncehub_nb.http.history import History
from oncehub_nb.keys import ApiKey
from oncehub_nb.settings import Settings

if TYPE_CHECKING:
    from oncehub_nb.http.api_client import OnceHub
    from oncehub_nb.sandbox import Sandbox
    from oncehub_nb.validation import ValidationResult
    from oncehub_nb.webhooks.listener import Listener

__all__ = ["NoSessionKey", "Session", "client", "current", "sandbox_key"]

RECENT_IDS = 500
# The session's sandbox (``--sandbox``, ``--fallback-sandbox``) has enough bookings for the
# tutorials to page through a quarter; a ``Sandbox()`` of one's own stays small.
SESSION_SANDBOX_BOOKINGS = 400
SANDBOX_KEY_SOURCE = "the built-in sandbox (demo key)"


def sandbox_key(value: str | None = None) -> ApiKey:
    """The key for the built-in sandbox: the one given, else the sandbox's demo key."""
    if value:
        return ApiKey(value, source=ARGUMENT_SOURCE)
    from oncehub_nb.sandbox import DEMO_KEY

    return ApiKey(DEMO_KEY, source=SANDBOX_KEY_SOURCE)


class Session:
    """One key, one client and perhaps one sandbox, for the life of a kernel."""

    def __init__(self) -> None:
        self.settings = Settings()
        self.key: ApiKey | None = None
        self._client: OnceHub | None = None
        self.sandbox: Sandbox | None = None
        self.recent_ids: list[str] = []  # IDs from the latest results, newest first
        self.listener: Listener | None = None  # %oncehub_webhooks listen
        self.profile: str | None = None  # the profile the key came from
        self.profile_names: list[str] = []  # the profiles the user has (for the header)
        self.account: str | None = None  # the account OnceHub confirmed for the key
        self.confirmed_at: float | None = None  # when (seconds since the epoch)
        self.history = History()  # every request this session's clients sent
        self._lock = threading.RLock()

    def configure(self, settings: Settings | None = None, **changes: Any) -> None:
        """Replace the settings (or change some); the next client made uses them."""
        with self._lock:
            self.settings = replace(settings or self.settings, **changes)

    def remember_ids(self, ids: list[str]) -> None:
        """Keep IDs just seen, for Tab completion (newest first, at most RECENT_IDS)."""
        with self._lock:
            fresh = list(dict.fromkeys(ids))
            kept = [i for i in self.recent_ids if i not in set(fresh)]
            self.recent_ids = (fresh + kept)[:RECENT_IDS]

    # -- the sandbox -------------------------------------------------------------

    def sandbox_url(self) -> str:
        """Base URL of this session's sandbox, started on first use."""
        with self._lock:
            if self.sandbox is None:
                from oncehub_nb.sandbox import Sandbox

                self.sandbox = Sandbox(bookings=SESSION_SANDBOX_BOOKINGS).start()
            return self.sandbox.base_url

    # -- clients -------------------------------------------------------------------

    def make_client(self, key: ApiKey, base_url: str | None = None) -> OnceHub:
        """A new client for ``key`` with the session's settings (the caller closes it)."""
        from oncehub_nb.http.api_client import OnceHub

        return OnceHub(
            key,
            base_url=base_url or self.settings.base_url or None,
            history=self.history,
            **self.settings.client_options(),
        )

    def check(self, key: ApiKey, base_url: str | None = None) -> ValidationResult:
        """Validate ``key`` without touching the session."""
        from oncehub_nb.validation import check

        with self.make_client(key, base_url) as probe:
            return check(probe)

    def sign_in(
        self,
        key: ApiKey,
        base_url: str | None = None,
        *,
        validate: bool = True,
        profile: str | None = None,
    ) -> ValidationResult | None:
        """Validate ``key`` and, if OnceHub confirms it, make it the session's key
        (``profile``: the profile it came from).

        Any failure leaves the session as it was, and the result says so;
        ``validate=False`` keeps the key without asking OnceHub.
        """
        from oncehub_nb.sources.profiles import profile_names
        from oncehub_nb.validation import check

        new_client = self.make_client(key, base_url)
        result = check(new_client) if validate else None
        self.profile_names = profile_names()
        if result is not None:
            result = replace(
                result, header=self.header_for(profile, result.account, result.base_url)
            )
        if result is not None and not result.ok:
            new_client.close()
            kept = "the previous key is still in use" if self.signed_in else "no key is set"
            note = f"The session was not changed ({kept})."
            if result.undecided:  # only then can keeping the key unchecked help
                note += (
                    " OnceHub could not check the key just now: to keep it without a check, "
                    "use %oncehub_auth --no-validate."
                )
            return replace(result, notes=(*result.notes, note))
        with self._lock:
            old, self._client, self.key = self._client, new_client, key
            self.profile = profile
            self.account = result.account if result is not None else None
            self.confirmed_at = new_client.clock.time() if result is not None else None
        if old is not None:
            old.close()
        return result

    # -- where results come from -------------------------------------------------

    def header_for(
        self, profile: str | None, account: str | None, base_url: str | None
    ) -> str | None:
        """The one line above results naming profile and account, when it matters: the
        user has profiles besides the default one, or the calls do not go to OnceHub."""
        elsewhere = bool(base_url) and base_url != DEFAULT_BASE_URL
        others = [name for name in self.profile_names if name != DEFAULT_PROFILE]
        if not (elsewhere or others or profile not in (None, DEFAULT_PROFILE)):
            return None
        parts = [f"Profile {profile}" if profile else "No profile"]
        parts.append(f"account {account}" if account else "account not confirmed")
        if elsewhere:
            sandbox = self.sandbox is not None and base_url == self.sandbox.base_url
            parts.append(f"built-in sandbox {base_url}" if sandbox else str(base_url))
        return " · ".join(parts)

    def header(self) -> str | None:
        """The line above this session's results (None when it need not be shown)."""
        with self._lock:
            if not self.signed_in:
                return None
            return self.header_for(self.profile, self.account, self.base_url)

    def client(self) -> OnceHub:
        """The session's authenticated client; NoSessionKey before any sign-in."""
        with self._lock:
            if self._client is None or self._client.closed:
                raise NoSessionKey()
            return self._client

    @property
    def base_url(self) -> str | None:
        """Where the session's calls go: the signed-in client's URL, else the setting."""
        with self._lock:
            if self._client is not None and not self._client.closed:
                return self._client.base_url
            return self.settings.base_url or None

    @property
    def signed_in(self) -> bool:
        return self._client is not None and not self._client.closed

    def stop_listening(self) -> list[str]:
        """Delete the webhook subscription and close its inbox, if any; problems met."""
        with self._lock:
            listener, self.listener = self.listener, None
        return listener.stop() if listener is not None else []

    def forget(self) -> bool:
        """Drop the key, close the client and stop the sandbox; True if there was a key."""
        self.stop_listening()
        with self._lock:
            had_key = self.key is not None
            old_client, self._client, self.key = self._client, None, None
            self.profile = self.account = self.confirmed_at = None
            sandbox, self.sandbox = self.sandbox, None
        if old_client is not None:
            old_client.close()
        if sandbox is not None:
            sandbox.stop()
        return had_key

    def __repr__(self) -> str:
        state = f"key={self.key!r}" if self.key else "no key"
        profile = f", profile {self.profile!r}" if self.profile else ""
        return f"<oncehub_nb Session: {state}{profile}>"


_current = Session()


def current() -> Session:
    """The process's session."""
    return _current


def client() -> OnceHub:
    """The session's authenticated OnceHub client (after ``%oncehub_auth``).

    >>> oncehub_nb.client().get("/users", limit=5)   # doctest: +SKIP
    """
    return _current.client()
