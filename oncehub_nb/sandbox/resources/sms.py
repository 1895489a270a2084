"""Not yet served: declared in the next step."""

from __future__ import annotations

from ..store import Account


def seed(account: Account) -> None:
    """No invented data yet."""
