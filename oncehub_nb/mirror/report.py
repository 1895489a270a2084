"""What one sync did, stream by stream: what it asked, what came, what it cost."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["StreamReport", "SyncReport"]


@dataclass
class StreamReport:
    """One stream's part of a sync (kept in its state, so a reopened mirror shows it)."""

    table: str
    how: str = ""  # "everything", "changed since 2025-03-13 (date)", "replaced whole"
    fetched: int = 0  # objects received
    new: int = 0  # objects the mirror did not hold
    changed: int = 0  # objects held with another last_updated_time (or other content)
    deleted: int = 0  # objects removed (gone from OnceHub)
    pages: int = 0
    requests: int = 0  # requests sent, retries included
    waited: float = 0.0  # seconds waiting on rate limits (and retries' pauses)
    seconds: float = 0.0  # the stream's whole sync, loading included
    finished: str = ""  # when (UTC, ISO 8601)
    stopped: str | None = None  # why it ended early: "interrupted", an error's title
    resumes: bool = False  # an unfinished pass that the next sync continues

    @classmethod
    def of(cls, stored: Any) -> StreamReport | None:
        """A report kept in a stream's state, or None."""
        if not isinstance(stored, dict) or "table" not in stored:
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SyncReport:
    """Every stream's part of one sync, and whether it ended early."""

    streams: list[StreamReport] = field(default_factory=list)
    error: Exception | None = None  # what stopped it, if anything did
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.interrupted

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.streams)

    @property
    def pages(self) -> int:
        return sum(s.pages for s in self.streams)

    @property
    def waited(self) -> float:
        return sum(s.waited for s in self.streams)

    def stream(self, table: str) -> StreamReport | None:
        """The report of one stream (by table name), if it ran."""
        return next((s for s in self.streams if s.table == table), None)
