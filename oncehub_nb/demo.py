"""``make demo``: validate the configured key, or the sandbox's demo key when there is none."""

from __future__ import annotations

import sys

from oncehub_nb.cli import main as cli_main
from oncehub_nb.errors import OnceHubError
from oncehub_nb.keys import find_key

__all__ = ["main"]


def main() -> int:
    """Run the terminal check against OnceHub with your key, else against the sandbox."""
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


if __name__ == "__main__":
    sys.exit(main())
