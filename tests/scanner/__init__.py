"""Tests of ``oncehub_nb.scanner``: oncehub-nb scan, --fix and the pre-commit hook."""
