"""The keys the tests type, what the sandbox answers, and the check on saved notebooks."""

from __future__ import annotations

import json
import re
from typing import Any

from e2ekit.isolation import TUTORIAL

__all__ = [
    "DEMO_KEY",
    "FORBIDDEN",
    "RATE_LIMITED",
    "SUCCESS_EXPECTED",
    "WRONG_KEY",
    "WRONG_KEY_EXPECTED",
    "assert_no_key_saved",
]

DEMO_KEY = "sandbox-demo-key"
FORBIDDEN = "sandbox-forbidden"
RATE_LIMITED = "sandbox-ratelimited"
WRONG_KEY = "FAKE-wrong-key-e2e"

SUCCESS_EXPECTED: list[str | re.Pattern[str]] = ["Key valid for demo@example.com"]
WRONG_KEY_EXPECTED: list[str | re.Pattern[str]] = [
    "401",
    "authentication_error",
    "Invalid API key.",
    re.compile(r"req_[0-9a-f]{8,}"),
    "a typo, or an admin regenerated or deleted the key",
]


def _without_sources(notebook: dict[str, Any]) -> dict[str, Any]:
    cells = [{k: v for k, v in cell.items() if k != "source"} for cell in notebook["cells"]]
    return {**notebook, "cells": cells}


def assert_no_key_saved(saved_text: str, keys: list[str]) -> dict[str, Any]:
    """No typed key in outputs, metadata or widget state, nor more often than the tutorial.

    The tutorial's own text names some sandbox keys (``sandbox-demo-key`` …), so a key
    may appear in cell sources exactly as often as in the tutorial, and nowhere else.
    Returns the saved notebook.
    """
    original = TUTORIAL.read_text(encoding="utf-8")
    notebook = json.loads(saved_text)
    beyond_sources = json.dumps(_without_sources(notebook))
    assert keys, "no key was typed: nothing to check"
    for key in dict.fromkeys(keys):
        assert key not in beyond_sources, f"typed key {key!r} saved in outputs or metadata"
        assert saved_text.count(key) <= original.count(key), (
            f"typed key {key!r} saved: {saved_text.count(key)} times in the saved notebook, "
            f"{original.count(key)} in the tutorial"
        )
    assert "demo@example.com" in beyond_sources, "the saved notebook has no outputs"
    return notebook
