"""Which files a scan reads, and as what: notebook, text, or dotenv file.

A folder is walked recursively, skipping virtual environments (any folder holding
``pyvenv.cfg`` or ``conda-meta``), version control folders (``.git``, ``.hg``,
``.svn``), ``node_modules`` and ``__pycache__``; symbolic links to folders are not
followed. In a folder only notebooks, the text kinds below and dotenv files are read; a
file named explicitly is always read (as text unless it is a notebook or dotenv file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "NOTEBOOK_SUFFIX",
    "SKIPPED_DIRS",
    "TEMPLATE_SUFFIXES",
    "TEXT_SUFFIXES",
    "files",
    "is_template",
    "kind_of",
]

NOTEBOOK_SUFFIX = ".ipynb"
TEXT_SUFFIXES = frozenset(
    (".py", ".md", ".txt", ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh")
)
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")
SKIPPED_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", "__pycache__"))
VENV_MARKERS = ("pyvenv.cfg", "conda-meta")


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.local``, ``.env.production``… (templates included)."""
    return name == ".env" or name.startswith(".env.")


def is_template(path: Path) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.template``, ``.env.dist``: placeholders."""
    return is_dotenv_name(path.name) and path.name.endswith(TEMPLATE_SUFFIXES)


def kind_of(path: Path, *, explicit: bool = False) -> str | None:
    """``"notebook"``, ``"dotenv"``, ``"text"``, or None for a file a walk leaves alone.

    Dotenv templates (``.env.example``) are read as text: their values are placeholders,
    yet a configured key found in one is still reported.
    """
    name = path.name
    if is_dotenv_name(name):
        return "text" if is_template(path) else "dotenv"
    suffix = path.suffix.lower()
    if suffix == NOTEBOOK_SUFFIX:
        return "notebook"
    if suffix in TEXT_SUFFIXES or explicit:
        return "text"
    return None


def _is_venv(entries: Iterable[str]) -> bool:
    return any(marker in entries for marker in VENV_MARKERS)


def files(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Each file to read and its kind, in a stable order; folders walked as above.

    Raises FileNotFoundError for a path that does not exist.
    """
    seen: set[Path] = set()
    for root in paths:
        if root.is_file():
            kind = kind_of(root, explicit=True)
            if kind and root not in seen:
                seen.add(root)
                yield root, kind
            continue
        if not root.is_dir():
            raise FileNotFoundError(f"No such file or folder: {root}")
        for folder, dirs, names in os.walk(root):
            if Path(folder) != root and (_is_venv(names) or _is_venv(dirs)):
                dirs[:] = []  # a virtual environment (unless it is what was asked for)
                continue
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(names):
                path = Path(folder, name)
                kind = kind_of(path)
                if kind and path not in seen:
                    seen.add(path)
                    yield path, kind
