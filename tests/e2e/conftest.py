"""Fixtures for the browser tests: a private home, Chromium, Jupyter servers, pages.

Run with ``make e2e`` (or ``.venv/bin/python -m pytest tests/e2e``). Plain ``make
test`` never collects these (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from e2ekit.isolation import REPO, TUTORIAL, HomeGuard, isolated_dirs, server_env
from e2ekit.pages import PAGES, TutorialPages
from e2ekit.ui import Evidence, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    config.stash[ARTIFACTS] = REPO / "e2e-artifacts" / stamp


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"e2e: chromium {CHROMIUM}, notebook {TUTORIAL.relative_to(REPO)}",
        f"e2e: screenshots and server logs in {config.stash[ARTIFACTS]}",
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed test, a screenshot of every page it used, named in the report."""
    report = yield
    if report.failed and call.when == "call":
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, NotebookUI):
                picture = value.shot(f"FAILED-{item.name}")
                report.sections.append(
                    ("e2e", f"screenshot: {picture}\nserver log: {value.server.log_path}")
                )
    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    terminalreporter.write_line(f"e2e screenshots and server logs: {config.stash[ARTIFACTS]}")


@pytest.fixture(scope="session")
def home_guard() -> Iterator[HomeGuard]:
    """Fails the session if anything new appeared where Jupyter & co. write in the real home."""
    guard = HomeGuard().start()
    yield guard
    appeared = guard.new_entries()
    assert not appeared, (
        f"new in {guard.home} during the browser tests (started {guard.started}): {appeared}; "
        "every process the suite starts has its own HOME, so check for another run, too"
    )


@pytest.fixture(scope="session")
def workspace(request: pytest.FixtureRequest, home_guard: HomeGuard) -> Iterator[Workspace]:
    """A temporary folder for every HOME-like directory; this process uses it too."""
    artifacts = request.config.stash[ARTIFACTS]
    artifacts.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix="oncehub-e2e-"))
    dirs = isolated_dirs(base)
    env = server_env(dirs)
    with pytest.MonkeyPatch.context() as patch:
        for var, value in dirs.items():
            patch.setenv(var, value)  # the Playwright driver and Chromium inherit these
        for var in ("ONCEHUB_API_KEY", "ONCEHUB_BASE_URL"):
            patch.delenv(var, raising=False)
        yield Workspace(base, dirs, env, artifacts, Evidence(artifacts))
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright(workspace: Workspace) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, workspace: Workspace) -> Iterator[Browser]:
    """Debian's Chromium, headless; never a downloaded browser."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: run `make e2e` (it installs chromium)"
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, env=workspace.env, timeout=60_000
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def tutorial_pages(
    request: pytest.FixtureRequest, browser: Browser, workspace: Workspace
) -> Iterator[TutorialPages]:
    """Every page the selected tests use, started together; all stopped at the end."""
    used = {name for item in request.session.items for name in item.fixturenames}
    pages = TutorialPages(browser, workspace, [spec for spec in PAGES if spec.fixture in used])
    try:
        yield pages.prepare()
    finally:
        lingering = pages.close()
    assert not lingering, f"kernels still running after their server stopped: {lingering}"


@pytest.fixture
def lab(tutorial_pages: TutorialPages) -> NotebookUI:
    """The tutorial in JupyterLab, every cell run (one page for the whole session)."""
    return tutorial_pages.get("lab")


@pytest.fixture
def lab_saving_widgets(tutorial_pages: TutorialPages) -> NotebookUI:
    """The tutorial in a JupyterLab that saves widget state into the notebook."""
    return tutorial_pages.get("lab_saving_widgets")


@pytest.fixture
def notebook7(tutorial_pages: TutorialPages) -> NotebookUI:
    """The tutorial in Notebook 7 (``jupyter notebook``), every cell run."""
    return tutorial_pages.get("notebook7")
