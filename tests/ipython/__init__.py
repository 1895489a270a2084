"""Tests of ``oncehub_nb.ipython``: the magics, %oncehub, the sign-in widget."""
