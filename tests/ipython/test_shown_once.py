"""Every magic follows IPython's rule: its value is shown once when the line is the cell's
last, never when it is assigned or the line ends with ``;``; progress lines and notes
still appear. Checked in a real kernel (counting display messages per cell), in terminal
IPython under a pseudo-terminal, and on the cell transformer that makes ``;`` work."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pexpect
import pytest

from oncehub_nb.ipython.arguments import semicolon_outside
from tests.kernels import execute

CONTACT = '{"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}'

# (cell, how many values it shows, words its value shows or None)
CELLS = [
    ("%oncehub_auth --sandbox", 1, "Key valid for"),
    ("a = %oncehub_auth --sandbox", 0, None),
    ("%oncehub_auth --sandbox ;", 0, None),
    ("%oncehub_test", 1, "Key valid for"),
    ("t = %oncehub_test", 0, None),
    ("%oncehub_test;", 0, None),
    ("%oncehub bookings limit==3", 1, "BKNG-"),
    ("b = %oncehub bookings limit==3", 0, None),
    ("%oncehub bookings limit==3;", 0, None),
    ("bid = b[0]['id']\n%oncehub bookings/$bid", 1, "BKNG-"),
    ("%oncehub --endpoints", 1, "/bookings"),
    ("e = %oncehub --endpoints", 0, None),
    ("%oncehub --endpoints ;", 0, None),
    (f"%%oncehub POST contacts\n{CONTACT}", 1, "CTC-"),
    (f"%%oncehub POST contacts ;\n{CONTACT}", 0, None),
    ("w = %oncehub_webhooks listen --events booking.canceled", 0, None),
    ("%oncehub_webhooks status", 1, "Webhook inbox"),
    ("%oncehub_webhooks stop", 0, None),
    ("%oncehub_webhooks listen --events booking.canceled", 1, "Webhook inbox"),
    ("%oncehub_webhooks stop", 0, None),
    ("%oncehub_sync teams users", 1, "OnceHub mirror"),
    ("m = %oncehub_sync teams", 0, None),
    ("%oncehub_sync teams;", 0, None),
]


def values(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The outputs that show a value: not streams, not the plain-text progress line."""
    return [
        o
        for o in cell.outputs
        if o.output_type == "execute_result"
        or (o.output_type == "display_data" and "text/html" in o.data)
    ]


@pytest.mark.kernel
def test_each_magic_shows_its_value_once_and_only_as_the_last_line(tmp_path: Path) -> None:
    sources = ["%load_ext oncehub_nb", *(source for source, _, _ in CELLS)]
    sources.append("r = %oncehub bookings --max-items 250")  # progress, but no table
    sources.append("x = %oncehub bookings/BKNG-NOPE")  # a failure kept out of sight
    sources.append("%oncehub bookings/BKNG-NOPE")  # a failure shown
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    execute(nb, tmp_path)
    cells = nb.cells[1:]
    for cell, (source, count, words) in zip(cells, CELLS, strict=False):
        shown = values(cell)
        assert len(shown) == count, (source, [o.output_type for o in cell.outputs])
        if words is not None:
            assert words in shown[0].data["text/plain"], source
            assert words in shown[0].data["text/html"], source
        assert not any(o.output_type == "error" for o in cell.outputs), source
    many, hidden_failure, shown_failure = cells[len(CELLS) :]
    assert values(many) == []
    progress = [o for o in many.outputs if o.output_type == "display_data"]
    assert len(progress) == 1 and "250" in progress[0].data["text/plain"]
    assert values(hidden_failure) == []
    streams = [o for o in hidden_failure.outputs if o.output_type == "stream"]
    assert {o.name for o in streams} == {"stderr"}  # one note, maybe flushed in parts
    note = "".join(o.text for o in streams)
    assert note.count("GET /bookings/BKNG-NOPE failed") == 1
    assert len(values(shown_failure)) == 1
    assert not any(o.output_type == "stream" for o in shown_failure.outputs)


# -- terminal IPython ---------------------------------------------------------------------

