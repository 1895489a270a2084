"""The OnceHub client: httpx underneath, the key in an ``API-Key`` header.

It keeps one connection pool, refuses plain HTTP except to this machine,
retries GETs on 429/5xx/connection errors with jittered exponential backoff
(honouring ``Retry-After``), stays under OnceHub's rate limits by waiting, and
turns every failure into an error from :mod:`oncehub_nb.errors`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import ssl
import time
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from oncehub_nb._version import __version__
from oncehub_nb.errors import (
    APIError,
    ConnectionFailed,
    KeyNotFound,
    TimeoutFailed,
    TLSFailed,
    TransportError,
    UnexpectedResponse,
    api_error_from_response,
)
from oncehub_nb.keys import DEFAULT_VAR, ApiKey, locate_key
from oncehub_nb.ratelimit import ACCOUNT_LIMIT, ADDRESS_LIMIT, Limit, RateLimiter, shared_limiter
from oncehub_nb.urls import resolve_base_url

if TYPE_CHECKING:
    from oncehub_nb.results import ValidationResult

__all__ = [
    "APIKeyAuth",
    "CallInfo",
    "OnceHub",
    "RetryPolicy",
    "redact_headers",
]

KEY_HEADER = "API-Key"
log = logging.getLogger("oncehub_nb")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` safe to show (httpx itself masks only ``Authorization``)."""
    return {
        name: ("[redacted]" if name.lower() in {"api-key", "authorization"} else value)
        for name, value in headers.items()
    }


class APIKeyAuth(httpx.Auth):
    """httpx auth that sets the ``API-Key`` header; its repr shows only the masked key."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[KEY_HEADER] = self._key.reveal()
        yield request

    def __repr__(self) -> str:
        return f"APIKeyAuth({self._key!r})"


@dataclass(frozen=True)
class RetryPolicy:
    """How GETs are retried: bounded, exponential backoff with full jitter."""

    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class CallInfo:
    """What happened on the last call: for displays and for curiosity."""

    method: str
    path: str
    status_code: int | None
    request_id: str | None
    retries: int
    waited: float
    elapsed: float


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_DNS_FAILURE_WORDS = ("name or service", "nodename", "name resolution", "getaddrinfo")


def _transport_error(exc: httpx.TransportError, url: str, retries: int) -> TransportError:
    """Our error for an httpx transport failure, in words a user can act on."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.TimeoutException):
        kind = "connecting to" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
        return TimeoutFailed(f"Timed out {kind} {host}.", url=url, retries=retries)
    text = str(exc)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError) or "SSL" in text or "CERTIFICATE" in text.upper():
        return TLSFailed(f"TLS failed with {host}: {text}", url=url, retries=retries)
    if isinstance(exc, httpx.RemoteProtocolError):
        return ConnectionFailed(
            f"{host} closed the connection without answering.", url=url, retries=retries
        )
    lowered = text.lower()
    if any(s in lowered for s in ("name or service", "nodename", "name resolution", "getaddrinfo")):
        return ConnectionFailed(
            f"Could not resolve the host name {host}.", url=url, retries=retries
        )
    if "refused" in lowered:
        return ConnectionFailed(f"Connection to {host} was refused.", url=url, retries=retries)
    return ConnectionFailed(f"Connection to {host} failed: {text}", url=url, retries=retries)


