"""The vocabulary of the sandbox's invented data (all names and e-mails invented).

Each resource module invents its own objects from these names, from ids made by
:func:`make_id` and from a generator :func:`rng_for` its seed, so that the same seed
gives the same data every time. Every invented timestamp is at or before the account's
``seeded_at``, the sandbox clock's time when the sandbox was made.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime

_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

FIRST_NAMES = (
    "Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Gray", "Harper", "Indy",
    "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Riley",
    "Sage", "Taylor", "Umi", "Val", "Wren", "Yael", "Zion",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Brennan", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gallagher", "Hoshino",
    "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
)  # fmt: skip
TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Asia/Jerusalem", "Asia/Singapore", "Australia/Sydney",
)  # fmt: skip
COMPANIES = (
    "Northwind Widgets", "Blue Heron Labs", "Cedar & Pine Co.", "Lumen Analytics",
    "Harbor Freightworks", "Quartz Learning", "Juniper Health", "Pebble Robotics",
)  # fmt: skip
EVENT_TYPE_NAMES = (
    "Intro call", "Product demo", "Technical deep dive", "Onboarding session",
    "Quarterly review", "Support consultation", "Pricing discussion", "Renewal check-in",
    "Implementation kickoff", "Training workshop", "Partner sync", "Executive briefing",
)  # fmt: skip
JOB_TITLES = ("Operations Manager", "CTO", "Head of Sales", "Office Administrator", "Founder")


def make_id(prefix: str, seed: str) -> str:
    """Return a stable OnceHub-style id such as ``USR-3K9QJ2ZLA0`` derived from ``seed``."""
    digest = hashlib.sha256(f"{prefix}:{seed}".encode()).digest()
    return f"{prefix}-" + "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:10])


def timestamp(moment: datetime) -> str:
    """``2025-03-14T16:00:00.000Z``: a UTC datetime in the reference's "full form"."""
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond // 1000:03d}Z"


def slug(text: str) -> str:
    """``"Avery Abbott"`` -> ``"avery-abbott"``: for invented URLs."""
    return "-".join("".join(c for c in word if c.isalnum()) for word in text.lower().split())


def rng_for(seed: int, name: str) -> random.Random:
    """A random generator for one resource of one seed: the same data every time."""
    return random.Random(f"{seed}:{name}")
