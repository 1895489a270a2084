"""Hints for notebooks: where the library's hint speaks to every front end, a magic's
result can name the magic that fixes the problem."""

from __future__ import annotations

import re

from oncehub_nb.errors import WHY_KEYS_ARE_REJECTED, AuthenticationError, OnceHubError, key_origin

__all__ = ["for_notebooks", "replace_the_key"]

# A profile's key source, as sources/profiles.py writes it: profile 'NAME' in PATH.
PROFILE_SOURCE = re.compile(r"profile '([^']+)' in ")
ENV_SOURCE = "environment variable "  # keys.locate_key's source for a key from the environment


def for_notebooks(error: OnceHubError | None) -> None:
    """Give ``error`` the notebook's hint where it has one (a rejected key: how to enter a
    new one with %oncehub_auth); a hint set on purpose when raised is kept."""
    if isinstance(error, AuthenticationError) and error.hint == error.default_hint:
        error.hint = replace_the_key(error.key_source)


def replace_the_key(source: str | None) -> str:
    """What usually happened to a rejected key, and how to replace it from a notebook."""
    the_key = f"the key {key_origin(source)}".strip()
    profile = PROFILE_SOURCE.match(source or "")
    keep = (
        f"add --save --profile {profile.group(1)} to keep it in that profile"
        if profile
        else "add --save to keep it in .env"
    )
    hint = (
        f"{WHY_KEYS_ARE_REJECTED} Check {the_key}, or create a new key in OnceHub's API "
        f"settings and run %oncehub_auth --prompt to enter it; {keep}."
    )
    if source and source.startswith(ENV_SOURCE):
        var = source.removeprefix(ENV_SOURCE)
        hint += f" {var} is read before .env: put the new key there too, or unset it."
    return hint
