"""The suite's temporary folder, the environment built on it, and the artifacts folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from e2ekit.isolation import TUTORIAL, write_lab_settings
from e2ekit.servers import JupyterServer
from e2ekit.ui import Evidence

__all__ = ["Workspace"]


@dataclass
class Workspace:
    """Where everything the suite starts keeps its files; removed at the end."""

    base: Path
    dirs: dict[str, str]
    env: dict[str, str]
    artifacts: Path
    evidence: Evidence

    def server(self, app: str, name: str, *, save_widget_state: bool = False) -> JupyterServer:
        """A server, not started, whose root holds a fresh copy of the tutorial and no .env."""
        root = self.base / "roots" / name
        root.mkdir(parents=True)
        shutil.copy(TUTORIAL, root / TUTORIAL.name)
        assert not [p for p in [root, *root.parents] if (p / ".env").exists()]
        settings = self.base / "settings" / name
        write_lab_settings(settings, save_widget_state=save_widget_state)
        # Lab reopens the tabs its workspace file lists: one workspaces dir per server keeps
        # another server's tabs (the tutorial, say) out of this one's page.
        layouts = self.base / "lab-workspaces" / name
        layouts.mkdir(parents=True)
        env = dict(
            self.env, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(layouts)
        )
        return JupyterServer(app, root, env, self.artifacts / f"{name}-server.log")
