"""A notebook's bytes, looked at without parsing: is there anything to locate?

Each configured key is searched for in the bytes (as is, JSON- and HTML-escaped), and its
two halves in the stream outputs (a key printed in two pieces, in two outputs or on two
lines, has one of them whole); only the cells' sources are read for literals given to
OnceHub (nbformat 3: their ``input`` too). In a notebook indented the usual way
(nbformat, JupyterLab, VS Code write one indentation throughout) the sources are found
with a needle that includes the cell keys' indentation, which is longer and so faster to
search for, and it also gives where each cell ends, so that the cells holding something
are known before parsing. Other notebooks (minified, nbformat 3) take the slow way. Only
a notebook with a configured key (or half of one in a stream output), or a key-shaped
literal that no placeholder rule dismisses, is parsed.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any

from .configured import Keyring
from .findings import Dismissed
from .matching import literal_hits
from .rules import TRIGGER_BYTES

__all__ = ["Look", "as_text", "look"]

_SOURCE = b'"source"'
_INPUT = b'"input"'  # nbformat 3's code cells
_WORKSHEETS = b'"worksheets"'  # nbformat 3
_OUTPUT_TYPE = b'"output_type"'
_DETECT = 65536  # bytes at the start where the first cell's indentation is read
_decoder = json.JSONDecoder()


@dataclass
class Look:
    """What the bytes say: parse or not, which cells hold something, what was dismissed."""

    parse: bool = False
    cells: set[int] = field(default_factory=set)  # 0-based, when cell_count is known
    cell_count: int | None = None  # cells seen in the bytes (None: layout unknown)
    dismissed: list[Dismissed] = field(default_factory=list)


@dataclass(frozen=True)
class _Layout:
    """How an indented notebook is laid out: what starts each cell's source and ends it."""

    needle: bytes  # starts the cells' sources: newline, the cell keys' indent, "source":
    value: int  # where the source's value starts, from the needle's start
    close: bytes  # what ends every cell: newline, the cells' indent, }
    short: bytes  # the needle without the list's opening: it starts every cell's source
    stream: bytes = b""  # "output_type": "stream", as this notebook writes it
    output: bytes = b""  # an output's indent: its object opens at newline+output+{

    @property
    def every(self) -> bool:
        """Whether the needle finds every cell (not when it skips empty sources, [])."""
        return self.needle == self.short


