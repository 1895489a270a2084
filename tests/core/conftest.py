"""Fixtures of the tests of the package's top-level modules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.standins import StandIn, platform_standins
from tests.support import hypothesis_without_deadline

hypothesis_without_deadline()  # test_properties.py


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything at DEBUG, httpx and httpcore included."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "oncehub_nb"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def standins(tmp_path: Path) -> Iterator[StandIn]:
    """Colab's and Kaggle's secret stores, stood in for (``tests/standins.py``); the
    platforms' markers are for each test to set."""
    with platform_standins(tmp_path / "standins") as stand_in:
        yield stand_in
