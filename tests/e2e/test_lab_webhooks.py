"""Tutorial 03 (webhooks) in JupyterLab: the inbox's table grows in place as events arrive.

One Lab server and one page for the module. A copy of ``notebooks/03-webhooks.ipynb``
sits in the server's root. It runs in two steps through the Run menu: every cell up to
the one that starts the inbox (``%oncehub_webhooks listen``), when its table is still
empty, then the rest: a booking scheduled and canceled in the sandbox, a forged
delivery, and ``%oncehub_webhooks stop``. The deliveries arrive on a background thread
and update the listen cell's one display output (a display_id) in place.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from e2ekit.isolation import REPO
from e2ekit.pages import lab_page
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

TUTORIAL_03 = REPO / "notebooks" / "03-webhooks.ipynb"
NOTEBOOK = TUTORIAL_03.name
LISTEN = "inbox = %oncehub_webhooks listen"
STOP = "%oncehub_webhooks stop"
VERIFIED = "✓ verified"
FORGED_REASON = "✗ The signature does not match"
SECRET_LIKE = re.compile(r"[0-9a-fA-F]{32,}")  # the sandbox's secrets: token_hex(16)
DEMO_KEY = "sandbox-demo-key"
FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
ERROR_OUTPUTS = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
)


def _index(start: str, *, exact: bool = False) -> int:
    """Position among all cells of the first code cell starting with (or being) ``start``."""
    cells = json.loads(TUTORIAL_03.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        source = "".join(cell["source"]).strip()
        if cell["cell_type"] == "code" and (source == start if exact else source.startswith(start)):
            return index
    raise AssertionError(f"{TUTORIAL_03.name} has no code cell {start!r}")


LISTEN_AT = _index(LISTEN)
STOP_AT = _index(STOP)
SHOW_AT = _index("inbox", exact=True)  # the cell that shows the inbox once more


@dataclass
class WebhooksRun:
    """The page once every cell ran, and what the listen cell showed before the events."""

    ui: NotebookUI
    outputs_before: int  # outputs of the listen cell right after it ran
    text_before: str  # the listen cell's output text then
    page_text_before: str  # document.body.innerText then


def _cells(ui: NotebookUI) -> Locator:
    return ui.page.locator(".jp-Notebook .jp-Cell")


def _inner_text(ui: NotebookUI) -> str:
    return str(ui.page.evaluate("() => document.body.innerText"))


def _bring_into_view(ui: NotebookUI, target: Locator, what: str) -> None:
    """Scroll ``target`` into view and wait until the browser painted it.

    Lab skips the rendering of cells out of view (``content-visibility``): without the
    two animation frames a screenshot right after scrolling shows blank space.
    """

    def show() -> None:
        target.scroll_into_view_if_needed(timeout=10 * SECOND)
        expect(target).to_be_in_viewport(timeout=10 * SECOND)
        ui.page.evaluate(FRAMES)

    ui.check(f"scrolling to {what}", show)


def _select(ui: NotebookUI, index: int) -> None:
    """Make the cell at ``index`` the active one (command mode)."""
    cell = _cells(ui).nth(index)

    def select() -> None:
        cell.scroll_into_view_if_needed(timeout=10 * SECOND)
        cell.click(timeout=10 * SECOND)
        ui.page.keyboard.press("Escape")
        expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"), timeout=5 * SECOND)

    ui.check(f"cell {index} selected", select)


@pytest.fixture(scope="module")
def webhooks(browser: Browser, workspace: Workspace) -> Iterator[WebhooksRun]:
    """Tutorial 03 open in JupyterLab: run up to the listen cell, then every cell."""
    server = workspace.server("lab", "lab-webhooks")
    shutil.copy(TUTORIAL_03, server.root_dir / NOTEBOOK)
    with lab_page(browser, workspace, server, NOTEBOOK, "webhooks") as ui:
        ui.check(
            "the tutorial's cells shown",
            lambda: expect(_cells(ui).nth(STOP_AT)).to_be_attached(timeout=20 * SECOND),
        )

        # Step 1: Run → Run All Above Selected Cell, with the cell after `listen` selected.
        listen = _cells(ui).nth(LISTEN_AT)
        ui.check(
            "the listen cell is the tutorial's",
            lambda: expect(listen.locator(".cm-content")).to_contain_text(LISTEN),
        )
        _select(ui, LISTEN_AT + 1)
        ui.menu("Run", "notebook:run-all-above")
        ui.check(
            "the listen cell ran",
            lambda: expect(listen.locator(".jp-InputPrompt")).to_have_text(
                re.compile(r"\[\d+\]"), timeout=60 * SECOND
            ),
        )
        ui.check("kernel idle", lambda: server.wait_kernel_idle(NOTEBOOK, 30))
        area = listen.locator(".jp-OutputArea")
        ui.expect_text(area, ["No deliveries yet.", "Listening: subscription WHK-"], "listen cell")
        ui.check(
            "an empty inbox table",
            lambda: expect(area.locator(".oncehub-webhooks table tbody tr")).to_have_count(0),
        )
        outputs_before = area.locator(".jp-OutputArea-output").count()
        text_before = area.inner_text()
        page_text_before = _inner_text(ui)
        _bring_into_view(ui, listen, "the listen cell")
        ui.shot("inbox-empty")

        # Step 2: Run → Run Selected Cell and All Below.
        _select(ui, LISTEN_AT + 1)
        ui.menu("Run", "notebook:run-all-below")
        ui.wait_run_all(timeout=90)
        ui.shot("ran-all")
        yield WebhooksRun(ui, outputs_before, text_before, page_text_before)


def test_the_inbox_starts_empty_under_the_listen_cell(webhooks: WebhooksRun) -> None:
    assert webhooks.outputs_before == 2, webhooks.text_before  # the table, then the note
    assert "Webhook inbox http://127.0.0.1:" in webhooks.text_before, webhooks.text_before
    assert "0 deliveries, 0 verified" in webhooks.text_before, webhooks.text_before
    assert "(closed)" not in webhooks.text_before, webhooks.text_before


def test_the_inbox_table_grows_in_place(webhooks: WebhooksRun) -> None:
    ui = webhooks.ui
    area = _cells(ui).nth(LISTEN_AT).locator(".jp-OutputArea")
    outputs = area.locator(".jp-OutputArea-output")
    ui.check(
        "the listen cell has as many outputs as before the events",
        lambda: expect(outputs).to_have_count(webhooks.outputs_before),
    )
    tables = area.locator(".oncehub-result.oncehub-webhooks table")
    ui.check("one inbox table in the listen cell", lambda: expect(tables).to_have_count(1))
    headers = [h.strip() for h in tables.locator("thead th").all_text_contents()]
    assert headers == ["time (UTC)", "event", "subject", "status", "verified"], headers
    rows = tables.locator("tbody tr")
    ui.check("three deliveries in the table", lambda: expect(rows).to_have_count(3))
    cells = [[c.strip() for c in row.locator("td").all_text_contents()] for row in rows.all()]
    events = [row[1] for row in cells]
    checks = [row[4] for row in cells]
    assert events == ["booking.scheduled", "booking.canceled", "?"], cells  # refused: body not kept
    assert checks[:2] == [VERIFIED, VERIFIED], cells
    assert checks[2].startswith(FORGED_REASON), cells
    assert [row[3] for row in cells[:2]] == ["scheduled", "canceled"], cells
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", row[0]) for row in cells), cells
    ui.expect_text(area, ["(closed)", "3 deliveries, 2 verified"], "the final inbox table")
    assert "No deliveries yet." not in area.inner_text()
    _bring_into_view(ui, _cells(ui).nth(LISTEN_AT), "the listen cell")
    ui.shot("inbox-table")

    # `inbox` shown again later is live too: it ends with the forged delivery as well.
    shown = _cells(ui).nth(SHOW_AT).locator(".oncehub-webhooks table tbody tr")
    ui.check("the later table fills in too", lambda: expect(shown).to_have_count(3))


def test_every_cell_succeeds_and_the_last_one_stops(webhooks: WebhooksRun) -> None:
    ui = webhooks.ui
    notebook = ui.page.locator(".jp-Notebook")
    ui.check("no error output", lambda: expect(notebook.locator(ERROR_OUTPUTS)).to_have_count(0))
    ui.check(
        "no traceback",
        lambda: expect(notebook.filter(has_text="Traceback")).to_have_count(0),
    )
    cells = _cells(ui)
    ui.expect_text(
        cells.nth(_index("events = inbox.wait_for")).locator(".jp-OutputArea"),
        ["[('booking.scheduled', True), ('booking.canceled', True)]"],
        "both deliveries verified",
    )
    ui.expect_text(
        cells.nth(_index("import httpx")).locator(".jp-OutputArea"),
        ["(401, 'The signature does not match the body with the signing secret.')"],
        "the forged delivery refused",
    )
    stop = cells.nth(STOP_AT).locator(".jp-OutputArea")
    ui.expect_text(stop, [re.compile(r"Stopped: subscription WHK-[0-9A-Z]+ deleted")], "stop")
    _bring_into_view(ui, stop, "the last cell")
    ui.shot("stopped")


def test_the_page_never_shows_a_secret(webhooks: WebhooksRun) -> None:
    ui = webhooks.ui
    now = _inner_text(ui)
    content = str(ui.page.evaluate("() => document.querySelector('.jp-Notebook').textContent"))
    for when, text in (
        ("after the listen cell", webhooks.page_text_before),
        ("at the end", now),
        ("in the notebook's text content at the end", content),
    ):
        assert "Webhook inbox" in text, f"{when}: page text not read"
        hexes = SECRET_LIKE.findall(text)
        assert not hexes, f"{when}: 32+ hex digits shown: {hexes}"
        assert DEMO_KEY not in text, f"{when}: the sandbox's key shown"
    assert "signing secret …" in now, "the inbox's footer should show the secret masked"
