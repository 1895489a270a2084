"""Matching one text: configured keys anywhere, literals rules see, each with its line.

Lines are numbered with :class:`Lines`, built once per text, so that a text with a hit on
every line costs no more than one pass over it (never a count from the start per hit).
"""

from __future__ import annotations

from .configured import Keyring
from .findings import Dismissed, Finding, mask
from .lines import Lines
from .rules import dismissal, find_literals

__all__ = ["Hits", "Lines", "has_configured_key", "key_hits", "line_of", "literal_hits"]

Hits = tuple[list[Finding], list[Dismissed]]


def has_configured_key(data: bytes, ring: Keyring) -> bool:
    """Whether any form of any configured key is in the bytes (one search per form)."""
    return any(needle in data for known in ring.keys for needle in known.needles)


def line_of(text: str, at: int) -> int:
    """The 1-based line of position ``at`` (one position: use :class:`Lines` for many)."""
    return text.count("\n", 0, at) + 1


def key_hits(
    text: str,
    ring: Keyring,
    path: str,
    place: str,
    *,
    cell: int | None = None,
    output: int | None = None,
    label: str = "",
    numbered: bool = True,
) -> list[Finding]:
    """A finding for each line of ``text`` holding a configured key (in any of its forms)."""
    findings: dict[tuple[int | None, str], Finding] = {}
    lines: Lines | None = None
    for known in ring.keys:  # which key is which: the report lists them, masked, by source
        for form in known.texts:
            at = text.find(form)
            while at != -1:
                line = None
                if numbered:
                    lines = lines or Lines(text)
                    line = lines.number(at)
                if (line, known.masked) not in findings:
                    findings[line, known.masked] = Finding(
                        path, cell, output, line, place=place, masked=known.masked, detail=label
                    )
                at = text.find(form, at + len(form))
    return list(findings.values())


def literal_hits(
    text: str, ring: Keyring, path: str, place: str, *, cell: int | None = None
) -> Hits:
    """Findings and dismissals for the literals the rules see given to OnceHub in code.

    A literal that is a configured key is left out: it is reported as that key.
    """
    findings: list[Finding] = []
    dismissed: list[Dismissed] = []
    literals = find_literals(text)
    lines = Lines(text) if literals else None
    for literal in literals:
        if ring.configured(literal.value):
            continue
        assert lines is not None
        line = lines.number(literal.start)
        rule = dismissal(literal.value, ring.examples)
        masked = mask(literal.value)
        if rule is None:
            findings.append(Finding(path, cell, None, line, literal.rule, place, masked))
        else:
            dismissed.append(Dismissed(path, cell, line, literal.rule, rule, masked))
    return findings, dismissed
