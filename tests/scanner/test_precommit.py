"""The ``oncehub-nb-scan`` pre-commit hook, run by the real ``pre-commit`` tool.

Two checks, both offline:

- ``pre-commit validate-manifest`` accepts this repository's ``.pre-commit-hooks.yaml``;
- in a throw-away Git repository, ``pre-commit install`` and real ``git commit``s: one
  carrying the key is refused (naming the file, never the key), a clean one passes.

Why the throw-away repository uses ``repo: local`` and ``language: system``: with the
manifest's ``language: python``, pre-commit would clone this repository and pip-install
it (and its dependencies) from PyPI into a fresh virtualenv, and tests never use the
internet. So the hook's id, name, entry, arguments and file filters are read from the
real manifest, and only two things change: ``language: system``, and the entry's
``oncehub-nb`` resolved to this virtualenv's script (what pip would have installed).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from oncehub_nb.keys import ApiKey
from tests.support import CANARY_KEY, REPO

ROOT = REPO
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
HOOK_ID = "oncehub-nb-scan"
TIMEOUT = 120

pytestmark = pytest.mark.slow  # pre-commit, git and the hook: several processes each


def the_hook() -> dict[str, Any]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    [hook] = [hook for hook in hooks if hook["id"] == HOOK_ID]
    return hook


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No user or system Git configuration (hooksPath, signing…), pre-commit's cache in
    tmp, and the canary as the user's configured key."""
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {
        **keep,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "ONCEHUB_API_KEY": CANARY_KEY,
    }


def run(
    args: list[str], cwd: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_manifest_is_valid_for_pre_commit(tmp_path: Path, env: dict[str, str]) -> None:
    done = run([str(PRE_COMMIT), "validate-manifest", str(MANIFEST)], ROOT, env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    hook = the_hook()
    assert hook["language"] == "python"
    assert hook["entry"].split() == ["oncehub-nb", "scan"]
    assert hook["pass_filenames"] is True
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"- id: {HOOK_ID}\n  language: python\n")  # no name, no entry
    done = run([str(PRE_COMMIT), "validate-manifest", str(broken)], ROOT, env, check=False)
    assert done.returncode != 0  # so the check above could fail


def local_config() -> str:
    """.pre-commit-config.yaml for the throw-away repository: the manifest's hook, run
    with language: system (see the module docstring)."""
    hook = the_hook()
    command, *args = shlex.split(hook["entry"])
    assert command == "oncehub-nb"
    local = {
        key: hook[key]
        for key in ("id", "name", "args", "files", "exclude", "types", "types_or")
        if key in hook
    }
    local |= {
        "entry": shlex.join([str(BIN / command), *args]),
        "language": "system",
        "pass_filenames": hook["pass_filenames"],
        "require_serial": hook.get("require_serial", False),
    }
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}, sort_keys=False)


def notebook(output: str) -> str:
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell(
            "%load_ext oncehub_nb\n%oncehub_auth",
            outputs=[v4.new_output("stream", name="stdout", text=output)],
        )
    ]
    return nbformat.writes(nb) + "\n"


def test_a_commit_carrying_the_key_is_refused_a_clean_one_passes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "commit.gpgsign=false"]
    run(["git", "init", "-q"], repo, env)
    run(["git", "config", "user.name", "Test"], repo, env)
    run(["git", "config", "user.email", "test@example.com"], repo, env)
    (repo / ".pre-commit-config.yaml").write_text(local_config())
    (repo / ".gitignore").write_text(".env\n")
    done = run([str(PRE_COMMIT), "install"], repo, env)
    assert "pre-commit installed" in done.stdout
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()

    # a clean commit passes, with the hook run on the notebook
    (repo / "report.ipynb").write_text(notebook("✔ Key valid for ann@example.com\n"))
    run([*git, "add", "."], repo, env)
    done = run([*git, "commit", "-m", "clean"], repo, env, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "OnceHub API keys in notebooks and files" in output and "Passed" in output

    # the key in an output: refused, and nothing is committed
    (repo / "report.ipynb").write_text(notebook(f"debug: {CANARY_KEY}\n"))
    run([*git, "add", "report.ipynb"], repo, env)
    done = run([*git, "commit", "-m", "leak"], repo, env, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Failed" in output
    assert "report.ipynb: cell 1, output 1, line 1: your configured key" in output
    assert ApiKey(CANARY_KEY).masked in output
    assert CANARY_KEY not in output
    log = run(["git", "log", "--format=%s"], repo, env).stdout.split()
    assert log == ["clean"]

    # cleared with --fix, the same notebook commits
    run([str(BIN / "oncehub-nb"), "scan", "--fix", "report.ipynb"], repo, env, check=False)
    run([*git, "add", "report.ipynb"], repo, env)
    done = run([*git, "commit", "-m", "fixed"], repo, env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert CANARY_KEY not in (repo / "report.ipynb").read_text()


def test_a_dotenv_forced_into_the_commit_is_refused(tmp_path: Path, env: dict[str, str]):
    repo = tmp_path / "repo"
    repo.mkdir()
    run(["git", "init", "-q"], repo, env)
    run(["git", "config", "user.name", "Test"], repo, env)
    run(["git", "config", "user.email", "test@example.com"], repo, env)
    (repo / ".pre-commit-config.yaml").write_text(local_config())
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".env").write_text(f"ONCEHUB_API_KEY={CANARY_KEY}\n")
    run([str(PRE_COMMIT), "install"], repo, env)
    run(["git", "add", ".gitignore", ".pre-commit-config.yaml"], repo, env)
    run(["git", "add", "-f", ".env"], repo, env)
    done = run(["git", "commit", "-m", "with .env"], repo, env, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert ".env: line 1: holds a key and is tracked by Git" in output
    assert "git rm --cached it, add it to .gitignore" in output
    assert CANARY_KEY not in output
