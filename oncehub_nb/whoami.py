"""Who am I? ``oncehub_nb.status()`` and ``%oncehub_auth --status``: the session's profile,
where its key came from (masked), the account OnceHub confirmed and when, the base URL,
and how many requests OnceHub's rate limits still allow from this process right now."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from oncehub_nb.display.cards import Row, html_card, text_card
from oncehub_nb.display.once import TextView
from oncehub_nb.session import Session, current

__all__ = ["Status", "status"]


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


@dataclass(frozen=True)
class Status(TextView):
    """The session's identity, as a card; never holds the key, only its masked form."""

    signed_in: bool
    profile: str | None = None
    key: str | None = None  # masked
    key_source: str | None = None
    account: str | None = None
    confirmed_at: float | None = None
    base_url: str | None = None
    rate_limits: tuple[str, ...] = ()  # "4 of 5 requests per second per account", …
    requests: int = 0
    profiles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        if not self.signed_in:
            return "Not signed in"
        return f"Signed in as {self.account}" if self.account else "Signed in (not confirmed)"

    def rows(self) -> list[Row]:
        """Labelled lines shared by the text and HTML views."""
        known = ", ".join(self.profiles) if self.profiles else "none"
        if not self.signed_in:
            return [
                ("Profiles", f"{known} (sandbox is built in)"),
                ("What to do", "Run %oncehub_auth (or %oncehub_auth --profile NAME)."),
            ]
        if self.account and self.confirmed_at is not None:
            account = f"{self.account}, confirmed {_when(self.confirmed_at)}"
        else:
            account = "not confirmed (kept with --no-validate): %oncehub_test checks it"
        return [
            ("Profile", self.profile or "none"),
            ("Key", f"{self.key} from {self.key_source}" if self.key_source else str(self.key)),
            ("Account", account),
            ("Base URL", self.base_url or "—"),
            ("Rate limits", " · ".join(self.rate_limits) or "—"),
            ("Requests", f"{self.requests} sent in this session (%oncehub --history)"),
            ("Profiles", f"{known} (sandbox is built in)"),
        ]

    def __str__(self) -> str:
        return text_card(self.title, self.signed_in, self.rows())

    def _repr_html_(self) -> str:
        return html_card(self.title, self.signed_in, self.rows())


def _rate_limits(session: Session) -> tuple[str, ...]:
    limiter = session.client().limiter
    if limiter is None:
        return ("not counted here (rate_limit is off)",)
    return tuple(
        f"{left} of {limit.max_requests} left ({limit})" for limit, left in limiter.budget()
    )


def status(session: Session | None = None) -> Status:
    """The session's profile, key (masked) and its source, account, base URL, and the
    requests OnceHub's rate limits still allow from this process now."""
    from oncehub_nb.sources.profiles import profile_names

    session = session or current()
    names = tuple(profile_names())
    if not session.signed_in or session.key is None:
        return Status(False, profiles=names)
    return Status(
        True,
        profile=session.profile,
        key=repr(session.key),
        key_source=session.key.source,
        account=session.account,
        confirmed_at=session.confirmed_at,
        base_url=session.base_url,
        rate_limits=_rate_limits(session),
        requests=len(session.history),
        profiles=names,
    )
