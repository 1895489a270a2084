"""Notebooks run in a fresh Jupyter kernel with nbclient, and what their outputs say."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(
    nb: nbformat.NotebookNode, folder: Path, timeout: int = 120, **options
) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel; a cell running past ``timeout`` seconds fails the run."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        store_widget_state=True,
        **options,
    )
    client.execute()
    return nb


def execute_saving_before(
    nb: nbformat.NotebookNode, folder: Path, index: int, timeout: int = 120
) -> tuple[nbformat.NotebookNode, str]:
    """Like :func:`execute`, and also the notebook as it would have been saved just before
    cell ``index`` ran: the cells above it, with the widget state as it was then. So one
    kernel shows what a shorter notebook saves and what the longer one does."""
    saved: list[str] = []

    def before(cell: nbformat.NotebookNode, cell_index: int) -> None:
        if cell_index == index:
            client.set_widgets_metadata()
            shorter = copy.deepcopy(nb)
            shorter.cells = shorter.cells[:index]
            saved.append(nbformat.writes(shorter))

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        store_widget_state=True,
        on_cell_execute=before,
    )
    client.execute()
    (before_index,) = saved
    return nb, before_index


@contextmanager
def running(
    nb: nbformat.NotebookNode, folder: Path, timeout: int = 120
) -> Iterator[Callable[[int], nbformat.NotebookNode]]:
    """A fresh kernel for ``nb``, kept while the block runs; the function given runs one
    cell by index (so several notebooks' cells can be interleaved, each in its kernel)."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    with client.setup_kernel():

        def run(index: int) -> nbformat.NotebookNode:
            return client.execute_cell(nb.cells[index], index)

        yield run


def outputs_text(cell: nbformat.NotebookNode) -> str:
    """Everything a cell's outputs say: streams, every data type, errors and tracebacks.

    Consecutive outputs of one stream are joined as Jupyter shows them: a kernel may flush
    one print() as two messages ("WHO", " alpha ..."), and nbclient keeps both.
    """
    parts: list[str] = []
    previous_stream = None
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            if output.get("name") == previous_stream:
                parts[-1] += output.get("text", "")
            else:
                parts.append(output.get("text", ""))
            previous_stream = output.get("name")
            continue
        previous_stream = None
        parts.extend(str(v) for v in output.get("data", {}).values())
        parts.append(output.get("evalue", ""))
        parts.extend(output.get("traceback", []))
    return "\n".join(parts)


def saved_without_sources(nb: nbformat.NotebookNode) -> str:
    """Everything a saved notebook holds except what the author wrote: outputs and metadata."""
    stripped = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    for cell in stripped.cells:
        cell.source = ""
    return nbformat.writes(stripped)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]
