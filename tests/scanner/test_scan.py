"""``oncehub-nb scan``: a corpus with a key in every place it can hide, counted exactly.

The corpus is made here: nbformat 4.5 and 4.4 notebooks (JupyterLab widget state in
the 4.4 one), a minified notebook, one that is not JSON, a clean one, every text kind,
placeholders that must not be reported, and folders that are never read. CANARY_KEY
plays the user's configured key; LITERAL a key-shaped value nobody configured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

import oncehub_nb
from oncehub_nb.cli import main
from oncehub_nb.keys import ApiKey
from oncehub_nb.scanner import Finding, scan_report
from oncehub_nb.scanner.rules import dismissal, find_literals, is_key_shaped
from tests.scanner.helpers import png_base64
from tests.support import CANARY_KEY

# Built from pieces so that this file holds no key-shaped literal in a rule's context.
LITERAL = "".join(("k7Qz", "9Lm2", "Xv4T", "r8Wp", "Bn3H", "s6Jd"))
MASKED = ApiKey(CANARY_KEY).masked  # "…7f3a"
LITERAL_MASKED = ApiKey(LITERAL).masked
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mAuthenticationError\x1b[0m   Traceback (most recent call last)\n"
    "Cell \x1b[0;32mIn[3], line 1\x1b[0m\n"
    f'\x1b[0;32m----> 1\x1b[0m OnceHub(\x1b[33m"{CANARY_KEY}"\x1b[39m)'
    "\x1b[38;5;241m.\x1b[39mtest()\n",
    "\x1b[0;31mAuthenticationError\x1b[0m: 401 authentication_error",
]
PLACEHOLDER_CELL = "\n".join(
    [
        'OnceHub("sandbox-demo-key")',  # fake-prefix: the sandbox's demo key
        'OnceHub("xxxxxxxxxxxxxxxxxxxxxxxx")',  # filler
        'OnceHub("FAKE-0000000000000000000000")',  # fake-prefix
        'OnceHub(f"{key}")',  # variable
        'os.environ["ONCEHUB_API_KEY"] = ""',  # empty
        'OnceHub("…3f9a")',  # masked
        'OnceHub("short")',  # not key-shaped
        '!curl -H "API-Key: $ONCEHUB_API_KEY" https://api.oncehub.com/v2/test',  # variable
    ]
)
EXAMPLE_VALUE = "paste-the-oncehub-key-here-000"  # key-shaped: only env-example dismisses it


def nb45() -> nbformat.NotebookNode:
    """nbformat 4.5 (cell ids): a key in a source, in outputs of every kind, in a
    traceback, in cell metadata and in the notebook's metadata (papermill parameters)."""
    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"papermill": {"parameters": {"api_key": CANARY_KEY}}})
    nb.cells = [
        v4.new_code_cell(f"%load_ext oncehub_nb\n%oncehub_auth --no-validate {LITERAL}"),
        v4.new_code_cell(
            f'api = OnceHub("{CANARY_KEY}")\napi',
            outputs=[
                v4.new_output("stream", name="stdout", text=f"connected\nkey: {CANARY_KEY}\n"),
                v4.new_output(
                    "execute_result",
                    data={
                        "text/plain": f"OnceHub(ApiKey('{MASKED}'))",
                        "text/html": f"<p>key <b>{CANARY_KEY}</b></p>",
                    },
                    execution_count=2,
                ),
                v4.new_output(
                    "display_data", data={"application/json": {"auth": {"key": CANARY_KEY}}}
                ),
            ],
        ),
        v4.new_code_cell(
            "OnceHub(key).test()",
            metadata={"tags": ["auth"], "oncehub": {"key": CANARY_KEY}},
            outputs=[
                v4.new_output(
                    "error", ename="AuthenticationError", evalue="401", traceback=TRACEBACK
                )
            ],
        ),
        v4.new_markdown_cell(
            "Run `%oncehub_auth <your key>`,\nor set ONCEHUB_API_KEY=your_key_here in `.env`."
        ),
        v4.new_code_cell(PLACEHOLDER_CELL),
    ]
    return nb


