"""Seeded objects kept small: their values in one tuple, the whole object made when read.

A large account holds 100,000 bookings and half as many contacts. As dicts they take
kilobytes each; a :class:`Lazy` record keeps one tuple of values (``FIELDS``): those the
lists filter and index on, served as they are, and private ones (named ``_…``) that the
rest of the object is made from by :meth:`Lazy.render`, a new dict each time it is read.
A record reads like a mapping (``get``, ``[]``, ``in``, ``==``), so tables and handlers
treat it as an object; a table turns it into a plain dict before changing it.
:func:`plain` gives the dict of either kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

__all__ = ["Lazy", "fields", "plain"]

JSON = dict[str, Any]


class Lazy(Mapping[str, Any]):
    """A read-only object made from the tuple ``values`` (in the order of ``FIELDS``).

    Public fields (not starting with ``_``) are served as they are; those in ``OPTIONAL``
    only when they are not None. Everything else comes from :meth:`render`.
    """

    __slots__ = ("_v",)
    FIELDS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()
    _PUBLIC: ClassVar[dict[str, int]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._PUBLIC = {n: i for i, n in enumerate(cls.FIELDS) if not n.startswith("_")}

    def __init__(self, values: tuple[Any, ...]) -> None:
        self._v = values

    @classmethod
    def position(cls, name: str) -> int | None:
        """Where the public field ``name`` is in ``values`` (None if it is not one)."""
        return cls._PUBLIC.get(name)

    @property
    def values_tuple(self) -> tuple[Any, ...]:
        """The values the record is made from."""
        return self._v

    def render(self) -> JSON:
        """The object as the API serves it: a new dict each time."""
        raise NotImplementedError

    def fields(self, names: tuple[str, ...]) -> tuple[Any, ...]:
        """The values of ``names`` (None where there is none), public ones straight away."""
        at, values = self._PUBLIC, self._v
        try:
            return tuple([values[at[name]] for name in names])
        except KeyError:  # a field made by render
            return tuple([self.get(name) for name in names])

    def get(self, name: str, default: Any = None) -> Any:
        at = self._PUBLIC.get(name)
        if at is None:
            return self.render().get(name, default)
        value = self._v[at]
        return default if value is None and name in self.OPTIONAL else value

    def __getitem__(self, name: str) -> Any:
        at = self._PUBLIC.get(name)
        if at is None:
            return self.render()[name]
        value = self._v[at]
        if value is None and name in self.OPTIONAL:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and name in self._PUBLIC:
            return name not in self.OPTIONAL or self._v[self._PUBLIC[name]] is not None
        return name in self.render()

    def __iter__(self) -> Iterator[str]:
        return iter(self.render())

    def __len__(self) -> int:
        return len(self.render())

    def keys(self) -> Any:
        return self.render().keys()

    def items(self) -> Any:
        return self.render().items()

    def values(self) -> Any:
        return self.render().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.render() == plain(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.render()!r})"


def fields(item: Mapping[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """The values of ``names`` in ``item``, a dict or a record (None where there is none)."""
    if isinstance(item, Lazy):
        return item.fields(names)
    return tuple(item.get(name) for name in names)


def plain(item: Mapping[str, Any]) -> JSON:
    """``item`` as a dict: a rendered :class:`Lazy` record, a dict as it is."""
    if isinstance(item, Lazy):
        return item.render()
    return item if isinstance(item, dict) else dict(item)
