"""Where the key comes from, in what order, and what is refused before any request."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from oncehub_nb.errors import DotenvError, InvalidKeyInput, KeyNotFound
from oncehub_nb.keys import ApiKey, find_key, locate_key, require_key

KEY_A = "FAKE-key-from-argument-1111"
KEY_E = "FAKE-key-from-environment-2222"
KEY_D = "FAKE-key-from-dotenv-3333"


def write_env(folder: Path, text: str) -> Path:
    """Write ``folder/.env`` and return its path."""
    path = folder / ".env"
    path.write_text(text, encoding="utf-8")
    return path


# --- precedence ------------------------------------------------------------------


def test_argument_wins_over_environment_and_dotenv(monkeypatch, tmp_path):
    monkeypatch.setenv("ONCEHUB_API_KEY", KEY_E)
    write_env(tmp_path, f"ONCEHUB_API_KEY={KEY_D}\n")
    monkeypatch.chdir(tmp_path)
    key = find_key(KEY_A)
    assert key.reveal() == KEY_A
    assert key.source == "argument"


def test_environment_wins_over_dotenv(monkeypatch, tmp_path):
    monkeypatch.setenv("ONCEHUB_API_KEY", KEY_E)
    write_env(tmp_path, f"ONCEHUB_API_KEY={KEY_D}\n")
    monkeypatch.chdir(tmp_path)
    key = find_key()
    assert key.reveal() == KEY_E
    assert key.source == "environment variable ONCEHUB_API_KEY"


def test_dotenv_found_from_cwd_upward(monkeypatch, tmp_path):
    path = write_env(tmp_path, f"# my settings\nONCEHUB_API_KEY={KEY_D}\n")
    nested = tmp_path / "notebooks" / "deeper"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    key = find_key()
    assert key.reveal() == KEY_D
    assert key.source == f".env at {path}"


def test_dotenv_is_read_fresh_and_not_loaded_into_environ(monkeypatch, tmp_path):
    import os

    path = write_env(tmp_path, f"ONCEHUB_API_KEY={KEY_D}\n")
    monkeypatch.chdir(tmp_path)
    assert find_key().reveal() == KEY_D
    path.write_text("ONCEHUB_API_KEY=FAKE-edited-key-4444\n", encoding="utf-8")
    assert find_key().reveal() == "FAKE-edited-key-4444"
    assert "ONCEHUB_API_KEY" not in os.environ


def test_explicit_env_file_and_custom_variable(tmp_path):
    path = tmp_path / "team.env"
    path.write_text(f"MY_ONCEHUB_KEY='{KEY_D}'\n", encoding="utf-8")
    key = find_key(env_file=path, var="MY_ONCEHUB_KEY")
    assert key.reveal() == KEY_D
    assert key.source == f"dotenv file {path}"


def test_custom_variable_from_environment(monkeypatch):
    monkeypatch.setenv("MY_ONCEHUB_KEY", KEY_E)
    assert find_key(var="MY_ONCEHUB_KEY").source == "environment variable MY_ONCEHUB_KEY"
    assert find_key() is None


def test_nothing_found_returns_none_and_says_what_was_tried():
    search = locate_key()
    assert search.key is None
    assert search.tried == [
        "ONCEHUB_API_KEY is not set",
        f"no .env file in {Path.cwd()} or its parent folders",
    ]
    with pytest.raises(KeyNotFound) as caught:
        require_key()
    assert "ONCEHUB_API_KEY is not set" in str(caught.value)
    assert ".env" in caught.value.hint


# --- dotenv problems -------------------------------------------------------------


def test_missing_explicit_dotenv_file(tmp_path):
    with pytest.raises(DotenvError) as caught:
        find_key(env_file=tmp_path / "nope.env")
    assert "No dotenv file at" in str(caught.value)
    assert ".env.example" in caught.value.hint


def test_dotenv_without_the_variable_names_the_others_not_their_values(monkeypatch, tmp_path):
    write_env(tmp_path, "OTHER_TOKEN=FAKE-secret-value-9999\nDEBUG=1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyNotFound) as caught:
        require_key()
    text = str(caught.value)
    assert "has no ONCEHUB_API_KEY (it defines DEBUG, OTHER_TOKEN)" in text
    assert "FAKE-secret-value-9999" not in text


def test_empty_value_in_dotenv(monkeypatch, tmp_path):
    write_env(tmp_path, "ONCEHUB_API_KEY=\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyNotFound, match=r"ONCEHUB_API_KEY is empty in \.env at"):
        require_key()


def test_empty_environment_variable_falls_through_to_dotenv(monkeypatch, tmp_path):
    monkeypatch.setenv("ONCEHUB_API_KEY", "  ")
    write_env(tmp_path, f"ONCEHUB_API_KEY={KEY_D}\n")
    monkeypatch.chdir(tmp_path)
    search = locate_key()
    assert search.key.reveal() == KEY_D
    assert "environment variable ONCEHUB_API_KEY is empty" in search.tried


def test_malformed_lines_are_reported_by_number(monkeypatch, tmp_path, caplog):
    path = write_env(
        tmp_path, f"this line is not an assignment 'oops\nONCEHUB_API_KEY={KEY_D}\nbad 'line\n"
    )
    monkeypatch.chdir(tmp_path)
    search = locate_key()
    assert search.key.reveal() == KEY_D
    assert search.warnings == [
        f".env at {path}: line(s) 1, 3 could not be parsed (expected NAME=value)."
    ]
    # python-dotenv would log its own warning about the same lines; it is silenced
    assert [r for r in caplog.records if r.name.startswith("dotenv")] == []


def test_unreadable_dotenv(tmp_path):
    (tmp_path / ".env").mkdir()
    with pytest.raises(DotenvError, match="is a folder, not a dotenv file"):
        find_key(env_file=tmp_path / ".env")
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"ONCEHUB_API_KEY=\xff\xfe\n")
    with pytest.raises(DotenvError, match="is not UTF-8 text"):
        find_key(env_file=binary)


def test_bad_key_in_dotenv_names_the_file(monkeypatch, tmp_path):
    write_env(tmp_path, 'ONCEHUB_API_KEY="FAKE key with spaces"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidKeyInput) as caught:
        find_key()
    assert "contains a space" in str(caught.value)
    assert ".env at" in str(caught.value)
    assert "FAKE key with spaces" not in str(caught.value)


# --- the ApiKey value -------------------------------------------------------------


def test_masked_everywhere():
    key = ApiKey("FAKE-abcdefgh-3f9a")
    assert repr(key) == "ApiKey('…3f9a')"
    assert str(key) == "ApiKey('…3f9a')"
    assert f"{key}" == "ApiKey('…3f9a')"
    assert "abcdefgh" not in repr([key, {"k": key}])
    assert key.reveal() == "FAKE-abcdefgh-3f9a"


def test_short_keys_show_nothing_of_themselves():
    assert ApiKey("FAKE-short").masked == "…"
    assert ApiKey("FAKE-11char").masked == "…"  # 11 characters: still too short
    assert ApiKey("FAKE-12chars").masked == "…hars"  # 12: the last four are shown


def test_whitespace_is_stripped_and_said():
    key = ApiKey("  FAKE-padded-key-5555\n")
    assert key.reveal() == "FAKE-padded-key-5555"
    assert key.notes == ["surrounding whitespace was removed"]
    assert ApiKey("FAKE-clean-key-5555").notes == []


def test_equality_without_revealing():
    assert ApiKey("FAKE-same-key-6666") == ApiKey(" FAKE-same-key-6666 ")
    assert hash(ApiKey("FAKE-same-key-6666")) == hash(ApiKey(" FAKE-same-key-6666 "))
    assert ApiKey("FAKE-same-key-6666") != ApiKey("FAKE-other-key-6666")
    assert ApiKey("FAKE-same-key-6666") != "FAKE-same-key-6666"  # never equal to the text


def test_not_placed_in_environ_unless_asked(monkeypatch):
    import os

    # Recorded by monkeypatch, so whatever export_to_environ() writes is undone afterwards.
    for var in ("ONCEHUB_API_KEY", "MY_ONCEHUB_KEY"):
        monkeypatch.setenv(var, "placeholder")
        monkeypatch.delenv(var)
    key = ApiKey("FAKE-env-export-7777")
    assert "ONCEHUB_API_KEY" not in os.environ
    key.export_to_environ()
    assert os.environ["ONCEHUB_API_KEY"] == "FAKE-env-export-7777"
    key.export_to_environ("MY_ONCEHUB_KEY")
    assert os.environ["MY_ONCEHUB_KEY"] == "FAKE-env-export-7777"


def test_cannot_be_pickled():
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ApiKey("FAKE-pickle-key-8888"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("   \t ", "is empty"),
        ("FAKE-key\nX-Evil: 1", "line break"),
        ("FAKE-key\rmore", "line break"),
        ("FAKE-key\x00tail", "control character"),
        ("FAKE-key\x7ftail", "control character"),
        ("FAKE key", "contains a space"),
        ("FAKE-kéy-accented", "non-ASCII character, LATIN SMALL LETTER E WITH ACUTE"),
        ("FAKE-\u200bzero-width", "control character"),
        ("FAKE-" + "x" * 300, "305 characters long"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text, problem):
    with pytest.raises(InvalidKeyInput) as caught:
        ApiKey(text)
    message = str(caught.value)
    assert problem in message
    assert "Copy the key again" in caught.value.hint
    if len(text.strip()) > 4:
        assert text.strip() not in message


def test_non_text_is_refused():
    with pytest.raises(InvalidKeyInput, match="must be text, not int"):
        ApiKey(12345)  # type: ignore[arg-type]
