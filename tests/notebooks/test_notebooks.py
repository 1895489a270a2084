"""Notebooks executed in a real kernel with nbclient, widget state stored, then searched."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import nbformat
import pytest
from nbformat import NotebookNode

from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY, Sandbox
from tests.kernels import (
    code_cells,
    execute,
    execute_saving_before,
    outputs_text,
    saved_without_sources,
)
from tests.support import CANARY_ACCOUNT, CANARY_KEY, REPO, scrub_environment

TUTORIAL = REPO / "notebooks" / "01-authenticate.ipynb"


def test_tutorial_is_stored_without_outputs():
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells(nb))
    assert "widgets" not in nb.metadata


@pytest.mark.kernel
def test_tutorial_runs_against_the_sandbox_without_an_account(tmp_path):
    shutil.copy(TUTORIAL, tmp_path / TUTORIAL.name)
    nb = execute(nbformat.read(tmp_path / TUTORIAL.name, as_version=4), tmp_path)
    cells = {cell.source.splitlines()[0]: outputs_text(cell) for cell in code_cells(nb)}
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert "using the built-in sandbox" in cells["%oncehub_auth --fallback-sandbox"]
    assert f"Key valid for {DEMO_ACCOUNT}" in cells["%oncehub_auth --fallback-sandbox"]
    assert f"'{DEMO_ACCOUNT}', 200, 'req_" in cells["r.ok, r.account, r.status_code, r.request_id"]
    assert "3 users on this page; more pages: True" in cells["import oncehub_nb"]
    expected = {
        "%oncehub_test --sandbox FAKE-not-a-real-key": ("HTTP 401", "authentication_error"),
        "%oncehub_test --sandbox sandbox-forbidden": ("HTTP 403", "Enterprise"),
        "%oncehub_test --sandbox sandbox-ratelimited": ("HTTP 429", "Retried 3 times"),
        "%oncehub_test --sandbox sandbox-server-error": ("HTTP 500", "Request-Id"),
        "%oncehub_test --sandbox sandbox-bad-gateway": ("HTTP 502", "proxy or gateway"),
        "%config OnceHubMagics.timeout = 0.5": ("Timed out", "raise the timeout"),
        "%oncehub_test --sandbox sandbox-drop": ("closed the connection", "network"),
    }
    for first_line, pieces in expected.items():
        for piece in pieces:
            assert piece in cells[first_line], (first_line, piece)
    assert "Traceback" not in "".join(cells.values())
    widget_state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert any(m["model_name"] == "PasswordModel" for m in widget_state["state"].values())
    assert DEMO_KEY not in saved_without_sources(nb)


@pytest.mark.kernel
def test_tutorial_runs_unchanged_with_a_key_in_dotenv(tmp_path, sandbox):
    shutil.copy(TUTORIAL, tmp_path / TUTORIAL.name)
    (tmp_path / ".env").write_text(
        f"ONCEHUB_API_KEY={CANARY_KEY}\nONCEHUB_BASE_URL={sandbox.base_url}\n", encoding="utf-8"
    )
    nb = execute(nbformat.read(tmp_path / TUTORIAL.name, as_version=4), tmp_path)
    first = outputs_text(code_cells(nb)[1])
    assert f"Key valid for {CANARY_ACCOUNT}" in first
    assert f".env at {tmp_path / '.env'}" in first
    assert "sandbox" not in first.split("Base URL")[0]  # the real path, not the fallback
    assert sandbox.count(key=CANARY_KEY) >= 3
    saved = nbformat.writes(nb)
    assert CANARY_KEY not in saved  # anywhere: sources, outputs, widget state


WIDGET_NOTEBOOK = [
    "%load_ext oncehub_nb",
    "import os, ipywidgets, oncehub_nb\n"
    "form = oncehub_nb.AuthWidget(base_url=os.environ['TEST_SANDBOX_URL'])\nform",
    "form.source.value = 'typed'\n"
    "form.password.value = os.environ['TEST_TYPED_KEY']\n"
    "form.button.click()",
    "print(form.password.value == '', oncehub_nb.check(oncehub_nb.client()).account)",
    "r = %oncehub_test\nr",
]


LEAK = "leaky = ipywidgets.Password(value=os.environ['TEST_TYPED_KEY'])\nleaky"


@pytest.fixture(scope="module")
def widget_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NotebookNode, str]]:
    """WIDGET_NOTEBOOK then LEAK, in one fresh kernel: the whole notebook executed, and
    WIDGET_NOTEBOOK as it would have been saved before LEAK ran."""
    cells = [nbformat.v4.new_code_cell(src) for src in [*WIDGET_NOTEBOOK, LEAK]]
    with (
        Sandbox(key_limit=None, address_limit=None, accounts={CANARY_KEY: CANARY_ACCOUNT}) as box,
        pytest.MonkeyPatch.context() as monkeypatch,
    ):
        scrub_environment(monkeypatch)  # the kernel starts here, before any test's fixtures
        monkeypatch.setenv("TEST_SANDBOX_URL", box.base_url)
        monkeypatch.setenv("TEST_TYPED_KEY", CANARY_KEY)
        folder = tmp_path_factory.mktemp("widget")
        yield execute_saving_before(nbformat.v4.new_notebook(cells=cells), folder, len(cells) - 1)


@pytest.mark.kernel
def test_widget_login_saves_no_key_in_widget_state(widget_run):
    nb, saved = widget_run
    cells = code_cells(nb)
    assert f"True {CANARY_ACCOUNT}" in outputs_text(cells[3])
    assert f"Key valid for {CANARY_ACCOUNT}" in outputs_text(cells[4])
    assert "application/vnd.jupyter.widget-state+json" in saved
    assert CANARY_KEY not in saved


@pytest.mark.kernel
def test_the_search_would_find_a_key_left_in_widget_state(widget_run):
    """Control: a key left in an uncleared widget does land in the saved notebook."""
    nb, _ = widget_run
    assert CANARY_KEY in nbformat.writes(nb)


@pytest.mark.kernel
def test_no_key_in_a_headless_run_fails_at_once(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("%load_ext oncehub_nb"),
            nbformat.v4.new_code_cell("%oncehub_auth"),
            nbformat.v4.new_code_cell("print('kernel still usable')"),
        ]
    )
    # a cell waiting for input would hit nbclient's cell timeout and fail the run
    execute(nb, tmp_path, timeout=30, allow_errors=True)
    auth = code_cells(nb)[1]
    [error] = [o for o in auth.outputs if o.output_type == "error"]
    assert "Set ONCEHUB_API_KEY" in error.evalue and ".env" in error.evalue
    assert error.traceback == [f"UsageError: {error.evalue}"]  # one line, no traceback
    assert "kernel still usable" in outputs_text(code_cells(nb)[2])
