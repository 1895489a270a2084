"""A notebook using a non-default profile in JupyterLab: the header line naming profile and
account is on the table, on an error card, and on the 401 card of a profile whose key
was regenerated (screenshots of each in e2e-artifacts).

The server gets a config folder of its own (its profiles file: a ``staging`` profile and an
``expired`` one) so that no other test's pages see these profiles; the profiles point at a
sandbox started by this module on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2ekit.pages import lab_page
from e2ekit.ui import SECOND, NotebookUI
from e2ekit.workspace import Workspace
from playwright.sync_api import Browser, Locator, expect

from oncehub_nb.sandbox import Sandbox

NOTEBOOK = "profiles-e2e.ipynb"
STAGING_KEY = "staging-key-0000-0000-0001"
ACCOUNT = "staging@example.com"
CELLS = (
    "%load_ext oncehub_nb\n%oncehub_auth --profile staging",
    "%oncehub bookings limit==5",
    "%oncehub bookings/BKNG-NOPE",
    "%oncehub_test --profile expired",
)


def _notebook() -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{index}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for index, source in enumerate(CELLS)
    ]
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


def _profiles(folder: Path, base_url: str) -> Path:
    path = folder / "oncehub-nb" / "profiles.toml"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(
        f'[staging]\nkey = "{STAGING_KEY}"\nbase_url = "{base_url}"\n\n'
        f'[expired]\nkey = "regenerated-key-000000000"\nbase_url = "{base_url}"\n',
        encoding="utf-8",
    )
    os.chmod(path, 0o600)
    return path


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(key_limit=None, address_limit=None, accounts={STAGING_KEY: ACCOUNT}) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def profiled(browser: Browser, workspace: Workspace, box: Sandbox) -> Iterator[NotebookUI]:
    """The notebook open in JupyterLab, every cell run, signed in with profile staging."""
    server = workspace.server("lab", "lab-profiles")
    config = workspace.base / "profiles-config"
    _profiles(config, box.base_url)
    server.env["XDG_CONFIG_HOME"] = str(config)  # this server's kernels only
    (server.root_dir / NOTEBOOK).write_text(_notebook(), encoding="utf-8")
    with lab_page(browser, workspace, server, NOTEBOOK, "profiles") as ui:
        ui.run_all(timeout=60)
        yield ui


def _output(ui: NotebookUI, index: int) -> Locator:
    cell = ui.page.locator(".jp-Notebook .jp-Cell").nth(index)
    return cell.locator(".jp-OutputArea-output")


def test_the_header_names_profile_and_account_on_a_table(profiled: NotebookUI, box: Sandbox):
    header = f"Profile staging · account {ACCOUNT} · {box.base_url}"
    signed_in = _output(profiled, 0)
    profiled.expect_text(signed_in, [f"Key valid for {ACCOUNT}", header], "sign-in card")
    table = _output(profiled, 1).locator(".oncehub-result.oncehub-list")
    profiled.check("one table", lambda: expect(table).to_have_count(1))
    line = table.locator(".oncehub-header")
    profiled.check("the header above the table", lambda: expect(line).to_have_text(header))
    above = line.evaluate(
        "h => h.getBoundingClientRect().bottom <= "
        "h.parentElement.querySelector('table').getBoundingClientRect().top"
    )
    assert above, "the header is not above the table"
    rows = table.locator("tbody tr")
    profiled.check("five rows", lambda: expect(rows).to_have_count(5))
    table.scroll_into_view_if_needed()
    profiled.shot("table-with-header")


def test_the_header_is_on_an_error_card(profiled: NotebookUI, box: Sandbox):
    header = f"Profile staging · account {ACCOUNT} · {box.base_url}"
    card = _output(profiled, 2).locator(".oncehub-result.oncehub-error")
    profiled.check("one error card", lambda: expect(card).to_have_count(1))
    profiled.check(
        "the header on the card",
        lambda: expect(card.locator(".oncehub-header")).to_have_text(header),
    )
    profiled.expect_text(card, ["Not found — HTTP 404", "BKNG-NOPE"], "error card")
    card.scroll_into_view_if_needed()
    profiled.shot("error-card-with-header")


def test_the_401_card_names_the_profile_whose_key_failed(profiled: NotebookUI, box: Sandbox):
    card = _output(profiled, 3).locator(".oncehub-result.oncehub-error")
    profiled.check("one 401 card", lambda: expect(card).to_have_count(1, timeout=20 * SECOND))
    profiled.check(
        "the header names the profile",
        lambda: expect(card.locator(".oncehub-header")).to_have_text(
            f"Profile expired · account not confirmed · {box.base_url}"
        ),
    )
    profiled.expect_text(
        card,
        ["Key rejected — HTTP 401", "regenerated", "from profile 'expired' in"],
        "401 card",
    )
    card.scroll_into_view_if_needed()
    profiled.shot("401-card-with-profile")
    assert STAGING_KEY not in profiled.page_text()