PROMPT = re.compile(r"In \[(\d+)\]: ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """Terminal IPython (simple prompt, no colours) in a pseudo-terminal."""

    def __init__(self, home: Path, columns: int = 100) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_")}
        env.update(HOME=str(home), IPYTHONDIR=str(home / "ipython"), TERM="dumb")
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "IPython", "--simple-prompt", "--colors=nocolor", "--no-banner"],
            cwd=str(home),
            env=env,
            encoding="utf-8",
            dimensions=(40, columns),
            timeout=60,
        )
        self.child.expect(PROMPT)

    def run(self, line: str) -> str:
        """Type ``line``; what IPython printed before the next prompt."""
        self.child.sendline(line)
        self.child.expect(PROMPT)
        printed = ANSI.sub("", self.child.before).replace("\r\n", "\n")
        return printed.split("\n", 1)[1] if "\n" in printed else ""  # drop the echo

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)


TERMINAL_LINES = [  # (line, shown, words its value shows)
    ("%oncehub_auth --sandbox", True, "Key valid for"),
    ("a = %oncehub_auth --sandbox", False, "Key valid for"),
    ("%oncehub_test", True, "Key valid for"),
    ("%oncehub_test ;", False, "Key valid for"),
    ("%oncehub bookings limit==2", True, "BKNG-"),
    ("b = %oncehub bookings limit==2", False, "BKNG-"),
    ("%oncehub bookings limit==2;", False, "BKNG-"),
    ("%oncehub --endpoints", True, "/bookings"),
    ("e = %oncehub --endpoints", False, "/bookings"),
    ("w = %oncehub_webhooks listen --events booking.canceled", False, "Webhook inbox"),
    ("%oncehub_webhooks status", True, "Webhook inbox"),
    ("%oncehub_webhooks stop", False, "Webhook inbox"),
]


@pytest.mark.slow
def test_terminal_prints_out_once_and_never_an_empty_out(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        terminal.run("%load_ext oncehub_nb")
        for line, shown, words in TERMINAL_LINES:
            printed = terminal.run(line)
            outs = re.findall(r"Out\[\d+\]:", printed)
            assert len(outs) == (1 if shown else 0), (line, printed)
            if shown:  # the value follows its Out[N]: once, and Out[N]: is not empty
                value = printed.split("Out[", 1)[1].split(":", 1)[1]
                assert value.count(words) >= 1 and printed.count(words) == value.count(words)
            else:
                assert words not in printed, (line, printed)
    finally:
        terminal.close()


# -- the ; of a magic's line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "get_ipython().run_line_magic('oncehub', 'bookings;')\n",
            "get_ipython().run_line_magic('oncehub', 'bookings');\n",
        ),
        (
            "x = 1\nget_ipython().run_line_magic('oncehub_test', ' ; ')\n\n",
            "x = 1\nget_ipython().run_line_magic('oncehub_test', '');\n\n",
        ),
        (
            "get_ipython().run_line_magic('oncehub_test;', '')\n",
            "get_ipython().run_line_magic('oncehub_test', '');\n",
        ),
        (
            "get_ipython().run_cell_magic('oncehub', 'POST contacts ;', '{}\\n')\n",
            "get_ipython().run_cell_magic('oncehub', 'POST contacts', '{}\\n');\n",
        ),
    ],
)
def test_the_semicolon_moves_out_of_our_magics_call(cell: str, expected: str) -> None:
    lines = cell.splitlines(keepends=True)
    assert "".join(semicolon_outside(lines)) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "get_ipython().run_line_magic('time', 'x;')\n",  # not ours
        "x = get_ipython().run_line_magic('oncehub', 'bookings;')\n",  # assigned anyway
        "get_ipython().run_line_magic('oncehub', 'bookings;')\nx\n",  # not the last line
        "get_ipython().run_line_magic('oncehub', name)\n",  # not a literal
        "if True:\n    get_ipython().run_line_magic('oncehub', 'a;')\n",  # inside a block
        "",
    ],
)
def test_other_cells_are_left_alone(cell: str) -> None:
    lines = cell.splitlines(keepends=True)
    assert semicolon_outside(lines) == lines
