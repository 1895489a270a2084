"""Line numbers of positions in a text, found in O(log n) each after one pass."""

from __future__ import annotations

import re
from bisect import bisect_left

__all__ = ["Lines"]

_NEWLINE = re.compile("\n")


class Lines:
    """Where a text's line breaks are: the line of any position, and where lines start
    and end. Built once per text, so that many hits cost one pass, not one each."""

    __slots__ = ("breaks", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks = [match.start() for match in _NEWLINE.finditer(text)]

    def number(self, at: int) -> int:
        """The 1-based line of position ``at``."""
        return bisect_left(self.breaks, at) + 1

    def start(self, line: int) -> int:
        """Where 1-based ``line`` starts."""
        return self.breaks[line - 2] + 1 if line > 1 else 0

    def end(self, line: int) -> int:
        """Where 1-based ``line`` ends (at its line break, or the end of the text)."""
        return self.breaks[line - 1] if line <= len(self.breaks) else len(self.text)