def _layout(data: bytes) -> _Layout | None:
    """The layout of an indented notebook (None: minified or unusual).

    nbformat (and so Jupyter, VS Code) writes every non-empty source as a list of lines,
    and sorts the keys (the source last, after a comma): when the first source is written
    so, the needle includes the comma, the list's opening and the first line's indent,
    which makes it longer and faster to search for.
    """
    at = data.find(b'"cell_type"', 0, _DETECT)
    if at == -1 or _WORKSHEETS in data[:at]:  # nbformat 3: code in "input", the slow way
        return None
    line_start = data.rfind(b"\n", 0, at) + 1
    indent = data[line_start:at]
    if not line_start or not indent or indent.strip(b" \t"):
        return None
    quote = data.find(b'"', at + len(b'"cell_type"'), at + 64)  # the value's opening quote
    separator = data[at + len(b'"cell_type"') : quote]
    if quote == -1 or separator.strip() != b":":
        return None
    needle = b"\n" + indent + _SOURCE + separator
    # A cell's braces are one level less indented than its keys (nbformat: 2 and 3 spaces).
    close = b"\n" + indent[: len(indent) * 2 // 3] + b"}"
    lines = b"[\n" + indent + indent[: len(indent) // 3] + b'"'
    outputs = {
        "stream": _OUTPUT_TYPE + separator + b'"stream"',
        "output": indent + indent[: len(indent) // 3],  # one level deeper than the cell keys
    }
    first = data.find(needle)
    if first != -1 and data.startswith(lines, first + len(needle)):
        if data[first - 1 : first] == b",":  # sorted keys: the source is the cell's last
            return _Layout(b"," + needle + lines, len(needle) + 1, close, needle, **outputs)
        return _Layout(needle + lines, len(needle), close, needle, **outputs)
    return _Layout(needle, len(needle), close, needle, **outputs)


def _cells(data: bytes, layout: _Layout) -> tuple[list[int], list[int]]:
    """Where each cell's source starts and where the cell ends, in an indented notebook."""
    starts: list[int] = []
    ends: list[int] = []
    at = data.find(layout.needle)
    while at != -1:
        start = at + layout.value
        end = data.find(layout.close, start)  # the first brace that far out closes the cell
        if end == -1:
            end = len(data)
        starts.append(start)
        ends.append(end)
        at = data.find(layout.needle, end)
    return starts, ends


class _Counter:
    """How many times ``needle`` occurs before a position, for positions asked in
    increasing order: the bytes are searched once, only as far as asked."""

    def __init__(self, data: bytes, needle: bytes) -> None:
        self.data, self.needle = data, needle
        self.count, self.next = 0, data.find(needle)

    def before(self, end: int) -> int:
        while self.next != -1 and self.next < end:
            self.count += 1
            self.next = self.data.find(self.needle, self.next + len(self.needle))
        return self.count


def _stream_regions(
    data: bytes, layout: _Layout | None, ends: list[int]
) -> Iterator[tuple[int, int]]:
    """Where the stream outputs (stdout, stderr) lie, each from its object's ``{`` to its
    ``}`` (or, failing that, the end of its cell), in an indented notebook (only there is
    a key looked for in halves); in other notebooks, all of it."""
    if layout is None:
        yield 0, len(data)
        return
    opening = b"\n" + layout.output + b"{"
    closing = b"\n" + layout.output + b"}"  # strings hold no raw newline: only the output's own
    at = data.find(layout.stream)
    while at != -1:
        cell = bisect_left(ends, at)
        before = ends[cell - 1] if cell else 0
        cell_end = ends[cell] if cell < len(ends) else len(data)
        start = data.rfind(opening, before, at)
        end = data.find(closing, at, cell_end)
        yield start if start != -1 else before, end + len(closing) if end != -1 else cell_end
        at = data.find(layout.stream, at + len(layout.stream))


def _halves_in_streams(
    data: bytes, ring: Keyring, layout: _Layout | None, ends: list[int]
) -> list[int]:
    """The start of each stream output where half of a configured key lies (a key printed
    in pieces leaves one half whole in one of its outputs)."""
    halves = [half for known in ring.keys for half in known.halves]
    if not halves:
        return []
    return [
        start
        for start, end in _stream_regions(data, layout, ends)
        if any(data.find(half, start, end) != -1 for half in halves)
    ]


def _triggered(data: bytes, starts: list[int], ends: list[int]) -> list[int]:
    """The indexes of the sources holding a trigger: all sources are cut out, joined and
    lowered in one piece, and the few triggers found are traced back to their source."""
    pieces = [data[start:end] for start, end in zip(starts, ends, strict=True)]
    joined = b"\0".join(pieces).lower()
    offsets = list(accumulate((len(piece) + 1 for piece in pieces), initial=0))
    hits: set[int] = set()
    for trigger in TRIGGER_BYTES:
        found = joined.find(trigger)
        while found != -1:
            hits.add(bisect_right(offsets, found) - 1)
            found = joined.find(trigger, found + 1)
    return sorted(hits)


def _any_sources(data: bytes) -> Iterator[int]:
    """Where each value of a ``"source"`` key (nbformat 3: ``"input"`` too) starts, in a
    notebook of any layout, in order."""
    keys = (_SOURCE, _INPUT) if _WORKSHEETS in data else (_SOURCE,)
    for key in keys:
        at = data.find(key)
        while at != -1:
            start = at + len(key)
            at = data.find(key, start)
            colon = data.find(b":", start, start + 64)
            if colon != -1 and not data[start:colon].strip():  # a key, not a string value
                yield colon + 1


# Deeper than any notebook nests, and well inside Python's recursion limit: whether the
# parser itself gives up on deeper JSON depends on the CPython version (3.13 does not).
MAX_DEPTH = 500


def check_depth(value: Any, limit: int = MAX_DEPTH) -> Any:
    """``value`` itself; RecursionError when its lists and objects nest deeper than
    ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise RecursionError(f"JSON nested deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value


def _value_at(data: bytes, start: int) -> Any:
    """The JSON value starting at ``start`` (read from a window that grows as needed)."""
    size = 4096
    while True:
        window = data[start : start + size].decode("utf-8", errors="replace")
        try:
            return check_depth(_decoder.raw_decode(window.lstrip())[0])
        except json.JSONDecodeError:
            if start + size >= len(data):
                raise
            size *= 8


def as_text(value: Any) -> str | None:
    """A cell source (a string, or a list of lines) as one string; None if it is neither."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    return None


def look(data: bytes, ring: Keyring, path: str) -> Look:
    """Look at a notebook's bytes: configured keys, and literals in the cells' sources."""
    result = Look()
    layout = _layout(data)
    starts, ends = _cells(data, layout) if layout else ([], [])
    places: list[int] = []  # where the configured keys and the literals found are
    for known in ring.keys:
        for needle in known.needles:
            at = data.find(needle)
            while at != -1:
                places.append(at)
                at = data.find(needle, at + len(needle))
    places += _halves_in_streams(data, ring, layout, ends)
    sources = (starts[i] for i in _triggered(data, starts, ends)) if layout else _any_sources(data)
    shorts: _Counter | None = None  # every source's start, when the needle skips some
    for start in sources:
        try:
            text = as_text(_value_at(data, start))
        except (ValueError, RecursionError):  # not JSON (or too deep): parsed, found not one
            result.parse = True
            continue
        if text is None:
            continue
        cell = None
        if layout and layout.every:
            cell = 1 + bisect_left(ends, start)
        elif layout:  # count the sources before, when the needle skipped some (empty ones)
            shorts = shorts or _Counter(data, layout.short)
            cell = 1 + shorts.before(start - layout.value)
        findings, dismissed = literal_hits(text, ring, path, "source", cell=cell)
        if findings:
            places.append(start)
        result.dismissed += dismissed
    result.parse = result.parse or bool(places)
    if result.parse and layout:  # which cells to look at once parsed
        if not layout.every:
            _, ends = _cells(data, replace(layout, needle=layout.short))
        result.cell_count = len(ends)
        result.cells = {bisect_left(ends, at) for at in places} - {len(ends)}
    return result
