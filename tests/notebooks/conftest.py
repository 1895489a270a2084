"""Fixtures of the notebook tests: each runs notebooks in fresh Jupyter kernels through
``tests.kernels``, with the root conftest's private Jupyter folders."""
