"""Tests of ``oncehub_nb.sandbox``, over real HTTP on 127.0.0.1."""
