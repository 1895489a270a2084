"""Text and HTML for results: one title, a status, and labelled rows.

Everything shown is escaped; colours come from JupyterLab's theme variables, with
fallbacks, so the same HTML reads well in light and dark themes and elsewhere. The text
fits the terminal: long values wrap between words (``display.fit``).
"""

from __future__ import annotations

from collections.abc import Sequence

from oncehub_nb.display.fit import labelled, terminal_width, wrap
from oncehub_nb.display.origin import header_lines, origin_html
from oncehub_nb.errors import APIError, OnceHubError, TransportError

__all__ = ["Row", "call_rows", "failure_rows", "failure_title", "html_card", "text_card"]

Row = tuple[str, str]

_ACCENT = {
    True: "var(--jp-success-color1, #2e7d32)",
    False: "var(--jp-error-color1, #c62828)",
}


def text_card(
    title: str, ok: bool, rows: Sequence[Row], width: int | None = None, header: str | None = None
) -> str:
    """A plain-text block: the ``header`` line if any, a marked title line, then aligned
    ``label  value`` rows, long values wrapped between words within ``width`` (default:
    the terminal's)."""
    width = terminal_width(width)
    mark = "✔" if ok else "✘"
    top = header_lines(header, width)
    return "\n".join([*top, *wrap(f"{mark} {title}", width, "  "), *labelled(rows, width)])


def html_card(title: str, ok: bool, rows: Sequence[Row], header: str | None = None) -> str:
    """A compact HTML block with a coloured edge and a two-column table."""
    from html import escape  # html.entities is large; only HTML views need it

    accent = _ACCENT[ok]
    mark = "✔" if ok else "✘"
    body = "".join(
        "<tr>"
        f'<th style="text-align:left;padding:1px 12px 1px 0;font-weight:600;'
        f'vertical-align:top;white-space:nowrap">{escape(label)}</th>'
        f'<td style="text-align:left;padding:1px 0;white-space:pre-wrap">{escape(value)}</td>'
        "</tr>"
        for label, value in rows
    )
    return (
        f'<div class="oncehub-result oncehub-{"ok" if ok else "error"}" '
        f'style="border-left:4px solid {accent};padding:4px 10px;margin:2px 0;'
        "color:var(--jp-content-font-color1, inherit);"
        'font-family:var(--jp-ui-font-family, inherit);font-size:13px;line-height:1.4">'
        f"{origin_html(header)}"
        f'<div style="font-weight:600;color:{accent};margin-bottom:3px">'
        f"{mark} {escape(title)}</div>"
        f'<table style="border-collapse:collapse;margin:0">{body}</table></div>'
    )


def failure_title(error: OnceHubError, status_code: int | None) -> str:
    """A failed call's title: the error's, with its HTTP status (or "not sent")."""
    if isinstance(error, APIError):
        status = "not sent" if status_code is None else f"HTTP {status_code}"
        return f"{error.title} — {status}"
    return error.title


def failure_rows(
    error: OnceHubError,
    *,
    key: str | None = None,
    base_url: str | None = None,
    retries: int = 0,
    waited: float = 0.0,
    elapsed: float = 0.0,
    notes: Sequence[str] = (),
) -> list[Row]:
    """The rows of an error card: status, type, message, param, Request-Id, what a person
    reads of the body, the key (masked) and where it came from, then what to do."""
    status_code = getattr(error, "status_code", None)
    rows: list[Row] = []
    if status_code is not None:
        rows.append(("Status", str(status_code)))
    elif isinstance(error, APIError):
        rows.append(("Status", "not sent"))
    error_type = getattr(error, "error_type", None)
    if error_type:
        rows.append(("Error type", error_type))
    rows.append(("Message", error.message))
    if status_code is not None:
        rows.append(("Param", getattr(error, "param", None) or "—"))
        rows.append(("Request-Id", getattr(error, "request_id", None) or "—"))
    body = getattr(error, "body_excerpt", "")  # what a person reads, not markup
    if body:
        rows.append(("Body", body))
    if key:
        rows.append(("Key", key))
    answered = isinstance(error, APIError | TransportError)
    rows.extend(call_rows(base_url, retries, waited, elapsed, force_retries=answered))
    rows.extend(("Note", note) for note in notes)
    if error.hint:
        rows.append(("What to do", error.hint))
    return rows


def call_rows(
    base_url: str | None, retries: int, waited: float, elapsed: float, *, force_retries: bool
) -> list[Row]:
    """Where a call went and what it cost: base URL, retries, rate-limit wait, time."""
    rows: list[Row] = []
    if base_url:
        rows.append(("Base URL", base_url))
    if retries or force_retries:
        rows.append(("Retries", str(retries)))
    if waited >= 0.01:
        rows.append(("Rate-limit wait", f"{waited:.2f} s"))
    rows.append(("Time", f"{elapsed:.3f} s"))
    return rows
