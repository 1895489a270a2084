"""Signing a delivery as OnceHub's "Webhook signatures" page describes it.

Each POST carries ``Oncehub-Signature: t=<unix seconds>,s=<signature>``; the signature
is the hex HMAC-SHA256, keyed with the subscription's ``secret``, of ``<t>``, a ``.``
and the raw request body. Written from that page alone (the package's receiver-side
code is never used here), so the two check each other.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign", "signature_header"]

SIGNATURE_HEADER = "Oncehub-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` keyed with ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Oncehub-Signature`` value: ``t=<timestamp>,s=<signature>``."""
    return f"t={timestamp},s={sign(secret, timestamp, body)}"
