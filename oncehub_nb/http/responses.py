"""Reading error answers: OnceHub's error JSON, or what a person would read in any other body."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from oncehub_nb.errors import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequired,
    PermissionDenied,
    RateLimitError,
    ServerError,
    UnexpectedResponse,
)

__all__ = ["ErrorBody", "api_error_from_response", "parse_error_body", "readable_body"]

EXCERPT_LENGTH = 200

_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: PaymentRequired,
    403: PermissionDenied,
    404: NotFoundError,
    429: RateLimitError,
}


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


class _PageText(HTMLParser):
    """Collects an HTML page's title and its visible text (scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "script" in self._open or "style" in self._open:
            return
        (self.title if "title" in self._open else self.text).append(data)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _looks_like_html(text: str, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    start = text.lstrip()[:20].lower()
    return start.startswith(("<!doctype html", "<html", "<head", "<body"))


def readable_body(body: str | bytes, content_type: str = "") -> str:
    """What a person would read in a body that is not OnceHub's JSON, kept short.

    An HTML page becomes its title (or first text) with "(HTML page)"; anything
    else becomes a whitespace-squeezed excerpt; an empty body becomes "".
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        return ""
    if _looks_like_html(text, content_type):
        page = _PageText()
        try:
            page.feed(text)
            page.close()
        except Exception:  # a broken page still deserves a plain excerpt
            page.title, page.text = [], [text]
        words = _squeeze(" ".join(page.title)) or _squeeze(" ".join(page.text))
        return f"{_shorten(words) or 'an empty page'} (HTML page)"
    return _shorten(_squeeze(text))


def _shorten(text: str) -> str:
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _same(text: str) -> str:
    return text


def api_error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    body: str | bytes,
    *,
    scrub: Callable[[str], str] = _same,
    **details: Any,
) -> APIError:
    """The right APIError for an error response; ``details`` are retries, waited, key_source.

    ``scrub`` masks the key in every piece of server text the error keeps (message, type,
    param, Request-Id, what a person reads of the body): a key echoed ``\\u``-escaped or
    in an HTML page's entities only shows once decoded, so it is applied after that.
    """
    found = headers.get("Request-Id") or headers.get("request-id")
    request_id = scrub(found) if found is not None else None
    parsed = parse_error_body(body)
    if parsed is None:
        readable = scrub(readable_body(body, headers.get("Content-Type", "")))
        what = "a body that is not OnceHub's JSON" if readable else "an empty body"
        return UnexpectedResponse(
            f"HTTP {status_code} with {what}.",
            status_code=status_code,
            request_id=request_id,
            body_excerpt=readable,
            **details,
        )
    cls = ServerError if status_code >= 500 else _BY_STATUS.get(status_code, InvalidRequestError)
    return cls(
        scrub(parsed.message),
        status_code=status_code,
        error_type=scrub(parsed.type),
        param=scrub(parsed.param) if parsed.param is not None else None,
        request_id=request_id,
        **details,
    )
