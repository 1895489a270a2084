"""Small makers shared by the scanner's tests."""

from __future__ import annotations

import base64
import random


def png_base64(size: int = 6000, seed: int = 3) -> str:
    """An image output's payload as a notebook holds it: base64, one final newline."""
    return base64.b64encode(random.Random(seed).randbytes(size)).decode() + "\n"
