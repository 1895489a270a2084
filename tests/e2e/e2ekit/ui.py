"""Driving a notebook page (JupyterLab or Notebook 7) and the sign-in form in it.

Every wait has a timeout; a failed wait becomes an AssertionError that names a
screenshot of the moment and the server's log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from e2ekit.servers import JupyterServer, poll

__all__ = ["AuthForm", "Evidence", "NotebookUI"]

SECOND = 1000  # Playwright counts in milliseconds

# Every code cell shows "[n]:" once run; "[*]:" while queued or running.
ALL_CELLS_RUN = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""

# Marks the status element once its content changes, so an old result never passes
# for a new one.
WATCH_CHANGES = """el => {
  el.removeAttribute('data-e2e-changed');
  if (!el.e2eObserver) {
    el.e2eObserver = new MutationObserver(() => el.setAttribute('data-e2e-changed', '1'));
    el.e2eObserver.observe(el, {childList: true, subtree: true, characterData: true});
  }
}"""


@dataclass
class Evidence:
    """Numbered screenshots in one folder, for a person to look at afterwards."""

    folder: Path
    count: int = 0

    def shot(self, page: Page, name: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        try:
            page.screenshot(path=str(path), timeout=10 * SECOND)
        except PlaywrightError as error:  # a screenshot must never hide the real failure
            path = self.folder / f"{self.count:02d}-{slug}.screenshot-failed.txt"
            path.write_text(str(error), encoding="utf-8")
        return path


@dataclass
class NotebookUI:
    """One notebook opened in a browser page, served by ``server``."""

    page: Page
    server: JupyterServer
    notebook: str  # path relative to the server's root dir
    evidence: Evidence
    label: str  # prefix for screenshot names: "lab", "nb7", …
    typed_keys: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.server.root_dir / self.notebook

    # -- failing well ------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        return self.evidence.shot(self.page, f"{self.label}-{name}")

    def check(self, what: str, condition: Callable[[], Any]) -> Any:
        """Run a Playwright wait or assertion; on failure, screenshot and explain."""
        try:
            return condition()
        except (AssertionError, PlaywrightError, TimeoutError) as error:
            picture = self.shot(f"FAILED-{what}")
            raise AssertionError(
                f"{what}: {error}\n  screenshot: {picture}\n  server log: {self.server.log_path}"
            ) from None

    def expect_text(
        self,
        locator: Locator,
        expected: list[str | re.Pattern[str]],
        what: str,
        timeout: float = 20,
    ) -> None:
        """Wait until ``locator`` contains every one of ``expected``."""
        deadline = time.monotonic() + timeout
        for text in expected:
            left = max(1.0, deadline - time.monotonic())
            self.check(
                f"{what} shows {getattr(text, 'pattern', text)!r}",
                lambda text=text, left=left: expect(locator).to_contain_text(
                    text, timeout=left * SECOND
                ),
            )

    def page_text(self) -> str:
        """Everything the page shows as text, and its text content, together."""
        return str(
            self.page.evaluate("() => document.body.innerText + '\\n' + document.body.textContent")
        )

    # -- the notebook ------------------------------------------------------------------

    def open(self, timeout: float = 60) -> None:
        """Open the notebook and wait until its kernel is connected and idle."""
        kernel_dialog = self.page.locator(".jp-Dialog").filter(has_text="Select Kernel")
        self.page.add_locator_handler(
            kernel_dialog, lambda dialog: dialog.locator(".jp-mod-accept").click()
        )
        self.check(
            "opening the notebook",
            lambda: self.page.goto(self.server.page_url(self.notebook), timeout=timeout * SECOND),
        )
        self.check(
            "notebook shown",
            lambda: expect(self.page.locator(".jp-Notebook")).to_be_visible(
                timeout=timeout * SECOND
            ),
        )
        self.check(
            "kernel idle",
            lambda: self.server.wait_kernel_idle(self.notebook, timeout),
        )
        self.check(
            "kernel status shown idle",
            lambda: expect(self.page.locator('[data-status="idle"]').first).to_be_attached(
                timeout=timeout * SECOND
            ),
        )

    def menu(self, label: str, command: str) -> None:
        """Open a menu of the menu bar and click the item running ``command``."""
        title = self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{label}$"))
        item = self.page.locator(f'li.lm-Menu-item[data-command="{command}"]')

        def click() -> None:
            title.first.click(timeout=10 * SECOND)
            item.click(timeout=10 * SECOND)

        self.check(f"menu {label} → {command}", click)

    def run_all(self, timeout: float = 90) -> None:
        """Run → Run All Cells, then wait until every code cell ran and the kernel is idle."""
        self.start_run_all()
        self.wait_run_all(timeout)

    def start_run_all(self) -> None:
        """Run → Run All Cells, without waiting."""
        self.menu("Run", "runmenu:run-all")

    def wait_run_all(self, timeout: float = 90) -> None:
        """Wait until every code cell ran and the kernel is idle."""
        self.check(
            "every code cell ran",
            lambda: self.page.wait_for_function(ALL_CELLS_RUN, timeout=timeout * SECOND),
        )
        self.check("kernel idle", lambda: self.server.wait_kernel_idle(self.notebook, timeout))

    def save(self, timeout: float = 30) -> str:
        """File → Save, then wait for the file on disk to change; its text."""
        before = self.path.stat().st_mtime_ns
        self.menu("File", "docmanager:save")

        def saved() -> str | None:
            if self.path.stat().st_mtime_ns == before:
                return None
            text = self.path.read_text(encoding="utf-8")
            json.loads(text)  # ValueError while caught mid-write: poll again
            return text

        return str(self.check("notebook saved to disk", lambda: poll(saved, timeout, "saved")))

    def new_cell(self) -> Locator:
        """Add an empty code cell at the end and put the cursor in it; the cell."""
        cells = self.page.locator(".jp-Notebook .jp-Cell")
        count = cells.count()
        new_cell = cells.nth(count)

        def add() -> None:
            cells.nth(count - 1).click(timeout=10 * SECOND)
            self.page.keyboard.press("Escape")
            self.page.keyboard.press("b")
            expect(cells).to_have_count(count + 1, timeout=10 * SECOND)
            new_cell.locator(".cm-content").click(timeout=10 * SECOND)
            expect(new_cell.locator(".cm-content")).to_be_focused(timeout=5 * SECOND)

        self.check("new empty cell added", add)
        return new_cell

    def run_new_cell(self, source: str, timeout: float = 30) -> Locator:
        """Add a code cell at the end, type ``source``, Shift+Enter; the cell's output area."""
        new_cell = self.new_cell()

        def type_and_run() -> None:
            self.page.keyboard.type(source)
            expect(new_cell.locator(".cm-content")).to_have_text(source, timeout=10 * SECOND)
            self.page.keyboard.press("Shift+Enter")

        self.check("new cell typed and run", type_and_run)
        self.check(
            "new cell ran",
            lambda: expect(new_cell.locator(".jp-InputPrompt")).to_have_text(
                re.compile(r"\[\d+\]"), timeout=timeout * SECOND
            ),
        )
        return new_cell.locator(".jp-OutputArea-output")

    def auth_form(self, timeout: float = 30) -> AuthForm:
        """The sign-in form shown by ``oncehub_nb.AuthWidget()``, once rendered."""
        root = self.page.locator(".oncehub-auth")
        self.check(
            "sign-in form rendered",
            lambda: expect(root).to_have_count(1, timeout=timeout * SECOND),
        )
        self.check(
            "scrolling to the form", lambda: root.scroll_into_view_if_needed(timeout=10 * SECOND)
        )
        self.check("sign-in form visible", lambda: expect(root).to_be_visible(timeout=SECOND))
        return AuthForm(self, root)


