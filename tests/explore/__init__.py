"""Tests of ``oncehub_nb.explore``: the catalog, completion, views and frames."""
