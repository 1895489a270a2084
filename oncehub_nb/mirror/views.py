"""How a mirror shows itself: one row per stream (rows held; new, changed and deleted in
its last sync; when; what that cost in requests and rate-limit waits), as an HTML table in
notebooks and as text that fits the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from oncehub_nb.display.cells import FRAME, NOTE, TH, header_html, html_text, td_style
from oncehub_nb.display.fit import fit_table, terminal_width, wrap, wrap_parts
from oncehub_nb.mirror.report import StreamReport

__all__ = ["COLUMNS", "MirrorView", "stream_row"]

COLUMNS = ("stream", "rows", "new", "changed", "deleted", "synced", "requests", "waited", "how")
DROP_FIRST = ("how", "deleted", "waited", "requests", "synced")  # least useful first


def _when(finished: str) -> str:
    """``2026-12-04T05:30:12Z`` as cells show times: ``2026-12-04 05:30 UTC``."""
    return f"{finished[:10]} {finished[11:16]} UTC" if len(finished) >= 16 else finished


def stream_row(table: str, rows: int | None, last: StreamReport | None) -> list[str]:
    """One stream's cells."""
    held = "—" if rows is None else f"{rows:,}"
    if last is None:
        return [table, held, "", "", "", "never", "", "", ""]
    how = last.how + (f"; stopped: {last.stopped}" if last.stopped else "")
    if last.resumes:
        how += "; the next sync resumes"
    return [
        table,
        held,
        f"{last.new:,}",
        f"{last.changed:,}",
        f"{last.deleted:,}",
        _when(last.finished),
        f"{last.requests:,}",
        f"{last.waited:.1f} s",
        how,
    ]


@dataclass
class MirrorView:
    """What a mirror shows: a title, one row per stream, notes under the table."""

    title: str
    rows: Sequence[Sequence[str]]
    notes: Sequence[str]

    def text(self, width: int | None = None) -> str:
        width = terminal_width(width)
        fitted = fit_table(list(COLUMNS), self.rows, width, drop_first=DROP_FIRST)
        lines = wrap(self.title, width)
        lines += fitted.lines()
        lines += fitted.note(width, "use .sql()")
        for note in self.notes:
            lines += wrap_parts(note, width)
        return "\n".join(lines)

    def html(self) -> str:
        head = "".join(f'<th style="{TH}">{header_html(c)}</th>' for c in COLUMNS)
        body = "".join(
            "<tr>"
            + "".join(f'<td style="{td_style(v)}">{html_text(v)}</td>' for v in row)
            + "</tr>"
            for row in self.rows
        )
        notes = "".join(f'<div style="{NOTE}">{escape(n)}</div>' for n in self.notes)
        return (
            f'<div class="oncehub-result oncehub-mirror" style="{FRAME}">'
            f"<div><b>{escape(self.title)}</b></div>"
            f'<table style="border-collapse:collapse;margin:0"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{notes}</div>"
        )
