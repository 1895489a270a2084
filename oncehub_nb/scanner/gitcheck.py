"""Whether Git tracks a file, or would take it (not ignored), via ``git`` itself.

Files outside a Git work tree, and every file when ``git`` is not installed, are left
out: there is nothing to say about them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

__all__ = ["NOT_IGNORED", "TRACKED", "states", "work_tree"]

TRACKED = "tracked"
NOT_IGNORED = "not-ignored"
_TIMEOUT = 60


def _git(top: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C"}
    return subprocess.run(
        ["git", "-C", str(top), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=_TIMEOUT,
        check=False,
    )


def _maybe_in_work_tree(folder: Path) -> bool:
    """False when no folder from here up holds ``.git`` (and GIT_DIR is not set): then
    there is no need to ask git (which takes a process)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _work_tree(folder: Path) -> Path | None:
    if not _maybe_in_work_tree(folder):
        return None
    done = _git(folder, "rev-parse", "--show-toplevel")
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return Path(done.stdout.strip()).resolve()


def work_tree(folder: Path) -> Path | None:
    """The root of the Git work tree holding ``folder``; None outside one or without git."""
    try:
        return _work_tree(folder)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def states(paths: Iterable[Path]) -> dict[Path, str]:
    """``TRACKED`` or ``NOT_IGNORED`` for each path Git tracks or would take."""
    try:
        return _states(paths)
    except (OSError, ValueError, subprocess.SubprocessError):  # no git, it hung, a symlink
        return {}


def _states(paths: Iterable[Path]) -> dict[Path, str]:
    by_tree: dict[Path, dict[str, Path]] = {}
    trees: dict[Path, Path | None] = {}
    for path in paths:
        folder = path.resolve().parent
        if folder not in trees:
            trees[folder] = _work_tree(folder)
        top = trees[folder]
        if top is not None:
            relative = path.resolve().relative_to(top).as_posix()
            by_tree.setdefault(top, {})[relative] = path
    result: dict[Path, str] = {}
    for top, files in by_tree.items():
        tracked = _git(top, "--literal-pathspecs", "ls-files", "-z", "--", *files)
        listed = set(tracked.stdout.split("\0")) if tracked.returncode == 0 else set()
        rest = [name for name in files if name not in listed]
        ignored: set[str] = set()
        if rest:
            done = _git(top, "check-ignore", "-z", "--stdin", stdin="\0".join(rest) + "\0")
            # exit 1: none ignored; otherwise cannot tell: say nothing rather than be wrong
            ok = done.returncode in (0, 1)
            ignored = set(done.stdout.split("\0")) if ok else set(rest)
        for name, path in files.items():
            if name in listed:
                result[path] = TRACKED
            elif name not in ignored:
                result[path] = NOT_IGNORED
    return result
