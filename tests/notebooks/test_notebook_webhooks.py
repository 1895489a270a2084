"""Tutorial 03 executed in a real kernel with nbclient, against the session's sandbox."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.kernels import code_cells, execute, outputs_text
from tests.support import REPO

TUTORIAL = REPO / "notebooks" / "03-webhooks.ipynb"


def cell_starting(nb: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    return next(c for c in code_cells(nb) if c.source.startswith(text))


def test_tutorial_is_stored_without_outputs() -> None:
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells(nb))


@pytest.mark.kernel
def test_tutorial_shows_verified_events_and_why_forgeries_fail(tmp_path: Path) -> None:
    shutil.copy(TUTORIAL, tmp_path / TUTORIAL.name)
    nb = execute(nbformat.read(tmp_path / TUTORIAL.name, as_version=4), tmp_path, timeout=120)
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    listening = outputs_text(cell_starting(nb, "inbox = %oncehub_webhooks listen"))
    assert "Listening: subscription WHK-" in listening
    verified = outputs_text(cell_starting(nb, "events = inbox.wait_for"))
    assert "('booking.scheduled', True), ('booking.canceled', True)" in verified
    # the live table, grown in place in the listen cell: both events, verified
    table = outputs_text(cell_starting(nb, "inbox = %oncehub_webhooks listen"))
    assert table.count("booking.scheduled") >= 1 and "booking.canceled" in table
    forged = outputs_text(cell_starting(nb, "import httpx"))
    assert "401" in forged and "signature does not match" in forged.lower()
    checked = outputs_text(cell_starting(nb, "import time"))
    assert "fresh: booking.scheduled" in checked and "stale:" in checked
    assert "Stopped: subscription WHK-" in outputs_text(cell_starting(nb, "%oncehub_webhooks stop"))
    saved = nbformat.writes(nb)
    assert "sandbox-demo-key" not in saved
    # no signing secret (32 hex digits) nor a signature (64) in any output
    shown = "\n".join(outputs_text(c) for c in code_cells(nb))
    assert not re.search(r"(?<![0-9a-f])[0-9a-f]{32,}(?![0-9a-f])", shown)
    assert "demo-secret-for-this-tutorial-only" in saved  # the one secret written in a cell
