"""Fixtures of the IPython tests: a sandbox and a fresh shell signed in to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from oncehub_nb.sandbox import Sandbox
from tests.standins import StandIn, platform_standins
from tests.support import CANARY_ACCOUNT, CANARY_KEY, close_shell, fresh_shell, sign_in_to


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """The sandbox ``ip`` is signed in to (a module may ask for more bookings)."""
    with Sandbox(key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT}) as sb:
        yield sb


@pytest.fixture
def ip(monkeypatch: pytest.MonkeyPatch, box: Sandbox) -> Iterator[InteractiveShell]:
    """A new shell and session, signed in to ``box`` with the canary key."""
    yield sign_in_to(fresh_shell(monkeypatch), box.base_url)
    close_shell()


@pytest.fixture
def standins(tmp_path: Path) -> Iterator[StandIn]:
    """Colab's and Kaggle's secret stores, stood in for (``tests/standins.py``)."""
    with platform_standins(tmp_path / "standins") as stand_in:
        yield stand_in
