"""What ``%oncehub_webhooks listen | stop | status`` does once its arguments are read.

The listener (a subscription and its inbox) lives on the session: one at a time, undone
by ``stop``, by ``%oncehub_auth --forget`` and when the kernel exits.
"""

from __future__ import annotations

import atexit
import sys
from argparse import Namespace
from typing import TYPE_CHECKING, Any

from oncehub_nb.errors import NoSessionKey, OnceHubError
from oncehub_nb.ipython.advice import for_notebooks
from oncehub_nb.ipython.usage import NOT_SIGNED_IN, OnceHubUsageError

if TYPE_CHECKING:
    from oncehub_nb.ipython.context import MagicContext
    from oncehub_nb.session import Session

__all__ = ["run"]

_exit_hooked = False


def _events(args: Namespace) -> tuple[str, ...]:
    from oncehub_nb.explore.catalog import WEBHOOK_EVENTS

    if not args.events:
        return tuple(WEBHOOK_EVENTS)
    chosen = tuple(e for word in args.events for e in word.split(",") if e)
    unknown = [e for e in chosen if e not in WEBHOOK_EVENTS]
    if unknown:
        raise OnceHubUsageError(
            f"Unknown event type(s): {', '.join(unknown)}. OnceHub sends: "
            f"{', '.join(WEBHOOK_EVENTS)}."
        )
    return chosen


def _stop_at_exit(session: Session) -> None:
    """Undo the session's listener when the kernel exits (registered once)."""
    global _exit_hooked
    if not _exit_hooked:
        atexit.register(session.stop_listening)
        _exit_hooked = True


def run(ctx: MagicContext, args: Namespace) -> Any:
    """Start, stop or describe the session's listener."""
    session = ctx.session
    if args.action == "stop":
        listener = session.listener
        if listener is None:
            print("No webhook listener to stop.")
            return None
        for problem in session.stop_listening():
            print(f"Note: {problem}", file=sys.stderr)
        print(f"Stopped: subscription {listener.webhook_id} deleted, inbox closed.")
        return None
    if args.action == "status":
        listener = session.listener
        print(listener if listener is not None else "No webhook listener.")
        return listener.inbox if listener is not None else None
    events = _events(args)
    try:
        client = session.client()
    except NoSessionKey:
        raise OnceHubUsageError(NOT_SIGNED_IN) from None
    if session.listener is not None:
        raise OnceHubUsageError(
            f"Already listening ({session.listener.webhook_id}): %oncehub_webhooks stop first."
        )
    from oncehub_nb.urls import is_loopback
    from oncehub_nb.webhooks.listener import listen

    if args.public_url is None and not is_loopback(client.base_url):
        raise OnceHubUsageError(
            f"OnceHub ({client.base_url}) cannot deliver to this machine's 127.0.0.1: run a "
            "tunnel to the inbox (an HTTPS URL that forwards to it) and pass --public-url "
            "https://…; with the sandbox no tunnel is needed."
        )
    try:
        listener = listen(client, events, public_url=args.public_url, name=args.name)
    except OnceHubError as error:
        for_notebooks(error)
        raise OnceHubUsageError(str(error)) from None
    session.listener = listener
    _stop_at_exit(session)
    where = "" if args.public_url is None else f" (via {args.public_url})"
    print(
        f"Listening: subscription {listener.webhook_id} delivers {len(events)} event type(s) "
        f"to {listener.inbox.url}{where}. The inbox, shown as a cell's last line, is a "
        "table that fills in as events arrive; %oncehub_webhooks stop deletes the subscription."
    )
    return listener.inbox
