"""Start, query and stop one Jupyter server (JupyterLab or Notebook 7) for the tests."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

__all__ = ["JupyterServer", "free_port", "poll"]

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def poll(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.2) -> T:
    """Call ``check`` until it returns something other than None; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = check()
        except (OSError, ValueError) as error:  # not up yet, connection refused, bad JSON
            value, last_error = None, error
        if value is not None:
            return value
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"{what}: not within {timeout:.0f} s{detail}")
        time.sleep(interval)


class PortTaken(RuntimeError):
    """Another process took the chosen port between choosing and binding it."""


@dataclass
class JupyterServer:
    """``jupyter lab`` or ``jupyter notebook`` on 127.0.0.1, with its own token and log."""

    app: str  # "lab" or "notebook"
    root_dir: Path
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, notebook: str) -> str:
        """Where the browser opens ``notebook`` (a path relative to the root dir)."""
        prefix = "lab/tree" if self.app == "lab" else "notebooks"
        return f"{self.base_url}/{prefix}/{quote(notebook)}?token={self.token}"

    def launch(self) -> JupyterServer:
        """Start the server process; ``wait_ready`` waits for it to answer."""
        command = [
            sys.executable,
            "-m",
            "jupyter",
            self.app,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root_dir, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, timeout: float = 60, attempts: int = 3) -> JupyterServer:
        """Wait until ``/api/status`` answers; on a port taken meanwhile, relaunch elsewhere."""
        for attempt in range(1, attempts + 1):
            try:
                poll(self._ready, timeout, f"jupyter {self.app} ready (log: {self.log_path})")
                return self
            except PortTaken:
                if attempt == attempts:
                    raise
                self.port = free_port()
                self.launch()
        return self

    def start(self, timeout: float = 60) -> JupyterServer:
        """Start the server and return once it answers."""
        return self.launch().wait_ready(timeout)

    def _ready(self) -> bool | None:
        assert self.process is not None
        if self.process.poll() is not None:
            log = self.log_path.read_text(encoding="utf-8", errors="replace")
            if f"The port {self.port} is already in use" in log:
                raise PortTaken(self.port)
            raise RuntimeError(
                f"jupyter {self.app} exited with {self.process.returncode}; log: {self.log_path}"
            )
        return True if self.api("GET", "/api/status") is not None else None

    def api(self, method: str, path: str, timeout: float = 5) -> Any:
        """One REST call with the token; the decoded JSON answer (None for an empty body)."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def kernel_state(self, notebook: str) -> str | None:
        """``execution_state`` of the kernel of ``notebook``'s session, None without one."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path") == notebook and session.get("kernel"):
                return str(session["kernel"].get("execution_state"))
        return None

    def wait_kernel_idle(self, notebook: str, timeout: float) -> None:
        """Wait until the notebook's kernel exists and is idle."""
        poll(
            lambda: True if self.kernel_state(notebook) == "idle" else None,
            timeout,
            f"kernel of {notebook} idle (log: {self.log_path})",
        )

    def children(self) -> list[int]:
        """PIDs of the server's child processes (its kernels), read from /proc."""
        if self.process is None:
            return []
        pids: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            try:
                pids.extend(int(pid) for pid in task.read_text().split())
            except OSError:
                continue
        return pids

    def stop(self, timeout: float = 20) -> list[int]:
        """POST /api/shutdown and wait; terminate (then kill) only this process if it lingers.

        Returns the PIDs of its kernels that are still alive afterwards (they are sent
        SIGTERM first), for the caller to report.
        """
        process = self.process
        if process is None:
            return []
        kernels = self.children()
        self.process = None
        if process.poll() is not None:
            return _survivors(kernels)
        with contextlib.suppress(OSError):  # already going down, or not answering: see below
            self.api("POST", "/api/shutdown")
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return _survivors(kernels)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _survivors(pids: list[int], timeout: float = 10) -> list[int]:
    """Wait for ``pids`` to end; terminate the ones still alive, and return those."""
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if _alive(pid)]
    for pid in survivors:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    return survivors
