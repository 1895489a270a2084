"""OnceHub webhooks on the receiving side: signatures and a live inbox.

- :func:`verify` checks a delivery's ``Oncehub-Signature`` against the raw body and
  the subscription's secret and returns the event; :func:`sign` makes such a header.
- :class:`WebhookInbox` receives deliveries on 127.0.0.1, verifies and keeps them, and
  shows them in the notebook as they arrive (loaded on first use: it brings http.server).
- :func:`listen` subscribes an inbox through ``POST /webhooks``; :class:`Listener` undoes
  both (``%oncehub_webhooks listen`` / ``stop``).
- :class:`InboxLimits` bounds what an inbox takes on (events kept, body and header sizes,
  time per request, idle time, connections at once); ``INBOX_LIMITS`` holds the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .events import WebhookEvent
from .limits import INBOX_LIMITS, InboxLimits
from .signatures import SIGNATURE_HEADER, SignatureHeader, SigningSecret, parse_header, sign, verify

if TYPE_CHECKING:
    from .inbox import WebhookInbox
    from .listener import Listener, listen

__all__ = [
    "INBOX_LIMITS",
    "SIGNATURE_HEADER",
    "InboxLimits",
    "Listener",
    "SignatureHeader",
    "SigningSecret",
    "WebhookEvent",
    "WebhookInbox",
    "listen",
    "parse_header",
    "sign",
    "verify",
]


def __getattr__(name: str) -> Any:
    if name == "WebhookInbox":
        from .inbox import WebhookInbox

        return WebhookInbox
    if name in ("Listener", "listen"):
        from . import listener

        return getattr(listener, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
