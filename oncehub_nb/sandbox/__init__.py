"""A local emulator of the OnceHub REST API v2 for tests, tutorials and demos (stdlib only)."""

from __future__ import annotations

from .console import serve
from .faults import FAULT_KINDS, FaultPlan
from .limits import RateLimit
from .replies import DEMO_ACCOUNT, DEMO_KEY, FAULT_KEYS
from .server import RecordedRequest, Sandbox

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_KEY",
    "FAULT_KEYS",
    "FAULT_KINDS",
    "FaultPlan",
    "RateLimit",
    "RecordedRequest",
    "Sandbox",
    "serve",
]
