"""The API key as a secret value, its input checks, and where it is found.

``find_key`` looks in this order: an explicit value, the environment variable
(``ONCEHUB_API_KEY`` unless told otherwise), then a dotenv file: the path given,
or ``.env`` found from the current working directory upward. The dotenv file is
read fresh on every call and never loaded into ``os.environ``. ``locate_key`` takes
further steps to try between the environment and the dotenv file (``between``):
``oncehub_nb.sources`` adds the notebook platforms' secret stores and profiles there.
"""

from __future__ import annotations

import html
import io
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from oncehub_nb.constants import API_KEY_VAR, BASE_URL_VAR
from oncehub_nb.errors import (
    ARGUMENT_SOURCE,
    DotenvError,
    InvalidKeyInput,
    KeyNotFound,
    key_origin,
)
from oncehub_nb.urls import resolve_base_url

__all__ = [
    "MAX_KEY_LENGTH",
    "ApiKey",
    "KeySearch",
    "KeyStep",
    "check_key_text",
    "discover_dotenv",
    "find_key",
    "key_from_dotenv",
    "locate_key",
    "require_key",
]

MAX_KEY_LENGTH = 256
_PLAIN = re.compile(r"[\x21-\x7e]+")  # visible ASCII characters only: a usable key
_WHAT_TO_DO = "Copy the key again from OnceHub (or from your .env file) and paste only the key."


def check_key_text(text: object) -> str | None:
    """Say what is wrong with ``text`` as an API key, or None when it is usable.

    Surrounding whitespace is not a problem here (ApiKey strips it). The
    sentence never contains the key.
    """
    if not isinstance(text, str):
        return f"An API key must be text, not {type(text).__name__}."
    if len(text) <= MAX_KEY_LENGTH and _PLAIN.fullmatch(text):
        return None  # the usual case, checked at C speed: visible ASCII, nothing around it
    key = text.strip()
    if not key:
        return "The API key is empty."
    if len(key) > MAX_KEY_LENGTH:
        return (
            f"The API key is {len(key)} characters long; OnceHub keys are far shorter "
            f"(at most {MAX_KEY_LENGTH} accepted here). Was more than the key pasted?"
        )
    for position, char in enumerate(key, start=1):
        if char in "\r\n":
            return f"The API key contains a line break (at character {position})."
        if unicodedata.category(char).startswith("C"):
            return f"The API key contains a control character (at character {position})."
        if char.isspace():
            return f"The API key contains a space (at character {position})."
        if not char.isascii():
            name = unicodedata.name(char, "unnamed character")
            return (
                f"The API key contains a non-ASCII character, {name} (at character {position}); "
                "keys are plain ASCII. Was it typed by hand or changed by a word processor?"
            )
    return None


def _variants(value: str) -> re.Pattern[str]:
    """The key as a server could echo it: any letter case, each character as itself or
    escaped (JSON and Python ``\\u0041``, ``\\x41``, HTML ``&#65;`` ``&#x41;`` ``&amp;``,
    URL ``%41``)."""
    parts = []
    for char in value:
        code = ord(char)
        options = [re.escape(char), rf"\\+u0*{code:x}", rf"\\+x{code:02x}"]
        options += [rf"&#0*{code};", rf"&#x0*{code:x};", rf"%{code:02x}"]
        if char in "&<>\"'":
            options.append(re.escape(html.escape(char)))
        parts.append(f"(?:{'|'.join(options)})")
    return re.compile("".join(parts), re.IGNORECASE)


