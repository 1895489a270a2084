"""Tutorial 02 run whole in JupyterLab against the built-in sandbox: its chart is drawn
(and photographed, to look at: the legend beside the bars, not over them), and running
it leaves no new file beside the notebook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2ekit.isolation import REPO
from e2ekit.pages import lab_page
from e2ekit.servers import JupyterServer
from e2ekit.tutorials import code_cell_index, files_beside, tutorial_server
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

TUTORIAL_02 = REPO / "notebooks" / "02-explore-bookings.ipynb"
NOTEBOOK = TUTORIAL_02.name
CHART_CELL = "import pandas as pd"  # the first line of the cell that draws the chart

# The drawn image: its size as decoded, and as laid out in the page.
IMAGE_SIZES = """img => ({
  complete: img.complete,
  natural: [img.naturalWidth, img.naturalHeight],
  shown: [img.clientWidth, img.clientHeight],
})"""


@pytest.fixture(scope="module")
def server(workspace: Workspace) -> JupyterServer:
    """A Lab server, not started, whose root holds a copy of tutorial 02 (and no .env)."""
    return tutorial_server(workspace, TUTORIAL_02, "lab-tutorial-02")


@pytest.fixture(scope="module")
def files_before(server: JupyterServer) -> list[str]:
    """What the server's root holds before the tutorial runs."""
    return files_beside(server)


@pytest.fixture(scope="module")
def tutorial(
    browser: Browser, workspace: Workspace, server: JupyterServer, files_before: list[str]
) -> Iterator[NotebookUI]:
    """Tutorial 02 open in JupyterLab, every cell run (no key: it uses the sandbox)."""
    with lab_page(browser, workspace, server, NOTEBOOK, "tutorial-02") as ui:
        ui.run_all(timeout=180)
        yield ui


def _chart(ui: NotebookUI) -> Locator:
    cell = ui.page.locator(".jp-Notebook .jp-Cell").nth(code_cell_index(TUTORIAL_02, CHART_CELL))
    return cell.locator(".jp-OutputArea-output img")


def test_the_chart_is_drawn_and_photographed(tutorial: NotebookUI) -> None:
    chart = _chart(tutorial)
    tutorial.check("one chart image", lambda: expect(chart).to_have_count(1, timeout=30 * SECOND))
    tutorial.check(
        "the chart is a PNG",
        lambda: expect(chart).to_have_attribute("src", re.compile(r"^data:image/png;")),
    )
    chart.scroll_into_view_if_needed()
    tutorial.check("the chart is visible", lambda: expect(chart).to_be_visible())
    sizes = chart.evaluate(IMAGE_SIZES)
    assert sizes["complete"] and min(sizes["natural"]) > 100, sizes
    assert min(sizes["shown"]) > 100, sizes
    tutorial.shot("chart")
    chart.screenshot(path=str(tutorial.evidence.folder / "tutorial-02-chart-alone.png"))


def test_no_error_and_no_new_file_beside_the_notebook(
    tutorial: NotebookUI, files_before: list[str]
) -> None:
    errors = tutorial.page.locator(".jp-OutputArea-output[data-mime-type*='error']")
    tutorial.check("no error output", lambda: expect(errors).to_have_count(0))
    csv = tutorial.page.locator(".jp-OutputArea-output", has_text="bookings-quarter.csv")
    tutorial.check("the CSV cell says where it wrote", lambda: expect(csv).to_have_count(1))
    assert files_beside(tutorial.server) == files_before
