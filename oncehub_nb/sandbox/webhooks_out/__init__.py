"""Webhook deliveries from the sandbox, written from OnceHub's documentation.

- :mod:`.payloads`: the events' JSON (the reference file's webhook schemas);
- :mod:`.signing`: the ``Oncehub-Signature`` header (HMAC-SHA256 with the secret);
- :mod:`.courier`: the background worker that POSTs, retries and records attempts.
"""

from __future__ import annotations

from .courier import RETRY_DELAYS, TIMEOUT, Courier, Delivery, Outgoing
from .payloads import EVENT_TYPES, announce, emit
from .signing import SIGNATURE_HEADER, sign, signature_header

__all__ = [
    "EVENT_TYPES",
    "RETRY_DELAYS",
    "SIGNATURE_HEADER",
    "TIMEOUT",
    "Courier",
    "Delivery",
    "Outgoing",
    "announce",
    "emit",
    "sign",
    "signature_header",
]