class OnceHub:
    """An authenticated OnceHub API client (use it as a context manager, or close it).

    >>> with OnceHub(key) as client:         # doctest: +SKIP
    ...     client.test().ok
    ...     client.get("/users", limit=5)
    """

    def __init__(
        self,
        key: ApiKey | str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        total_timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        rate_limit: bool = True,
        account_limit: Limit = ACCOUNT_LIMIT,
        address_limit: Limit = ADDRESS_LIMIT,
        var: str = DEFAULT_VAR,
        env_file: str | os.PathLike[str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        search = locate_key(key, env_file=env_file, var=var)
        if search.key is None:
            raise KeyNotFound(search.tried + search.warnings, var=var)
        self.key = search.key
        # base URL: argument > ONCEHUB_BASE_URL > the key's .env file > OnceHub's
        self.base_url = resolve_base_url(base_url, search.dotenv_base_url)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.retry = RetryPolicy(retries=retries, backoff=backoff)
        host = urlsplit(self.base_url).netloc
        self.limiter: RateLimiter | None = (
            shared_limiter(host, self.key.reveal(), account_limit, address_limit)
            if rate_limit
            else None
        )
        self.last_call: CallInfo | None = None
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=APIKeyAuth(self.key),
            headers={"User-Agent": f"oncehub-nb/{__version__}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> OnceHub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OnceHub(base_url={self.base_url!r}, key={self.key!r})"

    # -- requests ----------------------------------------------------------------

    def _url(self, path: str) -> str:
        return path.lstrip("/")

    def _send_once(
        self, method: str, path: str, params: Any, json_body: Any, deadline: float
    ) -> httpx.Response:
        remaining = max(0.05, deadline - time.monotonic())
        timeout = httpx.Timeout(
            min(self.timeout, remaining), connect=min(self.connect_timeout, remaining)
        )
        return self._http.request(
            method, self._url(path), params=params, json=json_body, timeout=timeout
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> httpx.Response:
        """Send one API call (retrying GETs) and return the successful response.

        Raises APIError for error answers and TransportError when none came.
        """
        method = method.upper()
        started = time.perf_counter()
        deadline = time.monotonic() + self.total_timeout
        retries, waited = 0, 0.0
        max_retries = self.retry.retries if method == "GET" else 0
        url = f"{self.base_url}/{self._url(path)}"
        while True:
            if self.limiter is not None:
                waited += self.limiter.acquire()
            try:
                response = self._send_once(method, path, params, json_body, deadline)
            except httpx.TransportError as exc:
                error = _transport_error(exc, url, retries)
                pause = self.retry.delay(retries + 1)
                if retries < max_retries and time.monotonic() + pause < deadline:
                    log.debug("%s %s: %s; retrying in %.2fs", method, path, error.title, pause)
                    retries += 1
                    time.sleep(pause)
                    continue
                self._record(method, path, None, None, retries, waited, started)
                raise error from None
            status = response.status_code
            if status in self.retry.retry_statuses and retries < max_retries:
                pause = self.retry.delay(retries + 1, _retry_after(response))
                if time.monotonic() + pause < deadline:
                    log.debug("%s %s -> %s; retrying in %.2fs", method, path, status, pause)
                    retries += 1
                    time.sleep(pause)
                    continue
            request_id = response.headers.get("Request-Id")
            self._record(method, path, status, request_id, retries, waited, started)
            log.debug(
                "%s %s -> %s (Request-Id %s, retries %d)", method, path, status, request_id, retries
            )
            if status >= 400:
                raise api_error_from_response(
                    status,
                    response.headers,
                    self._scrub(response.text),
                    retries=retries,
                    waited=waited,
                    key_source=self.key.source,
                )
            return response

    def _record(
        self,
        method: str,
        path: str,
        status: int | None,
        request_id: str | None,
        retries: int,
        waited: float,
        started: float,
    ) -> None:
        elapsed = time.perf_counter() - started
        self.last_call = CallInfo(method, path, status, request_id, retries, waited, elapsed)

    def _scrub(self, text: str) -> str:
        """Server text with the key masked, should a server ever echo it."""
        secret = self.key.reveal()
        return text.replace(secret, self.key.masked) if secret in text else text

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            info = self.last_call
            raise UnexpectedResponse(
                f"HTTP {response.status_code} with a body that is not JSON.",
                status_code=response.status_code,
                request_id=response.headers.get("Request-Id"),
                retries=info.retries if info else 0,
                body_excerpt=" ".join(self._scrub(response.text).split())[:200],
            ) from None

    def get(self, path: str, **params: Any) -> Any:
        """GET a path (e.g. ``"/users"``) and return its JSON."""
        return self._json(self.request("GET", path, params=params or None))

    def post(self, path: str, json_body: Any = None, **params: Any) -> Any:
        """POST JSON to a path and return the answer's JSON (POSTs are never retried)."""
        return self._json(self.request("POST", path, params=params or None, json_body=json_body))

    def paginate(self, path: str, **params: Any) -> Iterator[Any]:
        """Yield every object of a list endpoint, following ``has_more`` page by page."""
        while True:
            page = self.get(path, **params)
            data = page.get("data", []) if isinstance(page, dict) else []
            yield from data
            if not (isinstance(page, dict) and page.get("has_more")) or not data:
                return
            last_id = data[-1].get("id") if isinstance(data[-1], dict) else None
            if not last_id:
                return
            params = {**params, "after": last_id}
            params.pop("before", None)

    # -- validation --------------------------------------------------------------

    def test(self) -> ValidationResult:
        """Validate the key with ``GET /test``; failures come back as a result, not raised."""
        from oncehub_nb.results import ValidationResult

        started = time.perf_counter()
        try:
            body = self.get("/test")
        except (APIError, TransportError) as error:
            return ValidationResult.failure(self, error, time.perf_counter() - started)
        return ValidationResult.success(self, body, time.perf_counter() - started)
