"""Fixtures of the ``oncehub_nb.explore`` tests.

They use the root conftest's ``sandbox`` and, for the catalog, ``tests.reference``;
fixtures that only one module needs stay in that module.
"""