@dataclass
class AuthForm:
    """The masked field, the Validate button and the status line of the sign-in form."""

    ui: NotebookUI
    root: Locator
    _typed: str = ""
    _shown_before: int = 0

    @property
    def key_field(self) -> Locator:
        return self.root.locator(".oncehub-auth-key input")

    @property
    def button(self) -> Locator:
        return self.root.locator("button.oncehub-auth-validate")

    @property
    def status(self) -> Locator:
        return self.root.locator(".oncehub-auth-status")

    def type_key(self, key: str) -> None:
        """Type ``key`` key by key into the masked field; it must not show anywhere."""
        ui = self.ui
        self._shown_before = ui.page_text().count(key)
        self._typed = key
        masked = self.root.locator(".oncehub-auth-key input[type=password]")
        ui.check("key field is a password input", lambda: expect(masked).to_have_count(1))
        ui.typed_keys.append(key)
        ui.check("key field empty before typing", lambda: expect(masked).to_have_value(""))
        ui.check("typing the key", lambda: masked.press_sequentially(key, timeout=10 * SECOND))
        ui.check("typed key in the field", lambda: expect(masked).to_have_value(key))
        self.assert_not_shown("after typing")

    def assert_not_shown(self, when: str) -> None:
        """The page shows the typed key no more often than before it was typed."""
        shown_now = self.ui.page_text().count(self._typed)
        if shown_now > self._shown_before:
            picture = self.ui.shot(f"FAILED-key-visible-{when}")
            raise AssertionError(
                f"typed key visible in the page {when} ({self._shown_before} → {shown_now} "
                f"times)\n  screenshot: {picture}\n  server log: {self.ui.server.log_path}"
            )

    def submit(
        self,
        expected: list[str | re.Pattern[str]],
        *,
        enter: bool = False,
        timeout: float = 20,
    ) -> str:
        """Press Validate (or Enter in the field), wait for a new result; the status text."""
        ui = self.ui
        self.status.evaluate(WATCH_CHANGES)
        ui.shot(f"typed-{_slug(self._typed)}")
        started = time.monotonic()
        if enter:
            ui.check("pressing Enter", lambda: self.key_field.press("Enter"))
        else:
            ui.check("clicking Validate", lambda: self.button.click(timeout=10 * SECOND))
        changed = self.root.locator(".oncehub-auth-status[data-e2e-changed]")
        ui.check(
            "status changed", lambda: expect(changed).to_have_count(1, timeout=timeout * SECOND)
        )
        left = max(1.0, timeout - (time.monotonic() - started))
        ui.expect_text(self.status, expected, "status", timeout=left)
        ui.check(
            "button enabled again", lambda: expect(self.button).to_be_enabled(timeout=5 * SECOND)
        )
        ui.check(
            "button reads Validate",
            lambda: expect(self.button).to_have_text(re.compile(r"^\s*Validate\s*$")),
        )
        ui.check("key field cleared", lambda: expect(self.key_field).to_have_value(""))
        self.assert_not_shown("after validating")
        ui.check("scrolling to the result", lambda: self.status.scroll_into_view_if_needed())
        ui.shot(f"result-{_slug(self._typed)}{'-enter' if enter else ''}")
        return self.status.text_content() or ""  # layout-independent, unlike inner_text

    def validate(
        self,
        key: str,
        expected: list[str | re.Pattern[str]],
        *,
        enter: bool = False,
        timeout: float = 20,
    ) -> str:
        """Type ``key``, press Validate (or Enter), wait for the new result; its text."""
        self.type_key(key)
        return self.submit(expected, enter=enter, timeout=timeout)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
