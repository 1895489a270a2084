"""Is this key valid? ``check(client)`` and ``validate()`` ask OnceHub; ``ValidationResult``
shows the answer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oncehub_nb.constants import API_KEY_VAR
from oncehub_nb.display.cards import (
    Row,
    call_rows,
    failure_rows,
    failure_title,
    html_card,
    text_card,
)
from oncehub_nb.display.once import TextView
from oncehub_nb.errors import (
    APIError,
    OnceHubError,
    RateLimitError,
    ServerError,
    TransportError,
    UnexpectedResponse,
    key_origin,
)
from oncehub_nb.keys import ApiKey

if TYPE_CHECKING:
    from oncehub_nb.http.api_client import OnceHub

__all__ = ["ValidationResult", "account_from_message", "check", "validate"]

_VALID_PREFIX = "valid for account:"


def account_from_message(message: str) -> str | None:
    """The account email at the tail of OnceHub's 'valid for account: …' message."""
    lowered = message.lower()
    at = lowered.rfind(_VALID_PREFIX)
    if at < 0:
        return None
    account = message[at + len(_VALID_PREFIX) :].strip().rstrip(".")
    return account or None


@dataclass(frozen=True)
class ValidationResult(TextView):
    """The answer to "is this key valid?": never holds the key, only its masked form."""

    ok: bool
    status_code: int | None
    message: str
    account: str | None = None
    request_id: str | None = None
    elapsed: float = 0.0
    key_source: str | None = None
    masked_key: str | None = None
    base_url: str | None = None
    retries: int = 0
    waited: float = 0.0
    error: OnceHubError | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    header: str | None = None  # the line above the card: profile and account, when it matters

    @classmethod
    def success(cls, client: OnceHub, body: Any, elapsed: float) -> ValidationResult:
        info = client.last_call
        message = body.get("message", "") if isinstance(body, dict) else ""
        message = client.key.scrub(message if isinstance(message, str) else str(message))
        return cls(
            ok=True,
            status_code=info.status_code if info else 200,
            message=message,
            account=account_from_message(message),
            request_id=info.request_id if info else None,
            elapsed=elapsed,
            key_source=client.key.source,
            masked_key=repr(client.key),
            base_url=client.base_url,
            retries=info.retries if info else 0,
            waited=info.waited if info else 0.0,
            notes=tuple(client.key.notes),
        )

    @classmethod
    def failure(
        cls,
        client: OnceHub | None,
        error: OnceHubError,
        elapsed: float = 0.0,
        *,
        base_url: str | None = None,
        key_source: str | None = None,
        masked_key: str | None = None,
    ) -> ValidationResult:
        """A failed validation; ``client`` may be None when none could be made."""
        info = client.last_call if client else None
        return cls(
            ok=False,
            status_code=getattr(error, "status_code", None),
            message=error.message,
            request_id=getattr(error, "request_id", None),
            elapsed=elapsed,
            key_source=client.key.source if client else key_source,
            masked_key=repr(client.key) if client else masked_key,
            base_url=client.base_url if client else base_url,
            retries=getattr(error, "retries", 0),
            waited=info.waited if info else 0.0,
            error=error,
            notes=tuple(client.key.notes) if client else (),
        )

    # -- what the error says ---------------------------------------------------------

    @property
    def error_type(self) -> str | None:
        return getattr(self.error, "error_type", None)

    @property
    def param(self) -> str | None:
        return getattr(self.error, "param", None)

    @property
    def hint(self) -> str | None:
        return self.error.hint if self.error else None

    @property
    def undecided(self) -> bool:
        """True when OnceHub could not judge the key: no answer, a fault on its side or on
        the way (5xx), or rate limits. A 401 or 403 is a decision."""
        error = self.error
        if isinstance(error, TransportError | ServerError | RateLimitError):
            return True
        return isinstance(error, UnexpectedResponse) and (error.status_code or 0) >= 500

    @property
    def title(self) -> str:
        if self.ok:
            return f"Key valid for {self.account or 'your OnceHub account'}"
        assert self.error is not None
        return failure_title(self.error, self.status_code)

    # -- display ---------------------------------------------------------------

    def rows(self) -> list[Row]:
        """Labelled lines shared by the text and HTML views."""
        key = f"{self.masked_key or '—'} {key_origin(self.key_source)}".rstrip()
        if not self.ok:
            assert self.error is not None
            return failure_rows(
                self.error,
                key=key if self.masked_key or self.key_source else None,
                base_url=self.base_url,
                retries=self.retries,
                waited=self.waited,
                elapsed=self.elapsed,
                notes=self.notes,
            )
        rows: list[Row] = [("Account", self.account or self.message), ("Key", key)]
        rows.extend(
            call_rows(self.base_url, self.retries, self.waited, self.elapsed, force_retries=False)
        )
        rows.extend(("Note", note) for note in self.notes)
        return rows

    def __str__(self) -> str:
        return text_card(self.title, self.ok, self.rows(), header=self.header)

    def _repr_html_(self) -> str:
        return html_card(self.title, self.ok, self.rows(), header=self.header)


def check(client: OnceHub) -> ValidationResult:
    """Validate ``client``'s key with ``GET /test``; failures come back as the result."""
    started = client.clock.monotonic()
    try:
        body = client.get("/test")
    except (APIError, TransportError) as error:
        return ValidationResult.failure(client, error, client.clock.monotonic() - started)
    return ValidationResult.success(client, body, client.clock.monotonic() - started)


def validate(
    key: ApiKey | str | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    base_url: str | None = None,
    profile: str | None = None,
    **client_options: Any,
) -> ValidationResult:
    """Find the key (argument > environment > the platform's secrets > the chosen profile
    > .env), call ``GET /test``, return the result.

    The base URL: ``base_url`` > the key's profile's > ONCEHUB_BASE_URL > the same .env
    file's > OnceHub's. ``client_options`` are OnceHub's (timeout, retries, backoff, …).

    Raises KeyProblem or ConfigError when there is no usable key or setting;
    answers from OnceHub, good or bad, come back as the result.
    """
    from oncehub_nb.http.api_client import OnceHub

    with OnceHub(
        key, env_file=env_file, var=var, base_url=base_url, profile=profile, **client_options
    ) as client:
        return check(client)
