"""``oncehub-nb scan --fix``: only the outputs and widget models holding a key change.

Each round trip parses the notebook before and after and compares everything but the
flagged outputs; the bytes are compared too: what nbformat (or the original layout)
would write for the expected notebook, byte for byte.
"""

from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path
from typing import Any

import nbformat
import pytest

from oncehub_nb.cli import main
from oncehub_nb.keys import ApiKey
from oncehub_nb.scanner import fix, scan_report
from tests.support import CANARY_KEY

MASKED = ApiKey(CANARY_KEY).masked
LITERAL = "".join(("Zq8w", "Ee4r", "Tt7y", "Uu1i", "Oo5p", "Aa2s"))  # key-shaped, not configured
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def leaky() -> dict[str, Any]:
    """Cell 1: three outputs, the middle one leaks. Cell 2: a literal in its source (never
    edited) and the key in an HTML output. Cell 3: a traceback. Cell 4: markdown. Widget
    state: a password model with the key, a layout model without."""
    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Py 3"}})
    nb.cells = [
        v4.new_code_cell(
            "%load_ext oncehub_nb\n%oncehub_auth",
            outputs=[
                v4.new_output("display_data", data={"text/plain": "✔ Key valid for ann@x.org"}),
                v4.new_output("stream", name="stdout", text=f"debug: key={CANARY_KEY}\n"),
                v4.new_output("stream", name="stderr", text="note: from .env\n"),
            ],
        ),
        v4.new_code_cell(
            f'client = OnceHub("{LITERAL}")\nclient',
            outputs=[
                v4.new_output(
                    "execute_result",
                    data={"text/html": f"<pre>{CANARY_KEY}</pre>", "text/plain": "OnceHub()"},
                    execution_count=2,
                )
            ],
            execution_count=2,
        ),
        v4.new_code_cell(
            "client.test()",
            outputs=[
                v4.new_output(
                    "error",
                    ename="AuthenticationError",
                    evalue="401",
                    traceback=["Traceback", f'OnceHub("{CANARY_KEY}").test()'],
                )
            ],
        ),
        v4.new_markdown_cell("## Bookings — ünïcode stays as it is"),
    ]
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{number}"  # nbformat invents random ones
    nb.metadata["widgets"] = {
        WIDGET_STATE: {
            "state": {
                "m1": {"model_name": "PasswordModel", "state": {"value": CANARY_KEY}},
                "m2": {"model_name": "LayoutModel", "state": {"width": "10em"}},
            },
            "version_major": 2,
            "version_minor": 0,
        }
    }
    return json.loads(nbformat.writes(nb))


def without_flagged(notebook: dict[str, Any]) -> dict[str, Any]:
    """The notebook as --fix must leave it."""
    expected = copy.deepcopy(notebook)
    cells = expected["cells"]
    del cells[0]["outputs"][1]
    cells[1]["outputs"] = []
    cells[2]["outputs"] = []
    del expected["metadata"]["widgets"][WIDGET_STATE]["state"]["m1"]
    return expected


def run_fix(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    status = main(["scan", "--fix", *extra, str(path)])
    out, err = capsys.readouterr()
    assert CANARY_KEY not in out + err and LITERAL not in out + err
    return status, out


@pytest.fixture(autouse=True)
def configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)


def test_round_trip_in_nbformat_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "leaky.ipynb"
    before = nbformat.writes(nbformat.from_dict(leaky())) + "\n"
    path.write_text(before, encoding="utf-8")
    status, out = run_fix(path, capsys)
    after = path.read_text(encoding="utf-8")
    expected = without_flagged(json.loads(before))
    assert json.loads(after) == expected
    # byte for byte what nbformat writes for the expected notebook
    assert after == nbformat.writes(nbformat.from_dict(expected)) + "\n"
    # everything before the first removed output is untouched
    first = before.index('"name": "stdout"')
    assert after[: before.rfind("{", 0, first)] == before[: before.rfind("{", 0, first)]
    assert CANARY_KEY not in after and LITERAL in after  # the source was not edited
    assert status == 1  # the literal in cell 2's source is still there
    assert f"{path}: cleared 3 outputs (cells 1, 2, 3) and 1 widget model" in out
    assert f"{path}: cell 2, line 1: a key-shaped literal given to OnceHub" in out
    assert "edit cell 2 by hand" in out


def test_nothing_but_the_flagged_outputs_changes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nbformat.from_dict(leaky()), path)
    before = json.loads(path.read_text())
    run_fix(path, capsys)
    after = json.loads(path.read_text())
    for key in set(before) | set(after):
        if key not in ("cells", "metadata"):
            assert after[key] == before[key]
    for old, new in zip(before["cells"], after["cells"], strict=True):
        assert {k: v for k, v in old.items() if k != "outputs"} == {
            k: v for k, v in new.items() if k != "outputs"
        }
        assert all(output in old.get("outputs", []) for output in new.get("outputs", []))
    assert after["metadata"]["kernelspec"] == before["metadata"]["kernelspec"]
    assert list(after["metadata"]["widgets"][WIDGET_STATE]["state"]) == ["m2"]


