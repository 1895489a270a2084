"""How a magic's line is read: IPython's ``@magic_arguments`` with the argparse parser
built on first use, and the ``;`` that ends a line.

IPython's decorator builds each magic's parser, and its help text, when the class
is defined: that was most of what ``%load_ext oncehub_nb`` cost. Here the help
text is written at once from the same ``@argument`` specs (plain string work), and
the parser waits for the magic's first call.

IPython hides a cell's last value when the line ends with ``;``, but a line magic's
``;`` lands inside the call IPython writes for it (``run_line_magic('oncehub',
'bookings;')``), so it is passed as an argument and hides nothing.
:func:`semicolon_outside` moves it out of the call, where IPython's own rule sees it.
"""

from __future__ import annotations

import ast
import inspect
from argparse import Namespace
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.magic_arguments import construct_parser

__all__ = [
    "lazy_magic_arguments",
    "parse_arguments",
    "semicolon_outside",
    "without_semicolon",
]

F = TypeVar("F", bound=Callable[..., Any])
HELP_COLUMN = 24


def _flags(args: tuple[str, ...], kwds: dict[str, Any]) -> str:
    """``--env-file PATH`` or ``key``: how one argument is written."""
    if not args[0].startswith("-"):
        return args[0]
    if kwds.get("action") in ("store_true", "store_false"):
        return ", ".join(args)
    metavar = kwds.get("metavar") or args[-1].lstrip("-").upper().replace("-", "_")
    return ", ".join(f"{flag} {metavar}" for flag in args)


def _help_text(func: Callable[..., Any], description: str) -> str:
    decorators = getattr(func, "decorators", [])
    specs = [(d.args, d.kwds) for d in reversed(decorators) if hasattr(d, "args")]
    usage = " ".join(
        f"[{_flags(args[-1:], kwds)}]" if args[0].startswith("-") else f"[{args[0]}]"
        for args, kwds in specs
    )
    lines = [f"::\n\n  %{func.__name__} {usage}\n", inspect.cleandoc(description), ""]
    for title, positional in (("positional arguments:", True), ("options:", False)):
        chosen = [(a, k) for a, k in specs if (not a[0].startswith("-")) is positional]
        if chosen:
            lines.append(title)
            for args, kwds in chosen:
                flags = _flags(args, kwds)
                gap = "\n" + " " * HELP_COLUMN if len(flags) > HELP_COLUMN - 4 else ""
                lines.append(f"  {flags.ljust(HELP_COLUMN - 2)}{gap}{kwds.get('help', '')}")
            lines.append("")
    return "\n".join(lines)


def lazy_magic_arguments(func: F) -> F:
    """Use in place of ``@magic_arguments()``, above the ``@argument`` decorators."""
    description = func.__doc__ or ""
    func.argcmd_kwds = {"description": description}  # type: ignore[attr-defined]
    func.__doc__ = _help_text(func, description)
    return func


def parse_arguments(func: Callable[..., Any], line: str) -> Namespace:
    """Parse a magic's argument line, building its parser on the first call."""
    target: Any = getattr(func, "__func__", func)  # the function, not a bound method
    parser = getattr(target, "parser", None)
    if parser is None:
        help_text = target.__doc__
        parser = target.parser = construct_parser(target)
        target.__doc__ = help_text  # construct_parser rewrites it
    parsed: Namespace = parser.parse_argstring(without_semicolon(line))
    return parsed


def without_semicolon(line: str) -> str:
    """The line without the ``;`` that ends it: IPython hands a line magic its line as
    typed, ``;`` included, and reads that ``;`` itself as "do not show the value"."""
    stripped = line.rstrip()
    return stripped[:-1].rstrip() if stripped.endswith(";") else line


def semicolon_outside(lines: list[str]) -> list[str]:
    """An IPython ``input_transformers_post`` step: a cell whose last line calls one of
    our magics with a line ending in ``;`` (``%oncehub bookings;``, or the first line of
    ``%%oncehub POST contacts ;``) gets the ``;`` after the call instead of inside it."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip():
            break
    else:
        return lines
    try:
        tree = ast.parse(lines[index])
    except SyntaxError:
        return lines
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return lines
    call = tree.body[0].value
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("run_line_magic", "run_cell_magic")
        and len(call.args) in (2, 3)
        and not call.keywords
    ):
        return lines
    values = [a.value for a in call.args if isinstance(a, ast.Constant)]
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) != len(call.args):
        return lines
    name, line, *body = texts
    if not name.startswith("oncehub"):
        return lines
    if name.endswith(";"):  # %oncehub_test; reads as a magic named "oncehub_test;"
        name, line = name[:-1], f"{line};"
    if not line.rstrip().endswith(";"):
        return lines
    arguments = ", ".join(repr(v) for v in (name, without_semicolon(line), *body))
    moved = f"{ast.unparse(call.func)}({arguments});\n"
    return [*lines[:index], moved, *lines[index + 1 :]]
