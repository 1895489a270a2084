"""``python -m oncehub_nb check | sandbox | scan``."""

import sys

from oncehub_nb.cli import main

if __name__ == "__main__":
    sys.exit(main())
