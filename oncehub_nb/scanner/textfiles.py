"""Keys in text files (and in notebooks that are not valid JSON), by line."""

from __future__ import annotations

from .configured import Keyring
from .matching import Hits, has_configured_key, key_hits, literal_hits

__all__ = ["scan_text"]


def scan_text(data: bytes, path: str, ring: Keyring, *, detail: str = "") -> Hits:
    """Findings in a text file's bytes: configured keys anywhere, literals given to OnceHub.

    The bytes are decoded (as UTF-8, undecodable bytes replaced) only to number lines
    and to read the lines that rules look at.
    """
    text = data.decode("utf-8", errors="replace")
    findings = []
    if has_configured_key(data, ring):
        findings = key_hits(text, ring, path, "text", label=detail)
    literals, dismissed = literal_hits(text, ring, path, "text")
    return findings + literals, dismissed
