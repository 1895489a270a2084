"""Which files a scan reads, and as what: notebook, dotenv file, or any other file.

A folder is walked recursively, skipping virtual environments (any folder holding
``pyvenv.cfg`` or ``conda-meta``), version control folders (``.git``, ``.hg``,
``.svn``), ``node_modules`` and ``__pycache__``; symbolic links to folders are not
followed. Every regular file is read, whatever its name: its content says whether it is
text (and in which encoding) or binary (``decoding``). A FIFO, socket or device, or a
link to one, is never opened: it is reported, as is a folder that cannot be listed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .reading import describe_mode, why

__all__ = [
    "NOTEBOOK_SUFFIX",
    "SKIPPED_DIRS",
    "TEMPLATE_SUFFIXES",
    "OnProblem",
    "files",
    "is_template",
    "kind_of",
]

NOTEBOOK_SUFFIX = ".ipynb"
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
SKIPPED_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", "__pycache__"))
VENV_MARKERS = ("pyvenv.cfg", "conda-meta")

OnProblem = Callable[[Path, str], None]  # a path not (fully) scanned, and why


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.local``, ``.env.production``… (templates included)."""
    return name == ".env" or name.startswith(".env.")


def is_template(path: Path) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.template``, ``.env.dist``: placeholders."""
    return is_dotenv_name(path.name) and path.name.endswith(TEMPLATE_SUFFIXES)


def kind_of(path: Path) -> str:
    """``"notebook"``, ``"dotenv"`` or ``"text"`` (any other file: its content decides).

    Dotenv templates (``.env.example``) are read as text: their values are placeholders,
    yet a configured key found in one is still reported.
    """
    name = path.name
    if is_dotenv_name(name):
        return "text" if is_template(path) else "dotenv"
    return "notebook" if path.suffix.lower() == NOTEBOOK_SUFFIX else "text"


def _listing(folder: Path, on_problem: OnProblem) -> list[os.DirEntry[str]] | None:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        on_problem(folder, f"folder cannot be read ({why(error)}): not scanned")
        return None


def _regular(entry: os.DirEntry[str], on_problem: OnProblem) -> bool:
    """Whether a folder's entry is a regular file (or a link to one) to read."""
    try:
        if entry.is_file(follow_symlinks=False):
            return True
        if entry.is_dir(follow_symlinks=False):
            return False
        mode = entry.stat(follow_symlinks=True).st_mode
    except FileNotFoundError:  # a broken link: nothing to read
        return False
    except OSError as error:
        on_problem(Path(entry.path), f"cannot be read ({why(error)})")
        return False
    if stat.S_ISREG(mode):
        return True
    if not stat.S_ISDIR(mode):  # links to folders are not followed
        on_problem(Path(entry.path), f"{describe_mode(mode)}: not opened")
    return False


def _walk(root: Path, on_problem: OnProblem) -> Iterator[Path]:
    """The regular files under ``root``, depth first, in name order."""
    stack = [root]
    while stack:
        folder = stack.pop()
        entries = _listing(folder, on_problem)
        if entries is None:
            continue
        names = {entry.name for entry in entries}
        if folder != root and any(marker in names for marker in VENV_MARKERS):
            continue  # a virtual environment (unless it is what was asked for)
        folders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_DIRS:
                    folders.append(Path(entry.path))
            elif _regular(entry, on_problem):
                yield Path(entry.path)
        stack.extend(reversed(folders))


def files(
    paths: Iterable[Path], on_problem: OnProblem = lambda path, why: None
) -> Iterator[tuple[Path, str]]:
    """Each file to read and its kind, in a stable order; folders walked as above.

    Raises FileNotFoundError for a path that does not exist; tells ``on_problem`` about
    files never opened (FIFOs, sockets, devices) and folders that cannot be listed.
    """
    seen: set[Path] = set()
    for root in paths:
        try:
            mode = os.stat(root).st_mode
        except FileNotFoundError:
            raise FileNotFoundError(f"No such file or folder: {root}") from None
        except OSError as error:
            on_problem(root, f"cannot be read ({why(error)})")
            continue
        if stat.S_ISDIR(mode):
            found: Iterable[Path] = _walk(root, on_problem)
        elif stat.S_ISREG(mode):
            found = [root]
        else:
            on_problem(root, f"{describe_mode(mode)}: not opened")
            continue
        for path in found:
            if path not in seen:
                seen.add(path)
                yield path, kind_of(path)
