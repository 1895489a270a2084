"""An account's objects: one ``Table`` per resource, newest first, with indexes.

Lists are served in reverse chronological order, so each table keeps its objects
newest first. Cursors (``after``/``before``) and equality filters are answered
through indexes, so a page stays fast with 100,000 bookings. A :class:`Directory`
also finds objects by unique fields such as an e-mail address; :func:`fresh_id`
names created objects, and :func:`account_owner` is the account's oldest user.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import SYSTEM_CLOCK, moment
from .data import make_id

__all__ = ["Account", "Directory", "Sizes", "Table", "account_owner", "fresh_id"]

JSON = dict[str, Any]
USERS = "users"  # the table of the account's people; its oldest user owns the account


@dataclass(frozen=True)
class Sizes:
    """How much invented data an account starts with."""

    bookings: int = 30
    contacts: int = 20
    users: int = 25


class Table:
    """One resource's objects: by id, newest first, and indexed by some fields."""

    def __init__(self, name: str, noun: str, indexed: Iterable[str] = ()) -> None:
        self.name = name  # the URL segment, e.g. "booking-pages"
        self.noun = noun  # as in "No such booking page: 'BP-…'"
        self.by_id: dict[str, JSON] = {}
        self._order: dict[str, int] = {}  # id -> insertion number (higher is newer)
        self._newest_first: list[JSON] = []
        self.indexed = frozenset(indexed)
        self._indexes: dict[str, dict[Any, list[JSON]]] = {name: {} for name in self.indexed}
        self._numbers = itertools.count()

    def __len__(self) -> int:
        return len(self.by_id)

    def __contains__(self, object_id: object) -> bool:
        return object_id in self.by_id

    def get(self, object_id: str) -> JSON | None:
        return self.by_id.get(object_id)

    def _key(self, item: JSON) -> int:
        return -self._order[item["id"]]

    def add(self, item: JSON) -> JSON:
        """Add a new object, as the newest."""
        self._order[item["id"]] = next(self._numbers)
        self.by_id[item["id"]] = item
        self._newest_first.insert(0, item)
        for name, index in self._indexes.items():
            for value in _values(item.get(name)):
                index.setdefault(value, []).insert(0, item)
        return item

    def extend_oldest_first(self, items: Iterable[JSON]) -> None:
        """Add many objects at once, oldest first (fast: for seeding)."""
        batch = list(items)
        for item in batch:
            self._order[item["id"]] = next(self._numbers)
            self.by_id[item["id"]] = item
        self._newest_first[:0] = batch[::-1]
        for name, index in self._indexes.items():
            grouped: dict[Any, list[JSON]] = {}
            for item in reversed(batch):
                for value in _values(item.get(name)):
                    grouped.setdefault(value, []).append(item)
            for value, members in grouped.items():
                index[value] = members + index.get(value, [])

    def update(self, object_id: str, changes: JSON) -> JSON:
        """Change fields of an object in place (its place in the lists stays)."""
        item = self.by_id[object_id]
        for name, index in self._indexes.items():
            if name in changes and changes[name] != item.get(name):
                for value in _values(item.get(name)):
                    _remove(index.get(value, []), item, self._key)
                item[name] = changes[name]
                for value in _values(changes[name]):
                    members = index.setdefault(value, [])
                    members.insert(bisect_left(members, self._key(item), key=self._key), item)
        item.update(changes)
        return item

    def delete(self, object_id: str) -> JSON:
        """Remove an object; return it."""
        item = self.by_id[object_id]
        _remove(self._newest_first, item, self._key)
        for name, index in self._indexes.items():
            for value in _values(item.get(name)):
                _remove(index.get(value, []), item, self._key)
        del self.by_id[object_id]
        del self._order[object_id]
        return item

    def newest_first(self, **equal: Any) -> list[JSON]:
        """All objects newest first, or only those whose indexed fields equal ``equal``.

        The shortest matching index is returned; other conditions are left to the caller.
        """
        candidates = [self._indexes[name].get(value, []) for name, value in equal.items()]
        if not candidates:
            return self._newest_first
        return min(candidates, key=len)

    def page(
        self,
        items: list[JSON],
        keep: Callable[[JSON], bool],
        limit: int,
        after: str | None = None,
        before: str | None = None,
    ) -> tuple[list[JSON], bool]:
        """Up to ``limit`` kept objects after (or before) a cursor, and whether more exist."""
        key = self._key
        if before is not None:
            end = bisect_left(items, key(self.by_id[before]), key=key)
            newer = (items[i] for i in range(end - 1, -1, -1))
            found = list(itertools.islice((i for i in newer if keep(i)), limit + 1))
            return found[:limit][::-1], len(found) > limit
        start = 0 if after is None else bisect_right(items, key(self.by_id[after]), key=key)
        older = (items[i] for i in range(start, len(items)))
        found = list(itertools.islice((i for i in older if keep(i)), limit + 1))
        return found[:limit], len(found) > limit


