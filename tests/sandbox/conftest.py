"""Fixtures of the sandbox tests. Helpers that several modules share are in helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oncehub_nb.sandbox import Sandbox
from tests.sandbox.helpers import pinned


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The seeded demo account (the demo key), rate limits off, its clock started at START;
    a module may ask for others."""
    with Sandbox(key_limit=None, address_limit=None, clock=pinned()) as running:
        yield running
