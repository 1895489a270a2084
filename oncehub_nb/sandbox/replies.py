"""Responses the sandbox can give: the reply type, error bodies and the special keys."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from .records import Lazy

DEMO_KEY = "sandbox-demo-key"
DEMO_ACCOUNT = "demo@example.com"

FAULT_KEYS: dict[str, str] = {
    "sandbox-forbidden": "403: the account's plan does not include API access",
    "sandbox-ratelimited": "429: every request is over the rate limit",
    "sandbox-server-error": "500: an internal error on OnceHub's side",
    "sandbox-bad-gateway": "502: an HTML error page from a proxy instead of JSON",
    "sandbox-slow": "answers like the demo key, but only after a long wait",
    "sandbox-drop": "closes the connection without sending any response",
}

JSON_TYPE = "application/json"
BAD_GATEWAY_HTML = (
    b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
)


@dataclass
class Reply:
    """A complete HTTP response, minus the headers every response gets."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)


def new_request_id() -> str:
    """Return a fresh random id like ``req_1a2b3c4d5e6f7a8b``."""
    return "req_" + secrets.token_hex(8)


def json_reply(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    """Serialize ``payload`` as the JSON body of a reply (Lazy records rendered)."""
    body = json.dumps(payload, separators=(",", ":"), default=_rendered).encode()
    return Reply(status, body, headers=list(headers or []))


def _rendered(value: Any) -> Any:
    if isinstance(value, Lazy):
        return value.render()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def error_reply(
    status: int,
    error_type: str,
    message: str,
    param: str | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Reply:
    """Build an error in OnceHub's shape: ``{"type", "message"[, "param"]}``."""
    payload = {"type": error_type, "message": message}
    if param is not None:
        payload["param"] = param
    return json_reply(status, payload, headers)


def unauthorized() -> Reply:
    """401 for a missing or unknown API key."""
    return error_reply(401, "authentication_error", "Invalid API key.")


def rate_limited(retry_after: float | None) -> Reply:
    """429, with a ``Retry-After`` header when ``retry_after`` is set."""
    headers = [] if retry_after is None else [("Retry-After", f"{retry_after:g}")]
    return error_reply(429, "rate_limit_error", "Request rate limit exceeded", headers=headers)


def unrecognized(method: str, path: str) -> Reply:
    """404 for a URL the API does not know."""
    return error_reply(
        404, "invalid_request_error", f"Unrecognized request URL ({method}: {path})."
    )


def fault_reply(key: str) -> Reply | None:
    """The fixed reply for a fault key that always answers the same way, else None."""
    if key == "sandbox-forbidden":
        return error_reply(
            403,
            "authentication_error",
            "Your account plan does not support API access. "
            "To use the OnceHub API, you must upgrade to the Enterprise plan.",
        )
    if key == "sandbox-server-error":
        return error_reply(
            500, "api_error", "Something went wrong on our side. Please try again later."
        )
    if key == "sandbox-bad-gateway":
        return Reply(502, BAD_GATEWAY_HTML, content_type="text/html")
    return None
