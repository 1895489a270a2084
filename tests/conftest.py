"""What every test needs: a clean environment, private Jupyter folders, a real sandbox
server on 127.0.0.1 (``sandbox``), and the one rule for skipping: only a test marked
``needs_openapi`` may be skipped, and only when OnceHub's OpenAPI file is missing.
Each folder's conftest.py holds what only its tests use."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from oncehub_nb.http import ratelimit
from oncehub_nb.sandbox import Sandbox
from tests import reference
from tests.support import CANARY_ACCOUNT, CANARY_KEY, scrub_environment


def pytest_configure(config: pytest.Config) -> None:
    if reference.required() and not reference.available():
        raise pytest.UsageError(
            f"{reference.MISSING}. ONCEHUB_OPENAPI_REQUIRED is set: the tests that read it "
            "must run, not be skipped."
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that run a Jupyter kernel first, the others in file order: with pytest-xdist
    the kernels' start-ups and waits then overlap with the other tests instead of ending
    the run alone. No test depends on the order; the sort is stable (modules stay together)."""
    items.sort(key=lambda item: item.get_closest_marker("kernel") is None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(reference.MARKER):
        reference.skip_if_missing()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Nothing skips or xfails but a test marked needs_openapi whose file is missing."""
    report = yield
    said = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    excused = report.skipped and reference.MISSING in said
    if (report.skipped or hasattr(report, "wasxfail")) and not excused:
        why = getattr(report, "wasxfail", None) or said
        report.outcome = "failed"
        report.longrepr = f"only a missing OpenAPI file may skip a test; skipped or xfailed: {why}"
        if hasattr(report, "wasxfail"):
            del report.wasxfail
    return report


@pytest.fixture(scope="session", autouse=True)
def private_ipython_and_jupyter_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """IPython's profile and history, and kernels' runtime files, stay out of the real home."""
    home = tmp_path_factory.mktemp("home")
    names = ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(home / name.lower())
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No key or base URL from the developer's machine, a cwd with no .env above it, and a
    config folder of the test's own (the profiles file is never the real home's)."""
    scrub_environment(monkeypatch)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    ratelimit._windows.clear()
    yield
    ratelimit._windows.clear()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A sandbox with the canary key valid, rate limits off (tests switch them on)."""
    with Sandbox(key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT}) as box:
        yield box
