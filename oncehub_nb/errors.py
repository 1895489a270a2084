"""Every error oncehub_nb raises, each with a short title and a hint of what to do.

The tree::

    OnceHubError
    ├── KeyProblem (also ValueError)       the key itself, before any request
    │   ├── InvalidKeyInput                empty, line breaks, non-ASCII, too long…
    │   ├── KeyNotFound                    no source had a key
    │   ├── NoInteractiveInput             no key, and nobody can be asked (nbclient, papermill)
    │   └── NoSessionKey                   oncehub_nb.client() before any sign-in
    ├── ConfigError (also ValueError)      settings other than the key
    │   ├── DotenvError                    a .env file missing, unreadable or unusable
    │   └── InsecureURLError               http:// to a host that is not loopback
    ├── RequestProblem (also ValueError)   a call refused before sending: unknown path,
    │                                      method, parameter or value; a bad request item
    ├── WebhookSignatureError (ValueError) a webhook delivery that cannot be trusted
    │   ├── MalformedSignatureHeader       no Oncehub-Signature, or not t=…,s=…
    │   ├── TimestampOutsideTolerance      t= too old, or from the future
    │   └── SignatureMismatch              no s= matches the body and the secret
    ├── APIError                           OnceHub answered with an error
    │   ├── InvalidRequestError            400, 409, 422 (and other 4xx)
    │   │   └── NotFoundError              404
    │   ├── AuthenticationError            401: key rejected
    │   ├── PaymentRequired                402
    │   ├── PermissionDenied               403: plan without API access
    │   ├── RateLimitError                 429 after the retries, or not sent: the wait
    │   │                                  to stay under a limit exceeds the call's bound
    │   ├── ServerError                    5xx with a OnceHub error body
    │   └── UnexpectedResponse             a body that is not OnceHub JSON (proxy page, empty…)
    └── TransportError                     no answer at all
        ├── ConnectionFailed               DNS, refused, connection dropped
        ├── TimeoutFailed                  no answer in time
        └── TLSFailed                      certificate or TLS handshake

Each class has a ``title`` (a heading for displays) and a ``default_hint``, a
constant or, where the hint depends on the error's details, a property. No
message, ``str`` or ``repr`` here ever contains an API key: keys are not passed
in, only their masked form and where they came from.
"""

from __future__ import annotations

from typing import Any

from oncehub_nb.constants import ACCOUNT_LIMIT, ADDRESS_LIMIT, API_KEY_VAR, DEFAULT_BASE_URL
from oncehub_nb.escape import printable

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "ConnectionFailed",
    "DotenvError",
    "InsecureURLError",
    "InvalidKeyInput",
    "InvalidRequestError",
    "KeyNotFound",
    "KeyProblem",
    "MalformedSignatureHeader",
    "NoInteractiveInput",
    "NoSessionKey",
    "NotFoundError",
    "OnceHubError",
    "PaymentRequired",
    "PermissionDenied",
    "RateLimitError",
    "RequestProblem",
    "ServerError",
    "SignatureMismatch",
    "TLSFailed",
    "TimeoutFailed",
    "TimestampOutsideTolerance",
    "TransportError",
    "UnexpectedResponse",
    "WebhookSignatureError",
    "key_origin",
]

SUPPORT_HINT = "if it persists, contact OnceHub support and quote the Request-Id"
ARGUMENT_SOURCE = "argument"  # the source of a key given in the call itself
WHY_KEYS_ARE_REJECTED = (
    "Usually a typo, or an admin regenerated or deleted the key (a regenerated key stops "
    "working at once)."
)


def key_origin(source: str | None) -> str:
    """Where a key came from, as words to put after "the key": ``passed as an argument``,
    ``from .env at /work/.env``; empty when unknown."""
    if not source:
        return ""
    return "passed as an argument" if source == ARGUMENT_SOURCE else f"from {source}"


