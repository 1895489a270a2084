"""Tutorial 02 executed in a real kernel with nbclient: against the session's sandbox, and
unchanged with a key in .env pointing at another server."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from oncehub_nb.sandbox import Sandbox
from tests.kernels import code_cells, execute, outputs_text
from tests.support import CANARY_KEY, REPO

TUTORIAL = REPO / "notebooks" / "02-explore-bookings.ipynb"


# Run after the tutorial: where its chart's legend is, against the plot's frame.
LEGEND_PLACE = """# where is the legend?
figure = ax.figure
figure.canvas.draw()
legend, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
print("legend beside the bars" if legend.x0 >= frame.x1 else f"legend over the bars: {legend}")
"""


def by_first_line(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {cell.source.splitlines()[0]: cell for cell in code_cells(nb)}


def test_tutorial_is_stored_without_outputs() -> None:
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells(nb))


@pytest.mark.kernel
def test_tutorial_runs_against_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "notebooks"
    here.mkdir()
    shutil.copy(TUTORIAL, here / TUTORIAL.name)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's temporary folders go here
    nb = nbformat.read(here / TUTORIAL.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(LEGEND_PLACE))
    nb = execute(nb, here, timeout=180)
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    cells = by_first_line(nb)
    assert "/bookings/{id}/cancel" in outputs_text(cells["%oncehub --endpoints"])
    listed = cells["%oncehub bookings limit==5"]
    html = [o for o in listed.outputs if "text/html" in o.get("data", {})]
    assert len(html) == 1 and html[0]["data"]["text/html"].count("BKNG-") >= 5
    assert "completed" in outputs_text(cells["%oncehub bookings status==completed limit==5"])
    expanded = outputs_text(cells["%oncehub bookings/{booking_id} expand==event_type,booking_page"])
    assert "ET-" in expanded and "BP-" in expanded
    # the progress line: one output updated in place, its final state only, no widget
    paged = next(c for line, c in cells.items() if line.startswith("quarter = %oncehub"))
    progress = [o for o in paged.outputs if o.output_type == "display_data"]
    assert len(progress) == 1
    final = progress[0]["data"]["text/plain"]
    assert "GET /bookings:" in final and "done in" in final
    assert "application/vnd.jupyter.widget-view+json" not in progress[0]["data"]
    counted = outputs_text(paged)
    found = re.search(r"\b(\d+) bookings in ", counted)
    assert found and int(found.group(1)) > 0, counted
    frame = outputs_text(cells["df = quarter.df()"])
    assert "starting_time" in frame
    chart = cells["import pandas as pd"]
    assert any("image/png" in o.get("data", {}) for o in chart.outputs)
    assert outputs_text(cells[LEGEND_PLACE.splitlines()[0]]).strip() == "legend beside the bars"
    written = re.search(r"written to (\S+)", outputs_text(cells["import tempfile"]))
    assert written is not None
    csv = Path(written.group(1))
    assert csv.name == "bookings-quarter.csv" and csv.read_text().startswith("id,")
    assert csv.parent.parent == tmp_path  # a temporary folder of its own
    assert [p.name for p in here.iterdir()] == [TUTORIAL.name]  # nothing beside the notebook
    curl = outputs_text(cells["%oncehub bookings status==scheduled limit==20 --curl"])
    assert '"API-Key: $ONCEHUB_API_KEY"' in curl
    dry = outputs_text(
        cells["%oncehub POST contacts email=ann@example.com first_name=Ann last_name=Lee --dry-run"]
    )
    assert "[hidden" in dry and "sandbox-demo-key" not in nbformat.writes(nb)


@pytest.mark.kernel
def test_tutorial_runs_unchanged_with_a_key_in_dotenv(tmp_path: Path) -> None:
    with Sandbox(
        bookings=250, key_limit=None, address_limit=None, accounts={CANARY_KEY: "x@example.com"}
    ) as box:
        shutil.copy(TUTORIAL, tmp_path / TUTORIAL.name)
        (tmp_path / ".env").write_text(
            f"ONCEHUB_API_KEY={CANARY_KEY}\nONCEHUB_BASE_URL={box.base_url}\n", encoding="utf-8"
        )
        nb = execute(nbformat.read(tmp_path / TUTORIAL.name, as_version=4), tmp_path, timeout=180)
        listed = box.count("/v2/bookings", key=CANARY_KEY)
        queries = [r.query for r in box.requests if r.path == "/v2/bookings"]
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert listed >= 4
    # OnceHub compares the .gt/.lt filters by date: the quarter is asked with plain dates
    dated = [q for q in queries if "starting_time.gt" in q]
    dates = r"starting_time\.gt=\d{4}-\d\d-\d\d&starting_time\.lt=\d{4}-\d\d-\d\d&"
    assert dated and all(re.match(dates, q) for q in dated), dated
    assert CANARY_KEY not in nbformat.writes(nb)
