"""A tutorial run whole in its own JupyterLab server: where its cells are, and what its
server's root holds (to prove a run leaves no file beside the notebook)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from e2ekit.servers import JupyterServer
from e2ekit.workspace import Workspace

__all__ = ["code_cell_index", "files_beside", "tutorial_server"]


def code_cell_index(notebook: Path, first_line: str, nth: int = 0) -> int:
    """The position, among all cells, of the ``nth`` code cell starting ``first_line``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = [
        n
        for n, cell in enumerate(cells)
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(first_line)
    ]
    assert len(found) > nth, f"{notebook.name} has no code cell {first_line!r} (#{nth})"
    return found[nth]


def tutorial_server(workspace: Workspace, notebook: Path, name: str) -> JupyterServer:
    """A Lab server, not started, whose root holds a copy of ``notebook`` (and no .env)."""
    server = workspace.server("lab", name)
    shutil.copy(notebook, server.root_dir / notebook.name)
    return server


def files_beside(server: JupyterServer) -> list[str]:
    """What the server's root holds, but the checkpoints JupyterLab keeps there."""
    return sorted(p.name for p in server.root_dir.iterdir() if p.name != ".ipynb_checkpoints")