class ApiKey:
    """A OnceHub API key that masks itself everywhere it could be shown.

    ``repr``, ``str`` and format strings give ``ApiKey('…3f9a')``. The value
    comes out only through :meth:`reveal`. It cannot be pickled or copied (that would
    write it to disk in clear), and ``__getstate__`` refuses too. :meth:`scrub` masks it
    in text a server sent back.
    """

    __slots__ = ("_echoes", "_value", "source", "stripped")

    def __init__(self, value: str, source: str = ARGUMENT_SOURCE) -> None:
        problem = check_key_text(value)
        if problem:
            raise InvalidKeyInput(f"{problem} (key {key_origin(source)})", hint=_WHAT_TO_DO)
        stripped = value.strip()
        self._value = stripped
        self.source = source
        self.stripped = stripped != value
        self._echoes: re.Pattern[str] | None = None

    def reveal(self) -> str:
        """Return the key in clear, e.g. to put it in a request header."""
        return self._value

    def scrub(self, text: str, mask: str | None = None) -> str:
        """``text`` with the key masked (as ``mask``, default :attr:`masked`) wherever it
        is, in any of the forms a server could echo it in (any letter case; JSON, HTML or
        URL escapes); for text from a server."""
        if not text:
            return text
        lowered = text.lower()
        if self._value.lower() not in lowered and not any(
            mark in lowered for mark in ("\\", "&", "%")
        ):
            return text  # the usual case: no key, no escape that could spell one
        if self._echoes is None:
            self._echoes = _variants(self._value)
        return self._echoes.sub(self.masked if mask is None else mask, text)

    @property
    def masked(self) -> str:
        """The last four characters behind an ellipsis (just '…' for short keys)."""
        return "…" + self._value[-4:] if len(self._value) >= 12 else "…"

    @property
    def masked_ascii(self) -> str:
        """:attr:`masked` in ASCII (``...3f9a``), for where only ASCII goes: HTTP headers."""
        return self.masked.replace("…", "...")

    @property
    def notes(self) -> list[str]:
        """Remarks about the input, e.g. that whitespace was stripped."""
        return ["surrounding whitespace was removed"] if self.stripped else []

    @property
    def described(self) -> str:
        """The masked key and where it came from: ``ApiKey('…3f9a') from .env at …``,
        ``ApiKey('…3f9a') passed as an argument``."""
        return f"{self!r} {key_origin(self.source)}".strip()

    def export_to_environ(self, var: str = API_KEY_VAR) -> None:
        """Put the key into ``os.environ[var]``: only when you ask for it."""
        os.environ[var] = self._value

    def __repr__(self) -> str:
        return f"ApiKey('{self.masked}')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled: that would store the key in clear.")

    def __getstate__(self) -> NoReturn:
        raise TypeError("ApiKey has no state to give: that would hand out the key in clear.")


@dataclass
class KeySearch:
    """The outcome of looking for a key: the key (or None) and what was tried."""

    key: ApiKey | None
    tried: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dotenv_path: Path | None = None
    dotenv_base_url: str | None = None  # ONCEHUB_BASE_URL from the same dotenv file
    profile: str | None = None  # the profile the key came from
    profile_base_url: str | None = None  # ... and its base_url, which goes with its key
    sandbox: bool = False  # the key is the built-in sandbox's: its base URL is the sandbox's

    @property
    def source(self) -> str | None:
        return self.key.source if self.key else None

    def base_url(self, explicit: str | None = None) -> str:
        """Where this key's calls go: ``explicit`` > the key's profile's base_url >
        ONCEHUB_BASE_URL > the key's dotenv file's > OnceHub's."""
        return resolve_base_url(explicit or self.profile_base_url, self.dotenv_base_url)


KeyStep = Callable[[KeySearch], ApiKey | None]
"""A source tried between the environment variable and the dotenv file: it returns a key,
or None after noting in ``search.tried`` what it looked at (or raises, when a source the
user chose cannot give one)."""


def _dotenv_bindings(path: Path) -> tuple[dict[str, str | None], list[int]]:
    """Read a dotenv file: its values and the line numbers it could not parse."""
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise DotenvError(
            f"{path} is a folder, not a dotenv file.", path=str(path), hint="Give a file path."
        ) from None
    except UnicodeDecodeError:
        raise DotenvError(
            f"{path} is not UTF-8 text.",
            path=str(path),
            hint="Save it as UTF-8 text with one NAME=value per line.",
        ) from None
    except OSError as exc:
        raise DotenvError(
            f"{path} cannot be read ({exc.strerror or type(exc).__name__}).",
            path=str(path),
            hint="Check the file's permissions.",
        ) from None
    bad_lines = [b.original.line for b in parse_stream(io.StringIO(text)) if b.error]
    dotenv_logger = logging.getLogger("dotenv.main")
    previous = dotenv_logger.disabled
    dotenv_logger.disabled = True  # we report bad lines ourselves, by number only
    try:
        values = dict(dotenv_values(stream=io.StringIO(text), interpolate=False))
    finally:
        dotenv_logger.disabled = previous
    return values, bad_lines


