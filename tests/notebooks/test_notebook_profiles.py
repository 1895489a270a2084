"""Two notebooks with different profiles in two kernels at once: their cells interleaved,
each kernel keeps its own profile, account and header; nothing shared is written."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sources.profiles import profiles_path
from tests.kernels import code_cells, outputs_text, running
from tests.support import CANARY_KEY

KEYS = {"alpha": "alpha-key-0000-0000-0001", "beta": "beta-key-00000-0000-0002"}


def notebook(profile: str) -> nbformat.NotebookNode:
    cells = [
        f"%load_ext oncehub_nb\n%config OnceHubMagics.rate_limit = False\n"
        f"%oncehub_auth --profile {profile}",
        "import oncehub_nb\ns = oncehub_nb.status()\nprint('WHO', s.profile, s.account)",
        "%oncehub users limit==1",
        "s = oncehub_nb.status()\nprint('WHO', s.profile, s.account)",
    ]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


@pytest.mark.kernel
def test_two_kernels_with_different_profiles_at_once(tmp_path: Path) -> None:
    accounts = {key: f"{name}@example.com" for name, key in KEYS.items()}
    with Sandbox(key_limit=None, address_limit=None, accounts=accounts) as box:
        path = profiles_path()
        path.parent.mkdir(parents=True)
        text = "".join(
            f'[{name}]\nkey = "{key}"\nbase_url = "{box.base_url}"\n' for name, key in KEYS.items()
        )
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)
        books = {name: notebook(name) for name in KEYS}
        with running(books["alpha"], tmp_path) as alpha, running(books["beta"], tmp_path) as beta:
            for index in range(4):  # alpha's cell, then beta's, cell by cell
                alpha(index)
                beta(index)
        assert path.read_text(encoding="utf-8") == text  # no "current profile" written
        assert sorted(p.name for p in path.parent.iterdir()) == ["profiles.toml"]
        used = {request.api_key for request in box.requests}
    assert used == set(KEYS.values())
    for name, nb in books.items():
        cells = code_cells(nb)
        errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
        assert errors == [], name
        account = f"{name}@example.com"
        assert f"WHO {name} {account}" in outputs_text(cells[1])
        assert f"WHO {name} {account}" in outputs_text(cells[3])  # after the other's calls
        table = outputs_text(cells[2])
        assert f"Profile {name} · account {account} · {box.base_url}" in table
        everything = "".join(outputs_text(c) for c in cells)
        assert all(key not in everything for key in KEYS.values())
        assert CANARY_KEY not in everything
