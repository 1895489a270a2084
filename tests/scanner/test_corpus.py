"""Recall and false positives on the corpus of placements (``placements.py``), and what
the scan says, and ``--fix`` does, for the places the scanner learnt to read in issue 19:
any file by its content, UTF-16, keys printed in pieces, nbformat 3, a ``.env`` tracked
under another name, a notebook whose JSON names ``outputs`` twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncehub_nb.cli import main
from oncehub_nb.keys import ApiKey
from oncehub_nb.scanner import engine, scan_report
from oncehub_nb.scanner.fix import NOT_REWRITTEN, fix_notebook
from tests.scanner import placements
from tests.scanner.placements import CONFIGURED, KEY, LITERALS, LOOK_ALIKES, Placement

MASKED = ApiKey(KEY).masked


def one(tmp_path: Path, slug: str, among: list[Placement] = CONFIGURED) -> Path:
    """The folder of one placement, written in tmp_path."""
    [(_, folder)] = placements.build(tmp_path, [p for p in among if p.slug == slug])
    return folder


def test_every_placement_of_the_configured_key_is_found_and_no_look_alike(tmp_path: Path):
    built = placements.build(tmp_path, CONFIGURED + LOOK_ALIKES)
    report = engine.run(tmp_path, environ={"ONCEHUB_API_KEY": KEY})
    score = placements.score(built, (f.path for f in report.findings))
    assert score.missed == [] and score.false_positives == [], score
    assert len(score.found) == len(CONFIGURED) >= 50
    assert len(score.quiet) == len(LOOK_ALIKES) >= 20
    assert report.complete, report.problems
    assert {f.masked for f in report.findings} == {MASKED}


def test_every_literal_is_found_with_no_key_configured(tmp_path: Path) -> None:
    built = placements.build(tmp_path, LITERALS)
    report = engine.run(tmp_path, environ={})
    score = placements.score(built, (f.path for f in report.findings))
    assert score.missed == [], score
    assert KEY not in repr(report) and placements.LITERAL not in repr(report)


def test_look_alikes_are_dismissed_by_name(tmp_path: Path) -> None:
    placements.build(tmp_path, LOOK_ALIKES[:4])  # names, attributes, a vault's name
    report = engine.run(tmp_path, environ={"ONCEHUB_API_KEY": KEY})
    assert report.findings == []
    assert [d.rule for d in report.dismissed] == ["name"] * 4


# -- what is said ------------------------------------------------------------------------------


def located(report) -> list[tuple[object, ...]]:
    return [
        (Path(f.path).name, f.cell, f.output, f.line, f.kind, f.detail) for f in report.findings
    ]


def test_files_of_any_name_are_read_by_their_content(tmp_path: Path) -> None:
    for slug in ("dockerfile", "envrc", "utf16-le-notes", "request-cache", "nbconvert-html"):
        one(tmp_path, slug)
    assert sorted(located(scan_report(tmp_path, keys=[KEY])), key=str) == [
        (".envrc", None, None, 1, "configured-key", ""),
        ("Dockerfile", None, None, 2, "configured-key", ""),
        ("http_cache.sqlite", None, None, None, "configured-key", "binary file"),
        ("notes.txt", None, None, 1, "configured-key", ""),
        ("report.html", None, None, 1, "configured-key", ""),
    ]


def test_a_key_printed_in_pieces_is_found_and_named(tmp_path: Path) -> None:
    for slug in ("split-across-outputs", "split-across-three-outputs", "split-across-lines"):
        one(tmp_path, slug)
    report = scan_report(tmp_path, keys=[KEY])
    said = [(Path(f.path).parent.name, f.cell, f.output, f.line, f.detail) for f in report.findings]
    assert said == [
        ("01-split-across-lines", 1, 1, 1, "stdout, split across lines"),
        ("01-split-across-outputs", 1, 1, 1, "stdout, split across outputs 1–2"),
        ("01-split-across-three-outputs", 1, 1, 1, "stdout, split across outputs 1–3"),
    ]


@pytest.mark.parametrize(
    ("slug", "cleared"),
    [("split-across-outputs", 2), ("split-across-three-outputs", 2), ("split-list-elements", 1)],
)
def test_fix_clears_every_output_a_split_key_spans(tmp_path: Path, slug: str, cleared: int):
    folder = one(tmp_path, slug)
    [path] = folder.glob("*.ipynb")
    _, ring = engine.run_with_keys(path, keys=[KEY])
    fixed = fix_notebook(path, ring)
    assert fixed.error is None and len(fixed.outputs) == cleared
    assert scan_report(path, keys=[KEY]).findings == []
    outputs = json.loads(path.read_text())["cells"][0]["outputs"]
    assert all(output["name"] == "stderr" for output in outputs)  # what is left


def test_nbformat_3_notebooks_are_read_cell_by_cell(tmp_path: Path) -> None:
    configured = one(tmp_path / "configured", "nbformat3-input")
    literal = one(tmp_path / "literal", "nbformat3-call", LITERALS)
    assert located(scan_report(configured, keys=[KEY])) == [
        ("old.ipynb", 1, None, 1, "configured-key", "")
    ]
    assert located(engine.run(literal, environ={})) == [("old.ipynb", 1, None, 1, "call", "")]


def test_fix_clears_an_nbformat_3_output(tmp_path: Path) -> None:
    path = one(tmp_path, "nbformat3-output") / "old.ipynb"
    _, ring = engine.run_with_keys(path, keys=[KEY])
    assert fix_notebook(path, ring).outputs == [(1, 1)]
    notebook = json.loads(path.read_text())
    assert notebook["worksheets"][0]["cells"][0]["outputs"] == []
    assert notebook["nbformat"] == 3 and KEY not in path.read_text()


def test_a_utf16_notebook_is_fixed_in_utf16(tmp_path: Path) -> None:
    path = one(tmp_path, "utf16-notebook") / "windows.ipynb"
    _, ring = engine.run_with_keys(path, keys=[KEY])
    assert fix_notebook(path, ring).outputs == [(1, 1)]
    data = path.read_bytes()
    assert data.startswith(b"\xff\xfe")
    assert json.loads(data.decode("utf-16"))["cells"][0]["outputs"] == []


def test_a_notebook_naming_outputs_twice_is_read_as_text_and_never_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", KEY)
    path = one(tmp_path, "duplicated-outputs") / "merged.ipynb"
    assert json.loads(path.read_text())["cells"][0]["outputs"] == []  # what json.loads keeps
    before = path.read_bytes()
    assert main(["scan", "--fix", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: {NOT_REWRITTEN}" in out
    assert (
        f"{path}: line 12: your configured key {MASKED} (not valid notebook JSON "
        "(a member named twice: outputs): read as text)" in out
    )
    assert path.read_bytes() == before


def test_a_dotenv_tracked_with_the_key_under_another_name(tmp_path: Path) -> None:
    folder = one(tmp_path, "dotenv-tracked-other-name")
    report = scan_report(folder, keys=[KEY])
    assert [(Path(f.path).name, f.line, f.kind, f.masked, f.detail) for f in report.findings] == [
        (".env", 1, "git-tracked", MASKED, "dotenv file")
    ]


def test_other_oncehub_key_variables_of_a_dotenv_are_configured_keys(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"ONCEHUB_API_KEY_PROD={KEY}\nONCEHUB_API_KEY_FILE=/run/k\n")
    (tmp_path / "notes.md").write_text(f"{KEY}\n/run/k\n")
    report = engine.run(tmp_path, environ={})
    assert report.keys == [
        (MASKED, ".env at " + str(tmp_path / ".env") + " (ONCEHUB_API_KEY_PROD)")
    ]
    assert [(Path(f.path).name, f.line) for f in report.findings] == [("notes.md", 1)]
