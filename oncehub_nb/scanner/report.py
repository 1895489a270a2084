"""A scan's report for people (text) and for machines (JSON). Keys appear masked only.

File names and labels come from the files scanned: the text shows their control
characters escaped (``escape.printable``), never sent to the terminal; the JSON
escapes them as JSON does (lone surrogates included).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from oncehub_nb.escape import printable

from .findings import Report
from .fix import Fixed
from .rules import LITERAL_RULES, NOT_KEY_SHAPED

__all__ = ["as_json", "as_text", "problems_text"]

JSON_VERSION = 1
_SURROGATE = re.compile("[\ud800-\udfff]")  # unprintable alone: written as JSON escapes


def _keys_line(report: Report) -> str:
    if not report.keys:
        return "no configured key found (ONCEHUB_API_KEY, .env): key-shaped literals only"
    keys = ", ".join(f"{masked} ({source})" for masked, source in report.keys)
    return f"configured key{'s' * (len(report.keys) != 1)} {keys}"


def as_text(report: Report, fixed: list[Fixed] | None = None) -> str:
    """Findings, one a line, with what --fix did and a summary."""
    rules = ", ".join(rule.name for rule in LITERAL_RULES)
    lines = [
        f"oncehub-nb scan: {report.files} file{'s' * (report.files != 1)}; "
        f"{_keys_line(report)}; literal rules: {rules}, curl"
    ]
    for done in fixed or []:
        lines.append(done.describe())
    lines += [finding.describe() for finding in report.findings]
    if report.findings:
        files = len(report.files_with_findings)
        clearable = sum(finding.fixable for finding in report.findings)
        count = len(report.findings)
        ways = [
            f"{clearable} in outputs or widget state: --fix clears them" if clearable else "",
            f"{count - clearable} to edit by hand" if count - clearable else "",
        ]
        lines.append(
            f"{count} finding{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"
            f" ({'; '.join(way for way in ways if way)})."
            " A key that was shared or committed is exposed: replace it in OnceHub."
        )
    else:
        lines.append("No keys found.")
    counts = Counter(item.rule for item in report.dismissed)
    shapeless = counts.pop(NOT_KEY_SHAPED, 0)
    if counts or shapeless:
        placeholders = sum(counts.values())
        seen = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
        parts = [f"{placeholders} placeholder{'s' * (placeholders != 1)} ({seen})"] if seen else []
        if shapeless:
            parts.append(f"{shapeless} value{'s' * (shapeless != 1)} not key-shaped")
        lines.append(f"Not reported: {'; '.join(parts)}.")
    return "\n".join(printable(line) for line in lines)  # names and labels: escapes shown


def problems_text(report: Report) -> str:
    """What could not be read or searched, one a line (for stderr)."""
    return "\n".join(
        printable(f"oncehub-nb scan: warning: {problem}") for problem in report.problems
    )


def as_dict(report: Report, fixed: list[Fixed] | None = None) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "files": report.files,
        "keys": [{"masked": masked, "source": source} for masked, source in report.keys],
        "findings": [finding.to_dict() for finding in report.findings],
        "dismissed": [item.to_dict() for item in report.dismissed],
        "problems": list(report.problems),
        "unscanned": list(report.unscanned),
        "fixed": [done.to_dict() for done in fixed or []],
    }


def as_json(report: Report, fixed: list[Fixed] | None = None) -> str:
    """The report as JSON (``--json``)."""
    text = json.dumps(as_dict(report, fixed), indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
