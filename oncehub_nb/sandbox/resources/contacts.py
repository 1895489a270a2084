"""``/contacts``: list and get (read-only for now)."""

from __future__ import annotations

from ..data import _contacts
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "contacts", "contact"


def seed(account: Account) -> None:
    """The account's invented contacts."""
    table = account.table(TABLE, NOUN, indexed=())
    table.extend_oldest_first(reversed(_contacts(account.tables["users"].newest_first())))


@api.operation("GET", "/contacts", query=PAGING)
def list_all(request: Request) -> Reply:
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/contacts/{id}")
def get_one(request: Request) -> Reply:
    return object_reply(request, request.account.tables[TABLE])
