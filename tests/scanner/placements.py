"""A corpus of places where people leave an API key, and of look-alikes that are not one.

Each :class:`Placement` is a small scenario written into a folder of its own: the files
as a user would have them (a Dockerfile, an nbconvert export, a notebook run by nbclient,
a ``.env`` Git tracks…), and whether a scan must report something there. Three sets:

- ``CONFIGURED``: the user's key (``KEY``, from ``ONCEHUB_API_KEY``) left somewhere;
- ``LITERALS``: no key configured (a pre-commit hook in CI), a key-shaped literal handed
  to OnceHub in code;
- ``LOOK_ALIKES``: placeholders, names, masked keys and keys kept where they belong:
  nothing may be reported, with the key configured.

:func:`build` writes a set under a folder; :func:`verdicts` says, per placement, whether
a scan's findings reported it. ``python -m tests.scanner.placements`` prints recall and
false positives of the installed scanner.
"""

from __future__ import annotations

import base64
import codecs
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import CANARY_KEY

KEY = CANARY_KEY  # the configured key: obviously fake, reported however fake it looks
# A key-shaped literal nobody configured (the fake-prefix rule would dismiss KEY as one).
# Built from pieces so that this file holds no key-shaped literal in a rule's context.
LITERAL = "".join(("k7Qz", "9Lm2", "Xv4T", "r8Wp", "Bn3H", "s6Jd"))

Content = str | bytes | Callable[[Path], None]  # text (UTF-8), bytes, or a writer


@dataclass(frozen=True)
class Placement:
    """Files in a folder of their own, and whether a scan must report that folder."""

    slug: str
    files: dict[str, Content]
    reported: bool = True
    tracked: tuple[str, ...] = ()  # files added to a Git repository made in the folder
    ignored: str = ""  # that repository's .gitignore
    notes: str = ""

    def write(self, folder: Path) -> None:
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        if self.tracked or self.ignored:
            _git(folder, "init", "-q")
            if self.ignored:
                (folder / ".gitignore").write_text(self.ignored)
            if self.tracked:
                _git(folder, "add", "-f", *self.tracked)


def _git(folder: Path, *args: str) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    subprocess.run(["git", "-C", str(folder), *args], env=env, check=True, capture_output=True)


# -- notebooks, as Jupyter, nbclient and older tools write them ------------------------------


