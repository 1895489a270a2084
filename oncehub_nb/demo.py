"""``make demo``: validate the configured key (or the sandbox's), then open the tutorials.

With no key configured the check runs against the built-in sandbox and says so, and
the tutorial notebook does the same; with your key in ``.env`` both use OnceHub.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from oncehub_nb.cli import main as cli_main
from oncehub_nb.errors import OnceHubError
from oncehub_nb.keys import find_key

__all__ = ["main"]

TUTORIALS = (
    Path("notebooks") / "01-authenticate.ipynb",
    Path("notebooks") / "02-explore-bookings.ipynb",
    Path("notebooks") / "03-webhooks.ipynb",
)


def _check() -> int:
    try:
        key = find_key()
    except OnceHubError as problem:
        print(f"Your key configuration has a problem: {problem}", file=sys.stderr)
        return 2
    if key is None:
        print("No OnceHub API key configured (ONCEHUB_API_KEY or .env): using the sandbox.")
        return cli_main(["check", "--sandbox"])
    print(f"Validating your key ({key.source}) against OnceHub.")
    return cli_main(["check"])


def _open_jupyterlab() -> int:
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    command = [jupyter, "lab", *map(str, TUTORIALS)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    names = " and ".join(map(str, TUTORIALS))
    print(f"\nOpening JupyterLab on {names} (Ctrl-C to stop): {' '.join(command)}")
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the terminal check, then (unless --no-lab) JupyterLab on the tutorials."""
    parser = argparse.ArgumentParser(prog="python -m oncehub_nb.demo")
    parser.add_argument("--no-lab", action="store_true", help="only the terminal check")
    args = parser.parse_args(argv)
    status = _check()
    if args.no_lab or status == 2:
        return status
    return _open_jupyterlab()


if __name__ == "__main__":
    sys.exit(main())
