"""The profiles file: named keys, or where to find them, each with an optional base URL.

It lives at ``$XDG_CONFIG_HOME/oncehub-nb/profiles.toml`` (else
``~/.config/oncehub-nb/profiles.toml``), one table per profile::

    [staging]
    key = "…"                       # the key itself (what --save --profile writes), or
    key_env = "ONCEHUB_STAGING_KEY" # the environment variable holding it, or
    dotenv = "~/work/staging.env"   # a dotenv file holding it (variable `var`,
    var = "ONCEHUB_API_KEY"         #   ONCEHUB_API_KEY unless given)
    base_url = "https://api.oncehub.com/v2"   # optional

The file holds keys: it is created readable by its owner only (0600, in a 0700 folder),
written atomically, and refused when its mode lets anyone else read or write it. The
profile ``sandbox`` is built in (the local sandbox, its demo key).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncehub_nb.constants import API_KEY_VAR, SANDBOX_DEMO_KEY, SANDBOX_PROFILE
from oncehub_nb.errors import ConfigError, OnceHubError
from oncehub_nb.keys import ApiKey, key_from_dotenv
from oncehub_nb.sources import toml
from oncehub_nb.urls import check_base_url

__all__ = [
    "FIELDS",
    "Profile",
    "SavedProfile",
    "check_name",
    "check_private",
    "forget_profile",
    "profile_names",
    "profiles_path",
    "read_profiles",
    "sandbox_profile",
    "save_profile",
]

FIELDS = ("key", "key_env", "dotenv", "var", "base_url")
KEY_FIELDS = ("key", "key_env", "dotenv")
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
HEADER = (
    "# OnceHub API keys for oncehub-nb, one table per profile: `oncehub-nb profiles` lists\n"
    "# them. It holds keys: keep it private (chmod 600) and never commit or share it.\n"
)


def profiles_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/oncehub-nb/profiles.toml``, else ``~/.config/oncehub-nb/…``."""
    env = os.environ if environ is None else environ
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "oncehub-nb" / "profiles.toml"


def check_name(name: str) -> str:
    """``name`` if it can name a profile (letters, digits, ``-``, ``_``); ConfigError if not."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} cannot name a profile.",
            hint="Use letters, digits, - and _ (at most 64), e.g. staging or prod-eu.",
        )
    return name


@dataclass(frozen=True)
class Profile:
    """One profile: where its key is, and its base URL. Never holds the key in clear
    (``key`` is an :class:`ApiKey`, masked everywhere)."""

    name: str
    key: ApiKey | None = None
    key_env: str | None = None
    dotenv: Path | None = None
    var: str = API_KEY_VAR
    base_url: str | None = None
    builtin: bool = False
    problem: str | None = None  # why it cannot be used, said when it is chosen

    @property
    def where(self) -> str:
        """Where its key is, for people: the key masked, a variable or a file."""
        if self.builtin:
            return "the built-in sandbox's demo key"
        if self.key is not None:
            return f"key {self.key!r} in the profiles file"
        if self.key_env:
            return f"environment variable {self.key_env}"
        if self.dotenv is not None:
            return f"{self.var} in dotenv file {self.dotenv}"
        return "no key"

    def find_key(self, environ: Mapping[str, str] | None = None) -> ApiKey:
        """The profile's key, named as coming from it; ConfigError when it has none."""
        if self.problem:
            raise ConfigError(f"Profile '{self.name}' cannot be used: {self.problem}", hint=_FIX)
        label = f"profile '{self.name}'"
        if self.builtin:
            return ApiKey(SANDBOX_DEMO_KEY, source=f"{label} (the built-in sandbox)")
        if self.key is not None:
            return self.key
        if self.key_env:
            env = os.environ if environ is None else environ
            value = env.get(self.key_env)
            if value is None or not value.strip():
                said = "is empty" if value is not None else "is not set"
                raise ConfigError(
                    f"Profile '{self.name}' takes its key from environment variable "
                    f"{self.key_env}, which {said}.",
                    hint=f"Set {self.key_env}, or change where the profile looks ({_FIX})",
                )
            return ApiKey(value, source=f"{label} (environment variable {self.key_env})")
        assert self.dotenv is not None
        try:
            key, _warnings = key_from_dotenv(self.dotenv, self.var)
        except OnceHubError as problem:
            raise ConfigError(
                f"Profile '{self.name}' takes its key from {self.dotenv}: {problem.message}",
                hint=f"Fix the file, or change where the profile looks ({_FIX})",
            ) from None
        return ApiKey(key.reveal(), source=f"{label} ({key.source})")


_FIX = "see oncehub-nb profiles; a profile holds key, key_env or dotenv."


def sandbox_profile() -> Profile:
    """The built-in profile: the local sandbox and its demo key."""
    return Profile(SANDBOX_PROFILE, builtin=True)


def check_private(path: Path) -> None:
    """Refuse a profiles file that anyone but its owner may read or write."""
    if os.name == "nt":  # pragma: no cover - POSIX modes only
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"Refusing to read {path}: it holds API keys and its mode ({mode:04o}) lets "
            "others read or change it.",
            hint=f"Make it private, then run the cell again: chmod 600 {path}",
        )


def _read_document(path: Path) -> dict[str, Any]:
    check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(f"{path} cannot be read ({why}).", hint="Check the file.") from None
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}).",
            hint="One [name] table per profile, with key, key_env or dotenv in it.",
        ) from None


