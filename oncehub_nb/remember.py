"""Remembering a confirmed key in a ``.env`` file, and forgetting it again.

The key is written with python-dotenv's own writer (other lines and comments kept), into
the ``.env`` next to the notebook (the kernel's folder) or a path given; a new file is
created readable by its owner only. Never inside site-packages or this package. When the
file sits in a Git work tree without being ignored, the result says so, and
:func:`ignore_in_git` adds it to the repository's ``.gitignore``.
"""

from __future__ import annotations

import os
import stat
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from oncehub_nb.constants import API_KEY_VAR, BASE_URL_VAR
from oncehub_nb.errors import DotenvError
from oncehub_nb.keys import ApiKey

__all__ = ["GitFacts", "Saved", "forget_key", "git_facts", "ignore_in_git", "save_key", "target"]


@dataclass(frozen=True)
class GitFacts:
    """Where a file stands with Git: in a work tree? tracked? ignored?"""

    toplevel: Path | None  # the work tree's root, None outside any
    tracked: bool = False
    ignored: bool = False

    @property
    def exposed(self) -> bool:
        """In a work tree and not ignored: ``git add .`` would take it."""
        return self.toplevel is not None and not self.ignored


@dataclass(frozen=True)
class Saved:
    """What :func:`save_key` or :func:`forget_key` did."""

    path: Path
    created: bool
    git: GitFacts

    def notes(self) -> list[str]:
        """What the user should know: a file Git would take, or takes already."""
        if self.git.tracked:
            return [
                f"{self.path} is tracked by Git: the key would be committed. Run "
                f"git rm --cached {self.path.name}, then add it to .gitignore (--gitignore)."
            ]
        if self.git.exposed:
            return [
                f"{self.path} is in a Git work tree and not ignored. Add --gitignore to "
                "put it in the repository's .gitignore."
            ]
        return []


def _forbidden_folders() -> list[Path]:
    package = Path(__file__).resolve().parent
    folders = [package]
    for name in ("purelib", "platlib"):
        place = sysconfig.get_paths().get(name)
        if place:
            folders.append(Path(place).resolve())
    return folders


def target(path: str | os.PathLike[str] | None = None, folder: Path | None = None) -> Path:
    """The dotenv file to write: ``path`` (a file, or a folder holding ``.env``), else
    ``.env`` in ``folder`` (default: the current folder, the notebook's)."""
    chosen = Path(path).expanduser() if path else (folder or Path.cwd()) / ".env"
    if chosen.is_dir():
        chosen = chosen / ".env"
    chosen = chosen.resolve()
    for forbidden in _forbidden_folders():
        if chosen.is_relative_to(forbidden):
            raise DotenvError(
                f"Refusing to write a key into {chosen.parent}: that is where Python packages "
                "are installed, not your project.",
                path=str(chosen),
                hint="Give a path in your project: %oncehub_auth --save path/to/.env",
            )
    if not chosen.parent.is_dir():
        raise DotenvError(
            f"No folder {chosen.parent} to write {chosen.name} in.",
            path=str(chosen),
            hint="Create the folder first, or give another path.",
        )
    return chosen


def git_facts(path: Path) -> GitFacts:
    """Whether ``path`` is in a Git work tree, tracked, ignored (asked of git itself)."""
    from oncehub_nb.scanner.gitcheck import TRACKED, states, work_tree

    top = work_tree(path.parent)
    if top is None:
        return GitFacts(None)
    state = states([path]).get(path)
    return GitFacts(top, tracked=state == TRACKED, ignored=state is None)


def save_key(key: ApiKey, path: Path, var: str = API_KEY_VAR, base_url: str | None = None) -> Saved:
    """Write ``var=<key>`` into the dotenv file at ``path`` (made by :func:`target`), and
    ``ONCEHUB_BASE_URL`` too when ``base_url`` is given (a key for another server)."""
    from dotenv import set_key

    created = not path.exists()
    if created:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    try:
        set_key(path, var, key.reveal(), quote_mode="never")
        if base_url:
            set_key(path, BASE_URL_VAR, base_url, quote_mode="never")
    except OSError as exc:
        raise DotenvError(
            f"{path} cannot be written ({exc.strerror or type(exc).__name__}).",
            path=str(path),
            hint="Check the file's permissions.",
        ) from None
    os.chmod(path, mode)  # dotenv rewrites through a temporary file: keep the file's mode
    return Saved(path, created, git_facts(path))


def forget_key(path: Path, var: str = API_KEY_VAR) -> bool:
    """Remove ``var`` from the dotenv file at ``path``; True if it was there."""
    from dotenv import dotenv_values, unset_key

    if not path.is_file() or var not in dotenv_values(path, interpolate=False):
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    unset_key(path, var, quote_mode="never")
    os.chmod(path, mode)
    return True


def ignore_in_git(path: Path) -> Path | None:
    """Add ``path`` to its repository's ``.gitignore``; the .gitignore, or None outside Git."""
    facts = git_facts(path)
    if facts.toplevel is None:
        return None
    gitignore = facts.toplevel / ".gitignore"
    line = "/" + path.relative_to(facts.toplevel.resolve()).as_posix()
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if line not in existing.splitlines():
        glue = "" if not existing or existing.endswith("\n") else "\n"
        with gitignore.open("a", encoding="utf-8") as file:
            file.write(f"{glue}{line}\n")
    return gitignore