def notebook(*cells: dict[str, object], metadata: dict[str, object] | None = None) -> str:
    """An nbformat 4.5 notebook in nbformat's own layout (one-space indent, sorted keys)."""
    for number, cell in enumerate(cells):
        cell.setdefault("id", f"cell-{number}")
        cell.setdefault("metadata", {})
        if cell["cell_type"] == "code":
            cell.setdefault("execution_count", number + 1)
            cell.setdefault("outputs", [])
    document = {
        "cells": list(cells),
        "metadata": metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def code(source: str | list[str], *outputs: dict[str, object], **extra: object):
    return {"cell_type": "code", "source": source, "outputs": list(outputs), **extra}


def markdown(source: str) -> dict[str, object]:
    return {"cell_type": "markdown", "source": source}


def stream(text: str | list[str], name: str = "stdout") -> dict[str, object]:
    return {"name": name, "output_type": "stream", "text": text}


def data(mime: str, value: object, kind: str = "display_data") -> dict[str, object]:
    output: dict[str, object] = {"data": {mime: value}, "metadata": {}, "output_type": kind}
    if kind == "execute_result":
        output["execution_count"] = 1
    return output


def v3(*cells: dict[str, object]) -> str:
    """An nbformat 3 notebook (IPython 1–2): cells in a worksheet, code in ``input``."""
    document = {
        "metadata": {"name": "old analysis"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": list(cells), "metadata": {}}],
    }
    return json.dumps(document, indent=1, sort_keys=True)


def v3_code(source: str, *outputs: dict[str, object]) -> dict[str, object]:
    return {
        "cell_type": "code",
        "collapsed": False,
        "input": source.splitlines(keepends=True),
        "language": "python",
        "metadata": {},
        "outputs": list(outputs),
        "prompt_number": 1,
    }


def encoded(text: str, encoding: str) -> Callable[[Path], None]:
    """A writer of ``text`` in ``encoding`` with its byte order mark (Notepad, Excel)."""
    marks = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    marks["utf-8"] = codecs.BOM_UTF8

    def write(path: Path) -> None:
        path.write_bytes(marks[encoding] + text.encode(encoding))

    return write


def request_cache(path: Path) -> None:
    """A requests-cache style SQLite database whose cached request kept its headers."""
    with sqlite3.connect(path) as db:
        db.execute("create table responses (key text, value blob)")
        headers = json.dumps({"API-Key": KEY, "Accept": "application/json"}).encode()
        db.execute("insert into responses values (?, ?)", ("GET /v2/bookings", headers))
    db.close()


def png(path: Path) -> None:
    """A small image: binary, and holding no key."""
    path.write_bytes(base64.b64decode(_PNG))


_PNG = (  # one transparent pixel
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


def duplicated_outputs(path: Path) -> None:
    """A cell whose JSON names ``outputs`` twice (a bad merge): the first holds the key,
    the second is empty, and it is the second that ``json.loads`` keeps."""
    text = notebook(code("print(key)", stream(f"{KEY}\n")))
    second = '"outputs": [],\n   "source": "print(key)"'
    path.write_text(text.replace('"source": "print(key)"', second))


# -- the user's configured key, left somewhere ------------------------------------------------

CONFIGURED: list[Placement] = [
    # files no suffix list named: their content says they are text
    Placement("envrc", {".envrc": f"export ONCEHUB_API_KEY={KEY}\nlayout python3\n"}),
    Placement("dockerfile", {"Dockerfile": f"FROM python:3.12\nENV ONCEHUB_API_KEY={KEY}\n"}),
    Placement(
        "compose",
        {
            "docker-compose.override.yml": "services:\n  app:\n    environment:\n"
            f"      - ONCEHUB_API_KEY={KEY}\n"
        },
    ),
    Placement(
        "nbconvert-html",
        {
            "report.html": "<!DOCTYPE html><html><body><div class='jp-OutputArea-output'>"
            f"<pre>Using key {KEY}</pre></div></body></html>\n"
        },
    ),
    Placement(
        "quarto",
        {
            "analysis.qmd": "---\ntitle: Bookings\n---\n\n"
            f'```{{python}}\napi = OnceHub("{KEY}")\n```\n'
        },
    ),
    Placement(
        "rmarkdown", {"report.Rmd": f'```{{r}}\nSys.setenv(ONCEHUB_API_KEY = "{KEY}")\n```\n'}
    ),
    Placement(
        "log", {"logs/app.log": f"2025-03-17 11:00:02 DEBUG headers={{'API-Key': '{KEY}'}}\n"}
    ),
    Placement("makefile", {"Makefile": f"ONCEHUB_API_KEY ?= {KEY}\nrun:\n\tpython app.py\n"}),
    Placement("bash-history", {".bash_history": f"ls\nexport ONCEHUB_API_KEY={KEY}\nmake\n"}),
    Placement(
        "python-history", {".python_history": f"import oncehub_nb as oh\noh.validate('{KEY}')\n"}
    ),
    Placement("csv-export", {"exports/keys.csv": f"name,key\nprod,{KEY}\n"}),
    Placement("tsv", {"accounts.tsv": f"account\tkey\ndemo@example.com\t{KEY}\n"}),
    Placement(
        "readme-no-suffix",
        {"README": f"Try it:\n  curl -H 'API-Key: {KEY}' https://api.oncehub.com/v2/test\n"},
    ),
    Placement("powershell", {"setup.ps1": f'$env:ONCEHUB_API_KEY = "{KEY}"\n'}),
    Placement("batch", {"run.bat": f"set ONCEHUB_API_KEY={KEY}\npython app.py\n"}),
    Placement(
        "nginx", {"deploy/nginx.conf": f"location /v2/ {{\n  proxy_set_header API-Key {KEY};\n}}\n"}
    ),
    Placement("sql-dump", {"backup.sql": f"INSERT INTO settings VALUES ('oncehub', '{KEY}');\n"}),
    Placement("xml", {"app.config.xml": f"<settings><apiKey>{KEY}</apiKey></settings>\n"}),
    Placement("properties", {"application.properties": f"oncehub.api-key={KEY}\n"}),
    Placement("javascript", {"web/client.js": f'const headers = {{ "API-Key": "{KEY}" }};\n'}),
    Placement(
        "http-file", {"requests.http": f"GET https://api.oncehub.com/v2/test\nAPI-Key: {KEY}\n"}
    ),
    Placement(
        "jupytext-py",
        {"analysis.py": f'# %%\nimport oncehub_nb as oh\n\n# %%\nclient = oh.OnceHub("{KEY}")\n'},
    ),
    Placement("kube-secret", {"k8s/secret.yaml": f"kind: Secret\nstringData:\n  api-key: {KEY}\n"}),
    Placement("toml", {"pyproject.toml": f'[tool.myapp]\noncehub_key = "{KEY}"\n'}),
    Placement("markdown", {"NOTES.md": f"Key for the demo account: `{KEY}`\n"}),
    # encodings: byte order marks, UTF-16 (Windows tools)
    Placement("utf16-le-notes", {"notes.txt": encoded(f"key: {KEY}\r\n", "utf-16-le")}),
    Placement("utf16-be-notes", {"keys.txt": encoded(f"{KEY}\n", "utf-16-be")}),
    Placement("utf8-bom-csv", {"excel.csv": encoded(f"service,key\noncehub,{KEY}\n", "utf-8")}),
    Placement(
        "utf16-notebook",
        {"windows.ipynb": encoded(notebook(code("key", stream(f"{KEY}\n"))), "utf-16-le")},
    ),
    Placement(
        "utf8-bom-notebook",
        {"bom.ipynb": encoded(notebook(code("key", stream(f"{KEY}\n"))), "utf-8")},
    ),
    # binary files
    Placement("request-cache", {"http_cache.sqlite": request_cache}),
    # notebooks: every place a key shows
    Placement("stream", {"a.ipynb": notebook(code("print(key)", stream(f"{KEY}\n")))}),
    Placement(
        "execute-result",
        {
            "a.ipynb": notebook(
                code("cfg", data("text/plain", f"{{'key': '{KEY}'}}", "execute_result"))
            )
        },
    ),
    Placement(
        "html-table",
        {"a.ipynb": notebook(code("df", data("text/html", [f"<td>{KEY}</td>"], "execute_result")))},
    ),
    Placement(
        "traceback",
        {
            "a.ipynb": notebook(
                code(
                    "OnceHub(key).test()",
                    {
                        "ename": "AuthenticationError",
                        "evalue": "401",
                        "output_type": "error",
                        "traceback": [f'----> 1 OnceHub("{KEY}").test()'],
                    },
                )
            )
        },
    ),
    Placement(
        "widget-state",
        {
            "a.ipynb": notebook(
                code("AuthWidget()"),
                metadata={
                    "widgets": {
                        "application/vnd.jupyter.widget-state+json": {
                            "state": {
                                "m1": {"model_name": "PasswordModel", "state": {"value": KEY}}
                            },
                            "version_major": 2,
                            "version_minor": 0,
                        }
                    }
                },
            )
        },
    ),
    Placement(
        "papermill-parameters",
        {
            "run.ipynb": notebook(
                code("key = None"), metadata={"papermill": {"parameters": {"key": KEY}}}
            )
        },
    ),
    Placement("cell-metadata", {"a.ipynb": notebook(code("x = 1", metadata={"secret": KEY}))}),
    Placement("source-magic", {"a.ipynb": notebook(code(f"%oncehub_auth {KEY}"))}),
    Placement("markdown-cell", {"a.ipynb": notebook(markdown(f"Our key: `{KEY}`"))}),
    Placement(
        "stderr-logging",
        {
            "a.ipynb": notebook(
                code("call()", stream(f"DEBUG headers: {{'API-Key': '{KEY}'}}\n", "stderr"))
            )
        },
    ),
    Placement(
        "minified",
        {
            "a.ipynb": notebook(code("print(key)", stream(f"{KEY}\n")))
            .replace("\n", "")
            .replace(" ", "")
        },
    ),
    Placement(
        "checkpoint",
        {".ipynb_checkpoints/a-checkpoint.ipynb": notebook(code("key", stream(f"{KEY}\n")))},
    ),
    # a key shown in pieces: nbclient and papermill keep each write as an output
    Placement(
        "split-across-outputs",
        {
            "run.ipynb": notebook(
                code("show()", stream(f"key: {KEY[:15]}"), stream(f"{KEY[15:]}\n"))
            )
        },
        notes="print(..., end='', flush=True) twice: two stream outputs",
    ),
    Placement(
        "split-across-three-outputs",
        {
            "run.ipynb": notebook(
                code("show()", stream(f"{KEY[:20]}"), stream("", "stderr"), stream(f"{KEY[20:]}\n"))
            )
        },
    ),
    Placement(
        "split-across-lines",
        {"a.ipynb": notebook(code("show()", stream([f"{KEY[:18]}\n", f"{KEY[18:]}\n"])))},
        notes="print(key[:18]); print(key[18:])",
    ),
    Placement(
        "split-list-elements",
        {"a.ipynb": notebook(code("show()", stream([f"token {KEY[:10]}", f"{KEY[10:]}\n"])))},
        notes="one write stored as two elements of the output's text list",
    ),
    # nbformat 3, with the key configured
    Placement("nbformat3-input", {"old.ipynb": v3(v3_code(f'api = OnceHub("{KEY}")\n'))}),
    Placement(
        "nbformat3-output",
        {
            "old.ipynb": v3(
                v3_code("key", {"output_type": "pyout", "prompt_number": 1, "text": [KEY]})
            )
        },
    ),
    Placement("duplicated-outputs", {"merged.ipynb": duplicated_outputs}),
    # Git: a .env holding the key under another name, tracked
    Placement(
        "dotenv-tracked-other-name",
        {".env": f"OH_TOKEN={KEY}\nDEBUG=1\n"},
        tracked=(".env",),
    ),
    Placement(
        "dotenv-production-tracked",
        {".env.production": f"ONCEHUB_API_KEY={KEY}\n"},
        tracked=(".env.production",),
    ),
    Placement(
        "dotenv-not-ignored",
        {"config/.env": f"ONCEHUB_API_KEY={KEY}\n"},
        ignored="*.pyc\n",
    ),
]

# -- no key configured: key-shaped literals handed to OnceHub ---------------------------------

LITERALS: list[Placement] = [
    Placement("nbformat3-call", {"old.ipynb": v3(v3_code(f'api = OnceHub("{LITERAL}")\n'))}),
    Placement("nbformat3-magic", {"old.ipynb": v3(v3_code(f"%oncehub_auth {LITERAL}\n"))}),
    Placement("dockerfile", {"Dockerfile": f"ENV ONCEHUB_API_KEY={LITERAL}\n"}),
    Placement("envrc", {".envrc": f"export ONCEHUB_API_KEY={LITERAL}\n"}),
    Placement("quarto", {"a.qmd": f'```{{python}}\napi = OnceHub("{LITERAL}")\n```\n'}),
    Placement("curl", {"call.sh": f"curl -s \\\n  -H 'API-Key: {LITERAL}' \\\n  $URL\n"}),
    Placement(
        "utf16-powershell",
        {"set.ps1": encoded(f'$env:ONCEHUB_API_KEY = "{LITERAL}"\r\n', "utf-16-le")},
    ),
    Placement(
        "http-file", {"api.http": f"GET https://api.oncehub.com/v2/users\nAPI-Key: {LITERAL}\n"}
    ),
    Placement("dotenv-tracked", {".env": f"ONCEHUB_API_KEY={LITERAL}\n"}, tracked=(".env",)),
    Placement(
        "notebook-source", {"a.ipynb": notebook(code(f'headers = {{"API-Key": "{LITERAL}"}}'))}
    ),
]

# -- look-alikes: nothing to report, the key configured ---------------------------------------

LOOK_ALIKES: list[Placement] = [
    Placement(
        "names-list",
        {"settings.py": 'SECRETS = ["ONCEHUB_API_KEY", "ONCEHUB_WEBHOOK_SECRET"]\n'},
        False,
    ),
    Placement(
        "attribute", {"config.py": "ONCEHUB_API_KEY = settings.ONCEHUB_API_KEY_PROD\n"}, False
    ),
    Placement(
        "environ-default",
        {"app.py": 'key = os.environ.get("ONCEHUB_API_KEY", DEFAULT_SANDBOX_API_KEY)\n'},
        False,
    ),
    Placement(
        "vault-name", {"run.sh": "export ONCEHUB_API_KEY=oncehub_key_from_the_vault\n"}, False
    ),
    Placement(
        "environ-read", {"app.py": 'ONCEHUB_API_KEY = os.environ["ONCEHUB_API_KEY"]\n'}, False
    ),
    Placement("getpass", {"app.py": 'ONCEHUB_API_KEY = getpass("OnceHub API key: ")\n'}, False),
    Placement("header-variable", {"client.py": 'headers = {"API-Key": api_key}\n'}, False),
    Placement(
        "env-example", {".env.example": "ONCEHUB_API_KEY=paste-the-oncehub-key-here-000\n"}, False
    ),
    Placement(
        "docs-angle",
        {"README.md": 'Call `OnceHub("<your key>")` or `%oncehub_auth <key>`.\n'},
        False,
    ),
    Placement("curl-variable", {"call.sh": 'curl -H "API-Key: $ONCEHUB_API_KEY" $URL\n'}, False),
    Placement(
        "gha-secret", {"ci.yml": "env:\n  ONCEHUB_API_KEY: ${{ secrets.ONCEHUB_API_KEY }}\n"}, False
    ),
    Placement(
        "compose-required",
        {"compose.yml": "    - ONCEHUB_API_KEY=${ONCEHUB_API_KEY:?set it}\n"},
        False,
    ),
    Placement(
        "masked-output",
        {"a.ipynb": notebook(code("client", data("text/plain", "OnceHub(key=ApiKey('…7f3a'))")))},
        False,
    ),
    Placement("filtered", {"log.txt": "API-Key: [Filtered]\n"}, False),
    Placement(
        "sandbox-demo",
        {
            "a.ipynb": notebook(
                code('OnceHub("sandbox-demo-key")\n%oncehub_test --sandbox sandbox-forbidden')
            )
        },
        False,
    ),
    Placement("filler", {"a.py": 'OnceHub("xxxxxxxxxxxxxxxxxxxxxxxx")\n'}, False),
    Placement(
        "fallback-sandbox", {"a.ipynb": notebook(code("%oncehub_auth --fallback-sandbox"))}, False
    ),
    Placement(
        "half-a-key", {"a.ipynb": notebook(code("key[:18]", stream(f"{KEY[:18]}…\n")))}, False
    ),
    Placement("image", {"chart.png": png}, False),
    Placement("dotenv-ignored", {".env": f"ONCEHUB_API_KEY={KEY}\n"}, False, ignored=".env\n"),
    Placement(
        "virtualenv",
        {".venv/pyvenv.cfg": "home = /usr\n", ".venv/lib/leak.py": f'K = "{KEY}"\n'},
        False,
    ),
    Placement("node-modules", {"node_modules/x/index.js": f'K = "{KEY}"\n'}, False),
]


def build(root: Path, placements: Iterable[Placement]) -> list[tuple[Placement, Path]]:
    """Each placement written into ``root/<NN>-<slug>``."""
    built = []
    for number, placement in enumerate(placements, start=1):
        folder = root / f"{number:02d}-{placement.slug}"
        folder.mkdir(parents=True)
        placement.write(folder)
        built.append((placement, folder))
    return built


def verdicts(built: list[tuple[Placement, Path]], paths: Iterable[str]) -> dict[str, bool]:
    """Per placement (by folder name): whether some finding's path lies in its folder."""
    reported = {Path(path).resolve() for path in paths}
    return {
        folder.name: any(folder.resolve() in (path, *path.parents) for path in reported)
        for _, folder in built
    }


@dataclass
class Score:
    """Recall on the placements that must be reported, false positives on the others."""

    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        total = len(self.found) + len(self.missed)
        return (
            f"recall {len(self.found)}/{total}, false positives "
            f"{len(self.false_positives)}/{len(self.false_positives) + len(self.quiet)}"
            + (f"; missed: {', '.join(self.missed)}" if self.missed else "")
            + (f"; false: {', '.join(self.false_positives)}" if self.false_positives else "")
        )


def score(built: list[tuple[Placement, Path]], paths: Iterable[str]) -> Score:
    result = Score()
    said = verdicts(built, paths)
    for placement, folder in built:
        if placement.reported:
            (result.found if said[folder.name] else result.missed).append(folder.name)
        else:
            (result.false_positives if said[folder.name] else result.quiet).append(folder.name)
    return result


def main() -> None:  # pragma: no cover - a report for people
    import tempfile

    from oncehub_nb.scanner import engine

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        configured = build(root / "configured", CONFIGURED + LOOK_ALIKES)
        literals = build(root / "literals", LITERALS)
        keyed = engine.run(root / "configured", environ={"ONCEHUB_API_KEY": KEY})
        bare = engine.run(root / "literals", environ={})
        print("with the key configured:", score(configured, (f.path for f in keyed.findings)))
        print("no key configured:      ", score(literals, (f.path for f in bare.findings)))


if __name__ == "__main__":  # pragma: no cover
    main()
