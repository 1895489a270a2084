"""The schema checks every sandbox test leans on can fail: wrong types, values and formats."""

from __future__ import annotations

from typing import Any

import pytest

from oncehub_nb.sandbox import Sandbox
from tests.reference import assert_valid, component, response_schema
from tests.sandbox.helpers import get


@pytest.fixture
def booking(sandbox: Sandbox) -> dict[str, Any]:
    """One booking as the sandbox serves it."""
    first = get(sandbox, "/bookings", limit=1).json()["data"][0]
    found: dict[str, Any] = get(sandbox, f"/bookings/{first['id']}").json()
    return found


@pytest.mark.needs_openapi
def test_a_served_booking_passes(booking: dict[str, Any]) -> None:
    assert_valid(booking, response_schema("/bookings/{id}", "get", 200))
    assert_valid(booking, component("Booking"))


@pytest.mark.needs_openapi
@pytest.mark.parametrize(
    ("field", "value"),
    [("status", 5), ("status", "pending"), ("creation_time", "yesterday"), ("id", None)],
)
def test_a_wrong_value_fails(booking: dict[str, Any], field: str, value: Any) -> None:
    booking[field] = value
    with pytest.raises(AssertionError, match=field):
        assert_valid(booking, response_schema("/bookings/{id}", "get", 200))
