"""Every error oncehub_nb raises, each with a one-line hint of what to do.

The tree::

    OnceHubError
    ├── KeyProblem (also ValueError)       the key itself, before any request
    │   ├── InvalidKeyInput                empty, line breaks, non-ASCII, too long…
    │   └── KeyNotFound                    no source had a key
    ├── ConfigError (also ValueError)      settings other than the key
    │   ├── DotenvError                    a .env file missing, unreadable or unusable
    │   └── InsecureURLError               http:// to a host that is not loopback
    ├── APIError                           OnceHub answered with an error
    │   ├── InvalidRequestError            400, 409, 422 (and other 4xx)
    │   │   └── NotFoundError              404
    │   ├── AuthenticationError            401: key rejected
    │   ├── PaymentRequired                402
    │   ├── PermissionDenied               403: plan without API access
    │   ├── RateLimitError                 429, after the retries
    │   ├── ServerError                    5xx with a OnceHub error body
    │   └── UnexpectedResponse             a body that is not OnceHub JSON (proxy page, empty…)
    └── TransportError                     no answer at all
        ├── ConnectionFailed               DNS, refused, connection dropped
        ├── TimeoutFailed                  no answer in time
        └── TLSFailed                      certificate or TLS handshake

No message, ``str`` or ``repr`` here ever contains an API key: keys are not
passed in, only their masked form and where they came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConfigError",
    "ConnectionFailed",
    "DotenvError",
    "ErrorBody",
    "InsecureURLError",
    "InvalidKeyInput",
    "InvalidRequestError",
    "KeyNotFound",
    "KeyProblem",
    "NotFoundError",
    "OnceHubError",
    "PaymentRequired",
    "PermissionDenied",
    "RateLimitError",
    "ServerError",
    "TLSFailed",
    "TimeoutFailed",
    "TransportError",
    "UnexpectedResponse",
    "api_error_from_response",
    "parse_error_body",
]

SUPPORT_HINT = "if it persists, contact OnceHub support and quote the Request-Id"


class OnceHubError(Exception):
    """Base of every oncehub_nb error: a message and a hint of what to do."""

    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    @property
    def title(self) -> str:
        """A short heading for displays, e.g. ``Key rejected``."""
        return type(self).__name__

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback: the error and what to do."""
        return [f"{type(self).__name__}: {self}"]


# --- the key -------------------------------------------------------------------


class KeyProblem(OnceHubError, ValueError):
    """Something is wrong with the key itself; no request was sent."""


class InvalidKeyInput(KeyProblem):
    """The key text cannot be a OnceHub key (empty, control characters, …)."""

    @property
    def title(self) -> str:
        return "Unusable API key"


class KeyNotFound(KeyProblem):
    """No key in any source; ``tried`` lists what was looked at."""

    def __init__(self, tried: list[str], *, var: str = "ONCEHUB_API_KEY") -> None:
        self.tried = list(tried)
        self.var = var
        where = "; ".join(self.tried) if self.tried else "no source was given"
        super().__init__(
            f"No OnceHub API key found ({where}).",
            hint=f"Set {var} in the environment or add {var}=<your key> to a .env file "
            "(see .env.example).",
        )

    @property
    def title(self) -> str:
        return "No API key"


# --- configuration -------------------------------------------------------------


class ConfigError(OnceHubError, ValueError):
    """A setting other than the key is unusable."""


class DotenvError(ConfigError):
    """A dotenv file is missing, unreadable, or does not hold a usable key."""

    def __init__(self, message: str, *, path: str, hint: str | None = None) -> None:
        self.path = path
        super().__init__(message, hint=hint)

    @property
    def title(self) -> str:
        return "Problem with the .env file"


class InsecureURLError(ConfigError):
    """A plain-http base URL for a host other than this machine."""

    default_hint = "Use https:// (OnceHub rejects plain HTTP); http:// is only for the sandbox."

    @property
    def title(self) -> str:
        return "Insecure base URL"


# --- OnceHub's answers ---------------------------------------------------------


@dataclass(frozen=True)
class ErrorBody:
    """OnceHub's error JSON: ``{"type": …, "message": …, "param": …}``."""

    type: str
    message: str
    param: str | None = None


def parse_error_body(text: str | bytes) -> ErrorBody | None:
    """Read OnceHub's error shape from a body; None when it is not that shape."""
    try:
        data: Any = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    error_type, message, param = data.get("type"), data.get("message"), data.get("param")
    if not isinstance(error_type, str) or not isinstance(message, str):
        return None
    if param is not None and not isinstance(param, str):
        param = str(param)
    return ErrorBody(type=error_type, message=message, param=param)


class APIError(OnceHubError):
    """OnceHub answered, with an error: status, type, message, param, Request-Id."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        retries: int = 0,
        waited: float = 0.0,
        key_source: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.param = param
        self.request_id = request_id
        self.retries = retries
        self.waited = waited
        self.key_source = key_source
        super().__init__(message, hint=self._make_hint() if hint is None else hint)

    def _make_hint(self) -> str:
        if self.param:
            return f"Check the parameter '{self.param}' and send the request again."
        return "Check the request against OnceHub's API reference."

    def __str__(self) -> str:
        head = f"{self.status_code} {self.error_type or 'error'}: {self.message}"
        if self.param:
            head += f" (param: {self.param})"
        if self.request_id:
            head += f" [Request-Id: {self.request_id}]"
        return f"{head} — {self.hint}" if self.hint else head

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"error_type={self.error_type!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class InvalidRequestError(APIError):
    """OnceHub refused the request's parameters (400, 409, 422, other 4xx)."""

    @property
    def title(self) -> str:
        return "Invalid request"


class NotFoundError(InvalidRequestError):
    """404: no such object or path."""

    @property
    def title(self) -> str:
        return "Not found"


class AuthenticationError(APIError):
    """401: OnceHub does not accept the key."""

    def _make_hint(self) -> str:
        source = f" (it came from {self.key_source})" if self.key_source else ""
        return (
            f"The key may be mistyped, or an admin regenerated or deleted it. Check the key"
            f"{source}, or create a new one in OnceHub's API settings."
        )

    @property
    def title(self) -> str:
        return "Key rejected"


class PaymentRequired(APIError):
    """402: the account's billing does not allow this request."""

    default_hint = "Check the account's billing status in OnceHub."

    def _make_hint(self) -> str:
        return self.default_hint

    @property
    def title(self) -> str:
        return "Payment required"


class PermissionDenied(APIError):
    """403: the key is valid but the plan has no API access."""

    def _make_hint(self) -> str:
        return (
            "The key is genuine, but the account's plan has no API access. "
            "Ask an account admin to upgrade to a plan that includes the API (Enterprise)."
        )

    @property
    def title(self) -> str:
        return "No API access"


class RateLimitError(APIError):
    """429: too many requests, still so after the retries."""

    def _make_hint(self) -> str:
        plural = "" if self.retries == 1 else "s"
        return (
            f"Retried {self.retries} time{plural}. OnceHub allows 5 requests per second "
            "per account and 200 per 5 minutes per IP address. Wait a minute, then try again."
        )

    @property
    def title(self) -> str:
        return "Rate limited"


class ServerError(APIError):
    """5xx with OnceHub's error body: a fault on OnceHub's side."""

    def _make_hint(self) -> str:
        return f"A fault on OnceHub's side: try again later; {SUPPORT_HINT}."

    @property
    def title(self) -> str:
        return "OnceHub server error"


class UnexpectedResponse(APIError):
    """The body is not OnceHub's JSON: a proxy's HTML page, empty, truncated."""

    def __init__(self, message: str, *, body_excerpt: str = "", **kwargs: Any) -> None:
        self.body_excerpt = body_excerpt
        super().__init__(message, **kwargs)

    def _make_hint(self) -> str:
        if self.status_code >= 500:
            return (
                "Something between you and OnceHub (a proxy or gateway) or OnceHub itself "
                f"failed: try again later; {SUPPORT_HINT}."
            )
        return (
            "This does not look like OnceHub's API. Check the base URL "
            "(https://api.oncehub.com/v2) and any proxy settings."
        )

    @property
    def title(self) -> str:
        return "Unexpected response"


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: PaymentRequired,
    403: PermissionDenied,
    404: NotFoundError,
    429: RateLimitError,
}


def api_error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    body: str | bytes,
    *,
    retries: int = 0,
    waited: float = 0.0,
    key_source: str | None = None,
) -> APIError:
    """Build the right APIError for an error response (status >= 400 or bad body)."""
    request_id = headers.get("Request-Id") or headers.get("request-id")
    common: dict[str, Any] = {
        "status_code": status_code,
        "request_id": request_id,
        "retries": retries,
        "waited": waited,
        "key_source": key_source,
    }
    parsed = parse_error_body(body)
    if parsed is None:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        excerpt = " ".join(text.split())[:200]
        what = "an empty body" if not text.strip() else "a body that is not OnceHub's JSON"
        return UnexpectedResponse(
            f"HTTP {status_code} with {what}.", body_excerpt=excerpt, **common
        )
    if status_code >= 500:
        cls: type[APIError] = ServerError
    else:
        cls = _BY_STATUS.get(status_code, InvalidRequestError)
    return cls(parsed.message, error_type=parsed.type, param=parsed.param, **common)


# --- no answer -----------------------------------------------------------------


class TransportError(OnceHubError):
    """No usable answer arrived: the request never completed."""

    def __init__(
        self, message: str, *, url: str = "", retries: int = 0, hint: str | None = None
    ) -> None:
        self.url = url
        self.retries = retries
        super().__init__(message, hint=hint)

    @property
    def title(self) -> str:
        return "No answer from OnceHub"


class ConnectionFailed(TransportError):
    """DNS lookup failed, connection refused or dropped."""

    default_hint = (
        "Check your network connection and the base URL; if you use a proxy, check its settings."
    )

    @property
    def title(self) -> str:
        return "Connection failed"


class TimeoutFailed(TransportError):
    """The server did not answer in time."""

    default_hint = (
        "OnceHub or the network is slow or unreachable: try again later, or raise the timeout."
    )

    @property
    def title(self) -> str:
        return "Timed out"


class TLSFailed(TransportError):
    """The TLS handshake or certificate check failed."""

    default_hint = (
        "A proxy or firewall may be intercepting HTTPS; check the system's certificates "
        "(SSL_CERT_FILE) or ask your network admin."
    )

    @property
    def title(self) -> str:
        return "TLS failure"
