"""A live inbox for OnceHub's webhook deliveries, inside the notebook's own process.

``inbox = WebhookInbox(secret)`` listens on 127.0.0.1 (a free port: ``inbox.url``),
checks each POST's ``Oncehub-Signature`` with the subscription's secret, keeps every
delivery in ``inbox.events`` (verified or not, and why not) and, in a Jupyter kernel,
shows them in a table that grows in place. The answers::

    200 verified        400 malformed header, bad Content-Length, or not a JSON object
    401 bad signature   401 timestamp outside the tolerance     405 not a POST
    409 a replay        411 no Content-Length     413 over max_body
    503 no secret yet (set ``inbox.secret``; OnceHub may deliver again)

A replay is a delivery whose signature was already accepted; a retry that OnceHub signs
anew is not one. Secrets are kept as :class:`SigningSecret` and never shown.

What an inbox holds is bounded (:class:`~oncehub_nb.webhooks.limits.InboxLimits`): a verified
delivery is kept whole; a refused one only as a small record (when, why, its sizes and
path; never its body or headers), since anyone can send them; at most ``max_events``
deliveries are kept, the oldest going first (the view counts them).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from oncehub_nb.display.live import LiveTable, in_kernel
from oncehub_nb.display.once import TextView
from oncehub_nb.errors import ConfigError, MalformedSignatureHeader, WebhookSignatureError
from oncehub_nb.http.clock import SYSTEM_CLOCK, Clock
from oncehub_nb.settings import DEFAULTS

from .events import WebhookEvent, events_html, events_text
from .limits import INBOX_LIMITS, InboxLimits
from .server import Headers, InboxServer
from .signatures import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    SecretLike,
    SigningSecret,
    as_secret,
    as_secrets,
    verified_signature,
)

__all__ = ["MAX_BODY", "WebhookInbox"]

MAX_BODY = INBOX_LIMITS.max_body  # bytes; OnceHub's events are a few kilobytes
MAX_KEPT_TEXT = 200  # characters of a refused delivery's path (and reason) kept
POLL_INTERVAL = 0.1  # seconds the server's loop takes to notice close()
NO_SECRET = "No signing secret yet: set inbox.secret to the subscription's secret."


def _size(pairs: Headers) -> int:
    """Bytes the headers took on the wire (name, ": ", value, CRLF)."""
    return sum(len(name) + len(value) + 4 for name, value in pairs)


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _signature_header(pairs: Headers) -> str | None:
    wanted = SIGNATURE_HEADER.lower()
    values = [value for name, value in pairs if name.lower() == wanted]
    if len(values) > 1:
        raise MalformedSignatureHeader(f"The delivery has more than one {SIGNATURE_HEADER}.")
    return values[0] if values else None


class WebhookInbox(TextView):
    """Receive webhook deliveries on this machine, verify them, keep and show them.

    ``secret``: the subscription's signing secret (str or SigningSecret), or several, or
    None to set it later (``inbox.secret = …``, ``add_secret``). ``tolerance``: seconds a
    signature's timestamp may be off (None: no check). ``limits``: events kept, body and
    header sizes, time per request, idle time, connections at once (InboxLimits);
    ``max_body`` overrides its body size. ``display``: in a Jupyter kernel, displaying the
    inbox (a cell's last line, ``display(inbox)``) shows a table that fills in as
    deliveries arrive. ``clock``: where ``time()`` and ``monotonic()`` come from (tests).
    Close it with :meth:`close` or ``with``.
    """

    def __init__(
        self,
        secret: SecretLike | Iterable[SecretLike] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tolerance: float | None = DEFAULT_TOLERANCE,
        max_body: int | None = None,
        limits: InboxLimits | None = None,
        display: bool = True,
        clock: Clock | None = None,
    ) -> None:
        if tolerance is not None and not tolerance >= 0:
            raise ConfigError(f"tolerance is a number of seconds, 0 or more, not {tolerance!r}.")
        limits = limits if limits is not None else INBOX_LIMITS
        self.limits = limits if max_body is None else replace(limits, max_body=max_body)
        self._secrets = () if secret is None else as_secrets(secret)
        self.tolerance = tolerance
        self._clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        self._changed = threading.Condition()
        self._events: deque[WebhookEvent] = deque()
        self._dropped = 0  # the oldest deliveries let go, past limits.max_events
        self._received = 0  # deliveries recorded since the start (or clear())
        self._seen: dict[str, tuple[int, datetime]] = {}  # accepted signature -> (t, arrival)
        self._prune_at = 1024
        self._closed = False
        try:
            self._server = InboxServer(host, port, self, self.limits, self._clock)
        except (OSError, OverflowError) as error:
            why = getattr(error, "strerror", "") or error
            raise ConfigError(
                f"Cannot listen on {host} port {port}: {why}.",
                hint="Use another port, or port=0 for a free one.",
            ) from None
        self.host, self.port = host, int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="oncehub-webhooks-inbox",
            daemon=True,
        )
        self._thread.start()
        self._live: LiveTable | None = LiveTable(self._bundle) if display else None

    # -- secrets ------------------------------------------------------------------------

    @property
    def secret(self) -> SigningSecret | None:
        """The newest signing secret (masked when shown); setting it replaces them all."""
        return self._secrets[-1] if self._secrets else None

    @secret.setter
    def secret(self, value: SecretLike | None) -> None:
        replacement = () if value is None else (as_secret(value),)
        with self._changed:
            self._secrets = replacement
        self._show()

    @property
    def secrets(self) -> tuple[SigningSecret, ...]:
        """Every secret a delivery may be signed with (during a rotation, old and new)."""
        return self._secrets

    def add_secret(self, secret: SecretLike) -> SigningSecret:
        """Accept deliveries signed with ``secret`` too; returns it, masked."""
        added = as_secret(secret)
        with self._changed:
            if added not in self._secrets:
                self._secrets = (*self._secrets, added)
        self._show()
        return added

    def remove_secret(self, secret: SecretLike) -> None:
        """Stop accepting ``secret`` (e.g. once a rotation is over)."""
        gone = as_secret(secret)
        with self._changed:
            self._secrets = tuple(item for item in self._secrets if item != gone)
        self._show()

    # -- deliveries ---------------------------------------------------------------------

    def receive(
        self, body: bytes, headers: Mapping[str, str] | Headers, path: str = "/"
    ) -> tuple[int, str]:
        """Check and record one delivery; the HTTP status and text to answer.

        The server calls this for each POST; call it yourself with a delivery that
        reached you another way (the raw body bytes, and the request's headers).
        """
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        now = self._clock.time()
        payload: dict[str, Any] | None = None  # read only once the signature is good
        secrets, matched, seconds = self._secrets, "", 0
        reason: str | None = None
        if not secrets:
            status, reason = 503, NO_SECRET
        else:
            try:
                parsed, matched = verified_signature(
                    body, _signature_header(pairs), secrets, tolerance=self.tolerance, now=now
                )
                seconds = parsed.seconds
                status = 200
                payload = _json_object(body)
                if payload is None:
                    status, reason = 400, "Signed, but the body is not a JSON object."
            except MalformedSignatureHeader as error:
                status, reason = 400, error.message
            except WebhookSignatureError as error:
                status, reason = 401, error.message
        arrived = datetime.fromtimestamp(now, timezone.utc)
        with self._changed:
            if status == 200:
                first = self._seen.get(matched)
                if first is None:
                    self._remember(matched, seconds, arrived, now)
                else:
                    status = 409
                    reason = f"Replay: signature already accepted at {first[1]:%H:%M:%S} UTC."
            self._record(arrived, payload, pairs, body, status, reason, path)
        self._show()
        return status, reason or "ok"

    def refuse(
        self, status: int, reason: str, headers: Headers, path: str = "/", body_size: int = 0
    ) -> None:
        """Record a delivery refused before its body was read (413, 411, 400, 408)."""
        arrived = datetime.fromtimestamp(self._clock.time(), timezone.utc)
        with self._changed:
            self._record(arrived, None, list(headers), b"", status, reason, path, body_size)
        self._show()

    def _record(
        self,
        arrived: datetime,
        payload: dict[str, Any] | None,
        pairs: Headers,
        body: bytes,
        status: int,
        reason: str | None,
        path: str,
        body_size: int | None = None,
    ) -> None:
        """Keep a delivery: whole when verified, else as a small record (no body, no
        headers: anyone can send those); past ``max_events``, the oldest goes."""
        kind = (payload or {}).get("type")
        verified = status == 200
        event = WebhookEvent(
            received_at=arrived,
            event_type=kind if isinstance(kind, str) and verified else None,
            payload=payload if verified else None,
            headers=dict(pairs) if verified else {},
            body=body if verified else b"",
            verified=verified,
            reason=None if verified else (reason or "")[:MAX_KEPT_TEXT],
            http_status=status,
            path=path if verified else path[:MAX_KEPT_TEXT],
            body_size=len(body) if body_size is None else body_size,
            headers_size=_size(pairs),
        )
        self._events.append(event)
        self._received += 1
        if len(self._events) > self.limits.max_events:
            self._events.popleft()
            self._dropped += 1
        self._changed.notify_all()

    def _remember(self, signature: str, seconds: int, arrived: datetime, now: float) -> None:
        """Keep an accepted signature; forget those the tolerance would refuse anyway."""
        self._seen[signature] = (seconds, arrived)
        if len(self._seen) > self._prune_at and self.tolerance is not None:
            oldest = now - self.tolerance - 1
            self._seen = {s: v for s, v in self._seen.items() if v[0] >= oldest}
            self._prune_at = max(1024, 2 * len(self._seen))

    @property
    def events(self) -> list[WebhookEvent]:
        """The deliveries kept (the last ``limits.max_events``), oldest first (a copy)."""
        with self._changed:
            return list(self._events)

    @property
    def dropped(self) -> int:
        """How many of the oldest deliveries were let go to stay within ``max_events``."""
        return self._dropped

    def wait_for(self, n: int = 1, timeout: float = 10.0) -> list[WebhookEvent]:
        """Wait until ``n`` deliveries have arrived; the events kept. TimeoutError if they
        don't."""
        with self._changed:
            self._changed.wait_for(lambda: self._received >= n or self._closed, timeout)
            events, received = list(self._events), self._received
        if received < n:
            why = "before the inbox was closed" if self._closed else f"within {timeout:g} s"
            raise TimeoutError(f"{received} of {n} deliveries arrived {why}.")
        return events

    def clear(self) -> None:
        """Forget the deliveries so far (replays of them are still refused)."""
        with self._changed:
            self._events.clear()
            self._dropped = self._received = 0
        self._show()

    # -- life -----------------------------------------------------------------------------

    @property
    def max_body(self) -> int:
        """Bytes a delivery's body may have (``limits.max_body``)."""
        return self.limits.max_body

    @property
    def url(self) -> str:
        """Where to deliver: ``http://127.0.0.1:<port>/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Stop listening, end every thread and free the port (again: nothing happens)."""
        with self._changed:
            if self._closed:
                return
            self._closed = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.stop(self.limits.request_timeout)
        self._thread.join()
        if self._live is not None:
            self._live.close()

    def __enter__(self) -> WebhookInbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- views ----------------------------------------------------------------------------

    def _show(self) -> None:
        if self._live is not None:
            self._live.changed()

    @property
    def _ipython_display_(self) -> Callable[[], None]:
        """In a kernel IPython shows a live table; elsewhere (a terminal) this attribute is
        absent, so IPython prints ``str(inbox)`` as it prints any value."""
        if self._live is None or not in_kernel():
            raise AttributeError("_ipython_display_")
        return self._live.show

    def _title_and_footer(self, events: list[WebhookEvent]) -> tuple[str, str]:
        title = f"Webhook inbox {self.url}" + (" (closed)" if self._closed else "")
        verified = sum(event.verified for event in events)
        counts = f"{len(events)} deliver{'y' if len(events) == 1 else 'ies'}, {verified} verified"
        if self._dropped:
            counts += (
                f" (the oldest {self._dropped:,} let go: max_events {self.limits.max_events:,})"
            )
        if self._secrets:
            masked = ", ".join(secret.masked for secret in self._secrets)
            keys = f"signing secret{'s' * (len(self._secrets) > 1)} {masked}"
        else:
            keys = "no signing secret yet: deliveries are answered 503"
        return title, f"{counts} · {keys}"

    def __str__(self) -> str:
        events = self.events
        title, footer = self._title_and_footer(events)
        return events_text(events, title=title, footer=footer, limit=DEFAULTS.displaylimit)

    def _repr_html_(self) -> str:
        events = self.events
        title, footer = self._title_and_footer(events)
        return events_html(events, title=title, footer=footer, limit=DEFAULTS.displaylimit)

    def _bundle(self) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": self._repr_html_()}

    def __repr__(self) -> str:
        state = "closed" if self._closed else "listening"
        return (
            f"WebhookInbox(url={self.url!r}, secrets={list(self._secrets)!r}, "
            f"events={len(self._events)}, dropped={self._dropped}, {state})"
        )
