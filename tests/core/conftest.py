"""Fixtures of the tests of the package's top-level modules."""

from __future__ import annotations

import logging

import pytest

from tests.support import hypothesis_without_deadline

hypothesis_without_deadline()  # test_properties.py


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything at DEBUG, httpx and httpcore included."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "oncehub_nb"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog
