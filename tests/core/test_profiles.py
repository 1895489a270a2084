"""The profiles file: where it is, its permissions, what a profile may hold, and writing it
(owner-only, atomically, other profiles and lines kept). Real files under tmp_path."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from oncehub_nb.constants import SANDBOX_DEMO_KEY
from oncehub_nb.errors import ConfigError
from oncehub_nb.keys import ApiKey
from oncehub_nb.sandbox import DEMO_KEY
from oncehub_nb.sources import toml
from oncehub_nb.sources.profiles import (
    check_name,
    forget_profile,
    profile_names,
    profiles_path,
    read_profiles,
    save_profile,
)
from tests.support import CANARY_KEY

STAGING = "staging-key-0000-0000-0001"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    return tmp_path / "config" / "oncehub-nb" / "profiles.toml"


# -- where ---------------------------------------------------------------------------


def test_the_file_is_under_xdg_config_home_else_the_home_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert profiles_path() == tmp_path / "xdg" / "oncehub-nb" / "profiles.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert profiles_path() == tmp_path / "home" / ".config" / "oncehub-nb" / "profiles.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")  # the spec: absolute paths only
    assert profiles_path() == tmp_path / "home" / ".config" / "oncehub-nb" / "profiles.toml"


def test_the_sandbox_profile_is_built_in_even_without_a_file(profiles):
    found = read_profiles(profiles)
    assert list(found) == ["sandbox"]
    sandbox = found["sandbox"]
    assert sandbox.builtin and sandbox.find_key().reveal() == SANDBOX_DEMO_KEY == DEMO_KEY
    assert "profile 'sandbox'" in sandbox.find_key().source


# -- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o644, 0o666, 0o700 | 0o044])
def test_a_file_others_may_read_or_change_is_refused_with_what_to_do(profiles, mode):
    write(profiles, f'[staging]\nkey = "{CANARY_KEY}"\n', mode)
    with pytest.raises(ConfigError) as refused:
        read_profiles(profiles)
    said = str(refused.value)
    assert f"({mode:04o})" in said and "others" in said
    assert f"chmod 600 {profiles}" in said
    assert CANARY_KEY not in said + repr(refused.value)


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_private_file_is_read(profiles, mode):
    write(profiles, f'[staging]\nkey = "{STAGING}"\n', mode)
    assert read_profiles(profiles)["staging"].find_key().reveal() == STAGING


def test_a_new_file_is_owner_only_in_an_owner_only_folder(profiles):
    saved = save_profile("staging", ApiKey(STAGING), path=profiles)
    assert saved.created and saved.path == profiles
    assert stat.S_IMODE(profiles.stat().st_mode) == 0o600
    assert stat.S_IMODE(profiles.parent.stat().st_mode) == 0o700
    assert read_profiles(profiles)["staging"].find_key().reveal() == STAGING


def test_saving_into_a_file_others_can_read_is_refused_and_leaves_it(profiles):
    write(profiles, '[old]\nkey_env = "OLD_KEY"\n', 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        save_profile("staging", ApiKey(STAGING), path=profiles)
    assert profiles.read_text(encoding="utf-8") == '[old]\nkey_env = "OLD_KEY"\n'


# -- what a profile holds ------------------------------------------------------------


def test_a_profile_holds_a_key_an_env_var_or_a_dotenv_and_a_base_url(profiles, monkeypatch):
    (profiles.parent).mkdir(parents=True)
    (profiles.parent / "ci.env").write_text(f"CI_KEY={STAGING}\n", encoding="utf-8")
    write(
        profiles,
        f'[inline]\nkey = "{STAGING}"\nbase_url = "https://staging.example.com/v2/"\n\n'
        '[fromenv]\nkey_env = "PROD_ONCEHUB_KEY"\n\n'
        '[fromdotenv]\ndotenv = "ci.env"\nvar = "CI_KEY"\n',
    )
    monkeypatch.setenv("PROD_ONCEHUB_KEY", STAGING)
    found = read_profiles(profiles)
    assert found["inline"].base_url == "https://staging.example.com/v2"
    assert found["inline"].find_key().source == f"profile 'inline' in {profiles}"
    env_key = found["fromenv"].find_key()
    assert env_key.source == "profile 'fromenv' (environment variable PROD_ONCEHUB_KEY)"
    dotenv_key = found["fromdotenv"].find_key()
    assert dotenv_key.source.startswith("profile 'fromdotenv' (dotenv file ")
    assert {k.reveal() for k in (env_key, dotenv_key)} == {STAGING}
    assert profile_names(profiles) == ["inline", "fromenv", "fromdotenv"]


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('key = "a-key-000000000000"\nkey_env = "X"', "exactly one of key, key_env, dotenv"),
        (
            'base_url = "https://example.com/v2"',
            "exactly one of key, key_env, dotenv (it has none)",
        ),
        ('kee = "a-key-000000000000"', "unknown field(s) kee"),
        ("key = 42", "every field is text"),
        ('key_env = "not a name"', "key_env must be a variable name"),
        ('key = "a-key-000000000000"\nbase_url = "http://example.com/v2"', "plain-HTTP"),
        ('key = "two words"', "contains a space"),
    ],
)
def test_a_profile_that_cannot_be_used_says_why_when_chosen(profiles, table, problem):
    write(profiles, f'[broken]\n{table}\n\n[fine]\nkey = "{STAGING}"\n')
    found = read_profiles(profiles)
    assert problem in (found["broken"].problem or "")
    with pytest.raises(ConfigError, match="Profile 'broken' cannot be used"):
        found["broken"].find_key()
    assert found["fine"].find_key().reveal() == STAGING
    assert profile_names(profiles) == ["fine"]


def test_a_profile_named_sandbox_in_the_file_is_refused_the_built_in_wins(profiles):
    write(profiles, f'[sandbox]\nkey = "{STAGING}"\n')
    found = read_profiles(profiles)
    assert found["sandbox"].builtin
    with pytest.raises(ConfigError):
        save_profile("sandbox", ApiKey(STAGING), path=profiles)


def test_an_env_var_profile_without_its_variable_says_which(profiles, monkeypatch):
    write(profiles, '[prod]\nkey_env = "PROD_ONCEHUB_KEY"\n')
    monkeypatch.delenv("PROD_ONCEHUB_KEY", raising=False)
    with pytest.raises(ConfigError, match="PROD_ONCEHUB_KEY, which is not set"):
        read_profiles(profiles)["prod"].find_key()


def test_not_toml_is_refused_without_quoting_the_file(profiles):
    write(profiles, f"[staging\nkey = {CANARY_KEY}\n")
    with pytest.raises(ConfigError, match="not valid TOML") as refused:
        read_profiles(profiles)
    assert CANARY_KEY not in str(refused.value)


@pytest.mark.parametrize("name", ["", "two words", "a/b", "x" * 65, "é"])
def test_profile_names_are_plain(name):
    with pytest.raises(ConfigError):
        check_name(name)


# -- writing -------------------------------------------------------------------------


def test_saving_keeps_other_profiles_and_comments_and_replaces_only_its_own(profiles):
    original = (
        "# my keys\n"
        '[prod]\nkey_env = "PROD_ONCEHUB_KEY"  # set by direnv\n\n'
        "# the staging account, EU\n"
        '[staging]\nkey = "old-key-0000000000000"\n\n'
        '[ci]\ndotenv = "/srv/ci.env"\n'
    )
    write(profiles, original)
    saved = save_profile(
        "staging", ApiKey(STAGING), base_url="http://127.0.0.1:9/v2", path=profiles
    )
    assert not saved.created
    text = profiles.read_text(encoding="utf-8")
    assert "# my keys" in text and "# set by direnv" in text and "# the staging account, EU" in text
    assert "old-key" not in text
    document = toml.loads(text)
    assert document == {
        "prod": {"key_env": "PROD_ONCEHUB_KEY"},
        "staging": {"key": STAGING, "base_url": "http://127.0.0.1:9/v2"},
        "ci": {"dotenv": "/srv/ci.env"},
    }
    assert list(document) == ["prod", "staging", "ci"]  # in place, not moved to the end
    assert stat.S_IMODE(profiles.stat().st_mode) == 0o600


def test_a_new_profile_is_added_at_the_end(profiles):
    write(profiles, '[prod]\nkey_env = "PROD_ONCEHUB_KEY"')  # no final newline
    save_profile("staging", ApiKey(STAGING), path=profiles)
    assert toml.loads(profiles.read_text(encoding="utf-8")) == {
        "prod": {"key_env": "PROD_ONCEHUB_KEY"},
        "staging": {"key": STAGING},
    }


def test_a_profile_written_another_way_is_rewritten_whole(profiles):
    write(profiles, 'staging = { key = "old-key-0000000000000" }\nprod.key_env = "P"\n')
    save_profile("staging", ApiKey(STAGING), path=profiles)
    assert toml.loads(profiles.read_text(encoding="utf-8")) == {
        "staging": {"key": STAGING},
        "prod": {"key_env": "P"},
    }


def test_writing_is_atomic_no_temporary_file_is_left(profiles, monkeypatch):
    save_profile("staging", ApiKey(STAGING), path=profiles)

    def refuse(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        save_profile("staging", ApiKey("another-key-00000000000"), path=profiles)
    assert sorted(p.name for p in profiles.parent.iterdir()) == ["profiles.toml"]
    assert read_profiles(profiles)["staging"].find_key().reveal() == STAGING  # as it was


def test_forgetting_a_profile_removes_only_it(profiles):
    write(profiles, f'# keys\n[a]\nkey = "{STAGING}"\n\n[b]\nkey_env = "B"\n')
    assert forget_profile("a", profiles)
    assert not forget_profile("a", profiles)
    text = profiles.read_text(encoding="utf-8")
    assert toml.loads(text) == {"b": {"key_env": "B"}} and "# keys" in text


def test_strings_are_escaped_when_written(profiles):
    save_profile("odd", ApiKey('k\\ey-with-"quotes"-0000'), path=profiles)
    assert read_profiles(profiles)["odd"].find_key().reveal() == 'k\\ey-with-"quotes"-0000'
