"""A local emulator of the OnceHub REST API v2 for tests, tutorials and demos (stdlib only).

It also delivers signed webhook events to subscribed loopback URLs (``webhooks_out``).
"""

from __future__ import annotations

from .console import serve
from .faults import FAULT_KINDS, FaultPlan
from .limits import RateLimit
from .replies import DEMO_ACCOUNT, DEMO_KEY, FAULT_KEYS
from .server import RecordedRequest, Sandbox
from .webhooks_out import EVENT_TYPES, Delivery

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_KEY",
    "EVENT_TYPES",
    "FAULT_KEYS",
    "FAULT_KINDS",
    "Delivery",
    "FaultPlan",
    "RateLimit",
    "RecordedRequest",
    "Sandbox",
    "serve",
]
