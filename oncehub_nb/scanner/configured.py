"""The keys a scan looks for, and the placeholder values of ``.env.example`` files.

Configured keys come from the environment variable (``ONCEHUB_API_KEY``), from every
dotenv file the scan can see: those in the scanned folders, the nearest ``.env`` above
each scanned path, and the one ``find_key`` would use (from the current folder upward),
and from the profiles file (each profile's key it can find).
Each is kept as an :class:`~oncehub_nb.keys.ApiKey`, so it shows itself masked.
"""

from __future__ import annotations

import html
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oncehub_nb.constants import API_KEY_VAR
from oncehub_nb.errors import InvalidKeyInput
from oncehub_nb.keys import ApiKey, discover_dotenv

from . import reading
from .decoding import decode
from .rules import is_key_shaped
from .walk import TEMPLATE_SUFFIXES

__all__ = ["MIN_SEARCHED_LENGTH", "Dotenv", "Keyring", "KnownKey", "gather", "read_dotenv"]

MIN_SEARCHED_LENGTH = 8  # a shorter configured value would match everywhere: not searched
MAX_DOTENV = 1_000_000  # bytes: a larger "dotenv file" is not one
_ASSIGNMENT = re.compile(rf"^[ \t]*(?:export[ \t]+)?{API_KEY_VAR}[ \t]*=", re.M)


class KnownKey:
    """A configured key and the forms it takes in files: as is, JSON- and HTML-escaped."""

    __slots__ = ("_texts", "key")

    def __init__(self, key: ApiKey) -> None:
        self.key = key
        value = key.reveal()
        forms = [value, json.dumps(value)[1:-1], html.escape(value), html.escape(value, False)]
        self._texts = tuple(dict.fromkeys(forms))

    @property
    def masked(self) -> str:
        return self.key.masked

    @property
    def source(self) -> str:
        return self.key.source

    @property
    def texts(self) -> tuple[str, ...]:
        """The forms to look for in decoded text."""
        return self._texts

    @property
    def needles(self) -> tuple[bytes, ...]:
        """The forms to look for in a file's bytes (UTF-8)."""
        return tuple(text.encode() for text in self._texts)

    @property
    def halves(self) -> tuple[bytes, bytes]:
        """The key's first and second halves (UTF-8): a key cut in two anywhere leaves one
        of them whole in one of its pieces."""
        value = self.key.reveal().encode()
        middle = len(value) // 2
        return value[: len(value) - middle], value[middle:]

    def is_value(self, value: str) -> bool:
        return value in self._texts

    def __repr__(self) -> str:
        return f"KnownKey({self.key!r}, source={self.source!r})"


@dataclass
class Dotenv:
    """A dotenv file's key (its ``ONCEHUB_API_KEY`` value) and that line's number, and the
    key-shaped values of its other OnceHub key variables (``ONCEHUB_API_KEY_PROD``…)."""

    path: Path
    value: str | None
    line: int | None
    others: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the values are keys: never shown
        return f"Dotenv({str(self.path)!r}, line={self.line})"


@dataclass
class Keyring:
    """What a scan searches for and what it dismisses."""

    keys: list[KnownKey] = field(default_factory=list)
    examples: set[str] = field(default_factory=set, repr=False)  # .env.example values
    dotenvs: dict[Path, Dotenv] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, value: str | ApiKey, source: str) -> None:
        """Add a key (once), or note why it cannot be searched for."""
        try:
            key = value if isinstance(value, ApiKey) else ApiKey(value, source=source)
        except InvalidKeyInput as problem:  # its message never holds the key
            self.problems.append(f"{source}: not searched for: {problem.message}")
            return
        if len(key.reveal()) < MIN_SEARCHED_LENGTH:
            self.problems.append(
                f"{key.source}: not searched for: only {len(key.reveal())} characters long"
            )
            return
        if all(known.key != key for known in self.keys):
            self.keys.append(KnownKey(key))

    def configured(self, value: str) -> KnownKey | None:
        """The configured key ``value`` is (in any of its forms), if any."""
        return next((known for known in self.keys if known.is_value(value)), None)


def _other_key(name: str, value: str | None) -> bool:
    """A variable other than ``ONCEHUB_API_KEY`` naming a OnceHub key, with a key-shaped
    value (``ONCEHUB_API_KEY_PROD=…``, ``MY_ONCEHUB_KEY=…``; not ``…_KEY_FILE=/run/k``)."""
    upper = name.upper()
    return (
        name != API_KEY_VAR
        and "ONCEHUB" in upper
        and "KEY" in upper
        and value is not None
        and is_key_shaped(value.strip())
    )


