"""Where JSON values lie in a text, so that one can be cut out and the rest kept as it was.

Values are found with the standard library's decoder (``raw_decode`` from a position),
so strings, escapes and numbers are read exactly as ``json.loads`` reads them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

__all__ = ["Edit", "apply", "elements", "members", "skip", "without"]

_decoder = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")

Edit = tuple[int, int, str]  # replace text[start:end] with this


def skip(text: str, at: int) -> int:
    """The first position from ``at`` that is not JSON whitespace."""
    match = _SPACE.match(text, at)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _end(text: str, start: int) -> int:
    return _decoder.raw_decode(text, start)[1]


def _expect(text: str, at: int, chars: str) -> str:
    if at >= len(text) or text[at] not in chars:
        raise ValueError(f"expected one of {chars!r} at character {at}")
    return text[at]


def members(text: str, start: int) -> list[tuple[str, int, int, int]]:
    """The members of the object opening at ``start``: (name, name start, value start,
    value end) each."""
    _expect(text, start, "{")
    found: list[tuple[str, int, int, int]] = []
    at = skip(text, start + 1)
    if text.startswith("}", at):
        return found
    while True:
        _expect(text, at, '"')
        name, after = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
        colon = skip(text, after)
        _expect(text, colon, ":")
        value = skip(text, colon + 1)
        end = _end(text, value)
        found.append((name, at, value, end))
        at = skip(text, end)
        if _expect(text, at, ",}") == "}":
            return found
        at = skip(text, at + 1)


def elements(text: str, start: int) -> list[tuple[int, int]]:
    """The elements of the array opening at ``start``: (start, end) each."""
    _expect(text, start, "[")
    found: list[tuple[int, int]] = []
    at = skip(text, start + 1)
    if text.startswith("]", at):
        return found
    while True:
        end = _end(text, at)
        found.append((at, end))
        at = skip(text, end)
        if _expect(text, at, ",]") == "]":
            return found
        at = skip(text, at + 1)


def without(text: str, start: int, items: list[tuple[int, int]], drop: Collection[int]) -> Edit:
    """The edit that removes items ``drop`` (indexes) from the array or object opening at
    ``start`` whose items span ``items``; what is kept, and the separators and spacing
    after each kept item, stay exactly as they were. Nothing kept: ``[]`` or ``{}``."""
    end = _end(text, start)
    kept = [index for index in range(len(items)) if index not in drop]
    if not kept:
        return start, end, "[]" if text[start] == "[" else "{}"
    parts = [text[start : items[0][0]]]
    for position, index in enumerate(kept):
        parts.append(text[items[index][0] : items[index][1]])
        if position < len(kept) - 1:  # the separator that followed this item
            parts.append(text[items[index][1] : items[index + 1][0]])
    parts.append(text[items[-1][1] : end])
    return start, end, "".join(parts)


def apply(text: str, edits: list[Edit]) -> str:
    """The text with non-overlapping edits made (in one pass: the text is copied once)."""
    parts: list[str] = []
    at = 0
    for start, end, replacement in sorted(edits):
        parts += [text[at:start], replacement]
        at = end
    parts.append(text[at:])
    return "".join(parts)
