"""Text shown to people, its control characters escaped: the one helper every text view uses.

A terminal obeys some characters instead of showing them: escape sequences that move the
cursor, clear the screen or recolour what follows, carriage returns that write over a
line, bidirectional overrides that reverse it, invisible format characters. Text that
comes from elsewhere (a server's message, a webhook's fields, a file's name, a notebook's
labels) goes through :func:`printable` before a text view shows it, as HTML views put
everything through ``html.escape``. Lone surrogates (which cannot even be printed) are
escaped too.
"""

from __future__ import annotations

import functools
import re

__all__ = ["printable"]

# What a terminal would obey rather than show: C0 and C1 controls, lone surrogates, line
# and paragraph separators, and invisible format characters (bidirectional overrides,
# zero-width spaces, tag characters; not the zero-width joiner of emoji sequences).
_UNPRINTABLE = (
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


@functools.cache
def _unprintable() -> re.Pattern[str]:
    """The pattern, compiled on first use (not while ``%load_ext`` imports this)."""
    return re.compile(_UNPRINTABLE)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\u202e``),
    so that a terminal shows what is there instead of obeying it; characters in ``keep``
    (``"\\n"``, say) stay as they are."""
    pattern = _unprintable()
    if pattern.search(text) is None:
        return text
    return pattern.sub(
        lambda match: match.group() if match.group() in keep else _escape(match.group()), text
    )
