"""``%oncehub --history``: the session's requests as a table (HTML and text), numbered for
``%oncehub --replay N``. It shows no key (records hold none) and no secret body field
(records hold them masked)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from urllib.parse import urlencode

from oncehub_nb.display.cells import FRAME, NOTE, TH, format_cell, html_text, td_style
from oncehub_nb.display.fit import fit_table, terminal_width, wrap
from oncehub_nb.display.once import TextView
from oncehub_nb.display.origin import header_lines, origin_html
from oncehub_nb.http.history import CallRecord

__all__ = ["HistoryView", "record_row"]

COLUMNS = ("#", "time", "method", "path", "parameters", "status", "request_id", "took")
PARAMETERS_WIDTH = 60
# What a narrow terminal leaves out first; the number and the Request-Id stay.
DROP_FIRST = ("took", "time", "parameters", "method", "status", "path")


def _parameters(record: CallRecord) -> str:
    parts = [urlencode(record.params, doseq=True)] if record.params else []
    if record.body is not None:
        parts.append("body " + json.dumps(record.body, ensure_ascii=False, separators=(",", ":")))
    return format_cell(" ".join(parts), PARAMETERS_WIDTH)


def _status(record: CallRecord) -> str:
    if record.status_code is None:
        return f"no answer ({record.outcome})" if record.outcome else "no answer"
    return str(record.status_code)


def record_row(record: CallRecord) -> list[str]:
    """One record as the table's cells."""
    return [
        str(record.number),
        time.strftime("%H:%M:%S", time.localtime(record.at)),
        record.method,
        record.path,
        _parameters(record),
        _status(record),
        record.request_id or "",
        f"{record.elapsed:.2f} s",
    ]


class HistoryView(TextView):
    """The session's requests, oldest first: ``h.records``, ``h[3]`` (by number)."""

    def __init__(self, records: Sequence[CallRecord], header: str | None = None) -> None:
        self.records = list(records)
        self.header = header

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.records)

    def __getitem__(self, number: int) -> CallRecord:
        for record in self.records:
            if record.number == number:
                return record
        raise KeyError(f"no request #{number} in this history")

    def footer(self) -> str:
        if not self.records:
            return "No requests sent in this session yet."
        return "%oncehub --replay N sends request N again; the key and secrets are never kept."

    def __str__(self) -> str:
        width = terminal_width()
        rows = [record_row(r) for r in self.records]
        fitted = fit_table(
            COLUMNS, rows, width, drop_first=DROP_FIRST, shorten_ok=("parameters", "path")
        )
        lines = [*header_lines(self.header, width)]
        if rows:
            lines += fitted.lines()
            lines += fitted.note(width, "see h.records")
        lines += wrap(self.footer(), width)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f'<th style="{TH}">{escape(c)}</th>' for c in COLUMNS)
        body = "".join(
            "<tr>"
            + "".join(f'<td style="{td_style(v)}">{html_text(v)}</td>' for v in record_row(r))
            + "</tr>"
            for r in self.records
        )
        table = (
            f'<table style="border-collapse:collapse;margin:0"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
            if self.records
            else ""
        )
        return (
            f'<div class="oncehub-result oncehub-history" style="{FRAME}">'
            f"{origin_html(self.header)}{table}"
            f'<div style="{NOTE}">{escape(self.footer())}</div></div>'
        )

    def __repr__(self) -> str:
        return f"<HistoryView: {len(self.records)} requests>"