@pytest.mark.parametrize(
    ("name", "dump"),
    [
        ("two-spaces-crlf", lambda nb: json.dumps(nb, indent=2).replace("\n", "\r\n")),
        ("minified", lambda nb: json.dumps(nb, separators=(",", ":"), ensure_ascii=False)),
        ("tabs-unsorted", lambda nb: json.dumps(nb, indent="\t", ensure_ascii=False)),
    ],
)
def test_other_layouts_are_kept(tmp_path: Path, capsys, name: str, dump: Any) -> None:
    path = tmp_path / f"{name}.ipynb"
    original = leaky()
    path.write_text(dump(original), encoding="utf-8", newline="")
    run_fix(path, capsys)
    assert path.read_bytes().decode("utf-8") == dump(without_flagged(original))


def test_a_byte_order_mark_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bom.ipynb"
    text = json.dumps(leaky(), indent=1, ensure_ascii=False)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    run_fix(path, capsys)
    expected = json.dumps(without_flagged(leaky()), indent=1, ensure_ascii=False)
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


def test_a_second_fix_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nbformat.from_dict(leaky()), path)
    run_fix(path, capsys)
    once = path.read_bytes()
    status, out = run_fix(path, capsys)
    assert path.read_bytes() == once
    assert status == 1 and "cleared" not in out  # only the source literal is left


def test_fixed_clean_notebook_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    notebook = leaky()
    notebook["cells"][1]["source"] = "client = OnceHub()\nclient"
    path = tmp_path / "leaky.ipynb"
    path.write_text(json.dumps(notebook, indent=1))
    status, out = run_fix(path, capsys)
    assert status == 0
    assert "cleared 3 outputs" in out and "No keys found." in out
    assert scan_report(path).findings == []


def test_json_says_what_was_cleared(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nbformat.from_dict(leaky()), path)
    status = main(["scan", "--fix", "--json", str(path)])
    out = capsys.readouterr().out
    assert CANARY_KEY not in out
    report = json.loads(out)
    assert status == 1
    assert report["fixed"] == [
        {
            "path": str(path),
            "outputs": [
                {"cell": 1, "output": 2},
                {"cell": 2, "output": 1},
                {"cell": 3, "output": 1},
            ],
            "widget_models": ["m1"],
            "error": None,
            "normalised": False,
        }
    ]
    assert [(f["kind"], f["cell"], f["place"]) for f in report["findings"]] == [
        ("call", 2, "source")
    ]


def test_an_unparseable_notebook_is_reported_never_rewritten(tmp_path: Path, capsys):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [{"outputs": [{"text": "' + CANARY_KEY + '"}]')
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = path.read_bytes()
    status, out = run_fix(path, capsys)
    assert status == 1
    assert f"{path}: not valid notebook JSON: not rewritten (edit it by hand)" in out
    assert f"{path}: line 1: your configured key {MASKED}" in out
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_000_000_000


def test_a_failed_write_leaves_the_notebook_and_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nbformat.from_dict(leaky()), path)
    before = path.read_bytes()

    def refuse(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fix.os, "replace", refuse)
    status, out = run_fix(path, capsys)
    assert status == 1
    assert "could not be written (Permission denied): left as it was" in out
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["leaky.ipynb"]


def test_the_write_is_atomic_and_keeps_permissions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nbformat.from_dict(leaky()), path)
    path.chmod(0o640)
    renames: list[tuple[str, str, bytes]] = []
    real = os.replace

    def watch(source: str, target: str) -> None:
        # at the rename, the whole new content is already in a file beside the notebook
        renames.append((source, target, Path(source).read_bytes()))
        assert CANARY_KEY in path.read_text()  # the notebook itself is not touched yet
        real(source, target)

    monkeypatch.setattr(fix.os, "replace", watch)
    run_fix(path, capsys)
    [(source, target, content)] = renames
    assert Path(source).parent == tmp_path and Path(target) == path.resolve()
    assert content == path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["leaky.ipynb"]


def test_when_the_layout_cannot_be_kept_it_is_nbformats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leaky.ipynb"
    path.write_text(json.dumps(leaky(), indent=3))
    monkeypatch.setattr(fix, "apply", lambda text, edits: text[:10])  # a broken splice
    status, out = run_fix(path, capsys)
    assert status == 1 and "rewritten in nbformat's layout" in out
    expected = without_flagged(leaky())
    assert path.read_text() == nbformat.writes(nbformat.from_dict(expected)) + "\n"


def test_text_files_are_never_edited(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "notes.md"
    path.write_text(f"key: {CANARY_KEY}\n")
    status, out = run_fix(tmp_path, capsys)
    assert status == 1 and path.read_text() == f"key: {CANARY_KEY}\n"
    assert "cleared" not in out and "notes.md: line 1" in out
