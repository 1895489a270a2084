"""``%oncehub`` in JupyterLab against the built-in sandbox: Tab completion, a table, progress.

One Lab server and one page for the module: a notebook whose first cell loads the
extension and signs in to the sandbox (400 bookings, no network). Each test adds
its own cells at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from e2ekit.pages import lab_page
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

NOTEBOOK = "explore-e2e.ipynb"
FIRST_CELL = "%load_ext oncehub_nb\n%oncehub_auth --sandbox"
PROGRESS = re.compile(
    r"^\s*GET /bookings: 400 objects · 4 pages · [\d.]+ s waiting on rate limits · "
    r"done in [\d.]+ s\s*$"
)


def _notebook() -> str:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "load-and-sign-in",
        "metadata": {},
        "outputs": [],
        "source": FIRST_CELL,
    }
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    notebook = {"cells": [cell], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


@pytest.fixture(scope="module")
def explore(browser: Browser, workspace: Workspace) -> Iterator[NotebookUI]:
    """The notebook open in JupyterLab, its first cell run (signed in to the sandbox)."""
    server = workspace.server("lab", "lab-explore")
    (server.root_dir / NOTEBOOK).write_text(_notebook(), encoding="utf-8")
    with lab_page(browser, workspace, server, NOTEBOOK, "explore") as ui:
        ui.run_all(timeout=60)
        output = ui.page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-OutputArea-output")
        ui.expect_text(output, ["demo@example.com"], "sign-in to the sandbox")
        ui.shot("signed-in")
        yield ui


def _run_in_new_cell(ui: NotebookUI, source: str, timeout: float = 30) -> Locator:
    """Type ``source`` into a new cell at the end and run it; the cell, once it ran."""
    cell = ui.new_cell()
    editor = cell.locator(".cm-content")
    ui.check("typing", lambda: editor.press_sequentially(source, delay=10))
    ui.check("typed text", lambda: expect(editor).to_have_text(source))
    ui.page.keyboard.press("Control+Enter")  # runs in place: no empty cell left below
    ui.check(
        f"{source!r} ran",
        lambda: expect(cell.locator(".jp-InputPrompt")).to_have_text(
            re.compile(r"\[\d+\]"), timeout=timeout * SECOND
        ),
    )
    return cell


def test_tab_completes_the_path_after_oncehub(explore: NotebookUI) -> None:
    cell = explore.new_cell()
    editor = cell.locator(".cm-content")
    explore.check("typing", lambda: editor.press_sequentially("%oncehub boo", delay=20))
    explore.check("typed text", lambda: expect(editor).to_have_text("%oncehub boo"))
    explore.page.keyboard.press("Tab")

    # Several paths start with "boo" (bookings, booking-pages, …): Lab shows its popup.
    # A single match would be inserted directly; both count, as long as it is bookings.
    completer = explore.page.locator(".jp-Completer")
    item = completer.locator('.jp-Completer-item[data-value="bookings"]')
    completed = re.compile(r"^%oncehub bookings$")

    def offered() -> None:
        expect(item.or_(editor.filter(has_text=completed))).to_be_visible(timeout=20 * SECOND)

    explore.check("completion offered", offered)
    if completer.is_visible():
        offers = completer.locator(".jp-Completer-item").evaluate_all(
            "items => items.map(i => i.getAttribute('data-value'))"
        )
        assert "bookings" in offers, offers
        assert all(offer.startswith("boo") for offer in offers), offers
        explore.shot("tab-completion-popup")
        explore.check("choosing bookings", lambda: item.click(timeout=5 * SECOND))
    explore.check("completed", lambda: expect(editor).to_have_text(completed))
    explore.check("popup closed", lambda: expect(completer).to_be_hidden(timeout=5 * SECOND))
    explore.shot("tab-completion")


def test_a_list_shows_as_a_table_with_its_footer(explore: NotebookUI) -> None:
    output = _run_in_new_cell(explore, "%oncehub bookings limit==5").locator(
        ".jp-OutputArea-output"
    )
    explore.check("one output", lambda: expect(output).to_have_count(1))
    explore.check(
        "the output is HTML",
        lambda: expect(output).to_have_attribute("data-mime-type", "text/html"),
    )
    table = output.locator(".oncehub-result.oncehub-list table")
    explore.check("one table", lambda: expect(table).to_have_count(1))
    rows = table.locator("tbody tr")
    explore.check("five rows", lambda: expect(rows).to_have_count(5))
    first_cells = rows.locator("td:first-child").all_text_contents()
    assert len(first_cells) == 5, first_cells
    assert all(re.fullmatch(r"BKNG-[0-9A-Z]+", text.strip()) for text in first_cells), first_cells
    assert len(set(first_cells)) == 5, f"repeated bookings: {first_cells}"
    headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
    assert headers and headers[0] == "id", headers
    explore.expect_text(output, [".more()", ".df()", "5 of 5 fetched shown"], "table footer")
    output.scroll_into_view_if_needed()
    explore.shot("bookings-table")


def test_fetching_all_leaves_one_final_progress_line(explore: NotebookUI) -> None:
    cell = _run_in_new_cell(explore, "r = %oncehub bookings --all", timeout=60)
    outputs = cell.locator(".jp-OutputArea-output")
    # The assignment shows no table (IPython's rule); the progress line appears while
    # it runs and stays, in its final state.
    explore.check("one output: progress", lambda: expect(outputs).to_have_count(1))
    progress = outputs.nth(0)
    explore.check("final progress", lambda: expect(progress).to_have_text(PROGRESS))
    explore.check(
        "the progress line is plain text",
        lambda: expect(progress).to_have_attribute("data-mime-type", "text/plain"),
    )
    lines = outputs.filter(has_text=re.compile(r"GET /bookings: \d+ objects"))
    explore.check("exactly one progress line", lambda: expect(lines).to_have_count(1))
    text = cell.locator(".jp-OutputArea").inner_text()
    assert text.count("done in") == 1 and text.count("400 objects") == 1, text
    widgets = cell.locator(
        ".jupyter-widgets, .widget-output, .jp-LinkedOutputView, [data-mime-type*='widget']"
    )
    explore.check("no widget", lambda: expect(widgets).to_have_count(0))
    explore.check("no table", lambda: expect(cell.locator(".oncehub-list")).to_have_count(0))
    progress.scroll_into_view_if_needed()
    explore.shot("progress-final")

    length = _run_in_new_cell(explore, "len(r)").locator(".jp-OutputArea-output")
    explore.check("len(r) is 400", lambda: expect(length).to_have_text("400"))
    explore.check("still one progress line", lambda: expect(lines).to_have_count(1))
    length.scroll_into_view_if_needed()
    explore.shot("len-r")
