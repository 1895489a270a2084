"""When to try a call again: one pure decision, so it can be tested without waiting.

:func:`next_wait` takes what happened (a status code or an error), how many
retries were made and how much time the call has left, and returns the seconds to
wait before the next attempt, or None to give up. The client is the one place
that then sleeps, through its injectable clock.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass

from oncehub_nb.errors import OnceHubError, TLSFailed
from oncehub_nb.settings import DEFAULTS

__all__ = ["RetryPolicy", "next_wait", "retry_after_seconds"]

Jitter = Callable[[float, float], float]


@dataclass(frozen=True)
class RetryPolicy:
    """Which calls are retried, how often, and the backoff: exponential with jitter."""

    retries: int = DEFAULTS.retries
    backoff: float = DEFAULTS.backoff
    max_backoff: float = 8.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    retry_methods: frozenset[str] = frozenset({"GET"})  # a POST may have taken effect

    def backoff_delay(self, retry: int, jitter: Jitter = random.uniform) -> float:
        """Seconds before retry number ``retry`` (1-based): between half and all of the ceiling."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        return jitter(ceiling / 2, ceiling)


def next_wait(
    policy: RetryPolicy,
    *,
    method: str,
    outcome: int | OnceHubError,
    retries_done: int,
    time_left: float,
    retry_after: float | None = None,
    jitter: Jitter = random.uniform,
) -> float | None:
    """Seconds to wait before trying again, or None to give up.

    ``outcome`` is the response's status code, or the error when no answer came.
    ``retry_after`` (from the server) replaces the backoff. A wait that would not
    end before the call's deadline is not worth starting: None.
    """
    if method.upper() not in policy.retry_methods or retries_done >= policy.retries:
        return None
    if isinstance(outcome, int):
        if outcome not in policy.retry_statuses:
            return None
    elif isinstance(outcome, TLSFailed):  # a certificate does not fix itself in a second
        return None
    wait = (
        retry_after if retry_after is not None else policy.backoff_delay(retries_done + 1, jitter)
    )
    return wait if wait < time_left else None


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A ``Retry-After`` header as seconds from ``now`` (epoch seconds); None if absent or bad.

    The header is either a number of seconds or an HTTP date.
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP dates are GMT
            return None
        seconds = when.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
