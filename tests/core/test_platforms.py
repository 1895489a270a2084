"""The notebook platforms' secret stores, through stand-ins that follow Colab's and Kaggle's
documented APIs (``tests/standins.py``): asked only on their platform, bounded in time,
named as the source, their failures told without their messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncehub_nb.sources import platforms
from oncehub_nb.sources.search import locate_key
from tests.standins import COLAB_MARKER, KAGGLE_MARKER, blocked_threads
from tests.support import CANARY_KEY

SHORT = 0.05  # seconds: the injected wait for a store that never answers


def on(monkeypatch: pytest.MonkeyPatch, *markers: tuple[str, str]) -> None:
    for name, value in markers:
        monkeypatch.setenv(name, value)


def test_colab_secret_is_found_and_named(standins, monkeypatch):
    on(monkeypatch, COLAB_MARKER)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    search = locate_key()
    assert search.key is not None and search.key.reveal() == CANARY_KEY
    assert search.source == "Colab's Secrets (ONCEHUB_API_KEY)"
    assert CANARY_KEY not in repr(search)


def test_kaggle_secret_is_found_and_named(standins, monkeypatch):
    on(monkeypatch, KAGGLE_MARKER, ("KAGGLE_USER_SECRETS_TOKEN", "jwt"))
    standins.kaggle.SECRETS = {"MY_VAR": CANARY_KEY}
    search = locate_key(var="MY_VAR")
    assert search.key is not None and search.key.reveal() == CANARY_KEY
    assert search.source == "Kaggle's secrets (MY_VAR)"


def test_kaggle_is_told_apart_from_colab_whose_marker_it_also_sets(standins, monkeypatch):
    on(monkeypatch, COLAB_MARKER, KAGGLE_MARKER, ("KAGGLE_USER_SECRETS_TOKEN", "jwt"))
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": "from-colab-000000000000"}
    standins.kaggle.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    assert platforms.detect() is platforms.KAGGLE
    assert locate_key().source == "Kaggle's secrets (ONCEHUB_API_KEY)"


def test_a_store_is_not_asked_off_its_platform(standins, monkeypatch):
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}  # importable, but no marker
    standins.kaggle.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    assert platforms.detect() is None
    assert locate_key().key is None


def test_a_marker_without_the_module_is_not_a_platform(monkeypatch):
    on(monkeypatch, COLAB_MARKER, KAGGLE_MARKER)
    assert platforms.detect() is None
    search = locate_key()
    assert search.key is None and not any("Secrets" in t for t in search.tried)


def test_the_environment_variable_comes_before_the_store(standins, monkeypatch):
    on(monkeypatch, COLAB_MARKER)
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": "from-colab-000000000000"}
    assert locate_key().source == "environment variable ONCEHUB_API_KEY"


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ({"SECRETS": {}}, "Colab's Secrets have no ONCEHUB_API_KEY"),
        ({"ACCESS": set()}, "may not read ONCEHUB_API_KEY from Colab's Secrets"),
        ({"SECRETS": {"ONCEHUB_API_KEY": "  "}}, "ONCEHUB_API_KEY is empty in Colab's Secrets"),
    ],
)
def test_colab_without_the_secret_says_why_and_goes_on(standins, monkeypatch, setup, said):
    on(monkeypatch, COLAB_MARKER)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    for name, value in setup.items():
        setattr(standins.colab, name, value)
    search = locate_key()
    assert search.key is None
    assert any(said in tried for tried in search.tried), search.tried


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("jwt", "Kaggle's secrets gave no ONCEHUB_API_KEY (attach it"),
        (None, "Kaggle's secrets are not available to this notebook"),
    ],
)
def test_kaggle_without_the_secret_says_why_never_its_message(standins, monkeypatch, token, said):
    on(monkeypatch, KAGGLE_MARKER)
    if token:
        monkeypatch.setenv("KAGGLE_USER_SECRETS_TOKEN", token)
    standins.kaggle.SECRETS = {"OTHER": CANARY_KEY}  # BackendError's message quotes them
    search = locate_key()
    assert search.key is None
    assert any(said in tried for tried in search.tried), search.tried
    assert CANARY_KEY not in repr(search)


@pytest.mark.parametrize("marker", [COLAB_MARKER, KAGGLE_MARKER])
def test_a_store_that_never_answers_is_skipped_with_a_note(standins, monkeypatch, marker):
    on(monkeypatch, marker, ("KAGGLE_USER_SECRETS_TOKEN", "jwt"))
    for store in (standins.colab, standins.kaggle):
        store.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
        store.HANG.clear()  # the store blocks until released
    dotenv = Path.cwd() / ".env"  # a fresh folder (the root conftest)
    dotenv.write_text("ONCEHUB_API_KEY=from-dotenv-000000000\n", encoding="utf-8")
    search = locate_key(secret_timeout=SHORT)
    assert search.key is not None and search.source == f".env at {dotenv}"  # it went on
    (note,) = search.warnings
    assert f"did not answer within {SHORT:g} s: skipped" in note
    assert "secret_timeout" in note
    standins.release()
    for thread in blocked_threads():
        thread.join(5)  # released: each ends at once (the bound only guards a broken test)
    assert blocked_threads() == []


def test_read_secret_reports_any_error_by_class_only(standins):
    def broken(name: str) -> str:
        raise RuntimeError(f"service said: {CANARY_KEY}")

    platform = platforms.Platform("P", "P's vault", "P_MARKER", "kaggle_secrets", broken)
    reading = platforms.read_secret(platform, "ONCEHUB_API_KEY", 1.0)
    assert reading.value is None
    assert reading.why_not == "P's vault failed (RuntimeError)"