def read_dotenv(path: Path) -> Dotenv:
    """A dotenv file's key, read as ``find_key`` reads it (python-dotenv, no interpolation).

    Raises OSError (reading.Unreadable for a FIFO, a device, a file over 1 MB) or
    UnicodeDecodeError when the file cannot be read.
    """
    from dotenv import dotenv_values

    data = reading.read(path, MAX_DOTENV)
    if data is None:
        raise reading.Unreadable(f"over {MAX_DOTENV:,} bytes: not a dotenv file")
    text = decode(data).text
    if text is None:
        raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "a binary file")
    dotenv_logger = logging.getLogger("dotenv.main")
    previous = dotenv_logger.disabled
    dotenv_logger.disabled = True  # a bad line is not our finding (check reports it)
    try:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    finally:
        dotenv_logger.disabled = previous
    assignments = list(_ASSIGNMENT.finditer(text))
    line = text.count("\n", 0, assignments[-1].start()) + 1 if assignments else None
    others = {name: value for name, value in values.items() if _other_key(name, value)}
    return Dotenv(path, values.get(API_KEY_VAR), line, others)  # type: ignore[arg-type]


def _nearest_dotenv(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        if (candidate / ".env").is_file():
            return candidate / ".env"
    return None


def _templates_beside(path: Path) -> list[Path]:
    return [path.parent / f".env{suffix}" for suffix in TEMPLATE_SUFFIXES]


def _read(path: Path, ring: Keyring, show: Callable[[Path], str] = str) -> Dotenv | None:
    try:
        return read_dotenv(path)
    except reading.Unreadable as exc:
        ring.problems.append(f"{show(path)}: {reading.why(exc)}")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        ring.problems.append(f"{show(path)}: cannot be read ({reason})")
    return None


def _add_profile_keys(ring: Keyring, environ: Mapping[str, str]) -> None:
    """Each profile's key that can be found (in the file, its variable or its dotenv)."""
    from oncehub_nb.errors import OnceHubError
    from oncehub_nb.sources.profiles import read_profiles

    try:
        profiles = read_profiles()
    except OnceHubError as problem:  # a file others can read, not TOML: said, not searched
        ring.problems.append(f"profiles file not searched: {problem}")
        return
    for profile in profiles.values():
        if profile.builtin or profile.problem:
            continue
        try:
            ring.add(profile.find_key(environ), f"profile '{profile.name}'")
        except OnceHubError:
            continue  # no key to search for (a variable not set, a file missing)


def gather(
    roots: Iterable[Path],
    dotenvs: Iterable[Path],
    templates: Iterable[Path],
    *,
    keys: Iterable[str | ApiKey] | None = None,
    environ: Mapping[str, str] | None = None,
    show: Callable[[Path], str] = str,
) -> Keyring:
    """The keys to search for and the placeholder values, from what the walk found.

    ``dotenvs`` and ``templates`` are the dotenv and ``.env.example``-like files in the
    scanned folders. With ``keys`` given, exactly those are searched for and nothing is
    discovered; otherwise the environment and every dotenv file in sight are used.
    ``show`` gives a path as the report shows it.
    """
    ring = Keyring()
    dotenv_paths = list(dotenvs)
    template_paths = list(templates)
    if keys is not None:
        for given in keys:
            ring.add(given, "given")
    else:
        env = os.environ if environ is None else environ
        value = env.get(API_KEY_VAR)
        if value is not None and value.strip():
            ring.add(value, f"environment variable {API_KEY_VAR}")
        nearby = [discover_dotenv(), *(_nearest_dotenv(root) for root in roots)]
        for found in nearby:
            if found is not None and found.resolve() not in {p.resolve() for p in dotenv_paths}:
                dotenv_paths.append(found)
        template_paths += [*_templates_beside(Path.cwd() / ".env")]
        template_paths += [t for p in dotenv_paths for t in _templates_beside(p)]
        _add_profile_keys(ring, env)
    for path in dotenv_paths:
        dotenv = _read(path, ring, show)
        if dotenv is None:
            continue
        ring.dotenvs[path] = dotenv
        if keys is None:
            shown = show(path)
            where = f".env at {shown}" if path.name == ".env" else f"dotenv file {shown}"
            if dotenv.value is not None and dotenv.value.strip():
                ring.add(dotenv.value, where)
            for name, value in dotenv.others.items():
                ring.add(value, f"{where} ({name})")
    for path in dict.fromkeys(template_paths):
        if path.is_file():
            template = _read(path, ring, show)
            if template is not None and template.value is not None:
                ring.examples.add(template.value.strip())
    return ring
