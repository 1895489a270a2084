"""Helpers for the browser and terminal tests: isolation, servers, pages, keys."""