def nb44() -> dict[str, object]:
    """nbformat 4.4 (no cell ids), with the widget state JupyterLab saves: a password
    field's model holding the key."""
    state = {
        "1a2b": {
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "model_name": "PasswordModel",
            "state": {"description": "API key", "layout": "IPY_MODEL_3c4d", "value": CANARY_KEY},
        },
        "3c4d": {
            "model_module": "@jupyter-widgets/base",
            "model_module_version": "2.0.0",
            "model_name": "LayoutModel",
            "state": {"width": "20em"},
        },
    }
    view = {"model_id": "1a2b", "version_major": 2, "version_minor": 0}
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "outputs": [
                    {
                        "data": {
                            "application/vnd.jupyter.widget-view+json": view,
                            "text/plain": ["Password(description='API key')"],
                        },
                        "metadata": {},
                        "output_type": "display_data",
                    }
                ],
                "source": ["from oncehub_nb import AuthWidget\n", "AuthWidget()"],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "metadata": {},
                "outputs": [],
                "source": [f'ONCEHUB_API_KEY = "{LITERAL}"'],
            },
            {
                "cell_type": "code",
                "execution_count": 3,
                "metadata": {},
                "outputs": [],
                "source": ["import httpx\n", f'headers = {{"API-Key": "{LITERAL}"}}'],
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "widgets": {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def clean_notebook() -> nbformat.NotebookNode:
    """Uses the package the way the tutorials do: triggers, but no key anywhere."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell("%load_ext oncehub_nb\n%oncehub_auth --fallback-sandbox"),
        v4.new_code_cell(
            "r = %oncehub bookings status==scheduled\nr.df()",
            outputs=[v4.new_output("stream", name="stdout", text="20 of 20 fetched\n")],
        ),
        v4.new_code_cell("client = oncehub_nb.OnceHub(find_key())\nclient.test()"),
    ]
    return nb


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def make_corpus(root: Path) -> Path:
    """Every place a key can hide, and placeholders that must stay unreported."""
    root.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb45(), root / "nb45.ipynb")
    (root / "nb44.ipynb").write_text(json.dumps(nb44(), indent=1, sort_keys=True) + "\n")
    minified = nbformat.v4.new_notebook()
    minified.cells = [
        nbformat.v4.new_code_cell(
            "print(key)",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text=f"{CANARY_KEY}\n")],
        ),
        nbformat.v4.new_code_cell(f'api = OnceHub("{LITERAL}")'),
    ]
    (root / "minified.ipynb").write_text(json.dumps(minified, separators=(",", ":")))
    nbformat.write(clean_notebook(), root / "clean.ipynb")
    (root / "broken.ipynb").write_text(  # cut short by a crash while saving
        '{\n "cells": [\n  {\n   "outputs": [],\n   "source": ["key = \\"'
        + CANARY_KEY
        + '\\"\\n"]\n  },\n  {\n   "cell_type": "co'
    )
    write_tree(
        root,
        {
            "script.py": (
                "import os\n"
                f'os.environ["ONCEHUB_API_KEY"] = "{LITERAL}"\n'
                f'client = OnceHub(key="{CANARY_KEY}")\n'
                'key = os.environ["ONCEHUB_API_KEY"]\n'
            ),
            "README.md": (
                "# Calling OnceHub\n\n"
                "```bash\n"
                "curl https://api.oncehub.com/v2/test \\\n"
                '  -H "Accept: application/json" \\\n'
                f'  -H "API-Key: {LITERAL}"\n'
                "```\n\n"
                "Put ONCEHUB_API_KEY=<your key> in `.env`, or\n"
                "`export ONCEHUB_API_KEY=replace-with-your-key`.\n"
            ),
            "notes.txt": f"the key that worked:\n{CANARY_KEY}\n",
            "config.json": json.dumps(
                {"headers": {"API-Key": LITERAL}, "token": CANARY_KEY}, indent=2
            ),
            "ci.yaml": "env:\n  ONCEHUB_API_KEY: ${{ secrets.ONCEHUB_API_KEY }}\n",
            "deploy.yml": f"env:\n  ONCEHUB_API_KEY: {LITERAL}\n",
            "settings.toml": f'[oncehub]\nONCEHUB_API_KEY = "{CANARY_KEY}"\n',
            "setup.cfg": f"[tool:oncehub]\nkey = {CANARY_KEY}\n",
            "app.ini": "[auth]\nONCEHUB_API_KEY = dummy-key-for-tests-000000\n",
            "run.sh": (
                f"export ONCEHUB_API_KEY={LITERAL}\n"
                'curl -H "API-Key: $ONCEHUB_API_KEY" https://api.oncehub.com/v2/test\n'
            ),
            ".env.example": f"# copy to .env\nONCEHUB_API_KEY={EXAMPLE_VALUE}\n",
            "docs/setup.md": f"Then write ONCEHUB_API_KEY={EXAMPLE_VALUE} with your own.\n",
            ".env": f"ONCEHUB_API_KEY={CANARY_KEY}\n",
            # any file is read, whatever its name: text by its content
            "data.csv": f"key\n{CANARY_KEY}\n",
            # never read: folders the scan skips
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/lib/site.py": f'KEY = "{CANARY_KEY}"\n',
            "node_modules/pkg/index.json": json.dumps({"key": CANARY_KEY}),
            ".git/leak.txt": CANARY_KEY,
        },
    )
    return root


# (file, cell, output, line, kind, place) of every finding in the corpus
EXPECTED = [
    ("README.md", None, None, 6, "curl", "text"),
    ("broken.ipynb", None, None, 5, "configured-key", "text"),
    ("config.json", None, None, 3, "api-key-header", "text"),
    ("config.json", None, None, 5, "configured-key", "text"),
    ("data.csv", None, None, 2, "configured-key", "text"),
    ("deploy.yml", None, None, 2, "env-assignment", "text"),
    ("minified.ipynb", 1, 1, 1, "configured-key", "output"),
    ("minified.ipynb", 2, None, 1, "call", "source"),
    ("nb44.ipynb", None, None, None, "configured-key", "widget-state"),
    ("nb44.ipynb", 2, None, 1, "env-assignment", "source"),
    ("nb44.ipynb", 3, None, 2, "api-key-header", "source"),
    ("nb45.ipynb", None, None, None, "configured-key", "metadata"),
    ("nb45.ipynb", 1, None, 2, "magic", "source"),
    ("nb45.ipynb", 2, None, 1, "configured-key", "source"),
    ("nb45.ipynb", 2, 1, 2, "configured-key", "output"),
    ("nb45.ipynb", 2, 2, 1, "configured-key", "output"),
    ("nb45.ipynb", 2, 3, None, "configured-key", "output"),
    ("nb45.ipynb", 3, None, None, "configured-key", "cell-metadata"),
    ("nb45.ipynb", 3, 1, 4, "configured-key", "output"),
    ("notes.txt", None, None, 2, "configured-key", "text"),
    ("run.sh", None, None, 1, "env-assignment", "text"),
    ("script.py", None, None, 2, "env-assignment", "text"),
    ("script.py", None, None, 3, "configured-key", "text"),
    ("settings.toml", None, None, 2, "configured-key", "text"),
    ("setup.cfg", None, None, 2, "configured-key", "text"),
]
# placeholder rule: how many literals it dismissed in the corpus
EXPECTED_DISMISSED = {
    "angle-brackets": 2,  # %oncehub_auth <your key>, ONCEHUB_API_KEY=<your key>
    "your-key": 2,  # your_key_here, replace-with-your-key
    "fake-prefix": 3,  # sandbox-demo-key, FAKE-…, dummy-…
    "filler": 1,
    "variable": 4,  # f"{key}", $ONCEHUB_API_KEY twice, ${{ secrets… }}
    "empty": 1,
    "masked": 1,
    "not-key-shaped": 1,
    "env-example": 2,  # in .env.example itself and in docs/setup.md
}


def located(findings: list[Finding], root: Path) -> list[tuple[object, ...]]:
    """(file, cell, output, line, kind, place), sorted as text (None and ints do not compare)."""
    rows = [
        (
            str(Path(f.path).relative_to(root)) if Path(f.path).is_absolute() else f.path,
            f.cell,
            f.output,
            f.line,
            f.kind,
            f.place,
        )
        for f in findings
    ]
    return sorted(rows, key=str)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus")


def test_every_place_in_the_corpus_is_found_and_nothing_else(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    monkeypatch.chdir(corpus)
    report = scan_report()
    assert located(report.findings, corpus) == sorted(EXPECTED, key=str)
    assert len(report.findings) == 25
    assert Counter(f.kind for f in report.findings) == {
        "configured-key": 16,
        "env-assignment": 4,
        "api-key-header": 2,
        "curl": 1,
        "call": 1,
        "magic": 1,
    }
    assert {f.masked for f in report.findings} == {MASKED, LITERAL_MASKED}
    assert Counter(d.rule for d in report.dismissed) == EXPECTED_DISMISSED
    assert report.keys == [(MASKED, "environment variable ONCEHUB_API_KEY")]
    assert report.files == 19  # 5 notebooks, 13 other files, 1 .env; nothing skipped read
    assert report.problems == []


def test_what_each_finding_says(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    monkeypatch.chdir(corpus)
    by_place = {(f.path, f.cell, f.output, f.place): f for f in scan_report().findings}
    traceback = by_place[("nb45.ipynb", 3, 1, "output")]
    assert traceback.fixable and traceback.detail == "traceback"
    assert traceback.describe() == (
        f"nb45.ipynb: cell 3, output 1, line 4: your configured key {MASKED} (traceback) "
        "— oncehub-nb scan --fix clears it"
    )
    assert by_place[("nb45.ipynb", 2, 2, "output")].detail == "text/html"
    assert by_place[("nb45.ipynb", 2, 3, "output")].detail == "application/json"
    assert by_place[("nb45.ipynb", None, None, "metadata")].detail == "papermill"
    widget = by_place[("nb44.ipynb", None, None, "widget-state")]
    assert widget.fixable and widget.detail == "model 1a2b (PasswordModel)"
    magic = by_place[("nb45.ipynb", 1, None, "source")]
    assert not magic.fixable
    assert magic.describe().endswith("— edit cell 1 by hand")
    broken = by_place[("broken.ipynb", None, None, "text")]
    assert broken.detail == "not valid notebook JSON: read as text"


def test_nbformat_4_4_and_4_5_notebooks_are_both_valid(corpus: Path) -> None:
    for name, minor in (("nb45.ipynb", 5), ("nb44.ipynb", 4)):
        notebook = nbformat.read(corpus / name, as_version=nbformat.NO_CONVERT)
        nbformat.validate(notebook)
        assert notebook.nbformat_minor == minor


def test_keys_come_from_every_dotenv_in_sight(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    """No environment variable: the corpus's own .env supplies the key."""
    monkeypatch.chdir(corpus.parent)
    report = scan_report(corpus)
    assert report.keys == [(MASKED, f".env at {Path('corpus', '.env')}")]
    assert located(report.findings, corpus) == sorted(
        [(str(Path("corpus") / e[0]), *e[1:]) for e in EXPECTED], key=str
    )


def test_a_dotenv_above_the_scanned_folder_counts_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f'ONCEHUB_API_KEY="{CANARY_KEY}"\n')
    folder = tmp_path / "deep" / "er"
    write_tree(folder, {"leak.txt": f"x {CANARY_KEY}\n"})
    report = scan_report(folder)
    assert [(f.kind, f.line, f.masked) for f in report.findings] == [("configured-key", 1, MASKED)]
    assert report.keys == [(MASKED, f".env at {tmp_path.resolve() / '.env'}")]


def test_without_a_configured_key_only_literals_are_found(corpus: Path) -> None:
    (corpus / ".env").unlink()
    findings = oncehub_nb.scan(corpus)
    kinds = Counter(f.kind for f in findings)
    assert "configured-key" not in kinds
    assert sum(kinds.values()) == 9  # CANARY_KEY as a mere literal: fake-prefix dismisses it
    assert kinds == {"env-assignment": 4, "api-key-header": 2, "curl": 1, "call": 1, "magic": 1}


def test_a_configured_key_is_reported_however_fake_it_looks(tmp_path: Path) -> None:
    """CANARY_KEY starts with FAKE: as a mere literal, the fake-prefix rule dismisses it;
    configured, it is reported wherever it is."""
    write_tree(tmp_path, {"use.py": f'api = OnceHub("{CANARY_KEY}")\n'})
    assert oncehub_nb.scan(tmp_path, keys=[]) == []
    assert [d.rule for d in scan_report(tmp_path, keys=[]).dismissed] == ["fake-prefix"]
    found = oncehub_nb.scan(tmp_path, keys=[CANARY_KEY])
    assert [(f.kind, f.line, f.masked) for f in found] == [("configured-key", 1, MASKED)]
    assert scan_report(tmp_path, keys=[CANARY_KEY]).dismissed == []


def test_keys_given_as_apikey_objects_keep_their_source(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.md": f"{CANARY_KEY}\n"})
    report = scan_report(tmp_path, keys=[ApiKey(CANARY_KEY, source="my vault")])
    assert report.keys == [(MASKED, "my vault")]
    assert [(f.kind, f.line, f.masked) for f in report.findings] == [("configured-key", 1, MASKED)]


def test_notebooks_without_a_hit_are_never_parsed(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real = json.loads

    def counting(data: object, *args: object, **kwargs: object) -> object:
        parsed.append(len(data))  # type: ignore[arg-type]
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json, "loads", counting)
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    monkeypatch.chdir(corpus)
    scan_report()
    sizes = {name: (corpus / name).stat().st_size for name in os.listdir(corpus)}
    assert sorted(parsed) == sorted(
        sizes[name] for name in ("nb45.ipynb", "nb44.ipynb", "minified.ipynb", "broken.ipynb")
    )
    assert sizes["clean.ipynb"] not in parsed


def test_explicit_files_are_read_whatever_their_kind(corpus: Path) -> None:
    findings = oncehub_nb.scan([corpus / "data.csv", corpus / "clean.ipynb"], keys=[CANARY_KEY])
    assert [(Path(f.path).name, f.line) for f in findings] == [("data.csv", 2)]


@pytest.mark.parametrize(
    ("line", "rule", "dismissed_by"),
    [
        (f"%oncehub_auth {LITERAL}", "magic", None),
        (f'%oncehub_test --sandbox "{LITERAL}"', "magic", None),
        (f"%oncehub_auth --save .env --var MY_KEY {LITERAL}", "magic", None),
        ("%oncehub_test --sandbox sandbox-forbidden", "magic", "fake-prefix"),
        (f"api = OnceHub('{LITERAL}', base_url=url)", "call", None),
        (f'oh.validate(key="{LITERAL}")', "call", None),
        (f'ApiKey("{LITERAL}")', "call", None),
        (f'os.environ.setdefault("ONCEHUB_API_KEY", "{LITERAL}")', "env-assignment", None),
        (f"%env ONCEHUB_API_KEY={LITERAL}", "env-assignment", None),
        (f"ONCEHUB_API_KEY: '{LITERAL}'", "env-assignment", None),
        (f"API-Key: {LITERAL}", "api-key-header", None),
        (f"http GET api.oncehub.com/v2/test api-key:{LITERAL}", "api-key-header", None),
        (f'!curl -s -H "API-Key: {LITERAL}" https://api.oncehub.com/v2/test', "curl", None),
        ("OnceHub('<ONCEHUB_API_KEY>')", "call", "angle-brackets"),
        ('OnceHub("YOUR_API_KEY_GOES_HERE_0000")', "call", "your-key"),
        ('OnceHub("************************")', "call", "filler"),
        ('OnceHub("ab12...........cd34ef56")', "call", "masked"),
        ("curl -H 'API-Key: [Filtered]' https://api.oncehub.com/v2/test", "curl", "masked"),
        ('OnceHub("example-key-1234567890abcd")', "call", "fake-prefix"),
        ('OnceHub("test-key-1234567890abcdef")', "call", "fake-prefix"),
        ('OnceHub("{{ oncehub_key }}")', "call", "variable"),
        ('OnceHub("has spaces in it, not a key")', "call", "not-key-shaped"),
        # names and attributes are not keys (issue 19)
        ('NAMES = ["ONCEHUB_API_KEY", "ONCEHUB_WEBHOOK_SECRET"]', "env-assignment", "name"),
        ("ONCEHUB_API_KEY = settings.ONCEHUB_API_KEY_PROD", "env-assignment", "name"),
        ('os.environ.get("ONCEHUB_API_KEY", DEFAULT_SANDBOX_API_KEY)', "env-assignment", "name"),
        ("export ONCEHUB_API_KEY=oncehub_key_from_the_vault", "env-assignment", "name"),
        ('{"API-Key": "config.oncehub.apiKeyProduction"}', "api-key-header", "name"),
        # ... but keys with underscores or dots are still keys
        (f'OnceHub("sk_live_{LITERAL}")', "call", None),
        (f"API-Key: {LITERAL[:12]}.{LITERAL[12:]}", "api-key-header", None),
    ],
)
def test_rules(line: str, rule: str, dismissed_by: str | None) -> None:
    [literal] = find_literals(line)
    assert literal.rule == rule
    assert line[literal.start : literal.start + len(literal.value)] == literal.value
    assert dismissal(literal.value) == dismissed_by


@pytest.mark.parametrize(
    "line",
    [
        'key = os.environ["ONCEHUB_API_KEY"]',
        'if ONCEHUB_API_KEY == "abcdefghijklmnopqrstuvwxyz": pass',
        'headers = {"API-Key": api_key_from_the_vault_abcdef}',
        f'headers = {{"X-API-Key": "{LITERAL}"}}',
        f'ONCEHUB_API_KEY_FILE="{LITERAL}"',
        "%oncehub_auth --fallback-sandbox",
        "%oncehub bookings status==scheduled",
    ],
)
def test_lines_that_hand_no_literal_to_oncehub(line: str) -> None:
    assert find_literals(line) == []


def test_key_shape_and_env_example_rule() -> None:
    assert is_key_shaped(LITERAL) and is_key_shaped("a" * 128)
    assert not is_key_shaped("a" * 19) and not is_key_shaped("a" * 129)
    assert not is_key_shaped(LITERAL + "!")
    assert dismissal(EXAMPLE_VALUE) is None
    assert dismissal(EXAMPLE_VALUE, {EXAMPLE_VALUE}) == "env-example"


# -- never the key ------------------------------------------------------------------------


def test_no_output_report_or_repr_holds_a_key(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    monkeypatch.chdir(corpus)
    texts = []
    for argv in (["scan"], ["scan", "--json"], ["scan", "."]):
        assert main(argv) == 1
        out, err = capsys.readouterr()
        texts += [out, err]
        assert MASKED in out and LITERAL_MASKED in out
    report = scan_report()
    texts += [repr(report), str(report.findings), str(report.dismissed)]
    texts += [f.describe() for f in report.findings]
    texts += [json.dumps(f.to_dict()) for f in report.findings]
    from oncehub_nb.scanner.configured import gather

    ring = gather([corpus], [corpus / ".env"], [])
    texts += [repr(ring), repr(ring.keys), repr(ring.dotenvs)]
    for text in texts:
        assert CANARY_KEY not in text
        assert LITERAL not in text
        assert CANARY_KEY[:-4] not in text  # not even most of it


def test_unusable_configured_values_are_said_without_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "short-7"
    monkeypatch.setenv("ONCEHUB_API_KEY", secret)
    (tmp_path / ".env").write_text("ONCEHUB_API_KEY=two words-secret-value\n")
    monkeypatch.chdir(tmp_path)
    assert main(["scan"]) == 0
    out, err = capsys.readouterr()
    assert "environment variable ONCEHUB_API_KEY: not searched for: only 7 characters" in err
    assert ".env: not searched for: The API key contains a space (at character 4)." in err
    for text in (out, err):
        assert secret not in text and "words-secret" not in text


# -- the command line -----------------------------------------------------------------------


def test_exit_status_clean_findings_and_usage(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    clean = tmp_path / "clean"
    clean.mkdir()
    nbformat.write(clean_notebook(), clean / "ok.ipynb")
    assert main(["scan", str(clean)]) == 0
    assert "No keys found." in capsys.readouterr().out
    assert main(["scan", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert "25 findings in 13 files (6 in outputs or widget state: --fix clears them;" in out
    assert out.endswith(
        "Not reported: 16 placeholders (angle-brackets 2, empty 1, env-example 2, "
        "fake-prefix 3, filler 1, masked 1, variable 4, your-key 2); "
        "1 value not key-shaped.\n"
    )
    assert main(["scan", str(tmp_path / "missing")]) == 2
    assert "No such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["scan", "--no-such-option"])
    assert exited.value.code == 2


def test_json_report(corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    assert main(["scan", "--json", str(corpus)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == 1 and report["files"] == 19
    assert report["keys"] == [{"masked": MASKED, "source": "environment variable ONCEHUB_API_KEY"}]
    assert len(report["findings"]) == 25
    first = report["findings"][0]
    assert set(first) == {
        "path", "cell", "output", "line", "kind", "place", "masked", "detail", "fixable"
    }  # fmt: skip
    assert sum(f["fixable"] for f in report["findings"]) == 6  # 5 outputs, 1 widget model
    assert Counter(d["rule"] for d in report["dismissed"]) == EXPECTED_DISMISSED
    assert report["problems"] == [] and report["fixed"] == [] and report["unscanned"] == []


def test_as_a_real_subprocess(corpus: Path) -> None:
    env = {**os.environ, "ONCEHUB_API_KEY": CANARY_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "oncehub_nb", "scan", "--json", "."],
        cwd=corpus,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)["findings"]) == 25
    assert CANARY_KEY not in done.stdout + done.stderr
    assert LITERAL not in done.stdout + done.stderr


# -- Git ------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    return path


def test_a_dotenv_git_would_take_is_a_finding(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".env").write_text(f"# mine\nONCEHUB_API_KEY={CANARY_KEY}\n")
    monkeypatch.chdir(repo)
    found = oncehub_nb.scan()
    assert [(f.path, f.kind, f.place, f.line, f.masked, f.detail) for f in found] == [
        (".env", "git-not-ignored", "git", 2, MASKED, "dotenv file")
    ]
    assert found[0].describe().endswith("— add it to .gitignore")
    (repo / ".gitignore").write_text(".env\n")
    assert oncehub_nb.scan() == []
    git(repo, "add", "-f", ".env")
    found = oncehub_nb.scan()
    assert [(f.path, f.kind) for f in found] == [(".env", "git-tracked")]
    assert found[0].describe() == (
        f".env: line 2: holds a key and is tracked by Git {MASKED} (dotenv file) "
        "— git rm --cached it, add it to .gitignore, and replace the key"
    )


def test_a_tracked_file_holding_a_key_is_said_to_be_tracked(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(repo, {"notes.md": f"{CANARY_KEY}\n", "scratch.txt": f"{CANARY_KEY}\n"})
    (repo / ".gitignore").write_text("scratch.txt\n")
    git(repo, "add", "notes.md")
    monkeypatch.chdir(repo)
    found = oncehub_nb.scan(keys=[CANARY_KEY])
    assert [(f.path, f.kind) for f in found] == [
        ("notes.md", "configured-key"),
        ("notes.md", "git-tracked"),
        ("scratch.txt", "configured-key"),  # ignored by Git: no Git finding
    ]
    assert found[1].describe() == (
        f"notes.md: holds a key and is tracked by Git {MASKED} "
        "— clear the key and git add it again; if it was committed, replace the key"
    )


def test_outside_a_work_tree_git_says_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"notes.md": f"{CANARY_KEY}\n"})
    assert [f.kind for f in oncehub_nb.scan(tmp_path, keys=[CANARY_KEY])] == ["configured-key"]


# -- the quick look at a notebook's bytes agrees with a full parse, whatever the layout ----


def layouts_notebook(with_key: bool) -> dict[str, object]:
    """Cell 2 is empty; cell 3 hands over a literal; cell 4 a placeholder (and draws a
    figure); cell 5 leaks."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    figure = v4.new_output("display_data", data={"image/png": png_base64(), "text/plain": "<F>"})
    nb.cells = [
        v4.new_markdown_cell("# Title"),
        v4.new_code_cell(""),
        v4.new_code_cell(f"import oncehub_nb\napi = OnceHub('{LITERAL}')"),
        v4.new_code_cell("%oncehub_auth <your key>", outputs=[figure]),
        v4.new_code_cell(
            "print(1)",
            outputs=[v4.new_output("stream", name="stdout", text=CANARY_KEY if with_key else "1")],
        ),
    ]
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"c{number}"
    return json.loads(nbformat.writes(nb))


def as_strings(notebook: dict[str, object]) -> dict[str, object]:
    """The same notebook with every source written as one string (some tools do)."""
    copy = json.loads(json.dumps(notebook))
    for cell in copy["cells"]:  # type: ignore[index]
        cell["source"] = "".join(cell["source"])
    return copy


LAYOUTS = {
    "nbformat": lambda nb: nbformat.writes(nbformat.from_dict(nb)) + "\n",
    "strings": lambda nb: json.dumps(as_strings(nb), indent=1, sort_keys=True),
    "unsorted-2": lambda nb: json.dumps(nb, indent=2),
    "tabs": lambda nb: json.dumps(nb, indent="\t", sort_keys=True),
    "minified": lambda nb: json.dumps(nb, separators=(",", ":")),
    "source-first": lambda nb: json.dumps(
        {**nb, "cells": [{"source": c["source"], **c} for c in nb["cells"]]},  # type: ignore[index]
        indent=1,
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("with_key", [True, False])
def test_every_layout_gives_the_same_findings(tmp_path: Path, layout: str, with_key: bool):
    path = tmp_path / f"{layout}.ipynb"
    path.write_text(LAYOUTS[layout](layouts_notebook(with_key)), encoding="utf-8")
    report = scan_report(path, keys=[CANARY_KEY])
    found = [(f.cell, f.output, f.line, f.kind, f.place) for f in report.findings]
    expected = [(3, None, 2, "call", "source")]
    if with_key:
        expected.append((5, 1, 1, "configured-key", "output"))
    assert found == expected
    assert [(d.cell, d.line, d.kind, d.rule) for d in report.dismissed] == [
        (4, 1, "magic", "angle-brackets")
    ]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_placeholders_are_placed_without_parsing(
    tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = layouts_notebook(with_key=False)
    notebook["cells"][2]["source"] = ["api = OnceHub()"]  # type: ignore[index]
    path = tmp_path / f"{layout}.ipynb"
    path.write_text(LAYOUTS[layout](notebook), encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a notebook with nothing to locate")

    monkeypatch.setattr(json, "loads", refuse)
    report = scan_report(path, keys=[CANARY_KEY])
    assert report.findings == []
    assert [(d.cell, d.line, d.kind, d.rule) for d in report.dismissed] == [
        (4 if layout != "minified" else None, 1, "magic", "angle-brackets")
    ]


def test_a_key_is_found_in_every_byte_and_placed_whatever_the_images_before_it(
    tmp_path: Path,
) -> None:
    """A key inside an image's payload is found (in its cell and output), and one printed
    in halves after several figures is placed in its cell: the quick look reads every
    byte and counts cells right past large outputs."""
    v4 = nbformat.v4
    payload = png_base64(9000)
    inside = payload[:4000] + CANARY_KEY + payload[4000:]
    half = len(CANARY_KEY) // 2

    def figure(data: str) -> nbformat.NotebookNode:
        return v4.new_output("display_data", data={"image/png": data, "image/jpeg": data})

    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell("plot()", outputs=[figure(png_base64(seed=n)) for n in range(3)]),
        v4.new_code_cell("plot(key)", outputs=[figure(payload), figure(inside)]),
        v4.new_code_cell("plot()", outputs=[figure(png_base64(seed=9))]),
        v4.new_code_cell(
            "show_in_pieces()",
            outputs=[
                v4.new_output("stream", name="stdout", text=f"a {CANARY_KEY[:half]}"),
                v4.new_output("stream", name="stdout", text=f"{CANARY_KEY[half:]} b\n"),
            ],
        ),
    ]
    nbformat.write(nb, tmp_path / "figures.ipynb")
    found = oncehub_nb.scan(tmp_path, keys=[CANARY_KEY])
    assert [(f.cell, f.output) for f in found] == [(2, 2), (4, 1)]


def test_a_key_is_found_json_and_html_escaped(tmp_path: Path) -> None:
    """A key with characters JSON and HTML escape: found as written, in a JSON string,
    and in an HTML output (where the notebook's JSON holds it HTML-escaped)."""
    key = 'Ab&Cd"Ef<Gh>-0123456789-xyz'
    html = key.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell(
            "show(key)",
            outputs=[
                v4.new_output(
                    "display_data", data={"text/html": f"<td>{html.replace('>', '&gt;')}</td>"}
                ),
                v4.new_output("stream", name="stdout", text=f"{key}\n"),
            ],
        )
    ]
    nbformat.write(nb, tmp_path / "escaped.ipynb")
    (tmp_path / "config.json").write_text(json.dumps({"key": key}, indent=1))
    (tmp_path / "plain.txt").write_text(f"{key}\n")
    found = oncehub_nb.scan(tmp_path, keys=[key])
    assert [(Path(f.path).name, f.cell, f.output, f.line) for f in found] == [
        ("config.json", None, None, 2),
        ("escaped.ipynb", 1, 1, 1),
        ("escaped.ipynb", 1, 2, 1),
        ("plain.txt", None, None, 1),
    ]


def test_a_missing_path_is_an_error_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"No such file or folder: .*missing"):
        oncehub_nb.scan([tmp_path, tmp_path / "missing"], keys=[CANARY_KEY])


def test_a_profiles_key_is_a_configured_key(tmp_path: Path) -> None:
    """A key kept in the profiles file (not in .env) is still looked for everywhere."""
    from oncehub_nb.sources.profiles import profiles_path

    profiles = profiles_path()
    profiles.parent.mkdir(parents=True)
    profiles.write_text(f'[staging]\nkey = "{CANARY_KEY}"\n[prod]\nkey_env = "UNSET"\n')
    os.chmod(profiles, 0o600)
    write_tree(tmp_path / "work", {"notes.md": f"the key was {CANARY_KEY}\n"})
    report = scan_report(tmp_path / "work")
    assert report.keys == [("…7f3a", f"profile 'staging' in {profiles}")]
    assert [(f.kind, f.masked) for f in report.findings] == [("configured-key", "…7f3a")]
    os.chmod(profiles, 0o644)
    refused = scan_report(tmp_path / "work")
    assert any("profiles file not searched" in p and "chmod 600" in p for p in refused.problems)
    assert CANARY_KEY not in repr(refused) + repr(report)
