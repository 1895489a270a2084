"""Base URLs: OnceHub's default, and the refusal of plain HTTP beyond this machine."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from oncehub_nb.constants import BASE_URL_VAR, DEFAULT_BASE_URL, LOOPBACK_HOSTS
from oncehub_nb.errors import ConfigError, InsecureURLError

__all__ = ["check_base_url", "is_loopback", "resolve_base_url"]


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.1, localhost, ::1)."""
    return urlsplit(url).hostname in LOOPBACK_HOSTS


def check_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash, or raise if it is unusable or insecure."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"Base URL {url!r} is not an http(s) URL.",
            hint=f"Use {DEFAULT_BASE_URL}, or leave it unset.",
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InsecureURLError(
            f"Refusing plain-HTTP base URL {url!r}: the key would travel in clear."
        )
    return url.strip().rstrip("/")


def resolve_base_url(explicit: str | None = None, dotenv_value: str | None = None) -> str:
    """The base URL to use: explicit > ONCEHUB_BASE_URL > the .env file's > OnceHub's."""
    chosen = explicit or os.environ.get(BASE_URL_VAR) or dotenv_value or DEFAULT_BASE_URL
    return check_base_url(chosen)
