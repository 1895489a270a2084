"""The delivery worker: one background thread POSTs queued events to subscribed URLs.

OnceHub counts a delivery as received when the endpoint answers 2xx; any other answer
(a redirect included) or no answer is a failure, retried (OnceHub: every hour for up
to three days; here compressed to ``RETRY_DELAYS``). Every attempt is recorded as a
:class:`Delivery`, never with the secret. The requests go out through ``http.client``
so the headers keep OnceHub's spelling (``Oncehub-Signature``), redirects are not
followed and no proxy from the environment sees them.

By default only loopback URLs (``localhost``, ``127.0.0.0/8``, ``::1``) are sent to:
seeded subscriptions point at invented ``example.com`` hosts, and fuzzers create
subscriptions to arbitrary hosts. Others get one record, attempt 0, "not sent", unless
the courier was made with ``remote=True``.
"""

from __future__ import annotations

import http.client
import ipaddress
import ssl
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .signing import SIGNATURE_HEADER, signature_header

__all__ = ["RETRY_DELAYS", "TIMEOUT", "USER_AGENT", "Courier", "Delivery", "Outgoing"]

TIMEOUT = 5.0  # seconds for each attempt's connect, send and each read
RETRY_DELAYS = (1.0, 2.0, 4.0)  # waits before attempts 2, 3 and 4
USER_AGENT = "oncehub-nb-sandbox-webhooks/1.0"
MAX_RECORDS = 10_000  # the oldest attempts are forgotten beyond this
MAX_ANSWER = 1 << 16  # bytes read from a receiver's answer (then ignored, as OnceHub does)
NOT_SENT = (
    "not sent: only loopback URLs (localhost, 127.0.0.1, ::1) get deliveries; "
    "Sandbox(deliver_remote=True) sends to any host"
)


