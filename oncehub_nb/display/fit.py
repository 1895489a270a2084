"""Text that fits the terminal: its width, tables that give way, values wrapped between words.

The width is read when something is shown (``shutil.get_terminal_size``: ``COLUMNS``,
else the terminal, else ``FALLBACK_WIDTH``); every function here also takes it as an
argument. A table too wide first shortens its free-text columns with "…", then leaves
out its least useful columns and says which. The first column (the ID) is never left out
or shortened, and no OnceHub ID is ever cut, in any cell. Every text that goes through
here has its control characters escaped (``escape.printable``): a value from a server or
a webhook cannot command the terminal.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from oncehub_nb.display.cells import cut, id_spans, is_id, is_time
from oncehub_nb.escape import printable

__all__ = [
    "FALLBACK_WIDTH",
    "Fitted",
    "fit_line",
    "fit_table",
    "labelled",
    "shorten",
    "terminal_width",
    "wrap",
    "wrap_parts",
]

FALLBACK_WIDTH = 80  # columns, when there is no terminal to ask (pipes, kernels)
GAP = "  "  # between a table's columns
MIN_TEXT = 20  # a shortened free-text column keeps at least this many characters
MIN_LABEL = 6  # ... and the name before an ID in "Name (USR-…)"
MIN_VALUE = 24  # a labelled value narrower than this goes on a line of its own
_SEPARATED = re.compile(r"(?<=[|/,])(?=[^|/,])")  # where a long word may break
_NAMED_ID = re.compile(r"(.*\S) (\([A-Z]{2,5}-[A-Za-z0-9]+\))")  # "Name (USR-…)"


def terminal_width(width: int | None = None) -> int:
    """``width`` when given, else the terminal's width now (``FALLBACK_WIDTH`` if none)."""
    if width is not None:
        return width
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


# -- words ---------------------------------------------------------------------------------


class _Wrapper(textwrap.TextWrapper):
    """Breaks between words; a word longer than a line also after ``|``, ``/`` or ``,``
    (nothing is added), else anywhere, unless it is an ID."""

    def _split(self, text: str) -> list[str]:
        room = self.width - max(len(self.initial_indent), len(self.subsequent_indent))
        return [
            piece
            for chunk in super()._split(text)
            for piece in (_SEPARATED.split(chunk) if len(chunk) > room else [chunk])
        ]

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        if is_id(reversed_chunks[-1].strip("(),.;:'\"")):
            if not cur_line:  # on a line of its own, whole, even if too long
                cur_line.append(reversed_chunks.pop())
            return
        super()._handle_long_word(reversed_chunks, cur_line, cur_len, width)


