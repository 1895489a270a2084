"""The sign-in form's "Remember in .env" in JupyterLab: kept across a kernel restart, never saved.

One Lab server, one page and one sandbox (started in this process, so it outlives the
kernel) for the module. The tests run in order on the same notebook: the form writes
``.env`` next to the notebook, a restarted kernel signs in from it without typing, and
the saved notebook holds no key.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2ekit.keys import DEMO_KEY, SUCCESS_EXPECTED
from e2ekit.pages import lab_page
from e2ekit.servers import poll
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

from oncehub_nb.sandbox import Sandbox

NOTEBOOK = "remember-e2e.ipynb"
AFTER_RESTART = ["%load_ext oncehub_nb", "%oncehub_auth"]


@dataclass
class Remember:
    """The page, the sandbox it signs in to, and where the key should be remembered."""

    ui: NotebookUI
    sandbox: Sandbox

    @property
    def dotenv(self) -> Path:
        return self.ui.server.root_dir / ".env"

    def visible_text(self) -> str:
        return str(self.ui.page.evaluate("() => document.body.innerText"))


def _notebook(base_url: str) -> str:
    sources = [
        "%load_ext oncehub_nb",
        f'import oncehub_nb\nform = oncehub_nb.AuthWidget(base_url="{base_url}")\nform',
    ]
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{number}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for number, source in enumerate(sources, 1)
    ]
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    notebook = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


@pytest.fixture(scope="module")
def remember(browser: Browser, workspace: Workspace) -> Iterator[Remember]:
    """The notebook open in JupyterLab, every cell run: the form, aimed at the sandbox."""
    sandbox = Sandbox().start()
    server = workspace.server("lab", "lab-remember")
    (server.root_dir / NOTEBOOK).write_text(_notebook(sandbox.base_url), encoding="utf-8")
    try:
        with lab_page(browser, workspace, server, NOTEBOOK, "remember") as ui:
            ui.run_all(timeout=60)
            yield Remember(ui, sandbox)
    finally:
        sandbox.stop()


def _run_lines_in_new_cell(ui: NotebookUI, lines: list[str], timeout: float = 30) -> Locator:
    """A new cell at the end holding ``lines``, run in place; the cell, once it ran."""
    cell = ui.new_cell()
    editor = cell.locator(".cm-content")
    ui.check("typing", lambda: editor.press_sequentially("\n".join(lines), delay=10))
    ui.check("typed lines", lambda: expect(editor.locator(".cm-line")).to_have_text(lines))
    ui.page.keyboard.press("Control+Enter")  # runs in place: no empty cell left below
    ui.check(
        "new cell ran",
        lambda: expect(cell.locator(".jp-InputPrompt")).to_have_text(
            re.compile(r"\[\d+\]"), timeout=timeout * SECOND
        ),
    )
    return cell


def test_ticked_box_remembers_the_confirmed_key_in_dotenv(remember: Remember) -> None:
    ui, dotenv = remember.ui, remember.dotenv
    assert not dotenv.exists(), f"{dotenv} exists before the form wrote it"
    form = ui.auth_form()
    typed_source = form.root.locator(".oncehub-auth-source button", has_text="Type the key")
    dotenv_source = form.root.locator(".oncehub-auth-source button", has_text=".env file")
    box = form.root.locator(".oncehub-auth-remember input[type=checkbox]")
    # No .env yet, so the form starts on "Type the key"; the box shows with that source only.
    ui.check(
        "source is Type the key",
        lambda: expect(typed_source).to_have_class(re.compile(r"\bmod-active\b")),
    )
    ui.check("choosing .env file", lambda: dotenv_source.click(timeout=10 * SECOND))
    ui.check("box hidden for .env file", lambda: expect(box).to_be_hidden(timeout=10 * SECOND))
    ui.check("choosing Type the key", lambda: typed_source.click(timeout=10 * SECOND))
    ui.check("box shown for typed key", lambda: expect(box).to_be_visible(timeout=10 * SECOND))
    ui.check("box unticked at first", lambda: expect(box).not_to_be_checked())
    ui.check("ticking the box", lambda: box.check(timeout=10 * SECOND))
    ui.check("box ticked", lambda: expect(box).to_be_checked())

    form.type_key(DEMO_KEY)
    ui.shot("remember-ticked-before-validate")
    assert remember.sandbox.count(key=DEMO_KEY) == 0, "the key reached the sandbox before Validate"
    status = form.submit(SUCCESS_EXPECTED)
    assert status.lstrip().startswith("✔"), status

    saved = form.root.locator(".oncehub-auth-saved .widget-html-content")
    ui.expect_text(saved, ["Remembered in", str(dotenv.resolve())], "remembered note")
    ui.check("scrolling to the note", lambda: saved.scroll_into_view_if_needed())
    ui.shot("remembered-in-dotenv")

    assert remember.sandbox.count(key=DEMO_KEY) >= 1, "Validate never asked the test's sandbox"
    assert dotenv.is_file(), f"no {dotenv} on disk although the form says it remembered"
    mode = stat.S_IMODE(dotenv.stat().st_mode)
    assert mode == 0o600, f"{dotenv} has mode {mode:o}, not 600"
    lines = dotenv.read_text(encoding="utf-8").splitlines()
    assert f"ONCEHUB_API_KEY={DEMO_KEY}" in lines, lines
    # The sandbox is not OnceHub: the file must also say where the key is valid.
    assert f"ONCEHUB_BASE_URL={remember.sandbox.base_url}" in lines, lines
    assert DEMO_KEY not in remember.visible_text(), "the typed key is shown in the page"


def test_restarted_kernel_signs_in_from_dotenv_without_typing(remember: Remember) -> None:
    ui, server = remember.ui, remember.ui.server
    assert remember.dotenv.is_file(), "run the whole module: the first test writes .env"
    kernels_before = set(server.children())
    assert kernels_before, "no kernel process before the restart"
    calls_before = remember.sandbox.count(key=DEMO_KEY)

    ui.menu("Kernel", "kernelmenu:restart")
    dialog = ui.page.locator(".jp-Dialog").filter(has_text="Restart Kernel")
    ui.check("restart dialog", lambda: expect(dialog).to_be_visible(timeout=10 * SECOND))
    ui.check(
        "accepting the restart",
        lambda: dialog.locator(".jp-Dialog-button.jp-mod-accept").click(timeout=10 * SECOND),
    )
    ui.check("restart dialog closed", lambda: expect(dialog).to_be_hidden(timeout=10 * SECOND))
    ui.check(
        "a new kernel process",
        lambda: poll(
            lambda: (set(server.children()) - kernels_before) or None, 60, "new kernel process"
        ),
    )
    assert not set(server.children()) & kernels_before, "the old kernel process still runs"
    ui.check("kernel idle after restart", lambda: server.wait_kernel_idle(NOTEBOOK, 60))
    ui.check(
        "kernel status shown idle",
        lambda: expect(ui.page.locator('[data-status="idle"]').first).to_be_attached(
            timeout=30 * SECOND
        ),
    )

    cell = _run_lines_in_new_cell(ui, AFTER_RESTART)
    # A fresh kernel numbers its first execution 1: the cell ran after the restart.
    ui.check(
        "first execution of the new kernel",
        lambda: expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[1\]")),
    )
    output = cell.locator(".jp-OutputArea-output")
    ui.expect_text(
        output,
        [*SUCCESS_EXPECTED, f".env at {remember.dotenv.resolve()}", remember.sandbox.base_url],
        "%oncehub_auth after the restart",
    )
    ui.check("one output", lambda: expect(output).to_have_count(1))
    assert remember.sandbox.count(key=DEMO_KEY) > calls_before, (
        "%oncehub_auth after the restart did not sign in at the test's sandbox"
    )
    assert DEMO_KEY not in remember.visible_text(), "the remembered key is shown in the page"
    ui.check("scrolling to the output", lambda: output.first.scroll_into_view_if_needed())
    ui.shot("signed-in-after-restart")


def test_saved_notebook_holds_no_key(remember: Remember) -> None:
    ui = remember.ui
    saved = ui.save()
    ui.shot("saved")
    assert DEMO_KEY not in saved, f"{DEMO_KEY} saved in {ui.path}"
    notebook = json.loads(saved)
    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert sources[-1].splitlines() == AFTER_RESTART, f"the run was not saved: {sources}"
    outputs = json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])
    assert "Key valid for demo@example.com" in outputs, "the saved notebook has no outputs"
    assert DEMO_KEY not in ui.server.log_path.read_text(encoding="utf-8", errors="replace")
