"""Fixtures of the scanner tests (``oncehub-nb scan``, ``--fix``, the pre-commit hook).

Each module builds its own files, repositories and environment; fixtures that only one
module needs stay in that module.
"""
