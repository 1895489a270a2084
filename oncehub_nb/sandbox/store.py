"""An account's objects: one ``Table`` per resource, newest first, with indexes.

Lists are served in reverse chronological order, so each table keeps its objects
newest first. Cursors (``after``/``before``) and equality filters are answered
through indexes, so a page stays fast with 100,000 bookings. A :class:`Directory`
also finds objects by unique fields such as an e-mail address; :func:`fresh_id`
names created objects, and :func:`account_owner` is the account's oldest user.

Seeded objects may be compact :class:`~.records.Lazy` records, which read like dicts:
change objects only through :meth:`Table.update`, which first turns a record into the
dict it stands for.
"""

from __future__ import annotations

import gc
import itertools
import secrets
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

from .clock import SYSTEM_CLOCK, moment
from .data import make_id
from .records import Lazy

__all__ = ["Account", "Directory", "Sizes", "Table", "account_owner", "fresh_id"]

JSON = dict[str, Any]
_VALUES = attrgetter("values_tuple")  # a Lazy record's values
USERS = "users"  # the table of the account's people; its oldest user owns the account


@dataclass(frozen=True)
class Sizes:
    """How much invented data an account starts with."""

    bookings: int = 30
    contacts: int = 20
    users: int = 25


class Table:
    """One resource's objects: by id, newest first, and indexed by some fields.

    An index is made the first time a filter needs it, then kept up to date.
    """

    def __init__(self, name: str, noun: str, indexed: Iterable[str] = ()) -> None:
        self.name = name  # the URL segment, e.g. "booking-pages"
        self.noun = noun  # as in "No such booking page: 'BP-…'"
        self.by_id: dict[str, JSON] = {}
        self._order: dict[str, int] = {}  # id -> insertion number (higher is newer)
        self._newest_first: list[JSON] = []
        self.indexed = frozenset(indexed)
        self._indexes: dict[str, dict[Any, list[JSON]]] = {}  # those made so far
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
        ids = _field(batch, "id", _one_kind(batch))
        self._order.update(zip(ids, self._numbers, strict=False))  # numbers: endless
        self.by_id.update(zip(ids, batch, strict=True))
        newest = batch[::-1]
        self._newest_first[:0] = newest
        for name, index in self._indexes.items():
            for value, members in _grouped(newest, name).items():
                index[value] = members + index[value] if value in index else members

    def _index(self, name: str) -> dict[Any, list[JSON]]:
        """The index of the field ``name``: value -> objects, newest first (made once)."""
        index = self._indexes.get(name)
        if index is None:
            index = self._indexes[name] = _grouped(self._newest_first, name)
        return index

    def _thaw(self, object_id: str) -> JSON:
        """The object as a dict, put in the place of a :class:`Lazy` record if it was one."""
        item = self.by_id[object_id]
        if not isinstance(item, Lazy):
            return item
        thawed = item.render()
        _replace(self._newest_first, item, thawed, self._key)
        for name, index in self._indexes.items():
            for value in _values(item.get(name)):
                _replace(index.get(value, []), item, thawed, self._key)
        self.by_id[object_id] = thawed
        return thawed

    def update(self, object_id: str, changes: JSON) -> JSON:
        """Change fields of an object in place (its place in the lists stays)."""
        item = self._thaw(object_id)
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

    def rows(self, names: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """The fields ``names`` of every object, newest first (None where one has none)."""
        items = self._newest_first
        kind = _one_kind(items)
        at = [kind.position(name) for name in names] if kind is not None else [None]
        if kind is None or None in at:
            return [tuple([item.get(name) for name in names]) for item in items]
        pick = itemgetter(*at) if len(at) > 1 else lambda values: (values[at[0]],)
        return [pick(values) for values in map(_VALUES, items)]

    def newest_first(self, **equal: Any) -> list[JSON]:
        """All objects newest first, or only those whose indexed fields equal ``equal``.

        The shortest matching index is returned; other conditions are left to the caller.
        """
        candidates = [self._index(name).get(value, []) for name, value in equal.items()]
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
    """A ``Table`` that also finds objects by unique fields (e-mail: case-insensitively).

    Equality filters on a unique field are answered from it (no list index is kept);
    like indexes, each unique field's lookup is made on first use.
    """

    def __init__(
        self, name: str, noun: str, indexed: Iterable[str] = (), unique: Iterable[str] = ()
    ) -> None:
        self.unique = tuple(unique)
        super().__init__(name, noun, [n for n in indexed if n not in self.unique])
        self.indexed = self.indexed | frozenset(self.unique)
        self._unique: dict[str, dict[str, JSON]] = {}  # those made so far

    def find(self, name: str, value: Any) -> JSON | None:
        """The object whose unique field ``name`` is ``value`` (ignoring case), if any."""
        if not isinstance(value, str):
            return None
        if name not in self._unique:  # made on first use, oldest first: the newest wins
            oldest, found = self._newest_first[::-1], {}
            for item, key in zip(oldest, _field(oldest, name, _one_kind(oldest)), strict=True):
                if isinstance(key, str):
                    found[_folded(key)] = item
            self._unique[name] = found
        return self._unique[name].get(_folded(value))

    def newest_first(self, **equal: Any) -> list[JSON]:
        for name, value in equal.items():
            if name in self.unique:
                found = self.find(name, value)
                return [] if found is None else [found]
        return super().newest_first(**equal)

    def _remember(self, item: JSON) -> None:
        for name, found in self._unique.items():
            value = item.get(name)
            if isinstance(value, str):
                found[_folded(value)] = item

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
        if self._unique:
            for item in batch:
                self._remember(item)

    def update(self, object_id: str, changes: JSON) -> JSON:
        self._forget(self.by_id[object_id])
        item = super().update(object_id, changes)
        self._remember(item)
        return item

    def delete(self, object_id: str) -> JSON:
        item = super().delete(object_id)
        self._forget(item)
        return item


def _folded(text: str) -> str:
    folded = text.strip().casefold()
    return text if folded == text else folded  # one string kept, not two equal ones


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


def _grouped(items: list[JSON], name: str) -> dict[Any, list[JSON]]:
    """``items`` by each value of their field ``name`` (in the order given)."""
    grouped: dict[Any, list[JSON]] = {}
    for item, value in zip(items, _field(items, name, _one_kind(items)), strict=True):
        if value is None:
            continue
        if value.__class__ is str:
            members = grouped.get(value)
            if members is None:
                grouped[value] = [item]
            else:
                members.append(item)
        else:
            for key in _values(value):
                grouped.setdefault(key, []).append(item)
    return grouped


def _one_kind(items: list[JSON]) -> type[Lazy] | None:
    """The class of the items if they are all Lazy records of one class."""
    kinds = set(map(type, items))
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind if kind is not None and issubclass(kind, Lazy) else None


def _field(items: list[JSON], name: str, kind: type[Lazy] | None) -> list[Any]:
    """The field ``name`` of each item (straight from the values of Lazy records)."""
    at = kind.position(name) if kind is not None else None
    if at is not None:
        return [values[at] for values in map(_VALUES, items)]
    return [item.get(name) for item in items]


def _replace(items: list[JSON], old: JSON, new: JSON, key: Callable[[JSON], int]) -> None:
    at = bisect_left(items, key(old), key=key)
    while at < len(items) and items[at] is not old:
        at += 1
    if at < len(items):
        items[at] = new


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
        self._seed()

    def _seed(self) -> None:
        """Invent the data, with the cyclic garbage collector paused: seeding makes
        hundreds of thousands of objects and no garbage, and the collector's passes over
        them would take a tenth of the time."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(self)
        finally:
            if enabled:
                gc.enable()

    def table(self, name: str, noun: str, indexed: Iterable[str] = ()) -> Table:
        """The table ``name``, made on first use."""
        if name not in self.tables:
            self.tables[name] = Table(name, noun, indexed)
        return self.tables[name]

    def reset(self) -> None:
        """Back to the seeded state."""
        with self.lock:
            self.tables = {}
            self._seed()


def account_owner(account: Account) -> JSON:
    """The account owner: the oldest user."""
    return account.tables[USERS].newest_first()[-1]