class Directory(Table):
    """A ``Table`` that also finds objects by unique fields (e-mail: case-insensitively)."""

    def __init__(
        self, name: str, noun: str, indexed: Iterable[str] = (), unique: Iterable[str] = ()
    ) -> None:
        super().__init__(name, noun, indexed)
        self._unique: dict[str, dict[str, JSON]] = {name: {} for name in unique}

    def find(self, name: str, value: Any) -> JSON | None:
        """The object whose unique field ``name`` is ``value`` (ignoring case), if any."""
        return self._unique[name].get(_folded(value)) if isinstance(value, str) else None

    def _remember(self, item: JSON) -> None:
        for name, found in self._unique.items():
            if isinstance(item.get(name), str):
                found[_folded(item[name])] = item

    def _forget(self, item: JSON) -> None:
        for name, found in self._unique.items():
            key = _folded(item.get(name) or "")
            if found.get(key) is item:
                del found[key]

    def add(self, item: JSON) -> JSON:
        super().add(item)
        self._remember(item)
        return item

    def extend_oldest_first(self, items: Iterable[JSON]) -> None:
        batch = list(items)
        super().extend_oldest_first(batch)
        for item in batch:
            self._remember(item)

    def update(self, object_id: str, changes: JSON) -> JSON:
        item = self.by_id[object_id]
        self._forget(item)
        super().update(object_id, changes)
        self._remember(item)
        return item

    def delete(self, object_id: str) -> JSON:
        item = super().delete(object_id)
        self._forget(item)
        return item


def _folded(text: str) -> str:
    return text.strip().casefold()


def fresh_id(table: Table, prefix: str) -> str:
    """A new random id for ``table`` (created objects; seeded ones are deterministic)."""
    while True:
        object_id = make_id(prefix, secrets.token_hex(16))
        if object_id not in table:
            return object_id


def _values(value: Any) -> list[Any]:
    """The index keys of a field's value: each item of a list, else the value itself."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str | int)]
    return [value] if isinstance(value, str | int | bool) else []


def _remove(items: list[JSON], item: JSON, key: Callable[[JSON], int]) -> None:
    at = bisect_left(items, key(item), key=key)
    while at < len(items) and items[at] is not item:
        at += 1
    if at < len(items):
        del items[at]


class Account:
    """Everything one API key sees: its tables, made from a seed, and a lock for writes.

    ``seeded_at`` is "now" for the invented data (whole seconds, UTC): every seeded
    timestamp is at or before it. The sandbox passes its clock's time when it was made;
    alone, an account takes the system clock's.
    """

    def __init__(
        self,
        email: str,
        seed: int,
        sizes: Sizes,
        build: Callable[[Account], None],
        seeded_at: datetime | None = None,
    ):
        self.email = email
        self.seed = seed
        self.sizes = sizes
        self.seeded_at = (seeded_at or moment(SYSTEM_CLOCK)).replace(microsecond=0)
        self.tables: dict[str, Table] = {}
        self.lock = threading.RLock()
        self.outbox: Callable[[list[Any]], None] | None = None  # queues webhook deliveries
        self._build = build
        self._build(self)

    def table(self, name: str, noun: str, indexed: Iterable[str] = ()) -> Table:
        """The table ``name``, made on first use."""
        if name not in self.tables:
            self.tables[name] = Table(name, noun, indexed)
        return self.tables[name]

    def reset(self) -> None:
        """Back to the seeded state."""
        with self.lock:
            self.tables = {}
            self._build(self)


def account_owner(account: Account) -> JSON:
    """The account owner: the oldest user."""
    return account.tables[USERS].newest_first()[-1]