class OnceHubError(Exception):
    """Base of every oncehub_nb error: a message, a title and a hint of what to do."""

    title = "OnceHub error"
    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint

    def __str__(self) -> str:
        text = f"{self.message} {self.hint}".strip() if self.hint else self.message
        return printable(text, keep="\n")  # a server's words cannot command the terminal

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback: the error and what to do."""
        return [f"{type(self).__name__}: {self}"]


# --- the key -------------------------------------------------------------------


def _where_to_put_the_key(var: str, place: str = "a .env file") -> str:
    return f"Set {var} in the environment or add {var}=<your key> to {place} (see .env.example)."


class KeyProblem(OnceHubError, ValueError):
    """Something is wrong with the key itself; no request was sent."""

    title = "API key problem"


class InvalidKeyInput(KeyProblem):
    """The key text cannot be a OnceHub key (empty, control characters, …)."""

    title = "Unusable API key"


class KeyNotFound(KeyProblem):
    """No key in any source; ``tried`` lists what was looked at."""

    title = "No API key"

    def __init__(self, tried: list[str], *, var: str = API_KEY_VAR) -> None:
        self.tried = list(tried)
        self.var = var
        where = "; ".join(self.tried) if self.tried else "no source was given"
        super().__init__(f"No OnceHub API key found ({where}).", hint=_where_to_put_the_key(var))


class NoInteractiveInput(KeyProblem):
    """No key was found, and nobody can answer a prompt (nbclient, papermill, piped input)."""

    title = "No API key"

    def __init__(self, *, var: str = API_KEY_VAR) -> None:
        self.var = var
        super().__init__(
            "No OnceHub API key found, and this session cannot ask for one "
            "(no interactive input, e.g. nbclient, papermill or Run All).",
            hint=_where_to_put_the_key(var, "a .env file next to the notebook")
            + " Then run the cell again.",
        )


class NoSessionKey(KeyProblem):
    """Cell code asked for the session's client before any key was set."""

    title = "Not signed in"
    default_hint = "Run %oncehub_auth (after %load_ext oncehub_nb), or use oncehub_nb.AuthWidget()."

    def __init__(self) -> None:
        super().__init__("No OnceHub key in this session yet.")


# --- configuration -------------------------------------------------------------


class ConfigError(OnceHubError, ValueError):
    """A setting other than the key is unusable."""

    title = "Unusable setting"


class DotenvError(ConfigError):
    """A dotenv file is missing, unreadable, or does not hold a usable key."""

    title = "Problem with the .env file"

    def __init__(self, message: str, *, path: str, hint: str | None = None) -> None:
        self.path = path
        super().__init__(message, hint=hint)


class InsecureURLError(ConfigError):
    """A plain-http base URL for a host other than this machine."""

    title = "Insecure base URL"
    default_hint = "Use https:// (OnceHub rejects plain HTTP); http:// is only for the sandbox."


# --- calls checked before sending ------------------------------------------------


class RequestProblem(OnceHubError, ValueError):
    """A call that was not sent: it names a path, method, parameter or value OnceHub does
    not have, or a request item that cannot be read. Nothing went over the network."""

    title = "Not sent"
    default_hint = "Run %oncehub --endpoints to see what can be called."


# --- webhook deliveries ---------------------------------------------------------


class WebhookSignatureError(OnceHubError, ValueError):
    """A webhook delivery whose ``Oncehub-Signature`` does not prove it came from OnceHub.
    Messages never hold the signing secret."""

    title = "Webhook not verified"
    default_hint = "Do not act on this delivery."


class MalformedSignatureHeader(WebhookSignatureError):
    """The ``Oncehub-Signature`` header is missing or not ``t=<unix time>,s=<hex>``."""

    title = "Malformed signature header"


class TimestampOutsideTolerance(WebhookSignatureError):
    """The signed timestamp is older than the tolerance allows, or in the future."""

    title = "Timestamp outside tolerance"
    default_hint = "A replayed or delayed delivery: check the clocks, or raise the tolerance."


class SignatureMismatch(WebhookSignatureError):
    """No signature in the header matches the body and the subscription's secret."""

    title = "Signature does not match"
    default_hint = (
        "The body was changed, or it was signed with another secret: check that you use "
        "this subscription's secret and the raw body exactly as received."
    )


# --- OnceHub's answers ---------------------------------------------------------


class APIError(OnceHubError):
    """OnceHub answered with an error: status, type, message, param, Request-Id."""

    title = "API error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        error_type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        retries: int = 0,
        waited: float = 0.0,
        key_source: str | None = None,
        body_excerpt: str = "",
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.param = param
        self.request_id = request_id
        self.retries = retries
        self.waited = waited
        self.key_source = key_source
        self.body_excerpt = body_excerpt
        super().__init__(message, hint=hint)

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        if self.param:
            return f"Check the parameter '{self.param}' and send the request again."
        return "Check the request against OnceHub's API reference."

    def __str__(self) -> str:
        status = "not sent" if self.status_code is None else str(self.status_code)
        head = f"{status} {self.error_type or 'error'}: {self.message}"
        if self.param:
            head += f" (param: {self.param})"
        if self.request_id:
            head += f" [Request-Id: {self.request_id}]"
        return printable(f"{head} — {self.hint}" if self.hint else head, keep="\n")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"error_type={self.error_type!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class InvalidRequestError(APIError):
    """OnceHub refused the request's parameters (400, 409, 422, other 4xx)."""

    title = "Invalid request"

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        if self.status_code == 409:  # a conflict with the object as it is now
            return (
                "The object's current state (or another object) does not allow this: "
                "fetch it again to see where it stands, then decide."
            )
        return super().default_hint


