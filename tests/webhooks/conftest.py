"""Fixtures of the webhook tests."""

from __future__ import annotations

from tests.support import hypothesis_without_deadline

hypothesis_without_deadline()  # test_webhook_signatures.py
