"""One hostile file never stops ``oncehub-nb scan``: each is made for real in tmp_path.

JSON nested thousands deep, a notebook linked to ``/dev/zero``, FIFOs named like a
notebook and a ``.env``, a lone surrogate and escape codes in names and labels, folders
and files that cannot be read, files larger than the read bound. Each is reported (with
why) and the scan goes on; exit status 3 says "not everything could be scanned" when
nothing was found, 1 stays "findings".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from oncehub_nb.cli import main
from oncehub_nb.keys import ApiKey
from oncehub_nb.scanner import engine, scan_report
from oncehub_nb.scanner.fix import fix_notebook
from tests.support import CANARY_KEY

MASKED = ApiKey(CANARY_KEY).masked
DEEP = 5000  # levels: beyond the parser's recursion limit


def scan_cli(*args: str, cwd: Path, unprivileged: bool = False) -> subprocess.CompletedProcess:
    """``oncehub-nb scan`` in a process of its own, with the canary configured. With
    ``unprivileged`` as root, it runs without the capabilities that let root read
    anything (setpriv), so that a folder at mode 000 is as unreadable as for anyone."""
    command = [sys.executable, "-m", "oncehub_nb", "scan", *args]
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "as root, this test needs setpriv (util-linux) to drop DAC override"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    env = {**os.environ, "ONCEHUB_API_KEY": CANARY_KEY}
    # timeout: a guard against a hang (a FIFO opened for reading), not a speed target
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def leak(folder: Path, name: str = "leak.txt") -> Path:
    path = folder / name
    path.write_text(f"the key: {CANARY_KEY}\n")
    return path


# -- deep JSON -----------------------------------------------------------------------------


def deep_notebook(where: str) -> str:
    """A notebook with JSON nested ``DEEP`` levels in a source, an output or the metadata."""
    nested = "[" * DEEP + json.dumps(CANARY_KEY) + "]" * DEEP
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1"}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    if where == "source":
        return text.replace('"x = 1"', nested)
    if where == "output":
        return text.replace('"outputs": []', f'"outputs": [{{"data": {{"x": {nested}}}}}]')
    return text.replace('"metadata": {}, "nbformat"', f'"metadata": {{"x": {nested}}}, "nbformat"')


@pytest.mark.parametrize("where", ["source", "output", "metadata"])
def test_json_nested_thousands_deep_is_read_as_text(tmp_path: Path, where: str) -> None:
    (tmp_path / "deep.ipynb").write_text(deep_notebook(where))
    leak(tmp_path)
    report = scan_report(tmp_path, keys=[CANARY_KEY])
    found = {(f.path.rsplit(os.sep, 1)[-1], f.detail) for f in report.findings}
    assert found == {
        ("deep.ipynb", "not valid notebook JSON (nested too deeply): read as text"),
        ("leak.txt", ""),
    }
    assert report.problems == [] and report.complete


def test_fix_refuses_a_notebook_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "deep.ipynb"
    path.write_text(deep_notebook("output"))
    before = path.read_bytes()
    _, ring = engine.run_with_keys(path, keys=[CANARY_KEY])
    assert (
        fix_notebook(path, ring).error == "not valid notebook JSON: not rewritten (edit it by hand)"
    )
    assert path.read_bytes() == before


def test_the_command_line_survives_deep_json(tmp_path: Path) -> None:
    (tmp_path / "deep.ipynb").write_text(deep_notebook("output"))
    done = scan_cli("--fix", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and CANARY_KEY not in done.stdout + done.stderr
    assert "deep.ipynb: not valid notebook JSON: not rewritten" in done.stdout


# -- special files ---------------------------------------------------------------------------


@pytest.fixture
def specials(tmp_path: Path) -> Iterator[Path]:
    """A notebook linked to /dev/zero, FIFOs named like a notebook and a .env, a socket."""
    import socket

    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.ipynb")
    os.mkfifo(tmp_path / ".env")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "kernel.sock"))
    yield tmp_path
    server.close()


def test_special_files_are_never_opened(specials: Path) -> None:
    report = scan_report(specials, keys=[CANARY_KEY])
    assert report.findings == [] and not report.complete
    assert sorted(report.problems) == sorted(
        [
            f"{specials / '.env'}: a FIFO (named pipe): not opened",
            f"{specials / 'fifo.ipynb'}: a FIFO (named pipe): not opened",
            f"{specials / 'kernel.sock'}: a socket: not opened",
            f"{specials / 'zero.ipynb'}: a character device: not opened",
        ]
    )
    assert sorted(report.unscanned) == sorted(
        str(specials / name) for name in (".env", "fifo.ipynb", "kernel.sock", "zero.ipynb")
    )


def test_exit_3_when_not_everything_was_scanned_1_when_something_was_found(specials: Path):
    done = scan_cli(cwd=specials)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "oncehub-nb scan: warning: zero.ipynb: a character device: not opened" in done.stderr
    assert "No keys found." in done.stdout
    leak(specials)
    done = scan_cli(cwd=specials)
    assert done.returncode == 1 and "leak.txt: line 1: your configured key" in done.stdout
    explicit = scan_cli("fifo.ipynb", cwd=specials)  # named on the command line: the same
    assert explicit.returncode == 3 and "fifo.ipynb: a FIFO (named pipe): not opened" in (
        explicit.stderr
    )


def test_json_lists_what_was_not_scanned(specials: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(specials)
    assert main(["scan", "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["unscanned"]) == [".env", "fifo.ipynb", "kernel.sock", "zero.ipynb"]


# -- what cannot be read -------------------------------------------------------------------


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A folder at mode 000 (with a leaking file inside) and a file at mode 000."""
    folder = tmp_path / "private"
    folder.mkdir()
    leak(folder)
    secret = leak(tmp_path, "locked.txt")
    (tmp_path / "fine.txt").write_text("nothing here\n")
    folder.chmod(0)
    secret.chmod(0)
    yield tmp_path
    folder.chmod(0o755)
    secret.chmod(0o644)


