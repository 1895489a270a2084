"""``/webhooks``: the account's webhook subscriptions.

A ``Webhook`` (OnceHub's schema) is ``{"object": "webhook", "id": "WHK-…",
"api_version": "v2", "name", "url", "events", "creation_time", "secret"}``.

- ``POST /webhooks``: ``url`` (http or https), ``name`` (unique: a taken one is 409
  ``A webhook subscription with this name already exists: '<name>'``) and ``events``
  (from the documented event list); 200 with the subscription and its new ``secret``;
- ``GET /webhooks`` (paging), ``GET /webhooks/{id}``;
- ``DELETE /webhooks/{id}``: a ``DeletedObject``; 404 afterwards.

The ``secret`` keys the HMAC-SHA256 signature of each delivery (OnceHub's "Webhook
signatures" page), so it is treated like an API key: random for each sandbox
instance (a new one per created subscription; the seeded ones derive from a random
key held per account object, so ``reset()`` gives them back unchanged), and never
logged or shown anywhere but in these responses. The table ``webhooks`` keeps each
subscription as served; ``webhooks_out`` delivers events to its ``url``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from datetime import timedelta
from typing import Any

from ..checks import Field, Invalid, Kind, Record, Text, is_web_url
from ..data import make_id, rng_for, timestamp
from ..listing import PAGING, list_reply, object_reply
from ..replies import Reply, json_reply
from ..router import ApiProblem, NotFound, Request, api
from ..store import Account, fresh_id
from ..webhooks_out.payloads import EVENT_TYPES

TABLE, NOUN = "webhooks", "webhook"
JSON = dict[str, Any]
API_VERSION = "v2"
EVENTS = EVENT_TYPES  # the reference file's `webhooks` section, in its order
SEEDED = (  # name, path on hooks.example.com, events
    ("CRM sync", "crm", ("booking.scheduled", "booking.rescheduled", "booking.canceled")),
    ("Analytics feed", "analytics", ("booking.completed", "booking.no_show")),
    ("Slack alerts", "slack", ("booking.scheduled", "booking.canceled", "booking.reassigned")),
    ("Chatbot leads", "leads", ("conversation.started", "conversation.closed")),
)
SEEDED_COUNT = 2
_ACCOUNT_KEYS: weakref.WeakKeyDictionary[Account, bytes] = weakref.WeakKeyDictionary()


def _secret_for(account: Account, webhook_id: str) -> str:
    """A seeded subscription's secret: random per account object, stable across reset()."""
    key = _ACCOUNT_KEYS.setdefault(account, secrets.token_bytes(32))
    return hmac.new(key, webhook_id.encode(), hashlib.sha256).hexdigest()[:32]


def invent(account: Account) -> list[JSON]:
    """The account's subscriptions, oldest first."""
    rng = rng_for(account.seed, TABLE)
    hooks = []
    for n, (name, path, events) in enumerate(rng.sample(SEEDED, SEEDED_COUNT)):
        webhook_id = make_id("WHK", f"{account.seed}:{name}")
        created = account.seeded_at - timedelta(days=120 - 45 * n, minutes=rng.randint(0, 600))
        hooks.append(
            {
                "object": "webhook",
                "id": webhook_id,
                "api_version": API_VERSION,
                "name": name,
                "url": f"https://hooks.example.com/oncehub/{path}",
                "events": list(events),
                "creation_time": timestamp(created),
                "secret": _secret_for(account, webhook_id),
            }
        )
    return hooks


def seed(account: Account) -> None:
    """The account's invented subscriptions."""
    account.table(TABLE, NOUN).extend_oldest_first(invent(account))


class Url(Kind):
    """An absolute http(s) URL, else ``Invalid url: '<value>'``."""

    def accept(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"Invalid string: {param} must be a string.", param)
        if not is_web_url(value):
            raise Invalid(f"Invalid url: '{value}'", param)
        return value


class Events(Kind):
    """A non-empty array of documented event types (each kept once)."""

    def accept(self, value: Any, param: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid("Must be an array of strings.", param)
        if not value:
            raise Invalid("At least one event is required.", param)
        for event in value:
            if event not in EVENTS:
                raise Invalid(
                    f"Invalid event: '{event}'. Must be one of {', '.join(EVENTS)}.", param
                )
        return list(dict.fromkeys(value))


class Label(Text):
    """A subscription name: not blank, at most 100 characters."""

    def accept(self, value: Any, param: str) -> str:
        text = super().accept(value, param)
        if not text.strip() or len(text) > 100:
            raise Invalid(f"Invalid name: '{text}'", param)
        return text


NEW_WEBHOOK = Record(
    {
        "url": Field(Url(), required=True, nullable=False),
        "name": Field(Label(), required=True, nullable=False),
        "events": Field(Events(), required=True, nullable=False),
    }
)


@api.operation("POST", "/webhooks", body=NEW_WEBHOOK)
def create(request: Request) -> Reply:
    """200 with the new subscription (and its secret); 409 for a taken name."""
    table, body = request.account.tables[TABLE], request.body or {}
    if any(hook["name"] == body["name"] for hook in table.newest_first()):
        raise ApiProblem(
            409, f"A webhook subscription with this name already exists: '{body['name']}'", "name"
        )
    hook = {
        "object": "webhook",
        "id": fresh_id(table, "WHK"),
        "api_version": API_VERSION,
        "name": body["name"],
        "url": body["url"],
        "events": body["events"],
        "creation_time": timestamp(request.now),
        "secret": secrets.token_hex(16),
    }
    table.add(hook)
    return json_reply(200, hook)


@api.operation("GET", "/webhooks", query=PAGING)
def list_all(request: Request) -> Reply:
    """A page of subscriptions, newest first."""
    return list_reply(request, request.account.tables[TABLE])


@api.operation("GET", "/webhooks/{id}")
def get_one(request: Request) -> Reply:
    """One subscription; 404 for an unknown or deleted id."""
    return object_reply(request, request.account.tables[TABLE])


@api.operation("DELETE", "/webhooks/{id}")
def delete(request: Request) -> Reply:
    """A ``DeletedObject``; the subscription is 404 afterwards."""
    table, webhook_id = request.account.tables[TABLE], request.path["id"]
    if webhook_id not in table:
        raise NotFound(NOUN, webhook_id)
    table.delete(webhook_id)
    return json_reply(200, {"id": webhook_id, "deleted": True})
