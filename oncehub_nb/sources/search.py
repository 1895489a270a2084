"""The one order in which every front end looks for the key.

1. an explicit key (an argument);
2. the environment variable (``ONCEHUB_API_KEY`` unless told otherwise), then, inside
   Google Colab or Kaggle, the secret of that name in the platform's store;
3. the chosen profile: the one named (``--profile``, ``profile=``), else
   ``ONCEHUB_PROFILE``, else ``default`` when the profiles file has one. A chosen
   profile gives its key or an error: never a key from elsewhere;
4. the dotenv file (the one given, or ``.env`` from the current folder upward), when no
   profile was chosen.

A profile's ``base_url`` goes with its key (only an explicit base URL overrides it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from oncehub_nb.constants import API_KEY_VAR, DEFAULT_PROFILE, PROFILE_VAR, SANDBOX_PROFILE
from oncehub_nb.errors import ConfigError, KeyNotFound
from oncehub_nb.keys import ApiKey, KeySearch, KeyStep
from oncehub_nb.keys import locate_key as search_in_order
from oncehub_nb.settings import DEFAULTS
from oncehub_nb.sources import platforms
from oncehub_nb.sources.profiles import check_name, profiles_path, read_profiles

__all__ = ["PRECEDENCE", "chosen_profile", "find_key", "locate_key", "require_key"]

#: The sources, first to last (README "Your key" says the same).
PRECEDENCE = ("argument", "environment", "platform", "profile", ".env")


def chosen_profile(
    profile: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The profile named by the caller, else by ``ONCEHUB_PROFILE``; None when neither."""
    env = os.environ if environ is None else environ
    name = profile or env.get(PROFILE_VAR, "").strip() or None
    return check_name(name) if name else None


def _profile_step(named: str | None, path: Path, environ: Mapping[str, str] | None) -> KeyStep:
    def from_profile(search: KeySearch) -> ApiKey | None:
        name = named
        if name is None:  # none chosen: the file's default profile, if it has one
            if not path.exists():
                return None
            try:
                found = read_profiles(path)
            except ConfigError as problem:  # said, and skipped: nobody chose a profile
                search.warnings.append(f"{problem.message} {problem.hint}")
                return None
            if DEFAULT_PROFILE not in found:
                search.tried.append(f"no profile chosen, and {path} has no '{DEFAULT_PROFILE}'")
                return None
            name = DEFAULT_PROFILE
        profiles = read_profiles(path)  # a chosen profile: any problem is the answer
        profile = profiles.get(name)
        if profile is None:
            mine = sorted(n for n, p in profiles.items() if not p.builtin)
            has = f"it has {', '.join(mine)}" if mine else "it has none"
            where = str(path) if path.exists() else f"{path} (no such file yet)"
            raise ConfigError(
                f"No profile '{name}' in {where}; {has}, and '{SANDBOX_PROFILE}' is built in.",
                hint=f"oncehub-nb profiles lists them; %oncehub_auth --save --profile {name} "
                "stores a confirmed key under that name.",
            )
        key = profile.find_key(environ)
        search.profile, search.profile_base_url = name, profile.base_url
        search.sandbox = profile.builtin
        return key

    return from_profile


def locate_key(
    value: str | ApiKey | None = None,
    *,
    profile: str | None = None,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
    secret_timeout: float = DEFAULTS.secret_timeout,
    profiles_file: Path | None = None,
) -> KeySearch:
    """Look for the key in every source, in order (see the module), and say what was tried.

    ``search.profile`` names the profile the key came from (None otherwise). Raises
    ConfigError when a chosen profile cannot give a key, InvalidKeyInput when a key
    found is unusable, DotenvError when a dotenv file named cannot be read.
    """
    named = chosen_profile(profile, environ)
    path = profiles_file or profiles_path(environ)
    steps = [platforms.step(var, secret_timeout, environ), _profile_step(named, path, environ)]
    search = search_in_order(value, env_file=env_file, var=var, environ=environ, between=steps)
    if named is not None and search.key is not None and search.profile is None:
        search.warnings.append(
            f"profile '{named}' not used: the key from {search.key.source} comes first "
            f"(unset it to use the profile)"
        )
    return search


def find_key(
    value: str | ApiKey | None = None,
    *,
    profile: str | None = None,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
) -> ApiKey | None:
    """The first key found (argument > ONCEHUB_API_KEY > the platform's secrets > the
    chosen profile > .env), or None."""
    return locate_key(value, profile=profile, env_file=env_file, var=var, environ=environ).key


def require_key(
    value: str | ApiKey | None = None,
    *,
    profile: str | None = None,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
) -> ApiKey:
    """Like find_key, but raise KeyNotFound (saying what was tried) instead of None."""
    search = locate_key(value, profile=profile, env_file=env_file, var=var, environ=environ)
    if search.key is None:
        raise KeyNotFound(search.tried + search.warnings, var=var)
    return search.key
