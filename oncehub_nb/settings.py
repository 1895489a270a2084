"""The tunable settings: each one's default, help text and check, defined once.

:class:`Settings` is the one definition of each tunable value, its default, its
help text and its check. The client's keyword arguments, the session, the CLI and
the magics' ``%config OnceHubMagics`` traits are all made from it. :class:`InboxLimits`
is the same for the webhook inbox's bounds (events kept, body and header sizes, time per
request, idle time, connections at once).
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from oncehub_nb.constants import (
    ACCOUNT_LIMIT,
    ADDRESS_LIMIT,
    API_KEY_VAR,
    BASE_URL_VAR,
    DEFAULT_BASE_URL,
    MAX_RETRIES,
    MIRROR_FILE,
)
from oncehub_nb.errors import ConfigError
from oncehub_nb.urls import check_base_url

__all__ = ["DEFAULTS", "Settings", "check_setting", "setting"]


def setting(default: Any, help: str, *, client: bool = False) -> Any:
    """A setting's field: its default and help (and whether the client takes it)."""
    return field(default=default, metadata={"help": help, "client": client})


@dataclass(frozen=True)
class Settings:
    """How calls are made. ``Settings()`` holds the defaults; a bad value raises ConfigError."""

    base_url: str = setting(
        "", f"API base URL. Empty: {BASE_URL_VAR}, else the .env file's, else {DEFAULT_BASE_URL}."
    )
    timeout: float = setting(10.0, "Seconds to wait for OnceHub's answer.", client=True)
    connect_timeout: float = setting(5.0, "Seconds to wait for a connection.", client=True)
    total_timeout: float = setting(
        30.0,
        "Seconds one call may take in all: retries, backoff and rate-limit waits included.",
        client=True,
    )
    retries: int = setting(3, "Retries of a GET after 429, 5xx or a connection error.", client=True)
    backoff: float = setting(
        0.5,
        "Seconds before the first retry, doubling each time (with jitter, at most 8 s).",
        client=True,
    )
    rate_limit: bool = setting(
        True,
        f"Stay under OnceHub's limits ({ACCOUNT_LIMIT}, {ADDRESS_LIMIT}) by waiting "
        "within total_timeout; a longer wait is reported instead of sent.",
        client=True,
    )
    var: str = setting(API_KEY_VAR, "Environment/.env variable that holds the key.")
    env_file: str = setting(
        "", "Dotenv file to read. Empty: .env from the notebook's folder upward."
    )
    displaylimit: int = setting(
        20, "Rows a result table shows (the rest stay in .data and .df()); at least 1."
    )
    mirror: str = setting(
        MIRROR_FILE,
        "The mirror's DuckDB file (%oncehub_sync); a relative path is taken from the "
        "notebook's folder.",
    )
    secret_timeout: float = setting(
        3.0,
        "Seconds to wait for a notebook platform's secret store (Colab, Kaggle) before "
        "going on without it.",
    )

    def __post_init__(self) -> None:
        for item in fields(self):  # frozen: normalised values are written past __setattr__
            object.__setattr__(self, item.name, check_setting(item.name, getattr(self, item.name)))

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``OnceHub(…)`` other than the key and base URL."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata["client"]}

    @classmethod
    def help(cls, name: str) -> str:
        """The help text of one setting."""
        return _FIELDS[name].metadata["help"]

    @classmethod
    def default(cls, name: str) -> Any:
        """The default of one setting."""
        default = _FIELDS[name].default
        assert default is not MISSING
        return default


_FIELDS = {item.name: item for item in fields(Settings)}


def _refused(problem: str) -> Exception:
    return ConfigError(problem)


def check_setting(name: str, value: Any) -> Any:
    """Return ``value`` (normalised) if it suits setting ``name``; else raise ConfigError."""
    if name in ("timeout", "connect_timeout", "total_timeout", "secret_timeout"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise _refused(f"{name} must be a number of seconds above 0, not {value!r}.")
        if not math.isfinite(value):
            raise _refused(f"{name} must be a finite number of seconds, not {value!r}.")
        return float(value)
    if name == "backoff":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refused(f"backoff must be a number of seconds, not {value!r}.")
        if not 0 <= value <= 60:
            raise _refused(f"backoff must be between 0 and 60 seconds, not {value!r}.")
        return float(value)
    if name == "retries":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refused(f"retries must be a whole number, not {value!r}.")
        if not 0 <= value <= MAX_RETRIES:
            raise _refused(f"retries must be between 0 and {MAX_RETRIES}, not {value}.")
        return value
    if name == "displaylimit":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _refused(
                f"displaylimit must be a whole number of rows, 1 or more, not {value!r}."
            )
        return value
    if name == "var":
        if not isinstance(value, str) or not value.isidentifier():
            raise _refused(f"var must be a variable name, not {value!r}.")
        return value
    if name == "mirror":
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            raise _refused(f"mirror must be a file path, such as {MIRROR_FILE!r}, not {value!r}.")
        return value.strip()
    if name == "base_url":
        if value:
            return check_base_url(value)
        return ""
    return value


DEFAULTS = Settings()
