"""Where the key comes from when several sources hold one: every combination of the five
sources, through the search, the client and the CLI. The first present in this order wins:
argument, ONCEHUB_API_KEY, the platform's secret store, the chosen profile, .env."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.cli import main
from oncehub_nb.errors import ConfigError
from oncehub_nb.sources.profiles import profiles_path
from oncehub_nb.sources.search import PRECEDENCE, chosen_profile, locate_key
from tests.standins import COLAB_MARKER

KEYS = {
    "argument": "argument-key-00000000001",
    "environment": "environment-key-0000002",
    "platform": "platform-key-00000000003",
    "profile": "profile-key-000000000004",
    ".env": "dotenv-key-0000000000005",
}
SOURCES = {
    "argument": "argument",
    "environment": "environment variable ONCEHUB_API_KEY",
    "platform": "Colab's Secrets (ONCEHUB_API_KEY)",
    "profile": "profile 'work' in {profiles}",
    ".env": ".env at {cwd}/.env",
}
COMBINATIONS = [
    combo
    for size in range(len(PRECEDENCE) + 1)
    for combo in itertools.combinations(PRECEDENCE, size)
]


def private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


def arrange(present: tuple[str, ...], monkeypatch, standins) -> tuple[str | None, str | None]:
    """Put a key in each source of ``present``; the argument and the profile to pass."""
    if "environment" in present:
        monkeypatch.setenv("ONCEHUB_API_KEY", KEYS["environment"])
    monkeypatch.setenv(*COLAB_MARKER)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": KEYS["platform"]} if "platform" in present else {}
    if "profile" in present:
        private(profiles_path(), f'[work]\nkey = "{KEYS["profile"]}"\n')
    if ".env" in present:
        (Path.cwd() / ".env").write_text(f"ONCEHUB_API_KEY={KEYS['.env']}\n", encoding="utf-8")
    argument = KEYS["argument"] if "argument" in present else None
    return argument, "work" if "profile" in present else None


def expected(present: tuple[str, ...]) -> tuple[str, str] | None:
    winner = next((source for source in PRECEDENCE if source in present), None)
    if winner is None:
        return None
    source = SOURCES[winner].format(profiles=profiles_path(), cwd=Path.cwd())
    return KEYS[winner], source


def test_the_order_is_the_documented_one():
    assert PRECEDENCE == ("argument", "environment", "platform", "profile", ".env")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("The key is looked for in this order") :]
    places = [
        section.index(words)
        for words in (
            "an explicit value",
            "`ONCEHUB_API_KEY`",
            "Colab",
            "the chosen profile",
            "a dotenv file",
        )
    ]
    assert places == sorted(places)


@pytest.mark.parametrize("present", COMBINATIONS, ids=lambda c: "+".join(c) or "none")
def test_the_first_source_present_wins_in_the_search(present, monkeypatch, standins):
    argument, profile = arrange(present, monkeypatch, standins)
    search = locate_key(argument, profile=profile)
    found = (search.key.reveal(), search.source) if search.key else None
    assert found == expected(present)
    assert search.profile == ("work" if found and found[0] == KEYS["profile"] else None)
    if profile and found and found[0] != KEYS["profile"]:  # a chosen profile passed over
        assert any("profile 'work' not used" in w for w in search.warnings)


@pytest.mark.parametrize("present", [c for c in COMBINATIONS if c], ids="+".join)
def test_the_first_source_present_wins_in_the_client(present, monkeypatch, standins):
    argument, profile = arrange(present, monkeypatch, standins)
    with OnceHub(argument, profile=profile, base_url="http://127.0.0.1:9/v2") as client:
        assert (client.key.reveal(), client.key.source) == expected(present)


@pytest.mark.parametrize(
    "present", [("profile", ".env"), ("environment", "profile"), (".env",)], ids="+".join
)
def test_the_first_source_present_wins_in_the_cli(present, monkeypatch, standins, capsys):
    _, profile = arrange(present, monkeypatch, standins)
    argv = ["check", "--base-url", "http://127.0.0.1:9/v2", "--retries", "0", "--backoff", "0"]
    argv += ["--profile", profile] if profile else []
    main(argv)  # nothing answers on port 9: the card still names the key's source
    out = capsys.readouterr().out
    key, source = expected(present) or ("", "")
    assert f"…{key[-4:]}') from {source}" in " ".join(out.split())


# -- which profile is the chosen one -------------------------------------------------


@pytest.mark.parametrize(
    "given", list(itertools.product([None, "named"], [None, "fromenv"], [False, True]))
)
def test_the_named_profile_then_oncehub_profile_then_default(given, monkeypatch):
    named, from_env, has_default = given
    text = "".join(
        f'[{name}]\nkey = "{name}-key-00000000000000"\n' for name in ("named", "fromenv")
    )
    if has_default:
        text += '[default]\nkey = "default-key-0000000000000"\n'
    private(profiles_path(), text)
    if from_env:
        monkeypatch.setenv("ONCEHUB_PROFILE", from_env)
    (Path.cwd() / ".env").write_text("ONCEHUB_API_KEY=dotenv-key-00000000000\n", encoding="utf-8")
    search = locate_key(profile=named)
    want = named or from_env or ("default" if has_default else None)
    assert chosen_profile(named) == (named or from_env)
    assert search.profile == want
    assert search.key is not None
    assert search.key.reveal().startswith(f"{want}-key" if want else "dotenv-key")


def test_a_chosen_profile_without_a_key_is_an_error_never_the_dotenv_key(monkeypatch):
    private(profiles_path(), '[work]\nkey_env = "WORK_KEY"\n')
    (Path.cwd() / ".env").write_text("ONCEHUB_API_KEY=dotenv-key-00000000000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="WORK_KEY, which is not set"):
        locate_key(profile="work")
    with pytest.raises(ConfigError, match=r"No profile 'wrok'.*it has work"):
        locate_key(profile="wrok")


def test_an_unreadable_file_is_a_note_when_no_profile_was_chosen(monkeypatch):
    private(profiles_path(), '[default]\nkey = "default-key-0000000000000"\n')
    os.chmod(profiles_path(), 0o644)
    (Path.cwd() / ".env").write_text("ONCEHUB_API_KEY=dotenv-key-00000000000\n", encoding="utf-8")
    search = locate_key()
    assert search.key is not None and search.key.reveal().startswith("dotenv-key")
    assert any("chmod 600" in w for w in search.warnings)
    with pytest.raises(ConfigError, match="chmod 600"):
        locate_key(profile="default")


def test_a_profiles_base_url_goes_with_its_key_only(monkeypatch):
    private(
        profiles_path(),
        '[eu]\nkey = "eu-key-000000000000000"\nbase_url = "https://eu.example.com/v2"\n',
    )
    monkeypatch.setenv("ONCEHUB_BASE_URL", "https://env.example.com/v2")
    assert locate_key(profile="eu").base_url() == "https://eu.example.com/v2"
    assert locate_key(profile="eu").base_url("https://given.example.com/v2") == (
        "https://given.example.com/v2"
    )
    monkeypatch.setenv("ONCEHUB_API_KEY", "env-key-0000000000000")  # comes first: no profile
    assert locate_key(profile="eu").base_url() == "https://env.example.com/v2"
