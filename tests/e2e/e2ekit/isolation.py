"""A private home for everything the suite starts, and a guard on the real one."""

from __future__ import annotations

import json
import os
import pwd
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "REPO",
    "TUTORIAL",
    "VENV_BIN",
    "HomeGuard",
    "isolated_dirs",
    "real_home",
    "server_env",
    "write_lab_settings",
]

REPO = Path(__file__).resolve().parents[3]  # tests/e2e/e2ekit/isolation.py
TUTORIAL = REPO / "notebooks" / "01-authenticate.ipynb"
VENV_BIN = Path(sys.executable).parent

# Variables that would point the product at a real account or elsewhere.

# Where Jupyter, IPython, Chromium and Playwright write when left to their defaults.
WATCHED_IN_HOME = (
    ".jupyter",
    ".local/share/jupyter",
    ".ipython",
    ".cache/ms-playwright",
    ".cache/chromium",
    ".config/chromium",
    ".pki",
)

NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}
TRACKER_SETTINGS = {"autoStartDefaultKernel": True}


def isolated_dirs(base: Path) -> dict[str, str]:
    """HOME, XDG_*, IPython and Jupyter directories, all under ``base`` (created)."""
    names = {
        "HOME": "home",
        "XDG_CONFIG_HOME": "xdg/config",
        "XDG_DATA_HOME": "xdg/data",
        "XDG_CACHE_HOME": "xdg/cache",
        "XDG_STATE_HOME": "xdg/state",
        "XDG_RUNTIME_DIR": "xdg/runtime",
        "IPYTHONDIR": "ipython",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_DATA_DIR": "jupyter/data",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "JUPYTERLAB_SETTINGS_DIR": "jupyter/lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "jupyter/lab-workspaces",
        "MPLCONFIGDIR": "matplotlib",
        "PLAYWRIGHT_BROWSERS_PATH": "playwright-browsers",
        "TMPDIR": "tmp",
    }
    dirs = {}
    for var, relative in names.items():
        path = base / relative
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        dirs[var] = str(path)
    return dirs


def server_env(dirs: dict[str, str]) -> dict[str, str]:
    """The environment for Jupyter and IPython: isolated, no ONCEHUB_* variable, venv first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_")}
    env.update(dirs)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    env.pop("JUPYTER_PATH", None)
    env.pop("PYTHONSTARTUP", None)
    return env


def write_lab_settings(settings_dir: Path, *, save_widget_state: bool = False) -> None:
    """The settings that keep pop-ups away, and optionally widget-state saving."""
    files: dict[str, dict[str, object]] = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": NOTIFICATION_SETTINGS,
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": TRACKER_SETTINGS,
    }
    if save_widget_state:
        files["@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"] = {
            "saveState": True
        }
    for relative, settings in files.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def real_home() -> Path:
    """The account's home directory, whatever HOME says."""
    return Path(pwd.getpwuid(os.getuid()).pw_dir)


@dataclass
class HomeGuard:
    """Remembers what the real home holds in the watched places; lists what appeared."""

    home: Path = field(default_factory=real_home)
    before: set[str] = field(default_factory=set)
    started: str = ""

    def snapshot(self) -> set[str]:
        """Every watched directory that exists, and every file or folder beneath it."""
        found: set[str] = set()
        for relative in WATCHED_IN_HOME:
            top = self.home / relative
            if not top.exists():
                continue
            found.add(relative)
            for root, dirnames, filenames in os.walk(top):
                for name in dirnames + filenames:
                    found.add(str(Path(root, name).relative_to(self.home)))
        return found

    def start(self) -> HomeGuard:
        self.before = self.snapshot()
        self.started = time.strftime("%H:%M:%S")
        return self

    def new_entries(self) -> list[str]:
        """What appeared in the watched places since ``start``, each with its time."""
        entries = []
        for relative in sorted(self.snapshot() - self.before):
            try:
                mtime = (self.home / relative).stat().st_mtime
                when = time.strftime("%H:%M:%S", time.localtime(mtime))
            except OSError:
                when = "gone again"
            entries.append(f"{relative} ({when})")
        return entries
