"""What the inbox keeps of each delivery, and the table that shows them (HTML and text).

A row: the time it arrived (UTC), the event type, the booking's subject (or the
object's id), its status, and "✓ verified" or "✗ <why not>". Everything shown is
escaped; the newest rows are shown when there are more than the table holds. The text
fits the terminal: the subject and the reason shorten, then the status, the subject and
the event give way, and a line says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oncehub_nb.display.cells import FRAME, NOTE, TD, TH, format_cell, html_text, td_style
from oncehub_nb.display.fit import fit_table, terminal_width, wrap, wrap_parts

__all__ = ["COLUMNS", "WebhookEvent", "events_html", "events_text"]

COLUMNS = ("time (UTC)", "event", "subject", "status", "verified")
_FREE_TEXT = ("subject", "verified")  # shortened with "…" in a narrow terminal
_DROP_FIRST = ("status", "subject", "event")  # ... then left out, in this order
_OK = "color:var(--jp-success-color1, #2e7d32)"
_BAD = "color:var(--jp-error-color1, #c62828)"


@dataclass(frozen=True, eq=False, repr=False)
class WebhookEvent:
    """One delivery, verified or not: what arrived and what the inbox answered.

    ``payload`` is the body's JSON object (None when the body is not one), ``body`` the
    bytes as received, ``verified`` whether the signature proved it came from OnceHub,
    ``reason`` why not, ``http_status`` the inbox's answer. A refused delivery is a small
    record: no payload, body or headers, only their sizes (``body_size``,
    ``headers_size``), the path (cut at 200 characters) and why.
    """

    received_at: datetime
    event_type: str | None
    payload: dict[str, Any] | None
    headers: dict[str, str]
    body: bytes
    verified: bool
    reason: str | None
    http_status: int
    path: str = "/"
    body_size: int = 0  # bytes, as received or as announced (Content-Length)
    headers_size: int = 0  # bytes of headers received

    @property
    def data(self) -> Mapping[str, Any]:
        """The event's ``data`` object (the booking or conversation), or {}."""
        data = (self.payload or {}).get("data")
        return data if isinstance(data, Mapping) else {}

    @property
    def event_id(self) -> str | None:
        """The event's ``id`` (``EVNT-…``), when the payload has one."""
        ident = (self.payload or {}).get("id")
        return ident if isinstance(ident, str) else None

    @property
    def subject(self) -> str | None:
        """The booking's subject (else the object's id), when the payload has one."""
        for name in ("subject", "id"):
            value = self.data.get(name)
            if isinstance(value, str):
                return value
        return None

    @property
    def status(self) -> str | None:
        """The booking's (or conversation's) status in the payload: "scheduled", …"""
        value = self.data.get("status")
        return value if isinstance(value, str) else None

    def row(self, reason_width: int = 60) -> list[str]:
        """The table's cells for this event, as text (not escaped)."""
        check = "✓ verified" if self.verified else f"✗ {self.reason or 'not verified'}"
        return [
            self.received_at.strftime("%H:%M:%S"),
            format_cell(self.event_type) or "?",
            format_cell(self.subject),
            format_cell(self.status),
            format_cell(check, reason_width),
        ]

    def __repr__(self) -> str:
        return (
            f"WebhookEvent({self.event_type!r}, verified={self.verified}, "
            f"http_status={self.http_status}, subject={self.subject!r}, "
            f"received_at='{self.received_at:%Y-%m-%d %H:%M:%S} UTC')"
        )


def _latest(events: Sequence[WebhookEvent], limit: int) -> tuple[Sequence[WebhookEvent], str]:
    if len(events) <= limit:
        return events, ""
    return events[-limit:], f"the last {limit} of {len(events):,} shown"


def events_html(events: Sequence[WebhookEvent], *, title: str, footer: str, limit: int) -> str:
    """A titled HTML table of the newest ``limit`` events, then ``footer`` (all escaped)."""
    from html import escape

    shown, cut = _latest(events, limit)
    head = "".join(f'<th style="{TH}">{escape(c)}</th>' for c in COLUMNS)
    rows = []
    for event in shown:
        *cells, check = event.row(reason_width=200)
        tint = _OK if event.verified else _BAD
        tds = "".join(f'<td style="{td_style(v)}">{html_text(v)}</td>' for v in cells)
        # the reason may be long: it wraps, so why a delivery was refused is read in full
        wraps = "white-space:normal;min-width:14em"
        rows.append(f'<tr>{tds}<td style="{TD};{wraps};{tint}">{escape(check)}</td></tr>')
    empty = "" if events else f'<div style="{NOTE}">No deliveries yet.</div>'
    notes = " · ".join(part for part in (cut, footer) if part)
    note = f'<div style="{NOTE}">{escape(notes)}</div>' if notes else ""
    return (
        f'<div class="oncehub-result oncehub-webhooks" style="{FRAME}">'
        f'<div style="font-weight:600;margin-bottom:3px">{escape(title)}</div>'
        f'<table style="border-collapse:collapse;margin:0"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{empty}{note}</div>"
    )


def events_text(
    events: Sequence[WebhookEvent],
    *,
    title: str,
    footer: str,
    limit: int,
    width: int | None = None,
) -> str:
    """The same table as aligned text within ``width`` (default: the terminal's)."""
    width = terminal_width(width)
    shown, cut = _latest(events, limit)
    rows = [event.row() for event in shown]
    fitted = fit_table(COLUMNS, rows, width, drop_first=_DROP_FIRST, shorten_ok=_FREE_TEXT)
    lines = [*wrap(title, width, "  "), *fitted.lines()]
    if not events:
        lines.append("No deliveries yet.")
    lines.extend(fitted.note(width, "read inbox.events"))
    for part in (cut, footer):
        lines.extend(wrap_parts(part, width) if part else [])
    return "\n".join(lines)
