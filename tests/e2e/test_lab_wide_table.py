"""A wide table in JupyterLab, in a narrow window: IDs stay whole, other columns give way.

One Lab server and one page: a notebook that loads the extension, signs in to the
built-in sandbox (no network) and lists bookings, plain and with expanded objects
(``Name (ID)`` cells). The window is made narrower than the tables; each ID must still
read whole, on one line, inside its cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from e2ekit.pages import lab_page
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

NOTEBOOK = "wide-table-e2e.ipynb"
CELLS = (
    "%load_ext oncehub_nb\n%oncehub_auth --sandbox",
    "%oncehub bookings limit==5",
    "%oncehub bookings limit==5 expand==data.owner,data.event_type,data.contact",
)
ROOMY = {"width": 1280, "height": 900}  # px, the file browser closed: room to wrap in
NARROW = {"width": 900, "height": 900}  # px, the file browser open: too narrow even wrapped

# Every ID in the table's cells: is its cell wide enough (scrollWidth <= clientWidth), is
# it on one line (one client rect) inside its cell, and inside what the frame shows?
ID_CELLS = r"""table => {
  const ID = /[A-Z]{2,5}-[A-Za-z0-9]+/g;
  const frame = table.parentElement;
  const edge = frame.getBoundingClientRect().left + frame.clientLeft;
  const shown = {left: edge, right: edge + frame.clientWidth};
  const found = [];
  for (const td of table.querySelectorAll('tbody td')) {
    const box = td.getBoundingClientRect();
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(ID)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()];
        const within = (r, b) => r.left >= b.left - 0.5 && r.right <= b.right + 0.5;
        found.push({
          id: match[0],
          cell: td.textContent,
          column: td.cellIndex,
          whole: td.scrollWidth <= td.clientWidth,
          lines: rects.length,
          inCell: rects.every(r => within(r, box)),
          visible: rects.every(r => within(r, shown)),
        });
      }
    }
  }
  return found;
}"""

# The frame and its table: how wide each is, and whether the frame scrolls rather than clips.
FRAME = """frame => ({
  frame: frame.clientWidth,
  table: frame.querySelector('table').getBoundingClientRect().width,
  scrollWidth: frame.scrollWidth,
  overflowX: getComputedStyle(frame).overflowX,
  output: frame.closest('.jp-OutputArea-output').clientWidth,
})"""


def _notebook() -> str:
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{n}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for n, source in enumerate(CELLS)
    ]
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    notebook = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


@pytest.fixture(scope="module")
def wide(browser: Browser, workspace: Workspace) -> Iterator[NotebookUI]:
    """The notebook open in JupyterLab, every cell run."""
    server = workspace.server("lab", "lab-wide-table")
    (server.root_dir / NOTEBOOK).write_text(_notebook(), encoding="utf-8")
    with lab_page(browser, workspace, server, NOTEBOOK, "wide-table") as ui:
        ui.run_all(timeout=60)
        first = ui.page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-OutputArea-output")
        ui.expect_text(first, ["demo@example.com"], "sign-in to the sandbox")
        yield ui


def _window(ui: NotebookUI, size: dict[str, int], *, file_browser: bool) -> None:
    """Resize the window; open or close the left side bar (the file browser)."""
    ui.page.set_viewport_size(size)
    panel = ui.page.locator("#jp-left-stack")
    if panel.is_visible() != file_browser:
        tab = ui.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").first
        ui.check("toggling the file browser", lambda: tab.click(timeout=10 * SECOND))
    state = expect(panel).to_be_visible if file_browser else expect(panel).to_be_hidden
    ui.check(f"file browser {'open' if file_browser else 'closed'}", lambda: state())


def _table(ui: NotebookUI, n: int) -> Locator:
    output = ui.page.locator(".jp-Notebook .jp-Cell").nth(n).locator(".jp-OutputArea-output")
    table = output.locator(".oncehub-result.oncehub-list table")
    ui.check(f"cell {n}: one table", lambda: expect(table).to_have_count(1))
    ui.check(f"cell {n}: five rows", lambda: expect(table.locator("tbody tr")).to_have_count(5))
    return table


def _measure(ui: NotebookUI, n: int, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The sizes of cell ``n``'s table and frame, its IDs, and a screenshot of it."""
    table = _table(ui, n)
    frame = table.locator("xpath=..")
    frame.scroll_into_view_if_needed()
    picture = ui.shot(name)
    sizes = {**frame.evaluate(FRAME), "screenshot": str(picture)}
    found = table.evaluate(ID_CELLS)
    assert found, f"no IDs in the table: {sizes}"
    assert sizes["frame"] <= sizes["output"], f"the frame is wider than its output: {sizes}"
    broken = [f for f in found if not (f["whole"] and f["lines"] == 1 and f["inCell"])]
    assert not broken, f"IDs cut or wrapped ({sizes}): {broken}"
    return sizes, found


@pytest.mark.parametrize(("cell", "name"), [(1, "bookings"), (2, "bookings-expanded")])
def test_a_wide_table_wraps_its_text_to_fit_with_ids_whole(
    wide: NotebookUI, cell: int, name: str
) -> None:
    _window(wide, ROOMY, file_browser=False)
    sizes, found = _measure(wide, cell, f"{name}-fits")
    assert sizes["table"] <= sizes["frame"], f"the table does not fit its frame: {sizes}"
    hidden = [f for f in found if not f["visible"]]
    assert not hidden, f"IDs cut at the frame's edge ({sizes}): {hidden}"
    first_column = [f for f in found if f["column"] == 0]
    assert len(first_column) == 5, found
    assert all(f["cell"] == f["id"] and f["id"].startswith("BKNG-") for f in first_column)
    if cell == 2:
        named = [f for f in found if f["cell"] != f["id"]]  # "Name (USR-…)" cells
        assert named, f"no expanded objects in the table: {found}"


def test_a_table_too_wide_even_wrapped_scrolls_with_ids_whole(wide: NotebookUI) -> None:
    _window(wide, NARROW, file_browser=True)
    sizes, found = _measure(wide, 2, "bookings-expanded-narrow")
    assert sizes["table"] > sizes["frame"], f"not too wide: nothing tested here: {sizes}"
    assert sizes["overflowX"] in ("auto", "scroll"), f"clipped, not scrolled: {sizes}"
    first_column = [f for f in found if f["column"] == 0]
    assert all(f["visible"] for f in first_column), f"the ID column is not in view: {found}"
