"""Running a tutorial leaves no new file in the notebooks folder, which Git tracks: each
tutorial runs in a fresh kernel inside a copy of that folder, against the built-in sandbox
(no key anywhere), and the folder's listing is compared before and after."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.kernels import code_cells, execute
from tests.support import REPO

NOTEBOOKS = REPO / "notebooks"
TUTORIALS = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


def listing(folder: Path) -> set[str]:
    """Every file and folder under ``folder``, as paths relative to it."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_there_are_tutorials_to_run() -> None:
    assert len(TUTORIALS) >= 3, TUTORIALS


@pytest.mark.kernel
@pytest.mark.parametrize("name", TUTORIALS)
def test_a_tutorial_leaves_no_new_file_in_its_folder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    temporary = tmp_path / "tmp"  # the kernel's temporary files, kept out of the real /tmp
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    before = listing(folder)
    nb = execute(nbformat.read(folder / name, as_version=4), folder, timeout=180)
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert listing(folder) == before
