"""Fixtures of the client tests (``oncehub_nb.http``).

They use the root conftest's ``sandbox`` (the canary key valid, rate limits off) and
``tests.support.FakeClock``; fixtures that only one module needs stay in that module.
"""
