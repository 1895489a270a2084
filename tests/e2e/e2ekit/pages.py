"""The tutorial opened in each front end, prepared all at once.

Running the tutorial takes about 15 s of mostly waiting (its failure demos retry with
backoff), so every page the selected tests need is opened and started up front; each
test module then waits for its own page only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from e2ekit.isolation import TUTORIAL
from e2ekit.servers import JupyterServer
from e2ekit.ui import NotebookUI
from e2ekit.workspace import Workspace

__all__ = ["PAGES", "PageSpec", "TutorialPages", "lab_page"]

VIEWPORT = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class PageSpec:
    """One front end: the fixture that yields it, the Jupyter app, a label for files."""

    fixture: str
    app: str
    label: str
    save_widget_state: bool = False


PAGES = (
    PageSpec("lab", "lab", "lab"),
    PageSpec("lab_saving_widgets", "lab", "lab-savestate", save_widget_state=True),
    PageSpec("notebook7", "notebook", "nb7"),
)


@dataclass
class TutorialPages:
    """Servers and pages for ``specs``; ``get`` hands a page over once its run finished."""

    browser: Browser
    workspace: Workspace
    specs: list[PageSpec]
    servers: dict[str, JupyterServer] = field(default_factory=dict)
    pages: dict[str, NotebookUI] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)

    def prepare(self) -> TutorialPages:
        """Start every server, then open each page and start Run All in it."""
        for spec in self.specs:
            server = self.workspace.server(
                spec.app, spec.label, save_widget_state=spec.save_widget_state
            )
            self.servers[spec.fixture] = server.launch()
        for spec in self.specs:
            try:
                self.servers[spec.fixture].wait_ready()
                ui = self._open(spec)
                ui.open()
                ui.shot("opened")
                ui.start_run_all()
            except (AssertionError, RuntimeError, TimeoutError) as problem:
                self.problems[spec.fixture] = f"{type(problem).__name__}: {problem}"
        return self

    def _open(self, spec: PageSpec) -> NotebookUI:
        server = self.servers[spec.fixture]
        page = self.browser.new_context(viewport=VIEWPORT).new_page()
        console = (self.workspace.artifacts / f"{spec.label}-console.log").open("a")
        page.on("console", lambda message: console.write(f"{message.type}: {message.text}\n"))
        page.on("close", lambda _page: console.close())
        ui = NotebookUI(page, server, TUTORIAL.name, self.workspace.evidence, spec.label)
        self.pages[spec.fixture] = ui
        return ui

    def get(self, fixture: str) -> NotebookUI:
        """The page for ``fixture`` once every cell ran; fails with what went wrong."""
        problem = self.problems.get(fixture)
        assert problem is None, f"preparing {fixture} failed: {problem}"
        ui = self.pages[fixture]
        if fixture not in self.finished:
            ui.wait_run_all()
            ui.shot("ran-all")
            self.finished.add(fixture)
        return ui

    def close(self) -> dict[str, list[int]]:
        """Close the pages and stop the servers; the kernels that outlived their server."""
        for ui in self.pages.values():
            with contextlib.suppress(PlaywrightError):  # the browser may be gone already
                ui.page.context.close()
        lingering = {fixture: server.stop() for fixture, server in self.servers.items()}
        return {fixture: pids for fixture, pids in lingering.items() if pids}


@contextlib.contextmanager
def lab_page(
    browser: Browser, workspace: Workspace, server: JupyterServer, notebook: str, label: str
) -> Iterator[NotebookUI]:
    """``notebook`` (already in the server's root) open alone in a JupyterLab page of its
    own server; the browser console goes to ``<label>-console.log``. On leaving, the page
    closes and the server stops, with no kernel left running."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        server.start()
        page = context.new_page()
        console = (workspace.artifacts / f"{label}-console.log").open("a")
        page.on("console", lambda message: console.write(f"{message.type}: {message.text}\n"))
        page.on("close", lambda _page: console.close())
        ui = NotebookUI(page, server, notebook, workspace.evidence, label)
        ui.open()
        panels = page.locator(".jp-NotebookPanel")
        ui.check("only this notebook open", lambda: expect(panels).to_have_count(1))
        yield ui
    finally:
        with contextlib.suppress(PlaywrightError):
            context.close()
        lingering = server.stop()
    assert not lingering, f"kernels still running after their server stopped: {lingering}"
