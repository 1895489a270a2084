"""Text or binary, told by the content: byte order marks, UTF-16 without one, NUL bytes.

A file that starts with a byte order mark is decoded in its encoding (UTF-8, UTF-16 or
UTF-32, either byte order); NUL bytes in its first 8,000 bytes make it binary (as Git and
grep decide), unless they are the high bytes of UTF-16 text; anything else is UTF-8, the
bytes that are not replaced (a key is ASCII, so it is found in Latin-1 text too).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["BINARY", "Decoded", "decode", "encoding_of"]

BINARY = "binary"
_SNIFF = 8000  # bytes looked at to tell binary from text
# UTF-32 first: its little-endian mark starts with UTF-16's.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    """A file's text (None when binary), its encoding and the byte order mark it had."""

    text: str | None
    encoding: str
    bom: bytes = b""

    @property
    def binary(self) -> bool:
        return self.text is None


def _utf16_without_mark(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the NULs are the high bytes of mostly-ASCII text."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def encoding_of(head: bytes) -> tuple[str, bytes]:
    """The encoding the first bytes of a file say (``BINARY`` for binary) and its mark."""
    for mark, encoding in _MARKS:
        if head.startswith(mark):
            return encoding, mark
    sniffed = head[:_SNIFF]
    if b"\0" in sniffed:
        return _utf16_without_mark(sniffed) or BINARY, b""
    return "utf-8", b""


def decode(data: bytes) -> Decoded:
    """The bytes as text in the encoding they say, or binary (undecodable bytes replaced)."""
    encoding, mark = encoding_of(data)
    if encoding == BINARY:
        return Decoded(None, BINARY)
    return Decoded(data[len(mark) :].decode(encoding, errors="replace"), encoding, mark)
