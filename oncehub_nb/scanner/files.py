"""One file: read safely, told text or binary by its content, scanned as what it is.

A notebook is looked at in its bytes first and parsed only when something is there
(``quicklook``, then ``notebooks``); one that is not a notebook after all is read as
text. Other files are text (in the encoding their content says) or binary, where only
configured keys are looked for. A file larger than the read bound is scanned in pieces,
as text or binary, its lines numbered throughout.
"""

from __future__ import annotations

import codecs
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import quicklook, reading
from .configured import Keyring
from .decoding import BINARY, decode, encoding_of
from .findings import NOT_A_NOTEBOOK, Dismissed, Finding
from .matching import Hits
from .notebooks import TWICE, cells_of, load, locate
from .textfiles import binary_hits, scan_text

__all__ = ["TOO_LARGE", "scan_bytes", "scan_file", "scan_notebook", "scan_pieces"]

TOO_LARGE = "too large to parse as a notebook: read as text"
_OVERLAP = 16384  # characters a piece shares with the next when a line is longer than it


def scan_file(path: Path, kind: str, shown: str, ring: Keyring, max_read: int) -> Hits:
    """Findings in one file (``kind`` from ``walk``); OSError (Unreadable) when unread."""
    data = reading.read(path, max_read)
    if data is None:
        detail = TOO_LARGE if kind == "notebook" else ""
        return scan_pieces(path, shown, ring, max_read, detail=detail)
    if kind == "notebook":
        return scan_notebook(data, shown, ring)
    return scan_bytes(data, shown, ring)


def scan_bytes(data: bytes, path: str, ring: Keyring, *, detail: str = "") -> Hits:
    """A file's bytes as the text their content says, or binary."""
    decoded = decode(data)
    if decoded.text is None:
        return binary_hits(data, path, ring), []
    return scan_text(decoded.text, path, ring, detail=detail)


def _parse(data: bytes) -> tuple[Any, str]:
    """The notebook's JSON, or None and why not: not JSON, a member named twice, nested
    too deeply to parse."""
    try:
        return load(data), ""
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as error:
        return None, str(error) if str(error).startswith(TWICE) else ""


def scan_notebook(data: bytes, path: str, ring: Keyring) -> Hits:
    """Findings in a notebook's bytes; it is parsed only when something is there."""
    encoding, mark = encoding_of(data)
    if encoding == BINARY:
        return binary_hits(data, path, ring), []
    if mark or encoding != "utf-8":  # UTF-16, or a BOM: as UTF-8 from here
        data = data[len(mark) :].decode(encoding, errors="replace").encode("utf-8")
    seen = quicklook.look(data, ring, path)
    if not seen.parse:
        return [], seen.dismissed
    notebook, why_not = _parse(data)
    cells = cells_of(notebook)
    only: set[int] | None = None
    if cells is not None and len(cells) == seen.cell_count:  # the bytes were right
        only = seen.cells | {-1}  # and the notebook's metadata, wherever it is
    try:
        located = locate(notebook, path, ring, only)
    except RecursionError:  # parsed, yet too deep to walk: as text
        located, why_not = None, "nested too deeply"
    if located is None:
        detail = f"{NOT_A_NOTEBOOK} ({why_not})" if why_not else NOT_A_NOTEBOOK
        text = data.decode("utf-8", errors="replace")
        return scan_text(text, path, ring, detail=f"{detail}: read as text")
    findings, dismissed = located
    return findings, seen.dismissed if only is not None else dismissed


def _shifted(hits: Hits, lines: int) -> Hits:
    findings, dismissed = hits
    if not lines:
        return hits
    return (
        [replace(f, line=f.line + lines) if f.line is not None else f for f in findings],
        [replace(d, line=d.line + lines) if d.line is not None else d for d in dismissed],
    )


def scan_pieces(path: Path, shown: str, ring: Keyring, size: int, *, detail: str = "") -> Hits:
    """A file too large to read at once, in pieces of ``size`` bytes: as text (cut between
    lines; a longer line shares its end with the next piece) or, when binary, for
    configured keys (pieces overlapping by the longest form of a key)."""
    findings: dict[tuple[Any, ...], Finding] = {}
    dismissed: dict[tuple[Any, ...], Dismissed] = {}
    decoder: codecs.IncrementalDecoder | None = None
    binary, tail, carry, lines = False, b"", "", 0
    longest = max((len(n) * 2 for k in ring.keys for n in k.needles), default=0)

    def add(hits: Hits) -> None:
        for f in hits[0]:
            findings.setdefault((f.line, f.kind, f.masked, f.detail), f)
        for d in hits[1]:
            dismissed.setdefault((d.line, d.kind, d.rule, d.masked), d)

    for piece in reading.chunks(path, size):
        if decoder is None and not binary:
            encoding, mark = encoding_of(piece)
            binary = encoding == BINARY
            if not binary:
                decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                piece = piece[len(mark) :]
        if binary or decoder is None:
            window = tail + piece
            add((binary_hits(window, shown, ring), []))
            tail = window[-longest:] if longest else b""
            continue
        text = carry + decoder.decode(piece)
        cut = text.rfind("\n") + 1
        if cut:  # whole lines now, the last one's start with the next piece
            done, carry = text[:cut], text[cut:]
        elif len(text) > _OVERLAP:  # one long line: all of it now, its end again next time
            done, carry = text, text[-_OVERLAP:]
        else:
            carry = text
            continue
        add(_shifted(scan_text(done, shown, ring, detail=detail), lines))
        lines += done.count("\n")
    if decoder is not None:
        add(
            _shifted(
                scan_text(carry + decoder.decode(b"", True), shown, ring, detail=detail), lines
            )
        )
    return list(findings.values()), list(dismissed.values())
