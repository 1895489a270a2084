"""Text and HTML for results: one title, a status, and labelled rows.

Everything shown is escaped; colours come from JupyterLab's theme variables, with
fallbacks, so the same HTML reads well in light and dark themes and elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Row", "html_card", "text_card"]

Row = tuple[str, str]

_ACCENT = {
    True: "var(--jp-success-color1, #2e7d32)",
    False: "var(--jp-error-color1, #c62828)",
}


def text_card(title: str, ok: bool, rows: Sequence[Row]) -> str:
    """A plain-text block: a marked title line, then aligned ``label  value`` rows."""
    mark = "✔" if ok else "✘"
    width = max((len(label) for label, _ in rows), default=0)
    lines = [f"{mark} {title}"]
    for label, value in rows:
        lines.append(f"  {label.ljust(width)}  {value}")
    return "\n".join(lines)


def html_card(title: str, ok: bool, rows: Sequence[Row]) -> str:
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
        f'<div style="font-weight:600;color:{accent};margin-bottom:3px">'
        f"{mark} {escape(title)}</div>"
        f'<table style="border-collapse:collapse;margin:0">{body}</table></div>'
    )
