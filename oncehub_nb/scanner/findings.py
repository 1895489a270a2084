"""What a scan reports: findings, dismissed placeholders, and the whole report.

Nothing here ever holds a key: only its masked form (``…`` and the last four
characters, as :class:`~oncehub_nb.keys.ApiKey` shows itself everywhere else).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from oncehub_nb.errors import InvalidKeyInput
from oncehub_nb.keys import ApiKey

__all__ = ["FIXABLE", "KINDS", "NOT_A_NOTEBOOK", "PLACES", "Dismissed", "Finding", "Report", "mask"]

# What was found.
KINDS = {
    "configured-key": "your configured key",
    "magic": "a key-shaped literal typed after a %oncehub magic",
    "call": "a key-shaped literal given to OnceHub in code",
    "env-assignment": "a key-shaped literal assigned to the key's variable",
    "api-key-header": "a key-shaped literal in an API-Key header",
    "curl": "a key-shaped literal in a curl command's API-Key header",
    "git-tracked": "holds a key and is tracked by Git",
    "git-not-ignored": "holds a key and is not ignored by Git",
}
# Where it was found. --fix clears the first two; the others are edited by hand.
PLACES = (
    "output",  # a notebook cell's output: text, HTML, JSON, traceback
    "widget-state",  # a widget model saved in the notebook's metadata
    "source",  # a notebook cell's source
    "cell-metadata",  # a cell's metadata or attachments
    "metadata",  # the notebook's metadata (other than widget state)
    "text",  # a line of a text file (or of a notebook that is not valid JSON)
    "git",  # the file as a whole, as Git sees it
)
FIXABLE = ("output", "widget-state")
NOT_A_NOTEBOOK = "not valid notebook JSON"  # the detail of findings in such a notebook


def mask(value: str) -> str:
    """The masked form ApiKey shows (``…3f9a``); ``…`` for values that are not usable keys."""
    try:
        return ApiKey(value).masked
    except InvalidKeyInput:
        return "…"


@dataclass(frozen=True)
class Finding:
    """One place holding a key: the file, where in it, what kind, and the key masked."""

    path: str
    cell: int | None = None  # 1-based cell number in a notebook
    output: int | None = None  # 1-based output number within that cell
    line: int | None = None  # 1-based line in the source, the output's text, or the file
    kind: str = "configured-key"  # a key of KINDS
    place: str = "text"  # one of PLACES
    masked: str = "…"  # the key as ApiKey masks it, never the key
    detail: str = ""  # the key's source, a MIME type, a widget model, the rule's words

    @property
    def fixable(self) -> bool:
        """Whether ``--fix`` clears it (notebook outputs and widget state)."""
        return self.place in FIXABLE

    @property
    def where(self) -> str:
        """``cell 3, output 1, line 2``, ``line 12``, ``widget state``… (empty: the file)."""
        parts = []
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.output is not None:
            parts.append(f"output {self.output}")
        if self.place == "widget-state":
            parts.append("widget state")
        elif self.place == "metadata":
            parts.append("notebook metadata")
        elif self.place == "cell-metadata":
            parts.append("cell metadata")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    @property
    def remedy(self) -> str:
        """What to do about it, in a few words."""
        if self.fixable:
            return "oncehub-nb scan --fix clears it"
        dotenv = self.detail == "dotenv file"
        if self.kind == "git-tracked" and dotenv:
            return "git rm --cached it, add it to .gitignore, and replace the key"
        if self.kind == "git-tracked":
            return "clear the key and git add it again; if it was committed, replace the key"
        if self.kind == "git-not-ignored":
            return "add it to .gitignore" if dotenv else "clear the key before adding it to Git"
        if self.cell is not None:
            return f"edit cell {self.cell} by hand"
        return "edit it by hand"

    def describe(self) -> str:
        """One line for people: where, what, the masked key, and what to do."""
        detail = f" ({self.detail})" if self.detail else ""
        what = KINDS.get(self.kind, self.kind)
        where = f"{self.where}: " if self.where else ""
        return f"{self.path}: {where}{what} {self.masked}{detail} — {self.remedy}"

    def sort_key(self) -> tuple[str, bool, int, int, int, str]:
        """Order: by file, then cell, output, line (the notebook's metadata first, Git last)."""
        git = self.place == "git"
        return (self.path, git, self.cell or 0, self.output or 0, self.line or 0, self.kind)

    def to_dict(self) -> dict[str, Any]:
        """The fields, plus ``fixable``, for ``--json``."""
        return {**asdict(self), "fixable": self.fixable}


@dataclass(frozen=True)
class Dismissed:
    """A literal a rule found, and the placeholder rule that says it is not a key."""

    path: str
    cell: int | None
    line: int | None
    kind: str  # the literal rule: magic, call, env-assignment, api-key-header, curl
    rule: str  # the placeholder rule (rules.PLACEHOLDER_RULES) or "not-key-shaped"
    masked: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """Everything a scan saw: findings, dismissed placeholders, problems, files, keys."""

    findings: list[Finding] = field(default_factory=list)
    dismissed: list[Dismissed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be read, …
    files: int = 0  # files scanned
    keys: list[tuple[str, str]] = field(default_factory=list)  # (masked, where from)
    unscanned: list[str] = field(default_factory=list)  # files and folders not scanned

    def unreadable(self, path: str, reason: str) -> None:
        """Note a file or folder that was not scanned (in full), and why."""
        self.unscanned.append(path)
        self.problems.append(f"{path}: {reason}")

    @property
    def complete(self) -> bool:
        """Whether everything asked for was scanned."""
        return not self.unscanned

    @property
    def files_with_findings(self) -> list[str]:
        return sorted({finding.path for finding in self.findings})
