"""Seeded faults: a reproducible fraction of requests fails, the way real services fail.

``Sandbox(faults=FaultPlan(rate=0.2, seed=7))`` makes about one request in five (of
those with a valid key) fail with one of :data:`FAULT_KINDS`. Which requests fail,
and how, depends only on the seed and the request's arrival number, so a client or
a paging loop can be tested under failure and the run repeated exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "FaultPlan"]

FAULT_KINDS: dict[str, str] = {
    "server_error": "500 api_error",
    "bad_gateway": "502 with a proxy's HTML page",
    "drop": "the connection closed without an answer",
    "slow": "the answer held back for the sandbox's slow_seconds",
    "rate_limited": "429 rate_limit_error without Retry-After",
    "rate_limited_retry_after": "429 rate_limit_error with Retry-After",
}


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail: ``rate`` of them (0 to 1), chosen by ``seed``, with ``kinds``."""

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = tuple(FAULT_KINDS)
    retry_after: float = 1.0  # seconds, for rate_limited_retry_after

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"FaultPlan.rate must be between 0 and 1, not {self.rate}.")
        unknown = sorted(set(self.kinds) - set(FAULT_KINDS))
        if unknown or not self.kinds:
            known = ", ".join(FAULT_KINDS)
            raise ValueError(f"FaultPlan.kinds must be some of {known}; got {unknown or 'none'}.")

    def fault_for(self, number: int) -> str | None:
        """The fault for the request with this arrival number (0, 1, 2, …), or None."""
        if self.rate <= 0:
            return None
        chance = random.Random(f"{self.seed}:{number}")
        if chance.random() >= self.rate:
            return None
        return chance.choice(self.kinds)
