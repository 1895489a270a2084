"""Matching one text: configured keys anywhere, literals rules see, each with its line."""

from __future__ import annotations

from dataclasses import replace

from .configured import Keyring
from .findings import Dismissed, Finding, mask
from .rules import dismissal, find_literals

__all__ = ["Hits", "has_configured_key", "key_hits", "line_of", "literal_hits"]

Hits = tuple[list[Finding], list[Dismissed]]


def has_configured_key(data: bytes, ring: Keyring) -> bool:
    """Whether any form of any configured key is in the bytes (one search per form)."""
    return any(needle in data for known in ring.keys for needle in known.needles)


def line_of(text: str, at: int) -> int:
    """The 1-based line of position ``at``."""
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
    for known in ring.keys:  # which key is which: the report lists them, masked, by source
        for form in known.texts:
            at = text.find(form)
            while at != -1:
                line = line_of(text, at) if numbered else None
                finding = Finding(path, cell, output, line, place=place, masked=known.masked)
                findings.setdefault((line, known.masked), replace(finding, detail=label))
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
    for literal in find_literals(text):
        if ring.configured(literal.value):
            continue
        line = line_of(text, literal.start)
        rule = dismissal(literal.value, ring.examples)
        masked = mask(literal.value)
        if rule is None:
            findings.append(Finding(path, cell, None, line, literal.rule, place, masked))
        else:
            dismissed.append(Dismissed(path, cell, line, literal.rule, rule, masked))
    return findings, dismissed
