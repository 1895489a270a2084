"""Tests of ``oncehub_nb.http``: the client, transport failures, retries, limits, paging."""
