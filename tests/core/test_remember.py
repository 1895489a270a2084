"""%oncehub_auth --save / --gitignore / --forget --save, and the warnings about Git, with
real files, a real Git repository in a temporary folder and the sandbox over HTTP."""

from __future__ import annotations

import os
import stat
import subprocess
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from oncehub_nb import session
from oncehub_nb.errors import DotenvError
from oncehub_nb.remember import git_facts, target
from oncehub_nb.session import current
from oncehub_nb.validation import check
from tests.support import CANARY_ACCOUNT, CANARY_KEY, close_shell, fresh_shell

new_shell = fresh_shell  # what a kernel restart gives


@pytest.fixture
def ip(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    yield fresh_shell(monkeypatch)
    close_shell()


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away Git work tree, the current folder (the notebook's)."""
    folder = tmp_path / "project"
    folder.mkdir()
    assert git(folder, "init", "-q").returncode == 0
    git(folder, "config", "user.email", "dev@example.com")
    git(folder, "config", "user.name", "Dev")
    monkeypatch.chdir(folder)
    return folder


def sign_in(ip: InteractiveShell, sandbox, extra: str = "") -> None:
    ip.run_line_magic("oncehub_auth", f"{CANARY_KEY} --base-url {sandbox.base_url} {extra}")


def test_save_writes_a_new_owner_only_env_and_a_restart_finds_it(
    ip, sandbox, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    sign_in(ip, sandbox, "--save")
    env = tmp_path / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    values = dotenv_values(env)
    assert values["ONCEHUB_API_KEY"] == CANARY_KEY
    assert values["ONCEHUB_BASE_URL"] == sandbox.base_url  # not OnceHub's: kept with the key
    out = capsys.readouterr()
    assert f"Saved ONCEHUB_API_KEY to {env}" in out.out and "readable by you only" in out.out
    assert CANARY_KEY not in out.out + out.err
    # a restart: a new session, and no key typed
    restarted = new_shell(monkeypatch)
    restarted.run_line_magic("oncehub_auth", "")
    assert current().signed_in and current().key.source == f".env at {env}"
    assert check(current().client()).account == CANARY_ACCOUNT


def test_save_keeps_other_lines_comments_and_the_files_mode(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = tmp_path / ".env"
    env.write_text("# my settings\nOTHER=1\nONCEHUB_API_KEY=old-key-value\n", encoding="utf-8")
    env.chmod(0o640)
    sign_in(ip, sandbox, "--save")
    text = env.read_text(encoding="utf-8")
    assert text.startswith("# my settings\nOTHER=1\n")
    assert dotenv_values(env)["ONCEHUB_API_KEY"] == CANARY_KEY
    assert "old-key-value" not in text
    assert stat.S_IMODE(env.stat().st_mode) == 0o640


def test_save_to_a_path_given(ip, sandbox, tmp_path) -> None:
    elsewhere = tmp_path / "conf"
    elsewhere.mkdir()
    sign_in(ip, sandbox, f"--save {elsewhere}")
    assert dotenv_values(elsewhere / ".env")["ONCEHUB_API_KEY"] == CANARY_KEY


def test_a_key_oncehub_refuses_is_not_saved(ip, sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ip.run_line_magic("oncehub_auth", f"FAKE-wrong-key-1234 --base-url {sandbox.base_url} --save")
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [("--no-validate --save", "confirmed"), ("--sandbox --save", "sandbox"), ("--gitignore", "")],
)
def test_save_option_mistakes(ip, sandbox, tmp_path, monkeypatch, extra, words) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=words or "--gitignore goes with --save"):
        sign_in(ip, sandbox, extra)
    assert not (tmp_path / ".env").exists()


def test_never_into_site_packages_or_the_package() -> None:
    for place in (sysconfig.get_paths()["purelib"], Path(session.__file__).parent):
        with pytest.raises(DotenvError, match="Refusing"):
            target(place)


def test_in_a_work_tree_it_says_the_env_is_not_ignored(ip, sandbox, repo, capsys) -> None:
    sign_in(ip, sandbox, "--save")
    err = capsys.readouterr().err
    assert "not ignored" in err and "--gitignore" in err
    assert git_facts((repo / ".env").resolve()).exposed


def test_gitignore_adds_it_and_git_agrees(ip, sandbox, repo, capsys) -> None:
    (repo / ".gitignore").write_text("*.pyc", encoding="utf-8")  # no final newline
    sign_in(ip, sandbox, "--save --gitignore")
    assert (repo / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n/.env\n"
    assert git(repo, "check-ignore", "-q", ".env").returncode == 0
    assert "Added .env to" in capsys.readouterr().out
    sign_in(ip, sandbox, "--save --gitignore")  # again: no second line
    assert (repo / ".gitignore").read_text(encoding="utf-8").count("/.env") == 1


def test_a_tracked_env_is_warned_about_when_read(ip, sandbox, repo, monkeypatch, capsys) -> None:
    (repo / ".env").write_text(
        f"ONCEHUB_API_KEY={CANARY_KEY}\nONCEHUB_BASE_URL={sandbox.base_url}\n", encoding="utf-8"
    )
    git(repo, "add", ".env")
    git(repo, "commit", "-qm", "oops")
    ip.run_line_magic("oncehub_auth", "")
    err = capsys.readouterr().err
    assert "tracked by Git" in err and "git rm --cached .env" in err
    assert CANARY_KEY not in err


def test_an_ignored_env_gets_no_warning(ip, sandbox, repo, capsys) -> None:
    (repo / ".gitignore").write_text(".env\n", encoding="utf-8")
    (repo / ".env").write_text(
        f"ONCEHUB_API_KEY={CANARY_KEY}\nONCEHUB_BASE_URL={sandbox.base_url}\n", encoding="utf-8"
    )
    ip.run_line_magic("oncehub_auth", "")
    assert "Git" not in capsys.readouterr().err


def test_forget_save_removes_the_key_and_keeps_the_rest(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = tmp_path / ".env"
    env.write_text("# keep me\nOTHER=1\n", encoding="utf-8")
    sign_in(ip, sandbox, "--save")
    ip.run_line_magic("oncehub_auth", "--forget --save")
    values = dotenv_values(env)
    assert "ONCEHUB_API_KEY" not in values and values["OTHER"] == "1"
    assert env.read_text(encoding="utf-8").startswith("# keep me\n")
    assert not current().signed_in


def test_the_inline_key_warning_says_how_to_scrub(ip, sandbox, capsys) -> None:
    sign_in(ip, sandbox)
    err = capsys.readouterr().err
    assert "oncehub-nb scan --fix" in err and "edit this cell" in err


def test_no_git_is_no_problem(ip, sandbox, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # git cannot be found
    sign_in(ip, sandbox, "--save")
    assert dotenv_values(tmp_path / ".env")["ONCEHUB_API_KEY"] == CANARY_KEY
    assert os.environ["PATH"].endswith("empty-bin")