def _profile(name: str, table: Any, path: Path) -> Profile:
    """One table of the file, checked; a profile that cannot be used says why."""
    if name == SANDBOX_PROFILE:
        return Profile(name, problem="the name 'sandbox' is the built-in sandbox's: rename it")
    if not NAME.fullmatch(name):
        return Profile(name, problem="use letters, digits, - and _ in profile names")
    if not isinstance(table, dict):
        return Profile(name, problem=f"write it as a [{name}] table")
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        return Profile(
            name, problem=f"unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    if any(not isinstance(value, str) for value in table.values()):
        return Profile(name, problem="every field is text, in quotes")
    sources = [field for field in KEY_FIELDS if field in table]
    if len(sources) != 1:
        said = "none" if not sources else " and ".join(sources)
        return Profile(name, problem=f"give exactly one of key, key_env, dotenv (it has {said})")
    try:
        base_url = check_base_url(table["base_url"]) if "base_url" in table else None
        key = ApiKey(table["key"], source=f"profile '{name}' in {path}") if "key" in table else None
    except OnceHubError as problem:
        return Profile(name, problem=problem.message)
    key_env, var = table.get("key_env"), table.get("var", API_KEY_VAR)
    for label, value in (("key_env", key_env), ("var", var)):
        if value is not None and not value.isidentifier():
            return Profile(name, problem=f"{label} must be a variable name, not {value!r}")
    dotenv = None
    if "dotenv" in table:
        dotenv = Path(table["dotenv"]).expanduser()
        dotenv = dotenv if dotenv.is_absolute() else path.parent / dotenv
    return Profile(name, key, key_env, dotenv, var, base_url)


def read_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Every profile: the file's (none if there is no file), then the built-in sandbox.

    ConfigError when the file is not private, cannot be read or is not TOML; a profile
    that cannot be used is listed with its ``problem``."""
    path = path or profiles_path()
    found: dict[str, Profile] = {}
    if path.exists():
        for name, table in _read_document(path).items():
            found[name] = _profile(name, table, path)
    found[SANDBOX_PROFILE] = sandbox_profile()
    return found


def profile_names(path: Path | None = None) -> list[str]:
    """The usable profiles' names in the file (not the built-in one); [] on any problem."""
    try:
        profiles = read_profiles(path)
    except ConfigError:
        return []
    return [p.name for p in profiles.values() if not p.builtin and not p.problem]


# -- writing ------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedProfile:
    """What :func:`save_profile` did."""

    path: Path
    name: str
    created: bool  # the file is new


_TABLE = re.compile(r"^\s*\[")  # a table header line begins a section
_LOOSE = re.compile(r"^\s*(#.*)?$")  # a blank line or a comment


def _section_bounds(lines: list[str], name: str) -> tuple[int, int] | None:
    """Where profile ``name``'s table begins and ends (header to the next header)."""
    header = re.compile(rf'^\s*\[\s*(?:{re.escape(name)}|"{re.escape(name)}")\s*\]\s*(#.*)?$')
    for start, line in enumerate(lines):
        if header.match(line):
            end = start + 1
            while end < len(lines) and not _TABLE.match(lines[end]):
                end += 1
            while end > start + 1 and _LOOSE.match(lines[end - 1]):
                end -= 1  # blank lines and comments before the next table stay with it
            return start, end
    return None


def _edited(text: str, name: str, fields: Mapping[str, str] | None) -> str:
    """The file's text with ``name``'s table replaced by ``fields`` (None: removed), every
    other line kept as it was."""
    lines = text.splitlines(keepends=True)
    bounds = _section_bounds(lines, name)
    new = [] if fields is None else toml.dumps_table(name, fields).splitlines(keepends=True)
    if bounds is None:
        if fields is None:
            return text
        glue = [] if not lines else (["\n"] if lines[-1].endswith("\n") else ["\n", "\n"])
        return "".join([*lines, *glue, *new])
    start, end = bounds
    rest = lines[end:]
    if new and rest and rest[0].strip():
        new.append("\n")
    return "".join([*lines[:start], *new, *rest])


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside ``path`` (0600), sync it, then move it into place."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".profiles-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _rewrite(path: Path, name: str, fields: Mapping[str, str] | None) -> bool:
    """Set (or remove) one profile's table; whether the file was created."""
    created = not path.exists()
    if created:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text, document = HEADER, {}
    else:
        document = _read_document(path)
        text = path.read_text(encoding="utf-8")
    expected = {k: v for k, v in document.items() if k != name}
    if fields is not None:
        expected[name] = dict(fields)
    edited = _edited(text, name, fields)
    try:
        same = toml.loads(edited) == expected
    except toml.TOMLDecodeError:
        same = False
    if not same:  # written some other way (an inline table, a dotted key): write it anew
        try:
            edited = HEADER + "\n".join(toml.dumps_table(k, v) for k, v in expected.items())
        except (TypeError, AttributeError):
            raise ConfigError(
                f"{path} cannot be rewritten: it holds more than tables of text.",
                hint=f'Edit it by hand: a [{name}] table with key = "…".',
            ) from None
    _write_atomically(path, edited)
    return created


def save_profile(
    name: str, key: ApiKey, *, base_url: str | None = None, path: Path | None = None
) -> SavedProfile:
    """Store ``key`` (and ``base_url``) as profile ``name``, other profiles and lines kept."""
    check_name(name)
    if name == SANDBOX_PROFILE:
        raise ConfigError(
            "The profile 'sandbox' is built in: it needs no key.", hint="Choose another name."
        )
    path = path or profiles_path()
    fields = {"key": key.reveal()}
    if base_url:
        fields["base_url"] = base_url
    created = _rewrite(path, name, fields)
    return SavedProfile(path, name, created)


def forget_profile(name: str, path: Path | None = None) -> bool:
    """Remove profile ``name`` from the file; whether it was there."""
    path = path or profiles_path()
    if not path.exists() or name not in _read_document(path):
        return False
    _rewrite(path, name, None)
    return True
