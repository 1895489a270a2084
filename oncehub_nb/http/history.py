"""The requests a session sent: method, path, parameters, status, time and Request-Id.

A client given a :class:`History` adds one :class:`CallRecord` per call it sends (its
retries are one call). A record never holds the key (headers are not kept) nor a body
field named like a secret (``secret``, ``*_secret``: replaced by a mask, and the record
says so, so that it is never replayed with the mask in place of the value).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MASK", "CallRecord", "History", "hide_secrets"]

MASK = "[hidden]"
MAX_RECORDS = 1000  # the oldest are dropped beyond this


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered == "secret" or lowered.endswith("_secret")


def hide_secrets(value: Any) -> tuple[Any, bool]:
    """A copy of ``value`` whose secret fields, at any depth, read ``MASK``; and whether
    there was any."""
    if isinstance(value, Mapping):
        copy: dict[str, Any] = {}
        hidden = False
        for key, item in value.items():
            if _is_secret(str(key)):
                copy[key], hidden = MASK, True
            else:
                copy[key], inner = hide_secrets(item)
                hidden = hidden or inner
        return copy, hidden
    if isinstance(value, (list, tuple)):
        items = [hide_secrets(item) for item in value]
        return [item for item, _ in items], any(h for _, h in items)
    return value, False


@dataclass(frozen=True)
class CallRecord:
    """One request sent: what was asked and what came back (no key, no secrets)."""

    number: int
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None  # the JSON body, secret fields masked
    hid_secret: bool = False  # a body field was masked: this record cannot be replayed
    status_code: int | None = None  # None: no answer (network, timeout)
    request_id: str | None = None
    at: float = 0.0  # when it was sent (seconds since the epoch)
    elapsed: float = 0.0
    base_url: str = ""
    outcome: str = ""  # the error's title when it failed


class History:
    """A session's records, numbered from 1, the newest last (thread-safe)."""

    def __init__(self, limit: int = MAX_RECORDS) -> None:
        self._records: deque[CallRecord] = deque(maxlen=limit)
        self._next = 1
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        **facts: Any,
    ) -> CallRecord:
        """Record one request sent; the record, numbered."""
        shown_body, hid = hide_secrets(body)
        with self._lock:
            record = CallRecord(
                self._next,
                method,
                "/" + path.lstrip("/"),
                dict(params or {}),
                shown_body,
                hid,
                **facts,
            )
            self._records.append(record)
            self._next += 1
        return record

    def get(self, number: int) -> CallRecord | None:
        """Record ``number``, if it is still kept."""
        with self._lock:
            return next((r for r in self._records if r.number == number), None)

    def __iter__(self) -> Iterator[CallRecord]:
        with self._lock:
            return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
