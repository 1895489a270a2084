"""``%oncehub`` in terminal IPython (a pseudo-terminal): Tab completion and the progress line.

One IPython for the module, signed in to the built-in sandbox (400 bookings, no
network); everything it prints goes to a transcript in the artifacts folder.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import pytest
from e2ekit.terminal import ANSI, Terminal
from e2ekit.workspace import Workspace

FINAL = re.compile(
    r"GET /bookings: 400 objects · 4 pages · [\d.]+ s waiting on rate limits · done in [\d.]+ s"
)


@pytest.fixture(scope="module")
def ipython(workspace: Workspace) -> Iterator[Terminal]:
    """Signed in to the sandbox; a private HOME and IPYTHONDIR, no ONCEHUB_* variables."""
    session = Terminal(workspace, "terminal-explore")
    try:
        session.prompt()
        session.run("%load_ext oncehub_nb")
        signed_in = session.run("%oncehub_auth --sandbox")
        assert "Key valid for demo@example.com" in signed_in, signed_in
        yield session
    finally:
        session.close()
    assert not session.child.isalive()


def test_tab_completes_the_path_after_oncehub(ipython: Terminal) -> None:
    ipython.child.send("%oncehub boo")
    ipython.expect("%oncehub boo", "the typed line echoed")
    ipython.child.send("\t")
    # Several paths start with "boo": the first Tab lists them, the next picks the first.
    menu = ANSI.sub("", ipython.expect("booking-pages", "the completion menu"))
    offered = set(menu.split())
    assert {"bookings", "booking-calendars"} <= offered, menu  # then booking-pages
    ipython.child.send("\t")
    ipython.child.send("\r")  # Enter with a completion selected takes it and runs nothing
    # What the line holds now shows in what it asks for: --dry-run prints the request.
    output = ipython.run(" --dry-run")
    assert re.search(r"^GET http://127\.0\.0\.1:\d+/v2/bookings\r?$", output, re.M), output
    assert "[hidden: the session's key]" in output, output
    assert "booking-calendars" not in output.split("--dry-run", 1)[-1], output


def test_fetching_all_leaves_the_final_progress_line_from_stderr(ipython: Terminal) -> None:
    output = ipython.run("%oncehub bookings --all")
    lines = [line for line in output.split("\n") if "GET /bookings:" in line]
    assert len(lines) == 1, f"progress lines: {lines!r}"
    # Updated in place with \r; what stays on screen is the last state, then a newline.
    states = [state.strip() for state in lines[0].split("\r") if state.strip()]
    assert FINAL.fullmatch(states[-1]), states
    assert "20 of 400 fetched shown" in output, output

    # The same fetch with sys.stderr caught: the line goes there, nothing to the screen.
    ipython.run("import io, sys; _stderr, sys.stderr = sys.stderr, io.StringIO()")
    quiet = ipython.run("r = %oncehub bookings --all")
    ipython.run("_caught, sys.stderr = sys.stderr.getvalue(), _stderr")
    shown = ipython.run('print("CAUGHT", repr(_caught), len(r))')
    assert "GET /bookings:" not in quiet, f"progress shown, not on sys.stderr: {quiet!r}"
    found = re.search(r"^CAUGHT ('.*') (\d+)\r?$", shown, re.M)
    assert found, shown
    caught, length = ast.literal_eval(found.group(1)), int(found.group(2))
    assert length == 400
    assert caught.endswith("\n"), repr(caught)
    assert caught.count("\n") == 1, repr(caught)
    assert FINAL.fullmatch(caught.rsplit("\r", 1)[-1].strip()), repr(caught)