def test_an_unreadable_folder_and_file_are_warnings_not_silence(locked: Path) -> None:
    done = scan_cli(".", cwd=locked, unprivileged=True)
    assert done.returncode == 3, done.stdout + done.stderr
    assert (
        "oncehub-nb scan: warning: private: folder cannot be read (Permission denied): "
        "not scanned" in done.stderr
    )
    assert "warning: locked.txt: cannot be read (Permission denied)" in done.stderr
    assert "oncehub-nb scan: 1 file;" in done.stdout and "No keys found." in done.stdout


# -- names and labels that would command the terminal -----------------------------------------


def test_escape_codes_and_lone_surrogates_are_shown_escaped(tmp_path: Path) -> None:
    leak(tmp_path, "evil\x1b]0;owned\x07\x1b[2J.txt")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "show()",
            outputs=[
                nbformat.v4.new_output("display_data", data={"text/plain\ud800": CANARY_KEY}),
                nbformat.v4.new_output("display_data", data={"x\x1b[31m": CANARY_KEY}),
            ],
        )
    ]
    (tmp_path / "labels.ipynb").write_text(json.dumps(nb))  # \ud800 as a JSON escape
    done = scan_cli(".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "evil\\x1b]0;owned\\x07\\x1b[2J.txt: line 1: your configured key" in done.stdout
    assert "(text/plain\\ud800)" in done.stdout and "(x\\x1b[31m)" in done.stdout
    as_json = scan_cli("--json", ".", cwd=tmp_path)
    details = {f["detail"] for f in json.loads(as_json.stdout)["findings"]}
    assert {"text/plain\ud800", "x\x1b[31m"} <= details


# -- larger than the read bound ---------------------------------------------------------------


def lines_with_hits() -> str:
    lines = [f"line {n}: nothing" for n in range(1, 200)]
    lines[2] = f"line 3: {CANARY_KEY}"
    lines[49] = "API-Key: k7Qz9Lm2Xv4Tr8WpBn3Hs6Jd"
    lines[120] = "x" * 700 + CANARY_KEY  # a line longer than a piece
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_file_over_the_bound_is_scanned_in_pieces(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "big.log"
    path.write_text(lines_with_hits(), encoding=encoding)  # utf-16: with its BOM
    whole = scan_report(path, keys=[CANARY_KEY])
    pieces = engine.run(path, keys=[CANARY_KEY], max_read=256)
    expected = [(3, "configured-key"), (50, "api-key-header"), (121, "configured-key")]
    assert [(f.line, f.kind) for f in whole.findings] == expected
    assert [(f.line, f.kind) for f in pieces.findings] == expected
    assert pieces.complete


def test_a_binary_file_over_the_bound_is_searched_across_its_pieces(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    data = bytearray(os.urandom(1000).replace(b"\0", b"\1"))
    data[10] = 0  # binary
    data[250:250] = CANARY_KEY.encode()  # across the first two pieces of 256 bytes
    path.write_bytes(bytes(data))
    report = engine.run(path, keys=[CANARY_KEY], max_read=256)
    assert [(f.line, f.detail, f.masked) for f in report.findings] == [
        (None, "binary file", MASKED)
    ]
