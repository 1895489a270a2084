"""``/booking-pages``: list and get (read-only for now)."""

from __future__ import annotations

from ..data import _booking_pages
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "booking-pages", "booking page"


def seed(account: Account) -> None:
    """The account's invented booking pages."""
    table = account.table(TABLE, NOUN, indexed=())
    table.extend_oldest_first(reversed(_booking_pages(account.tables["users"].newest_first())))


@api.operation("GET", "/booking-pages", query=PAGING)
def list_all(request: Request) -> Reply:
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/booking-pages/{id}")
def get_one(request: Request) -> Reply:
    return object_reply(request, request.account.tables[TABLE])
