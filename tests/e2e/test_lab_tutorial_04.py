"""Tutorial 04 run whole in JupyterLab against the built-in sandbox: two syncs shown as
the mirror's table, the second fetching a page where the first fetched them all, a SQL
answer, a chart, and no new file beside the notebook (the mirror goes to a temp folder).
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

TUTORIAL_04 = REPO / "notebooks" / "04-mirror.ipynb"
NOTEBOOK = TUTORIAL_04.name
STREAMS = ("bookings", "contacts", "users", "teams", "event_types", "booking_calendars")


@pytest.fixture(scope="module")
def server(workspace: Workspace) -> JupyterServer:
    """A Lab server, not started, whose root holds a copy of tutorial 04 (and no .env)."""
    return tutorial_server(workspace, TUTORIAL_04, "lab-tutorial-04")


@pytest.fixture(scope="module")
def files_before(server: JupyterServer) -> list[str]:
    return files_beside(server)


@pytest.fixture(scope="module")
def tutorial(
    browser: Browser, workspace: Workspace, server: JupyterServer, files_before: list[str]
) -> Iterator[NotebookUI]:
    """Tutorial 04 open in JupyterLab, every cell run (no key: it uses the sandbox)."""
    with lab_page(browser, workspace, server, NOTEBOOK, "tutorial-04") as ui:
        ui.run_all(timeout=240)
        yield ui


def _outputs(ui: NotebookUI, index: int) -> Locator:
    return ui.page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")


def _mirror_table(ui: NotebookUI, index: int) -> dict[str, list[str]]:
    """The mirror's table shown by cell ``index``: its rows by stream name."""
    table = _outputs(ui, index).locator(".oncehub-mirror table")
    ui.check("one mirror table", lambda: expect(table).to_have_count(1, timeout=60 * SECOND))
    table.scroll_into_view_if_needed()
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_text_contents()]
        rows[cells[0]] = cells[1:]
    return rows


def test_both_syncs_show_the_mirror_table(tutorial: NotebookUI) -> None:
    first = _mirror_table(tutorial, code_cell_index(TUTORIAL_04, "import pathlib"))
    tutorial.shot("first-sync")
    second = _mirror_table(tutorial, code_cell_index(TUTORIAL_04, "m = %oncehub_sync"))
    tutorial.shot("second-sync")
    for stream in STREAMS:
        assert stream in first and stream in second, (stream, first, second)
    assert first["bookings"][0] == second["bookings"][0], (first, second)  # rows held
    assert re.search(r"\d", first["bookings"][0]), first


def test_the_second_sync_fetched_little(tutorial: NotebookUI) -> None:
    said = _outputs(tutorial, code_cell_index(TUTORIAL_04, "first_pages = "))
    tutorial.check(
        "the second sync's bookings line",
        lambda: expect(said).to_contain_text(re.compile(r"bookings: .* in 1 page\(s\)")),
    )
    assert "3 changed" in said.inner_text(), said.inner_text()


def test_sql_answers_and_the_chart_is_drawn(tutorial: NotebookUI) -> None:
    answer = _outputs(tutorial, code_cell_index(TUTORIAL_04, "by_status = m.sql("))
    tutorial.check("a DataFrame answer", lambda: expect(answer.locator("table")).to_have_count(1))
    assert "canceled" in answer.inner_text(), answer.inner_text()
    chart = _outputs(tutorial, code_cell_index(TUTORIAL_04, "import matplotlib")).locator("img")
    tutorial.check("one chart", lambda: expect(chart).to_have_count(1, timeout=30 * SECOND))
    chart.scroll_into_view_if_needed()
    tutorial.check("the chart is visible", lambda: expect(chart).to_be_visible())
    tutorial.shot("chart")
    chart.screenshot(path=str(tutorial.evidence.folder / "tutorial-04-chart-alone.png"))


def test_no_error_and_no_new_file_beside_the_notebook(
    tutorial: NotebookUI, files_before: list[str]
) -> None:
    errors = tutorial.page.locator(".jp-OutputArea-output[data-mime-type*='error']")
    tutorial.check("no error output", lambda: expect(errors).to_have_count(0))
    assert files_beside(tutorial.server) == files_before
