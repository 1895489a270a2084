"""``/event-types``: list and get (read-only for now)."""

from __future__ import annotations

from ..data import _event_types
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply
from ..router import Request, api
from ..store import Account

TABLE, NOUN = "event-types", "event type"


def seed(account: Account) -> None:
    """The account's invented event types."""
    table = account.table(TABLE, NOUN, indexed=())
    table.extend_oldest_first(reversed(_event_types()))


@api.operation("GET", "/event-types", query=PAGING)
def list_all(request: Request) -> Reply:
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/event-types/{id}")
def get_one(request: Request) -> Reply:
    return object_reply(request, request.account.tables[TABLE])
