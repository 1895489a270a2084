"""OnceHub's v2 resources, one module each: its tables, its seeded data, its operations.

Each module declares its operations on :data:`~oncehub_nb.sandbox.router.api` when
imported and has a ``seed(account)`` that fills its tables. ``SEEDERS`` lists them
in the order their data depends on one another (bookings point at users, event
types, pages and contacts, so they come after them).
"""

from __future__ import annotations

from collections.abc import Callable

from ..store import Account
from . import (
    account_check,
    booking_calendars,
    booking_pages,
    bookings,
    contacts,
    event_types,
    master_pages,
    sms,
    teams,
    users,
    webhooks,
)

__all__ = ["SEEDERS", "build_account"]

SEEDERS: list[Callable[[Account], None]] = [
    teams.seed,
    users.seed,
    event_types.seed,
    master_pages.seed,
    booking_pages.seed,
    booking_calendars.seed,
    contacts.seed,
    bookings.seed,
    sms.seed,
    webhooks.seed,
]

_ = account_check  # declares GET /test; it has no data


def build_account(account: Account) -> None:
    """Fill a new (or reset) account with its invented data, from its seed."""
    for seed in SEEDERS:
        seed(account)
