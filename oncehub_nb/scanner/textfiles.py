"""Keys in text (files, notebooks that are not valid JSON), by line; and in binary files."""

from __future__ import annotations

from .configured import Keyring
from .findings import Finding
from .matching import Hits, key_hits, literal_hits

__all__ = ["BINARY_DETAIL", "binary_hits", "scan_text"]

BINARY_DETAIL = "binary file"


def scan_text(text: str, path: str, ring: Keyring, *, detail: str = "") -> Hits:
    """Findings in a text: configured keys anywhere, literals given to OnceHub."""
    findings = key_hits(text, ring, path, "text", label=detail)
    literals, dismissed = literal_hits(text, ring, path, "text")
    return findings + literals, dismissed


def binary_hits(data: bytes, path: str, ring: Keyring) -> list[Finding]:
    """A finding for each configured key in a binary file's bytes (UTF-8 or UTF-16)."""
    found = []
    for known in ring.keys:
        wide = tuple(text.encode("utf-16-le") for text in known.texts)
        if any(needle in data for needle in (*known.needles, *wide)):
            found.append(Finding(path, place="text", masked=known.masked, detail=BINARY_DETAIL))
    return found
