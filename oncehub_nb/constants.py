"""Plain facts every layer may use: names, OnceHub's address and limits, list sizes.

The bottom of the package: it imports nothing of ``oncehub_nb``, so errors, URLs and
settings can all import down from it. Tunable values with checks live in
:mod:`oncehub_nb.settings`; these are not tunable.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ACCOUNT_LIMIT",
    "ADDRESS_LIMIT",
    "API_KEY_VAR",
    "BASE_URL_VAR",
    "DEFAULT_BASE_URL",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_PROFILE",
    "LOOPBACK_HOSTS",
    "MAX_PAGE_SIZE",
    "MAX_RETRIES",
    "METHODS",
    "MIRROR_FILE",
    "PROFILE_VAR",
    "SANDBOX_DEMO_KEY",
    "SANDBOX_PROFILE",
    "Limit",
]

API_KEY_VAR = "ONCEHUB_API_KEY"
BASE_URL_VAR = "ONCEHUB_BASE_URL"
DEFAULT_BASE_URL = "https://api.oncehub.com/v2"
PROFILE_VAR = "ONCEHUB_PROFILE"  # the profile to use when none is named
DEFAULT_PROFILE = "default"  # the profile used when none is chosen, if the file has one
SANDBOX_PROFILE = "sandbox"  # the built-in profile: the local sandbox
SANDBOX_DEMO_KEY = "sandbox-demo-key"  # the sandbox's own DEMO_KEY (a test keeps them equal)
MAX_RETRIES = 10

#: The HTTP methods OnceHub's API v2 uses.
METHODS = ("GET", "POST", "PATCH", "DELETE")

#: Hosts that are this machine: plain HTTP is allowed to them (the sandbox), not beyond.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: The mirror's DuckDB file, next to the notebook unless the ``mirror`` setting says otherwise.
MIRROR_FILE = "oncehub.duckdb"

MAX_PAGE_SIZE = 100  # OnceHub's largest `limit`: the page size when fetching many
DEFAULT_PAGE_SIZE = 10  # OnceHub's page size when no `limit` is given


class Limit(NamedTuple):
    """At most ``max_requests`` in any ``period`` seconds, counted ``per`` something."""

    max_requests: int
    period: float
    per: str = ""

    def __str__(self) -> str:
        if self.period == 1:
            span = "per second"
        elif self.period % 60 == 0:
            minutes = int(self.period // 60)
            span = "per minute" if minutes == 1 else f"per {minutes} minutes"
        else:
            span = f"per {self.period:g} seconds"
        return " ".join(part for part in (f"{self.max_requests} requests", span, self.per) if part)


# OnceHub's documented limits (over them: 429 rate_limit_error).
ACCOUNT_LIMIT = Limit(5, 1.0, "per account")
ADDRESS_LIMIT = Limit(200, 300.0, "per IP address")