@dataclass(frozen=True)
class Delivery:
    """One delivery attempt: attempt 0 means not sent; ``final`` ends the delivery."""

    event_id: str
    event_type: str
    subscription_id: str
    url: str
    attempt: int
    status: int | None  # the receiver's HTTP status, None without an answer
    error: str | None  # why the attempt failed (or was not made); None when it succeeded
    time: float  # when the attempt was made (seconds since the epoch)
    final: bool  # delivered, or no attempt follows

    @property
    def ok(self) -> bool:
        """Whether the receiver acknowledged it with a 2xx status."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Outgoing:
    """One event for one subscription, waiting to be sent."""

    event_id: str
    event_type: str
    subscription_id: str
    url: str
    secret: str = field(repr=False)
    body: bytes = field(repr=False)


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine: ``localhost`` or a loopback IP (no DNS lookup)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Courier:
    """A queue of outgoing deliveries and the one daemon thread that sends them.

    ``sleep`` waits between attempts (tests inject one that returns at once); by default
    the wait ends early when the courier is cleared or closed. ``now`` gives the time
    that signatures and records carry (the sandbox passes its clock's).
    """

    def __init__(
        self,
        *,
        sleep: Callable[[float], object] | None = None,
        remote: bool = False,
        timeout: float = TIMEOUT,
        delays: Sequence[float] = RETRY_DELAYS,
        name: str = "oncehub-sandbox-webhooks",
        now: Callable[[], float] = time.time,
    ) -> None:
        self._sleep = sleep
        self._now = now  # seconds since the epoch: signatures and records
        self.remote = remote
        self._timeout = timeout
        self._delays = tuple(delays)
        self._name = name
        self._cond = threading.Condition()
        self._queue: deque[tuple[int, Outgoing]] = deque()
        self._records: deque[Delivery] = deque(maxlen=MAX_RECORDS)
        self._finished: Counter[str] = Counter()  # finished deliveries by URL
        self._finished_total = 0
        self._generation = 0  # bumped by clear() and close(): older work is dropped
        self._closed = False
        self._worker: threading.Thread | None = None

    # -- the API side ----------------------------------------------------------------------

    def submit(self, items: Iterable[Outgoing]) -> None:
        """Queue deliveries and return at once (the worker starts on first use)."""
        with self._cond:
            if self._closed:
                return
            self._queue.extend((self._generation, item) for item in items)
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._worker.start()
            self._cond.notify_all()

    @property
    def records(self) -> list[Delivery]:
        """Every recorded attempt, oldest first."""
        with self._cond:
            return list(self._records)

    def wait(self, count: int, timeout: float, url: str | None = None) -> list[Delivery]:
        """The final records once ``count`` deliveries (to ``url``) finished; else TimeoutError."""

        def finished() -> int:
            return self._finished_total if url is None else self._finished[url]

        with self._cond:
            reached = self._cond.wait_for(lambda: finished() >= count, timeout)
            done = [r for r in self._records if r.final and (url is None or r.url == url)]
            if not reached:
                where = f" to {url}" if url else ""
                raise TimeoutError(
                    f"{finished()} of {count} webhook deliveries{where} finished in {timeout} s"
                )
            return done

    def clear(self) -> None:
        """Forget every record and drop what is queued or being retried."""
        with self._cond:
            self._generation += 1
            self._queue.clear()
            self._records.clear()
            self._finished.clear()
            self._finished_total = 0
            self._cond.notify_all()

    def open(self) -> None:
        """Accept deliveries again after close()."""
        with self._cond:
            self._closed = False

    def close(self, timeout: float = 1.0) -> None:
        """Drop queued deliveries and stop the worker (an attempt in flight is abandoned)."""
        with self._cond:
            self._closed = True
            self._generation += 1
            self._queue.clear()
            worker, self._worker = self._worker, None
            self._cond.notify_all()
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._worker is not me)
                if self._worker is not me:
                    return
                generation, item = self._queue.popleft()
            try:
                self._deliver(generation, item)
            except Exception as error:  # an injected sleep that raised, say: carry on
                self._record(generation, item, 0, None, f"not sent: {_describe(error)}", True)

    def _deliver(self, generation: int, item: Outgoing) -> None:
        if not self.remote and not is_loopback(item.url):
            self._record(generation, item, 0, None, NOT_SENT, final=True)
            return
        attempts = len(self._delays) + 1
        for attempt in range(1, attempts + 1):
            if self._stale(generation):
                return
            status, error = self._post(item)
            final = (status is not None and 200 <= status < 300) or attempt == attempts
            if not self._record(generation, item, attempt, status, error, final) or final:
                return
            self._pause(generation, self._delays[attempt - 1])

    def _stale(self, generation: int) -> bool:
        with self._cond:
            return generation != self._generation

    def _pause(self, generation: int, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
            return
        with self._cond:
            self._cond.wait_for(lambda: generation != self._generation, seconds)

    def _record(
        self,
        generation: int,
        item: Outgoing,
        attempt: int,
        status: int | None,
        error: str | None,
        final: bool,
    ) -> bool:
        """Record one attempt; False (nothing recorded) if cleared or closed meanwhile."""
        record = Delivery(
            event_id=item.event_id,
            event_type=item.event_type,
            subscription_id=item.subscription_id,
            url=item.url,
            attempt=attempt,
            status=status,
            error=error,
            time=self._now(),
            final=final,
        )
        with self._cond:
            if generation != self._generation:
                return False
            self._records.append(record)
            if final:
                self._finished[item.url] += 1
                self._finished_total += 1
            self._cond.notify_all()
        return True

    def _post(self, item: Outgoing) -> tuple[int | None, str | None]:
        """One signed POST: the receiver's status (None without one) and what went wrong."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature_header(item.secret, int(self._now()), item.body),
        }
        parts = urlsplit(item.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            if parts.scheme == "https":
                connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                    parts.hostname or "",
                    parts.port,
                    timeout=self._timeout,
                    context=ssl.create_default_context(),
                )
            else:
                connection = http.client.HTTPConnection(
                    parts.hostname or "", parts.port, timeout=self._timeout
                )
        except ValueError as error:  # a port out of range, say
            return None, _describe(error)
        try:
            connection.request("POST", target, body=item.body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_ANSWER)
            status = response.status
            return status, None if 200 <= status < 300 else f"HTTP {status}"
        except (OSError, http.client.HTTPException, ValueError) as error:
            return None, _describe(error)
        finally:
            connection.close()
