"""Notebooks run in a fresh Jupyter kernel with nbclient, and what their outputs say."""

from __future__ import annotations

import json
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


def outputs_text(cell: nbformat.NotebookNode) -> str:
    """Everything a cell's outputs say: streams, every data type, errors and tracebacks."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
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
