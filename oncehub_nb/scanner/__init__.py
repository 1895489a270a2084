"""Find OnceHub API keys where they should not be: notebooks, any other file, Git.

``oncehub_nb.scan(paths)`` (and ``oncehub-nb scan [PATH…]``) looks for

- the user's configured keys (``ONCEHUB_API_KEY``, every ``.env`` in sight) anywhere in
  notebooks (sources, outputs, tracebacks, widget state, metadata; a key printed in
  pieces across stream outputs too) and in every other file, text or binary;
- key-shaped literals handed to OnceHub in code (``rules``), placeholders aside;
- files holding a key that Git tracks, or would take (not ignored).

Every finding carries the key masked (``…3f9a``), never the key. One file that cannot be
read never stops a scan: it is reported (``Report.unscanned``). Modules, one job each:
``walk`` which files; ``reading`` a file's bytes, safely and bounded; ``decoding`` text or
binary, and the encoding; ``configured`` which keys; ``rules`` literals and placeholders;
``lines`` line numbers; ``matching`` one text's hits, by line; ``quicklook`` a notebook's
bytes, unparsed; ``notebooks`` a parsed notebook's cells, outputs, widget state and
metadata; ``textfiles`` text and binary files; ``files`` one file, as what it is;
``gitcheck`` Git's view; ``engine`` one scan; ``fix`` clearing outputs and widget state
(``spans`` keeps the rest of the file as it was); ``report`` text and JSON.
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
