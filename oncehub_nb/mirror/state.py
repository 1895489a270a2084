"""Where each stream stands between syncs, kept in dlt's state with the data it describes.

The state of a stream is written into the same dlt load as each batch of its rows, so
the two can never disagree: after an interruption the next sync resumes the pass from
the last batch loaded (its ``after`` cursor), asking with the same date. A pass that
ends clears ``pass_`` and records when it began (see :mod:`watermark`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Pass", "StreamState"]


@dataclass
class Pass:
    """One reading of a stream's list, perhaps spread over several syncs (interrupted)."""

    since: str | None  # the last_updated_time.gt date asked, None for everything
    began: str  # the UTC date the pass began (client's clock)
    began_at: float  # the moment it began (seconds since the epoch), for the ID sweep
    after: str | None = None  # the cursor: the last object ID loaded
    mode: str = "merge"  # "merge", or "refresh" where the destination cannot merge
    listed: bool = False  # every page loaded; what is left is the ID sweep (full passes)

    @property
    def full(self) -> bool:
        return self.since is None


@dataclass
class StreamState:
    """What a stream's table holds and how its last sync went."""

    newest: str | None = None  # the newest last_updated_time held
    last_began: str | None = None  # the UTC date the last complete pass began
    complete: bool = False  # a pass over everything has ended at least once
    pass_: Pass | None = None  # the pass in progress (an interrupted sync), if any
    hashes: dict[str, str] = field(default_factory=dict)  # small streams: id -> content hash
    last: dict[str, Any] = field(default_factory=dict)  # the last sync's figures (report)

    @classmethod
    def of(cls, stored: Any) -> StreamState:
        """The state stored by dlt (a dict, perhaps empty or from an older version)."""
        if not isinstance(stored, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in stored.items() if k in known}
        current = values.pop("pass_", None)
        state = cls(**values)
        if isinstance(current, dict):
            state.pass_ = Pass(**{k: v for k, v in current.items() if k in _PASS_FIELDS})
        return state

    def as_dict(self) -> dict[str, Any]:
        """Plain values for dlt's state."""
        return asdict(self)


_PASS_FIELDS = {f.name for f in fields(Pass)}
