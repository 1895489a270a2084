"""Constants and helpers shared by the tests."""

from __future__ import annotations

import atexit
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

REPO = Path(__file__).resolve().parents[1]  # the repository's root

# Obviously fake, and distinctive enough to search for in any output.
CANARY_KEY = "FAKE-canary-key-0000-do-not-leak-7f3a"
CANARY_ACCOUNT = "canary@example.com"

# The terminal width every test sees (COLUMNS), whatever terminal runs pytest: text views
# fit it. Wide, so that tests of what a view shows are not tests of fitting; the width
# tests give their own.
TEST_COLUMNS = 200


# Variables that would change where a key is looked for: the developer's, or a notebook
# platform's or Jupyter server's markers when the tests run inside one.
FOREIGN_VARIABLES = (
    "ONCEHUB_API_KEY",
    "ONCEHUB_BASE_URL",
    "ONCEHUB_PROFILE",
    "MY_ONCEHUB_KEY",
    "COLAB_RELEASE_TAG",
    "KAGGLE_KERNEL_RUN_TYPE",
    "JPY_SESSION_NAME",
)


def scrub_environment(monkeypatch: Any) -> None:
    """No key, base URL, profile, platform marker or terminal width from the developer's
    machine (see the root conftest.py)."""
    for var in FOREIGN_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", str(TEST_COLUMNS))


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connecting is refused): bound, noted,
    closed."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@functools.cache
def loopback() -> httpx.Client:
    """One httpx client per process for the tests' own requests to 127.0.0.1: making one
    costs tens of milliseconds (its TLS context), ``httpx.get()`` makes one per call.
    Closed when the process ends (a module's tests may run after its fixtures are gone)."""
    import httpx

    client = httpx.Client(timeout=30)
    atexit.register(client.close)
    return client


class FakeClock:
    """A clock whose time moves only when someone sleeps on it (or it is advanced).

    Give it to the client (``clock=``) and to the sandbox (``clock=clock.monotonic``)
    and waits take no real time, yet both sides agree on what time it is.
    """

    def __init__(self, start: float = 1000.0, epoch: float = 1_767_225_600.0) -> None:
        self.now = start
        self._epoch_at_start = epoch - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self._epoch_at_start + self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fresh_shell(monkeypatch: Any) -> Any:
    """A new IPython shell with the extension loaded and a new session: what a new kernel,
    or a restart, gives. Undo with :func:`close_shell`."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from oncehub_nb import session

    monkeypatch.setattr(session, "_current", session.Session())
    InteractiveShell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "oncehub_nb")
    return shell


def close_shell() -> None:
    """Forget the session's key and drop the shell made by :func:`fresh_shell`."""
    from IPython.core.interactiveshell import InteractiveShell

    from oncehub_nb.session import current

    current().forget()
    if InteractiveShell.initialized():
        drop_shell(InteractiveShell.instance())


def drop_shell(shell: Any) -> None:
    """Drop a test's shell for good. Each shell registers an exit hook that resets it and
    runs ``gc.collect()``: a hundred dropped shells made pytest's exit 7 s slower."""
    import atexit

    from IPython.core.interactiveshell import InteractiveShell

    atexit.unregister(shell.atexit_operations)
    InteractiveShell.clear_instance()


def run_cell(shell: Any, cell: str) -> Any:
    """Run a cell as a notebook would (with history), re-raise any error, return its value."""
    result = shell.run_cell(cell, store_history=True)
    result.raise_error()
    return result.result


def sign_in_to(shell: Any, base_url: str) -> Any:
    """Sign ``shell`` in to the sandbox at ``base_url`` with the canary key, the client's
    rate limiter off (the sandbox in these tests enforces none; paging under limits is
    tested with a fake clock)."""
    shell.run_line_magic("config", "OnceHubMagics.rate_limit = False")
    shell.run_line_magic("oncehub_auth", f"{CANARY_KEY} --base-url {base_url} --no-validate")
    return shell


def hypothesis_without_deadline() -> None:
    """Property tests check behaviour, not speed: no per-example deadline, which a busy
    2-core machine (two pytest workers, notebook kernels) can exceed by chance. Loaded by
    the conftest.py of each folder with property tests (hypothesis is imported only there)."""
    from hypothesis import settings

    settings.register_profile("oncehub", deadline=None)
    settings.load_profile("oncehub")
