"""The one-line header above a result saying where it came from (profile, account,
server), so that a screenshot or a shared notebook shows it too. Escaped; muted colours
from JupyterLab's theme, with fallbacks."""

from __future__ import annotations

from oncehub_nb.display.fit import wrap_parts

__all__ = ["header_lines", "origin_html"]

_STYLE = (
    "font-size:12px;margin:0 0 3px 0;"
    "color:var(--jp-content-font-color2, #616161);font-family:var(--jp-ui-font-family, inherit)"
)


def origin_html(header: str | None) -> str:
    """The header as an HTML line ("" when there is none)."""
    if not header:
        return ""
    from html import escape  # html.entities is large: HTML views only

    return f'<div class="oncehub-header" style="{_STYLE}">{escape(header)}</div>'


def header_lines(header: str | None, width: int) -> list[str]:
    """The header as text lines within ``width``, wrapped between its parts ([] for none)."""
    return wrap_parts(header, width) if header else []
