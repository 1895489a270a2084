"""Find OnceHub API keys where they should not be: notebooks, text files, Git.

``oncehub_nb.scan(paths)`` (and ``oncehub-nb scan [PATH…]``) looks for

- the user's configured keys (``ONCEHUB_API_KEY``, every ``.env`` in sight) anywhere in
  notebooks (sources, outputs, tracebacks, widget state, metadata) and text files;
- key-shaped literals handed to OnceHub in code (``rules``), placeholders aside;
- files holding a key that Git tracks, or would take (not ignored).

Every finding carries the key masked (``…3f9a``), never the key. Modules, one job each:
``walk`` which files; ``configured`` which keys; ``rules`` literals and placeholders;
``matching`` one text's hits, by line; ``quicklook`` a notebook's bytes, unparsed;
``notebooks`` a parsed notebook's cells, outputs, widget state and metadata;
``textfiles`` text files; ``gitcheck`` Git's view; ``engine`` one scan; ``fix`` clearing
outputs and widget state (``spans`` keeps the rest of the file as it was); ``report``
text and JSON.
"""

from __future__ import annotations

from collections.abc import Iterable

from oncehub_nb.keys import ApiKey

from .engine import PathArg, run
from .findings import Dismissed, Finding, Report

__all__ = ["Dismissed", "Finding", "Report", "scan", "scan_report"]


def scan(
    paths: PathArg | Iterable[PathArg] | None = None,
    *,
    keys: Iterable[str | ApiKey] | None = None,
) -> list[Finding]:
    """Every place in ``paths`` (files or folders; default: the current folder) holding a key.

    ``keys``: the keys to look for; by default the configured ones (``ONCEHUB_API_KEY`` and
    every ``.env`` the scan sees). Raises FileNotFoundError for a path that does not exist.
    """
    return run(paths, keys=keys).findings


def scan_report(
    paths: PathArg | Iterable[PathArg] | None = None,
    *,
    keys: Iterable[str | ApiKey] | None = None,
) -> Report:
    """Like :func:`scan`, with the dismissed placeholders, problems, files and keys searched."""
    return run(paths, keys=keys)
