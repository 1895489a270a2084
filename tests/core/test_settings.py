"""One definition of every default and every check, used by client, session, magics and CLI."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

from oncehub_nb.cli import _parser
from oncehub_nb.errors import ConfigError, InsecureURLError
from oncehub_nb.http.api_client import OnceHub
from oncehub_nb.http.retry import RetryPolicy
from oncehub_nb.ipython.magics import OnceHubMagics
from oncehub_nb.session import Session
from oncehub_nb.settings import DEFAULTS, Settings, check_setting

SETTING_NAMES = {item.name for item in fields(Settings)}


def test_the_magics_have_one_trait_per_setting_with_its_default_and_help():
    traits = OnceHubMagics.class_traits(config=True)
    assert set(traits) == SETTING_NAMES
    for name, trait in traits.items():
        assert trait.default_value == getattr(DEFAULTS, name), name
        assert trait.help == Settings.help(name), name


def test_the_client_defaults_are_the_settings_defaults():
    signature = inspect.signature(OnceHub)
    client_options = DEFAULTS.client_options()
    assert set(client_options) == {
        "timeout", "connect_timeout", "total_timeout", "retries", "backoff", "rate_limit"
    }  # fmt: skip
    for name, default in client_options.items():
        assert signature.parameters[name].default == default, name
    assert signature.parameters["var"].default == DEFAULTS.var
    assert (RetryPolicy().retries, RetryPolicy().backoff) == (DEFAULTS.retries, DEFAULTS.backoff)


def test_a_new_session_starts_from_the_defaults():
    assert Session().settings == DEFAULTS


def test_the_cli_defaults_are_the_settings_defaults():
    args = _parser().parse_args(["check"])
    assert (args.timeout, args.retries, args.backoff, args.var) == (
        DEFAULTS.timeout, DEFAULTS.retries, DEFAULTS.backoff, DEFAULTS.var
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("timeout", 0, "above 0"),
        ("connect_timeout", -1.5, "above 0"),
        ("total_timeout", float("inf"), "finite"),
        ("timeout", "10", "number of seconds"),
        ("backoff", -0.1, "between 0 and 60"),
        ("retries", 11, "between 0 and 10"),
        ("retries", 2.5, "whole number"),
        ("retries", True, "whole number"),
        ("var", "not a name", "variable name"),
        ("base_url", "ftp://example.com", "not an http(s) URL"),
    ],
)
def test_bad_values_are_refused_with_what_to_give(name, value, words):
    with pytest.raises(ConfigError) as caught:
        check_setting(name, value)
    assert words in str(caught.value)
    with pytest.raises(ConfigError):
        Settings(**{name: value})


def test_plain_http_is_refused_beyond_this_machine():
    with pytest.raises(InsecureURLError):
        Settings(base_url="http://api.oncehub.com/v2")
    assert Settings(base_url="http://127.0.0.1:8000/v2/").base_url == "http://127.0.0.1:8000/v2"


def test_values_are_normalised():
    assert Settings(timeout=3).timeout == 3.0 and isinstance(Settings(timeout=3).timeout, float)


def test_the_client_refuses_bad_settings_before_sending_anything():
    with pytest.raises(ConfigError, match="retries must be between 0 and 10"):
        OnceHub("FAKE-settings-key-0001", retries=50)
