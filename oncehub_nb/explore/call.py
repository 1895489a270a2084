"""A ``%oncehub`` command line, read: the method, path, request items and options, and the
call it makes, which can be shown (``--dry-run``) or written as ``curl`` (``--curl``) or
Python (``--python``) without sending anything or showing the key, even when OnceHub would
refuse it (the preview then says why)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from oncehub_nb.constants import API_KEY_VAR, METHODS
from oncehub_nb.display.once import TextView
from oncehub_nb.errors import RequestProblem
from oncehub_nb.explore.export import Code
from oncehub_nb.explore.items import Item, expand_names, json_error, parse_item, split_items

__all__ = ["OPTIONS", "ApiCall", "Command", "parse_command", "would_refuse"]

# Read as a method too, so that the catalog can say which methods the path has.
OTHER_METHODS = ("PUT", "HEAD", "OPTIONS", "TRACE", "CONNECT")
OPTIONS = (
    "--all",
    "--max-items",
    "--dry-run",
    "--curl",
    "--python",
    "-o",
    "--endpoints",
    "--history",
    "--replay",
    "--quiet",
)
REDACTED = "[hidden: the session's key]"


@dataclass
class Command:
    """What the user wrote, before names are looked up."""

    method: str = "GET"
    method_given: bool = False
    path: str = ""
    items: list[Item] = field(default_factory=list)
    fetch_all: bool = False
    max_items: int | None = None
    dry_run: bool = False
    curl: bool = False
    python: bool = False
    output: str | None = None
    endpoints: bool = False
    history: bool = False
    replay: int | None = None
    quiet: bool = False

    @property
    def fetches_many(self) -> bool:
        return self.fetch_all or self.max_items is not None


def _number(option: str, text: str | None) -> int:
    if text is None or not text.isdigit() or int(text) < 1:
        raise RequestProblem(
            f"{option} needs a whole number of objects, 1 or more, not {text!r}.",
            hint=f"For example {option} 500.",
        )
    return int(text)


def parse_command(line: str) -> Command:
    """Read ``[METHOD] PATH [items…] [options]``; RequestProblem when it cannot be read."""
    try:
        words = shlex.split(line, posix=True)
    except ValueError as error:
        raise RequestProblem(
            f"The line cannot be read: {error}.", hint="Close the quote or escape it."
        ) from None
    command = Command()
    queue = list(words)
    while queue:
        word = queue.pop(0)
        option, _, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if option == "--all":
            command.fetch_all = True
        elif option in ("--max-items", "--max"):  # --max: the name before 0.x, still read
            command.max_items = _number(
                "--max-items", attached or (queue.pop(0) if queue else None)
            )
        elif option == "--dry-run":
            command.dry_run = True
        elif option == "--curl":
            command.curl = True
        elif option == "--python":
            command.python = True
        elif option == "--history":
            command.history = True
        elif option == "--replay":
            text = attached or (queue.pop(0) if queue else None)
            if text is None or not text.isdigit() or int(text) < 1:
                raise RequestProblem(
                    f"--replay needs the number of a request in %oncehub --history, not {text!r}.",
                    hint="%oncehub --history lists them; then %oncehub --replay 3",
                )
            command.replay = int(text)
        elif option in ("-o", "--output"):
            name = attached or (queue.pop(0) if queue else "")
            if not name.isidentifier():
                raise RequestProblem(f"-o needs a variable name, not {name!r}.", hint="-o r")
            command.output = name
        elif option == "--endpoints":
            command.endpoints = True
        elif option in ("-q", "--quiet"):
            command.quiet = True
        elif word.startswith("-") and parse_item(word) is None:
            raise RequestProblem(
                f"Unknown option {word!r}.", hint=f"Options: {', '.join(OPTIONS)}; see %oncehub?"
            )
        elif (item := parse_item(word)) is not None:
            command.items.append(item)
        elif (
            not command.path
            and not command.method_given
            and word in METHODS + OTHER_METHODS + tuple(m.lower() for m in METHODS)
        ):
            command.method, command.method_given = word.upper(), True
        elif not command.path:
            command.path = word
        else:
            raise RequestProblem(
                f"{word!r} is neither an option nor a request item (the path is {command.path!r}).",
                hint="Write name==value, name=value or name:=json; quote values with spaces.",
            )
    if not command.path and not (command.endpoints or command.history or command.replay):
        raise RequestProblem(
            "No path: what should be called?", hint="For example %oncehub bookings"
        )
    if command.path and (command.history or command.replay):
        raise RequestProblem(
            "--history and --replay N take no path.", hint="%oncehub --history, then --replay 3"
        )
    return command


@dataclass
class ApiCall(TextView):
    """One request, ready to send: nothing here holds the key."""

    method: str
    path: str  # e.g. "/bookings/BKNG-1"
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    base_url: str = ""

    @classmethod
    def build(
        cls,
        command: Command,
        path: str,
        namespace: Mapping[str, Any] | None = None,
        cell: str | None = None,
    ) -> ApiCall:
        """The call for ``command`` (``path`` already normalised and expanded)."""
        parts = split_items(command.items, command.method, namespace)
        body: dict[str, Any] | None = None
        if cell is not None and cell.strip():
            if command.method not in ("POST", "PATCH"):
                raise RequestProblem(
                    f"A cell body is sent only with POST or PATCH, not {command.method}.",
                    hint="Start the line with POST or PATCH, e.g. %%oncehub POST webhooks.",
                )
            try:
                body = json.loads(cell)
            except json.JSONDecodeError as error:
                raise json_error(error, "The cell body") from None
            if not isinstance(body, dict):
                raise RequestProblem(
                    "The cell body must be a JSON object ({...}).", hint="Wrap the fields in {}."
                )
        if parts.body:
            body = {**(body or {}), **parts.body}
        return cls(command.method, path, parts.query, body)

    @property
    def url(self) -> str:
        query = urlencode(self.query, doseq=True)
        return f"{self.base_url}{self.path}" + (f"?{query}" if query else "")

    def dry_run(self) -> str:
        """The request as it would be sent, the key hidden."""
        lines = [f"{self.method} {self.url}", f"API-Key: {REDACTED}", "Accept: application/json"]
        if self.body is not None:
            lines.append("Content-Type: application/json")
            lines.append("")
            lines.append(json.dumps(self.body, indent=2, ensure_ascii=False))
        return "\n".join(lines)

    def curl(self, var: str = API_KEY_VAR) -> str:
        """An equivalent ``curl`` command that reads the key from ``$var``, not the text."""
        parts = ["curl", "-sS"]
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(shlex.quote(self.url))
        parts += ["-H", f'"API-Key: ${var}"', "-H", shlex.quote("Accept: application/json")]
        if self.body is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json")]
            parts += ["--data", shlex.quote(json.dumps(self.body, ensure_ascii=False))]
        return " ".join(parts)

    def preview(
        self,
        *,
        dry_run: bool = True,
        curl: bool = False,
        var: str = API_KEY_VAR,
        refusal: RequestProblem | None = None,
    ) -> str:
        """The request (``dry_run``) and/or its curl form, then what OnceHub would refuse
        in it and why (a shell comment after curl, so the text can still be pasted)."""
        parts = [self.dry_run()] if dry_run else []
        if curl:
            parts.append(self.curl(var))
        if refusal is not None:
            note = would_refuse(refusal)
            parts.append(f"# {note}" if curl else f"\n{note}")
        return "\n".join(parts)

    def python(self, var: str = API_KEY_VAR) -> Code:
        """A short httpx program making the same request, the key read from ``$var``;
        it prints the answer's JSON (runnable as printed)."""
        from oncehub_nb.explore.export import python_snippet

        return python_snippet(
            self.method, f"{self.base_url}{self.path}", self.query, self.body, var
        )

    def __str__(self) -> str:
        return self.dry_run()


def would_refuse(problem: RequestProblem) -> str:
    """``OnceHub would refuse this: <what and why>. <what to do>``"""
    return f"OnceHub would refuse this: {problem}"


def expand_path(path: str, namespace: Mapping[str, Any] | None) -> str:
    """``{name}`` and ``$name`` in the path replaced by variables of the notebook."""
    return expand_names(path, namespace or {})
