"""Reading TOML (``tomllib``, or ``tomli`` before Python 3.11) and writing the little of it
the profiles file needs: tables of strings."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (a runtime dependency there)
    import tomli as tomllib

__all__ = ["TOMLDecodeError", "dumps_table", "loads", "quoted"]

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The document as plain Python; TOMLDecodeError when it is not TOML."""
    document: dict[str, Any] = tomllib.loads(text)
    return document


def quoted(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return quoted(value)
    raise TypeError(f"cannot write a {type(value).__name__} as a TOML value here")


def _name(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else quoted(name)


def dumps_table(name: str, fields: Mapping[str, Any]) -> str:
    """``[name]`` then one ``field = value`` line each (scalars only)."""
    lines = [f"[{_name(name)}]"]
    lines += [f"{_name(field)} = {_value(value)}" for field, value in fields.items()]
    return "\n".join(lines) + "\n"