class NotFoundError(InvalidRequestError):
    """404: no such object or path."""

    title = "Not found"

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        if self.param == "id":
            return (
                "Check the ID: list the objects to see which exist. The object may have been "
                "deleted, or belong to another account (another key)."
            )
        if self.param is None:
            return "Check the path and any ID in it (%oncehub --endpoints lists the paths)."
        return super().default_hint


class AuthenticationError(APIError):
    """401: OnceHub does not accept the key."""

    title = "Key rejected"

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        the_key = f"the key {key_origin(self.key_source)}".strip()
        return (
            f"{WHY_KEYS_ARE_REJECTED} Check {the_key}; if it was replaced, create a new key "
            "in OnceHub's API settings (it is shown only once) and use that one."
        )


class PaymentRequired(APIError):
    """402: the account's billing does not allow this request."""

    title = "Payment required"
    default_hint = "Check the account's billing status in OnceHub."


class PermissionDenied(APIError):
    """403: the key is valid but the plan has no API access."""

    title = "No API access"
    default_hint = (
        "The key is genuine, but the account's plan has no API access. "
        "Ask an account admin to upgrade to a plan that includes the API (Enterprise)."
    )


class RateLimitError(APIError):
    """Too many requests: OnceHub said 429 after the retries, or the call was not sent.

    When the client's own limiter would have had to wait longer than the call may
    take, nothing is sent: ``status_code`` is None, ``retry_in`` says how long the
    wait would be and ``limit`` which of OnceHub's limits it is.
    """

    title = "Rate limited"

    def __init__(
        self,
        message: str,
        *,
        retry_in: float | None = None,
        limit: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.retry_in = retry_in
        self.limit = limit
        super().__init__(message, **kwargs)

    @property
    def sent(self) -> bool:
        """False when the limiter refused to send the request at all."""
        return self.status_code is not None

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        if not self.sent:
            return (
                "Nothing was sent. Run it again later, or raise total_timeout to let the "
                "call wait its turn."
            )
        plural = "" if self.retries == 1 else "s"
        return (
            f"Retried {self.retries} time{plural}. OnceHub allows {ACCOUNT_LIMIT} and "
            f"{ADDRESS_LIMIT}. Wait a minute, then try again."
        )


class ServerError(APIError):
    """5xx with OnceHub's error body: a fault on OnceHub's side."""

    title = "OnceHub server error"
    default_hint = f"A fault on OnceHub's side: try again later; {SUPPORT_HINT}."


class UnexpectedResponse(APIError):
    """The body is not OnceHub's JSON: a proxy's HTML page, empty, truncated."""

    title = "Unexpected response"

    @property
    def default_hint(self) -> str:  # type: ignore[override]
        if self.status_code is not None and self.status_code >= 500:
            return (
                "Something between you and OnceHub (a proxy or gateway) or OnceHub itself "
                f"failed: try again later; {SUPPORT_HINT}."
            )
        return (
            "This does not look like OnceHub's API. Check the base URL "
            f"({DEFAULT_BASE_URL}) and any proxy settings."
        )


# --- no answer -----------------------------------------------------------------


class TransportError(OnceHubError):
    """No usable answer arrived: the request never completed."""

    title = "No answer from OnceHub"

    def __init__(
        self, message: str, *, url: str = "", retries: int = 0, hint: str | None = None
    ) -> None:
        self.url = url
        self.retries = retries
        super().__init__(message, hint=hint)


class ConnectionFailed(TransportError):
    """DNS lookup failed, connection refused or dropped."""

    title = "Connection failed"
    default_hint = (
        "Check your network connection and the base URL; if you use a proxy, check its settings."
    )


class TimeoutFailed(TransportError):
    """The server did not answer in time."""

    title = "Timed out"
    default_hint = (
        "OnceHub or the network is slow or unreachable: try again later, or raise the "
        "timeouts (timeout, connect_timeout, total_timeout)."
    )


class TLSFailed(TransportError):
    """The TLS handshake or certificate check failed."""

    title = "TLS failure"
    default_hint = (
        "A proxy or firewall may be intercepting HTTPS; check the system's certificates "
        "(SSL_CERT_FILE) or ask your network admin."
    )
