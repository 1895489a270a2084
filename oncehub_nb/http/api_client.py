"""The OnceHub client: httpx underneath, the key in an ``API-Key`` header.

One connection pool; plain HTTP refused except to this machine; every call bounded
by ``total_timeout``: each connect and read is cut to the time left, a retry's
pause must end before the deadline, and a rate-limit wait longer than the time
left is reported at once (nothing sent) instead of waited out.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from oncehub_nb._version import __version__
from oncehub_nb.constants import ACCOUNT_LIMIT, ADDRESS_LIMIT, Limit
from oncehub_nb.errors import (
    ConfigError,
    KeyNotFound,
    OnceHubError,
    RateLimitError,
    TimeoutFailed,
    TransportError,
    UnexpectedResponse,
)
from oncehub_nb.http.auth import KEY_HEADER, APIKeyAuth
from oncehub_nb.http.clock import SYSTEM_CLOCK, Clock
from oncehub_nb.http.failures import slow_hint, transport_failure
from oncehub_nb.http.history import History
from oncehub_nb.http.logmask import watch
from oncehub_nb.http.ratelimit import Booking, RateLimiter, WouldWait, shared_limiter
from oncehub_nb.http.responses import api_error_from_response, readable_body
from oncehub_nb.http.retry import RetryPolicy, next_wait, retry_after_seconds
from oncehub_nb.keys import ApiKey
from oncehub_nb.settings import DEFAULTS, Settings
from oncehub_nb.sources.search import locate_key

__all__ = ["CallInfo", "OnceHub"]

log = logging.getLogger("oncehub_nb")


@dataclass(frozen=True)
class CallInfo:
    """What happened on the last call: for displays and for curiosity."""

    method: str
    path: str
    status_code: int | None
    request_id: str | None
    retries: int
    waited: float  # seconds spent waiting for the rate limits
    elapsed: float


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client (honouring SSL_CERT_FILE/SSL_CERT_DIR as
    httpx does): loading the CA bundle costs about 30 ms, once per process, not per client."""
    return httpx.create_ssl_context()


def _seconds(value: float) -> str:
    if value < 90:
        return f"{value:.1f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds} s"


