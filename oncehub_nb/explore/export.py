"""A request as code to run elsewhere: a short httpx program reading the key from the
environment, never holding it. :class:`Code` is text that shows itself as written."""

from __future__ import annotations

import json
import pprint
from collections.abc import Mapping
from typing import Any

__all__ = ["Code", "python_snippet"]


class Code(str):
    """Program text: ``print(code)``, ``exec(code)``, write it to a file. IPython shows it
    as written (no quotes, no escapes), so what is shown runs as shown."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        from html import escape

        return f'<pre class="oncehub-code">{escape(str(self))}</pre>'


def _argument(name: str, value: Any) -> list[str]:
    """``name=value,`` as indented source lines (a literal Python reads as the JSON)."""
    text = pprint.pformat(value, indent=4, width=84, sort_dicts=False)
    lines = text.splitlines()
    return [f"    {name}={lines[0]}", *(f"    {line}" for line in lines[1:])]


def python_snippet(method: str, url: str, query: Mapping[str, Any], body: Any, var: str) -> Code:
    """The request as an httpx program: the key from ``$var``, the answer's JSON printed."""
    lines = [
        "import json",
        "import os",
        "",
        "import httpx",
        "",
        "response = httpx.request(",
        f"    {json.dumps(method)},",
        f"    {json.dumps(url)},",
    ]
    if query:
        lines += _argument("params", dict(query))
        lines[-1] += ","
    if body is not None:
        lines += _argument("json", body)
        lines[-1] += ","
    lines += [
        f'    headers={{"API-Key": os.environ[{json.dumps(var)}], "Accept": "application/json"}},',
        "    timeout=30,",
        ")",
        "response.raise_for_status()",
        "if response.content:",
        "    print(json.dumps(response.json(), indent=2))",
        "else:",
        "    print(response.status_code)",
        "",
    ]
    return Code("\n".join(lines))
