"""``/bookings``: list and get (read-only for now)."""

from __future__ import annotations

from ..data import _bookings
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "bookings", "booking"


def seed(account: Account) -> None:
    """The account's invented bookings."""
    t = account.tables
    table = account.table(TABLE, NOUN, indexed=("status", "owner", "contact"))
    table.extend_oldest_first(
        reversed(
            _bookings(
                t["users"].newest_first(),
                t["booking-pages"].newest_first(),
                t["event-types"].newest_first(),
                t["contacts"].newest_first(),
            )
        )
    )


@api.operation("GET", "/bookings", query=PAGING)
def list_all(request: Request) -> Reply:
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/bookings/{id}")
def get_one(request: Request) -> Reply:
    return object_reply(request, request.account.tables[TABLE])
