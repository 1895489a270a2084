"""A subscription that points at a local inbox: made together, undone together.

:func:`listen` starts a :class:`WebhookInbox` on 127.0.0.1, subscribes it through
``POST /webhooks`` and gives the inbox the subscription's secret (never shown);
:meth:`Listener.stop` deletes the subscription and closes the inbox. OnceHub itself
cannot reach 127.0.0.1: for a real account the subscription needs the public URL of a
tunnel the user runs, which forwards to the inbox.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oncehub_nb.errors import APIError, RequestProblem, TransportError
from oncehub_nb.urls import is_loopback

from .limits import InboxLimits

if TYPE_CHECKING:
    from oncehub_nb.http.api_client import OnceHub
    from oncehub_nb.webhooks.inbox import WebhookInbox

__all__ = ["Listener", "listen"]

NAME_PREFIX = "oncehub-nb-inbox"


@dataclass
class Listener:
    """A live subscription and the inbox it delivers to."""

    client: OnceHub = field(repr=False)
    inbox: WebhookInbox = field(repr=False)
    webhook_id: str
    url: str
    events: tuple[str, ...]
    stopped: bool = False

    def stop(self) -> list[str]:
        """Delete the subscription and close the inbox; what went wrong, if anything."""
        problems: list[str] = []
        if self.stopped:
            return problems
        self.stopped = True
        try:
            self.client.request("DELETE", f"/webhooks/{self.webhook_id}")
        except (APIError, TransportError) as error:
            problems.append(f"subscription {self.webhook_id} not deleted: {error.message}")
        finally:
            self.inbox.close()
        return problems

    def __str__(self) -> str:
        state = "stopped" if self.stopped else "listening"
        return f"Subscription {self.webhook_id} → {self.url} ({state}): {', '.join(self.events)}"


def listen(
    client: OnceHub,
    events: Sequence[str],
    *,
    public_url: str | None = None,
    name: str | None = None,
    display: bool = True,
    limits: InboxLimits | None = None,
) -> Listener:
    """Start an inbox and subscribe it to ``events``; RequestProblem when OnceHub could not
    reach it (a real account without ``public_url``). The inbox learns the secret;
    ``limits`` bound what it takes on (InboxLimits; default: ``INBOX_LIMITS``)."""
    from oncehub_nb.webhooks.inbox import WebhookInbox

    if public_url is None and not is_loopback(client.base_url):
        raise RequestProblem(
            f"OnceHub ({client.base_url}) cannot deliver to this machine's 127.0.0.1.",
            hint="Run a tunnel to the inbox (an HTTPS URL that forwards to it) and pass its "
            "address as public_url='https://…'; with the sandbox no tunnel is needed.",
        )
    if public_url is not None and not public_url.startswith(("https://", "http://")):
        raise RequestProblem(
            f"public_url must be an http(s) URL, not {public_url!r}.",
            hint="For example https://abc.example-tunnel.dev",
        )
    inbox = WebhookInbox(display=display, limits=limits)
    url = public_url or inbox.url
    body = {
        "name": name or f"{NAME_PREFIX}-{secrets.token_hex(4)}",
        "url": url,
        "events": list(events),
    }
    try:
        created: Any = client.json_of(client.request("POST", "/webhooks", json_body=body))
    except BaseException:
        inbox.close()
        raise
    inbox.add_secret(created["secret"])
    return Listener(client, inbox, created["id"], url, tuple(events))