class OnceHub:
    """An authenticated OnceHub API client (use it as a context manager, or close it).

    >>> with OnceHub(key) as client:         # doctest: +SKIP
    ...     client.get("/test")
    ...     client.get("/users", limit=5)
    """

    def __init__(
        self,
        key: ApiKey | str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = DEFAULTS.timeout,
        connect_timeout: float = DEFAULTS.connect_timeout,
        total_timeout: float = DEFAULTS.total_timeout,
        retries: int = DEFAULTS.retries,
        backoff: float = DEFAULTS.backoff,
        rate_limit: bool = DEFAULTS.rate_limit,
        account_limit: Limit = ACCOUNT_LIMIT,
        address_limit: Limit = ADDRESS_LIMIT,
        var: str = DEFAULTS.var,
        env_file: str | os.PathLike[str] | None = None,
        profile: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = SYSTEM_CLOCK,
        history: History | None = None,
    ) -> None:
        self.settings = Settings(
            timeout=timeout,
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            retries=retries,
            backoff=backoff,
            rate_limit=rate_limit,
            var=var,
        )
        search = locate_key(key, profile=profile, env_file=env_file, var=var)
        if search.key is None:
            raise KeyNotFound(search.tried + search.warnings, var=var)
        for warning in search.warnings:
            log.warning("%s", warning)
        if search.sandbox and not base_url:
            raise ConfigError(
                "The profile 'sandbox' is the local sandbox: give its base URL.",
                hint="with Sandbox() as box: OnceHub(profile='sandbox', base_url=box.base_url)",
            )
        self.key = search.key
        self.profile = search.profile  # the profile the key came from, if any
        # base URL: argument > the key's profile's > ONCEHUB_BASE_URL > its .env's > OnceHub's
        self.base_url = search.base_url(base_url)
        self.history = history  # where each call sent is recorded
        self.clock = clock
        self.retry = RetryPolicy(retries=self.settings.retries, backoff=self.settings.backoff)
        self.limiter: RateLimiter | None = (
            shared_limiter(
                urlsplit(self.base_url).netloc,
                self.key.reveal(),
                account_limit,
                address_limit,
                clock,
            )
            if rate_limit
            else None
        )
        self.last_call: CallInfo | None = None
        watch(self)  # DEBUG lines (httpx, httpcore, ours) show the key masked, echoed or not
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=APIKeyAuth(self.key),
            headers={"User-Agent": f"oncehub-nb/{__version__}", "Accept": "application/json"},
            timeout=httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout),
            transport=transport,
            verify=_tls_context(),
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
        profile = f", profile={self.profile!r}" if self.profile else ""
        return f"OnceHub(base_url={self.base_url!r}, key={self.key!r}{profile})"

    # -- requests ----------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> httpx.Response:
        """Send one API call (retrying GETs) and return the successful response.

        Raises APIError for error answers (RateLimitError, unsent, when staying under
        OnceHub's limits would take longer than the call may), TransportError when no
        answer came. Never takes longer than ``total_timeout`` in all, except that with
        ``on_wait`` (paging) a rate-limit wait of any length is first announced to it,
        then waited, and the call's time starts after it.
        """
        method = method.upper()
        relative = path.lstrip("/")
        url = f"{self.base_url}/{relative}"
        booking = self._wait_visibly(on_wait) if on_wait is not None else None
        waited = booking.wait if booking is not None else 0.0
        started = self.clock.monotonic()
        deadline = started + self.settings.total_timeout
        retries = 0
        while True:
            if retries or on_wait is None:
                booking = self._wait_for_limits(method, path, deadline, retries, waited)
                waited += booking.wait if booking is not None else 0.0
            response, outcome = self._attempt(method, relative, url, params, json_body, deadline)
            if booking is not None and self.limiter is not None:
                self.limiter.settle(booking, self.clock.monotonic())
            if response is not None and response.status_code < 400:
                break  # the usual case: nothing to decide
            retry_after = (
                retry_after_seconds(response.headers.get("Retry-After"), self.clock.time())
                if response is not None
                else None
            )
            pause = next_wait(
                self.retry,
                method=method,
                outcome=outcome,
                retries_done=retries,
                time_left=deadline - self.clock.monotonic(),
                retry_after=retry_after,
            )
            if pause is None:
                break
            log.debug("%s %s -> %s; retrying in %.2fs", method, path, _label(outcome), pause)
            self.clock.sleep(pause)  # the one place a retry waits
            retries += 1
        request_id = self._request_id(response)
        self.last_call = CallInfo(
            method,
            path,
            response.status_code if response is not None else None,
            request_id,
            retries,
            waited,
            self.clock.monotonic() - started,
        )
        if self.history is not None:
            self._record(params, json_body, outcome, started)
        if isinstance(outcome, OnceHubError):
            if isinstance(outcome, TransportError):
                outcome.retries = retries
            raise outcome
        log.debug(
            "%s %s -> %s (Request-Id %s, retries %d)", method, path, outcome, request_id, retries
        )
        assert response is not None
        if outcome >= 400:
            raise api_error_from_response(
                outcome,
                response.headers,
                self._scrub(response.text),
                scrub=self._scrub,
                retries=retries,
                waited=waited,
                key_source=self.key.source,
            )
        return self._masked(response)

    def _request_id(self, response: httpx.Response | None) -> str | None:
        """The answer's Request-Id, the key masked should a server echo it there."""
        value = response.headers.get("Request-Id") if response is not None else None
        return self._scrub(value) if value is not None else None

    def _masked(self, response: httpx.Response) -> httpx.Response:
        """The response as the caller gets it: its request's API-Key header masked (httpx
        masks only Authorization), and the key masked in any header that echoes it."""
        ascii_mask = self.key.masked_ascii  # header values are ASCII
        response.request.headers[KEY_HEADER] = ascii_mask
        pairs = response.headers.multi_items()
        scrubbed = [(name, self.key.scrub(value, ascii_mask)) for name, value in pairs]
        if scrubbed != pairs:
            response.headers = httpx.Headers(scrubbed)
        return response

    def _record(
        self,
        params: Mapping[str, Any] | None,
        json_body: Any,
        outcome: int | OnceHubError,
        started: float,
    ) -> None:
        """Add the call just made to the history (no headers: never the key)."""
        info = self.last_call
        assert self.history is not None and info is not None
        self.history.add(
            info.method,
            info.path,
            params,
            json_body,
            status_code=info.status_code,
            request_id=info.request_id,
            at=self.clock.time() - (self.clock.monotonic() - started),
            elapsed=info.elapsed,
            base_url=self.base_url,
            outcome=outcome.title if isinstance(outcome, OnceHubError) else "",
        )

    def _attempt(
        self,
        method: str,
        relative: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        deadline: float,
    ) -> tuple[httpx.Response | None, int | OnceHubError]:
        """One try: the response and its status, or no response and what went wrong."""
        time_left = deadline - self.clock.monotonic()
        if time_left <= 0:
            used = _seconds(self.settings.total_timeout)
            host = urlsplit(url).hostname
            return None, TimeoutFailed(
                f"No time left to call {host}: the call's {used} (total_timeout) were used up.",
                url=url,
                hint=slow_hint("total_timeout"),
            )
        try:
            response = self._http.request(
                method, relative, params=params, json=json_body, timeout=self._timeout(time_left)
            )
        except httpx.TransportError as exc:
            bounds = (
                ("timeout", self.settings.timeout),
                ("connect_timeout", self.settings.connect_timeout),
            )
            cut = [name for name, seconds in bounds if time_left < seconds]  # see _timeout
            return None, transport_failure(exc, url, cut=cut)
        return response, response.status_code

    def _timeout(self, time_left: float) -> httpx.Timeout:
        """The client's timeouts, each cut to the time the call has left."""
        timeout, connect = self.settings.timeout, self.settings.connect_timeout
        if time_left >= max(timeout, connect):
            return self._http.timeout  # nothing to cut
        return httpx.Timeout(min(timeout, time_left), connect=min(connect, time_left))

    def _wait_visibly(self, on_wait: Callable[[float], None]) -> Booking | None:
        """Book the next free slot however far away, tell ``on_wait``, then wait for it."""
        if self.limiter is None:
            return None
        booking = self.limiter.book(None)
        if booking.wait > 0:
            on_wait(booking.wait)
            self.clock.sleep(booking.wait)
        return booking

    def _wait_for_limits(
        self, method: str, path: str, deadline: float, retries: int, waited: float
    ) -> Booking | None:
        """Wait for a slot under OnceHub's limits, if that fits before the deadline."""
        if self.limiter is None:
            return None
        try:
            return self.limiter.acquire(max_wait=deadline - self.clock.monotonic())
        except WouldWait as refusal:
            self.last_call = CallInfo(method, path, None, None, retries, waited, 0.0)
            raise RateLimitError(
                f"Not sent: staying under OnceHub's limit of {refusal.limit} needs a "
                f"{_seconds(refusal.wait)} wait, more than the "
                f"{_seconds(max(0.0, deadline - self.clock.monotonic()))} this call has left "
                f"(total_timeout is {_seconds(self.settings.total_timeout)}).",
                status_code=None,
                retry_in=refusal.wait,
                limit=str(refusal.limit),
                retries=retries,
                waited=waited,
                key_source=self.key.source,
            ) from None

    def _scrub(self, text: str) -> str:
        """Server text with the key masked, should a server ever echo it (in any case,
        JSON-, HTML- or URL-escaped)."""
        return self.key.scrub(text)

    def json_of(self, response: httpx.Response) -> Any:
        """The response's JSON; UnexpectedResponse (key masked) when it is not JSON."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            info = self.last_call
            body = readable_body(
                self._scrub(response.text), response.headers.get("Content-Type", "")
            )
            raise UnexpectedResponse(
                f"HTTP {response.status_code} with a body that is not JSON.",
                status_code=response.status_code,
                request_id=self._request_id(response),
                retries=info.retries if info else 0,
                body_excerpt=self._scrub(body),  # an HTML page's entities, decoded
            ) from None

    def get(self, path: str, **params: Any) -> Any:
        """GET a path (e.g. ``"/users"``) and return its JSON."""
        return self.json_of(self.request("GET", path, params=params or None))

    def post(self, path: str, json_body: Any = None, **params: Any) -> Any:
        """POST JSON to a path and return the answer's JSON (POSTs are never retried)."""
        return self.json_of(self.request("POST", path, params=params or None, json_body=json_body))

    def patch(self, path: str, json_body: Any = None) -> Any:
        """PATCH JSON to a path and return the answer's JSON (never retried)."""
        return self.json_of(self.request("PATCH", path, json_body=json_body))

    def delete(self, path: str, **params: Any) -> Any:
        """DELETE a path and return the answer's JSON (None for an empty answer)."""
        response = self.request("DELETE", path, params=params or None)
        return self.json_of(response) if response.content else None

    def paginate(self, path: str, *, max_items: int | None = None, **params: Any) -> Iterator[Any]:
        """Yield every object of a list endpoint (or at most ``max_items``), page after page:
        ``limit`` is the page size (100 unless given). Waits under OnceHub's rate limits as
        long as needed. Holds one page at a time: what was yielded is the caller's to keep."""
        from oncehub_nb.http.paging import Listing

        listing = Listing.of_many(self, path, params, keep=False)
        for page in listing.pages_iter(max_items):
            yield from page


def _label(outcome: int | OnceHubError) -> str:
    return str(outcome) if isinstance(outcome, int) else outcome.title