def wrap(text: str, width: int, indent: str = "", first: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words: the first
    line starts with ``first``, the others with ``indent``. Line breaks in ``text`` are
    kept; IDs are never broken."""
    lines: list[str] = []
    for paragraph in printable(text, keep="\n\t").split("\n"):
        lead = indent if lines else first
        wrapper = _Wrapper(
            width=max(width, len(lead) + 1, len(indent) + 1),
            initial_indent=lead,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
        lines.extend(wrapper.wrap(paragraph) or [lead.rstrip()])
    return lines


def wrap_parts(text: str, width: int, sep: str = " · ", indent: str = "  ") -> list[str]:
    """``text`` made of parts joined by ``sep`` (a footer), in lines of whole parts where
    they fit; a line after the first starts with ``indent``."""
    lines: list[str] = []
    for part in printable(text).split(sep):
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.extend(wrap(part, width, indent + "  ", indent if lines else ""))
    return lines


def labelled(rows: Sequence[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """``label  value`` rows, values aligned and wrapped within ``width`` (labels are not
    cut). A value with too little room left beside its label goes on the lines below it."""
    rows = [(printable(label), value) for label, value in rows]  # labels: field names too
    label_width = max((len(label) for label, _ in rows), default=0)
    margin = " " * indent
    lines: list[str] = []
    for label, value in rows:
        head = f"{margin}{label.ljust(label_width)}  "
        if width - len(head) >= MIN_VALUE:
            lines.extend(line.rstrip() for line in wrap(value, width, " " * len(head), head))
        else:
            lines.append(f"{margin}{label}")
            lines.extend(wrap(value, width, margin * 2, margin * 2) if value else [])
    return lines


def fit_line(parts: Sequence[str], width: int, sep: str = " · ") -> str:
    """Parts joined by ``sep`` in at most ``width`` characters: the middle parts are left
    out first (the first says what, the last how it ended), then the end is cut with "…"."""
    kept = [printable(part) for part in parts]
    while len(sep.join(kept)) > width and len(kept) > 2:
        del kept[-2]
    return cut(sep.join(kept), max(width, 1))


# -- tables --------------------------------------------------------------------------------


def _floor(value: str) -> int:
    """The fewest characters ``value`` can be shortened to: IDs and times not at all, the
    name before an ID to ``MIN_LABEL``, other text to ``MIN_TEXT`` (whole IDs kept)."""
    if len(value) <= MIN_TEXT or is_id(value) or is_time(value):
        return len(value)
    named = _NAMED_ID.fullmatch(value)
    if named:
        return min(len(value), MIN_LABEL + 1 + len(named.group(2)))
    reach = max([MIN_TEXT - 1, *(end for begin, end in id_spans(value) if begin < MIN_TEXT)])
    return min(len(value), reach + 1)


def shorten(value: str, width: int) -> str:
    """``value`` in at most ``width`` characters, "…" where cut, never inside an ID."""
    if len(value) <= width:
        return value
    named = _NAMED_ID.fullmatch(value)
    if named:
        name, ident = named.groups()
        return f"{cut(name, max(width - len(ident) - 1, 1))} {ident}"
    end = width - 1
    for begin, stop in id_spans(value):
        if begin < end < stop:  # end before the ID, after what separates it: "USR-X, …"
            return value[:begin] + "…"
    return value[:end].rstrip() + "…"


@dataclass(frozen=True)
class Fitted:
    """A table fitted to a width: the columns kept, their widths, the rows, those left out."""

    columns: list[str]
    widths: list[int]
    rows: list[list[str]]
    dropped: list[str]

    def lines(self) -> list[str]:
        """The header, a rule, then one line per row (columns two spaces apart)."""
        head = [shorten(name, width) for name, width in zip(self.columns, self.widths, strict=True)]
        rule = ["-" * width for width in self.widths]
        return [self._line(values) for values in (head, rule, *self.rows)]

    def _line(self, values: Sequence[str]) -> str:
        return GAP.join(v.ljust(w) for v, w in zip(values, self.widths, strict=True)).rstrip()

    def note(self, width: int, instead: str) -> list[str]:
        """The line saying which columns were left out, and where to see them (``instead``)."""
        if not self.dropped:
            return []
        left_out = ", ".join(self.dropped)
        return wrap(
            f"Not shown (too narrow): {left_out} — widen the terminal or {instead}", width, "  "
        )


def fit_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    drop_first: Sequence[str] = (),
    shorten_ok: Collection[str] | None = None,
) -> Fitted:
    """Fit ``rows`` under ``columns`` into ``width``: shorten the ``shorten_ok`` columns
    (None: any column), then leave out the columns in ``drop_first`` order, then the others
    from the right, until the table fits. The first column stays whole."""
    columns = [printable(name) for name in columns]  # names and cells: escapes shown
    rows = [[printable(value) for value in row] for row in rows]
    cells = [[row[i] for row in rows] for i in range(len(columns))]
    natural = [_column_floor(name, cells[i], False) for i, name in enumerate(columns)]
    floors = [
        _column_floor(name, cells[i], i > 0 and _may_shorten(name, shorten_ok))
        for i, name in enumerate(columns)
    ]
    kept = list(range(len(columns)))
    order = [columns.index(c) for c in drop_first if c in columns[1:]]
    order += [i for i in reversed(kept[1:]) if i not in order]
    while order and sum(floors[i] for i in kept) + len(GAP) * (len(kept) - 1) > width:
        kept.remove(order.pop(0))
    room = width - len(GAP) * (len(kept) - 1)
    widths = _share([natural[i] for i in kept], [floors[i] for i in kept], room)
    return Fitted(
        columns=[columns[i] for i in kept],
        widths=widths,
        rows=[[shorten(row[i], w) for i, w in zip(kept, widths, strict=True)] for row in rows],
        dropped=[columns[i] for i in range(len(columns)) if i not in kept],
    )


def _may_shorten(name: str, shorten_ok: Collection[str] | None) -> bool:
    """Whether a column may be shortened: never an ID column, else as ``shorten_ok`` says."""
    if name == "id" or name.endswith("_id"):
        return False
    return shorten_ok is None or name in shorten_ok


def _column_floor(name: str, cells: Sequence[str], may_shorten: bool) -> int:
    """The narrowest a column can be: its widest cell, or what its cells shorten to."""
    if not may_shorten:
        return max([len(name), *map(len, cells)])
    return max([min(len(name), MIN_TEXT), *map(_floor, cells)])


def _share(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths within ``room``: each its natural width if all fit, else the widest cut
    down to a common cap (never below its floor)."""
    if sum(natural) <= room:
        return list(natural)
    low, high = 0, max(natural)
    while low < high:  # the largest cap whose widths fit
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floors, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(n, low)) for n, f in zip(natural, floors, strict=True)]
