"""Tutorial 04 executed in a real kernel with nbclient: the sandbox synced, changed, synced
again (only what changed fetched), a SQL question and a chart; its files in a temporary
folder, never next to the tutorial."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.kernels import code_cells, execute, outputs_text
from tests.support import REPO

TUTORIAL = REPO / "notebooks" / "04-mirror.ipynb"


def test_tutorial_is_stored_without_outputs() -> None:
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells(nb))


@pytest.mark.kernel
def test_tutorial_runs_against_the_sandbox(tmp_path: Path) -> None:
    shutil.copy(TUTORIAL, tmp_path / TUTORIAL.name)
    nb = execute(nbformat.read(tmp_path / TUTORIAL.name, as_version=4), tmp_path, timeout=180)
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    cells = {cell.source.splitlines()[0]: cell for cell in code_cells(nb)}
    first = outputs_text(cells["import pathlib"])
    assert "OnceHub mirror" in first and "bookings" in first
    second = outputs_text(cells["first_pages = 4  # 400 bookings, 100 a page"])
    assert "changed since" in second and "3 changed" in second and "in 1 page(s)" in second
    canceled = outputs_text(cells['ids = ", ".join(f"\'{i}\'" for i in unpaid)'])
    assert canceled.count("canceled") >= 3
    assert "completed" in outputs_text(cells["by_status = m.sql("])
    chart = cells["import matplotlib.pyplot as plt"]
    assert any("image/png" in o.get("data", {}) for o in chart.outputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [TUTORIAL.name]  # nothing written here
