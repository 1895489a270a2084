"""``python -m oncehub_nb check | sandbox``."""

import sys

from oncehub_nb.cli import main

sys.exit(main())
