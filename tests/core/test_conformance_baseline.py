"""The conformance baseline stays short and honest: every entry names real operations and
checks, gives a reason from OnceHub's documentation, and matches only what it says."""

from __future__ import annotations

import importlib.util
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from tests.reference import spec
from tests.support import REPO

CONFORMANCE = REPO / "conformance"
# Schemathesis's checks, as `--checks=all` runs them.
KNOWN_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
}


def _load_runner():
    spec_ = importlib.util.spec_from_file_location("conformance_run", CONFORMANCE / "run.py")
    assert spec_ is not None and spec_.loader is not None
    module = importlib.util.module_from_spec(spec_)
    sys.modules["conformance_run"] = module
    spec_.loader.exec_module(module)
    return module


run = _load_runner()
BASELINE = run.load_baseline(CONFORMANCE / "baseline.toml")


def _operations() -> list[str]:
    return run.declared_operations(spec())


def test_the_baseline_is_short() -> None:
    assert 0 < len(BASELINE) <= 30


@pytest.mark.needs_openapi
@pytest.mark.parametrize("entry", BASELINE, ids=str)
def test_each_entry_names_operations_of_the_reference(entry) -> None:
    operations = _operations()
    for pattern in entry.operations:
        assert any(fnmatchcase(op, pattern) for op in operations), pattern
    assert entry.check in KNOWN_CHECKS


@pytest.mark.parametrize("entry", BASELINE, ids=str)
def test_each_entry_cites_oncehubs_documentation(entry) -> None:
    assert "reference" in entry.reason, entry.reason
    assert "\n" not in entry.reason


def _failure(operation: str, check: str, status: int | None, message: str = "") -> object:
    return run.Failure(operation, check, "", status, message, "", "")


def test_an_entry_matches_only_its_operations_check_status_and_text() -> None:
    entry = run.Accepted(
        operation=("POST /contacts", "PATCH /contacts/{id}"),
        check="positive_data_acceptance",
        reason="reference",
        status=400,
        match="No such user",
    )
    hit = _failure("PATCH /contacts/{id}", "positive_data_acceptance", 400, "No such user: 'x'")
    assert entry.matches(hit)
    assert not entry.matches(
        _failure("POST /users", "positive_data_acceptance", 400, "No such user")
    )
    assert not entry.matches(_failure("POST /contacts", "not_a_server_error", 400, "No such user"))
    assert not entry.matches(
        _failure("POST /contacts", "positive_data_acceptance", 500, "No such user")
    )
    assert not entry.matches(_failure("POST /contacts", "positive_data_acceptance", 400, "Invalid"))


def test_a_bad_entry_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "baseline.toml"
    bad.write_text('[[accepted]]\noperation = "GET /bookings"\ncheck = "status_code_conformance"\n')
    with pytest.raises(ValueError, match="lacks reason"):
        run.load_baseline(bad)


def test_no_operation_of_the_reference_is_accepted_wholesale() -> None:
    """No entry accepts every check of an operation, nor one check everywhere."""
    for entry in BASELINE:
        assert entry.check != "*", entry
        assert "*" not in entry.operations, entry