def discover_dotenv() -> Path | None:
    """The ``.env`` nearest the current folder (the notebook's), going upward; None if none."""
    from dotenv import find_dotenv

    found = find_dotenv(usecwd=True)
    return Path(found) if found else None


def _key_from_dotenv(path: Path, var: str, search: KeySearch, *, explicit: bool) -> ApiKey | None:
    if not path.exists():
        if explicit:
            raise DotenvError(
                f"No dotenv file at {path}.",
                path=str(path),
                hint="Check the path, or copy .env.example to .env and fill in your key.",
            )
        return None
    values, bad_lines = _dotenv_bindings(path)
    where = f".env at {path}" if path.name == ".env" else f"dotenv file {path}"
    if bad_lines:
        numbers = ", ".join(str(n) for n in bad_lines)
        search.warnings.append(
            f"{where}: line(s) {numbers} could not be parsed (expected NAME=value)."
        )
    search.dotenv_base_url = values.get(BASE_URL_VAR) or None
    value = values.get(var)
    if value is None:
        others = sorted(name for name in values if name != var)
        defines = f"it defines {', '.join(others)}" if others else "it defines no variables"
        search.tried.append(f"{where} has no {var} ({defines})")
        return None
    if not value.strip():
        search.tried.append(f"{var} is empty in {where}")
        return None
    return ApiKey(value, source=where)


def locate_key(
    value: str | ApiKey | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
    use_dotenv: bool = True,
    between: Sequence[KeyStep] = (),
) -> KeySearch:
    """Look for a key in every source, in order, and say what was tried: ``value``, the
    environment variable ``var``, each of ``between``, then the dotenv file.

    Raises InvalidKeyInput when a found key is unusable, DotenvError when an
    explicitly named dotenv file is missing or unreadable.
    """
    search = KeySearch(key=None)
    if isinstance(value, ApiKey):
        search.key = value
        return search
    if value is not None:
        search.key = ApiKey(value, source=ARGUMENT_SOURCE)
        return search
    env = os.environ if environ is None else environ
    from_env = env.get(var)
    if from_env is not None and from_env.strip():
        search.key = ApiKey(from_env, source=f"environment variable {var}")
        return search
    search.tried.append(
        f"environment variable {var} is empty" if from_env is not None else f"{var} is not set"
    )
    for step in between:
        from_step = step(search)
        if from_step is not None:
            search.key = from_step
            return search
    if not use_dotenv:
        return search
    if env_file is not None:
        path = Path(env_file).expanduser()
        search.dotenv_path = path
        search.key = _key_from_dotenv(path, var, search, explicit=True)
        return search
    found = discover_dotenv()
    if found is None:
        search.tried.append(f"no .env file in {Path.cwd()} or its parent folders")
        return search
    search.dotenv_path = found
    search.key = _key_from_dotenv(found, var, search, explicit=False)
    return search


def key_from_dotenv(
    path: str | os.PathLike[str], var: str = API_KEY_VAR
) -> tuple[ApiKey, list[str]]:
    """The key in one dotenv file, with any warnings; DotenvError/KeyNotFound otherwise."""
    search = KeySearch(key=None, dotenv_path=Path(path).expanduser())
    assert search.dotenv_path is not None
    key = _key_from_dotenv(search.dotenv_path, var, search, explicit=True)
    if key is None:
        raise KeyNotFound(search.tried + search.warnings, var=var)
    return key, search.warnings


def find_key(
    value: str | ApiKey | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
) -> ApiKey | None:
    """Return the first key found (argument > environment > dotenv), or None."""
    return locate_key(value, env_file=env_file, var=var, environ=environ).key


def require_key(
    value: str | ApiKey | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    var: str = API_KEY_VAR,
    environ: Mapping[str, str] | None = None,
) -> ApiKey:
    """Like find_key, but raise KeyNotFound (saying what was tried) instead of None."""
    search = locate_key(value, env_file=env_file, var=var, environ=environ)
    if search.key is None:
        raise KeyNotFound(search.tried + search.warnings, var=var)
    return search.key
