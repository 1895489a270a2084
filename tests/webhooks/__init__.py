"""Tests of ``oncehub_nb.webhooks``: signatures and the inbox."""
