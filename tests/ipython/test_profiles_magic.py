"""Profiles, "who am I" and the key sources of notebook platforms, through a real
InteractiveShell against the sandbox over HTTP: ``%oncehub_auth --profile / --status /
--save --profile``, the header above results, the 401 card naming the profile, the
prompt where widgets cannot show, and the magics loaded lazily from an IPython config."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from oncehub_nb.sandbox import DEMO_ACCOUNT, Sandbox
from oncehub_nb.session import current
from oncehub_nb.sources import toml
from oncehub_nb.sources.profiles import profiles_path
from tests.standins import COLAB_MARKER
from tests.support import CANARY_ACCOUNT, CANARY_KEY, close_shell, fresh_shell, run_cell

STAGING_KEY = "staging-key-0000-0000-0001"
STAGING_ACCOUNT = "staging@example.com"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def accounts() -> Iterator[Sandbox]:
    """A sandbox knowing the canary key and a staging key, rate limits off."""
    keys = {CANARY_KEY: CANARY_ACCOUNT, STAGING_KEY: STAGING_ACCOUNT}
    with Sandbox(key_limit=None, address_limit=None, accounts=keys) as box:
        yield box


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    ip = fresh_shell(monkeypatch)
    ip.run_line_magic("config", "OnceHubMagics.rate_limit = False")
    yield ip
    close_shell()


def write_profiles(text: str) -> Path:
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def staging_profile(base_url: str, key: str = STAGING_KEY) -> Path:
    return write_profiles(f'[staging]\nkey = "{key}"\nbase_url = "{base_url}"\n')


def flat(text: str) -> str:
    return " ".join(text.split())


# -- choosing a profile ----------------------------------------------------------------


def test_profile_gives_its_key_and_base_url_and_the_session_knows_it(shell, accounts):
    path = staging_profile(accounts.base_url)
    result = run_cell(shell, "%oncehub_auth --profile staging")
    assert result.ok and result.account == STAGING_ACCOUNT
    session = current()
    assert session.profile == "staging" and session.base_url == accounts.base_url
    assert session.key is not None and session.key.source == f"profile 'staging' in {path}"
    assert result.header == f"Profile staging · account {STAGING_ACCOUNT} · {accounts.base_url}"
    assert str(result).splitlines()[0] == result.header


def test_oncehub_profile_chooses_when_no_profile_is_named(shell, accounts, monkeypatch):
    staging_profile(accounts.base_url)
    monkeypatch.setenv("ONCEHUB_PROFILE", "staging")
    assert run_cell(shell, "%oncehub_auth").account == STAGING_ACCOUNT
    assert current().profile == "staging"


def test_an_environment_key_comes_before_a_named_profile_with_a_note(
    shell, accounts, monkeypatch, capsys
):
    staging_profile(accounts.base_url)
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    result = run_cell(shell, f"%oncehub_auth --profile staging --base-url {accounts.base_url}")
    assert result.account == CANARY_ACCOUNT and current().profile is None
    err = capsys.readouterr().err
    assert "profile 'staging' not used: the key from environment variable ONCEHUB_API_KEY" in err


def test_an_unknown_profile_is_one_line_saying_which_exist(shell, accounts):
    staging_profile(accounts.base_url)
    with pytest.raises(UsageError, match=r"No profile 'stagign'.*it has staging"):
        shell.run_line_magic("oncehub_auth", "--profile stagign")


def test_a_profiles_file_others_can_read_is_refused_with_chmod(shell, accounts):
    path = staging_profile(accounts.base_url)
    os.chmod(path, 0o644)
    with pytest.raises(UsageError, match=re.escape(f"chmod 600 {path}")):
        shell.run_line_magic("oncehub_auth", "--profile staging")
    assert not current().signed_in


def test_the_sandbox_profile_is_the_built_in_sandbox(shell):
    result = run_cell(shell, "%oncehub_auth --profile sandbox")
    assert result.ok and result.account == DEMO_ACCOUNT
    session = current()
    assert session.sandbox is not None and session.base_url == session.sandbox.base_url
    assert result.header == (
        f"Profile sandbox · account {DEMO_ACCOUNT} · built-in sandbox {session.base_url}"
    )


def test_oncehub_test_checks_a_profile_without_touching_the_session(shell, accounts):
    staging_profile(accounts.base_url)
    run_cell(shell, f"%oncehub_auth {CANARY_KEY} --base-url {accounts.base_url}")
    result = run_cell(shell, "%oncehub_test --profile staging")
    assert result.ok and result.account == STAGING_ACCOUNT
    assert current().account == CANARY_ACCOUNT and current().profile is None


# -- saving a profile ------------------------------------------------------------------


def test_save_profile_stores_the_confirmed_key_owner_only(shell, accounts, monkeypatch, capsys):
    monkeypatch.setenv("ONCEHUB_API_KEY", STAGING_KEY)
    run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url} --save --profile staging")
    path = profiles_path()
    out = capsys.readouterr().out
    assert f"Saved the key as profile 'staging' in {path}" in flat(out)
    assert STAGING_KEY not in out
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    document = toml.loads(path.read_text(encoding="utf-8"))
    assert document == {"staging": {"key": STAGING_KEY, "base_url": accounts.base_url}}
    assert current().profile == "staging"
    monkeypatch.delenv("ONCEHUB_API_KEY")
    close_shell()  # a new kernel finds it by name
    again = fresh_shell(monkeypatch)
    assert run_cell(again, "%oncehub_auth --profile staging").account == STAGING_ACCOUNT


def test_a_save_that_fails_leaves_the_key_in_no_profile(shell, accounts, monkeypatch):
    path = write_profiles('[prod]\nkey_env = "PROD_ONCEHUB_KEY"\n')
    os.chmod(path, 0o644)  # refused: not written
    monkeypatch.setenv("ONCEHUB_API_KEY", STAGING_KEY)
    with pytest.raises(UsageError, match=r"The key works but was not saved.*chmod 600"):
        shell.run_line_magic(
            "oncehub_auth", f"--base-url {accounts.base_url} --save --profile staging"
        )
    assert current().signed_in and current().profile is None
    assert path.read_text(encoding="utf-8") == '[prod]\nkey_env = "PROD_ONCEHUB_KEY"\n'


def test_save_profile_refuses_a_rejected_key_and_writes_nothing(shell, accounts, monkeypatch):
    monkeypatch.setenv("ONCEHUB_API_KEY", "rejected-key-000000000000")
    result = run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url} --save --profile x")
    assert not result.ok and not profiles_path().exists()


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ("--save --profile sandbox", "the sandbox needs none saved"),
        ("--save --profile x --no-validate", "drop --no-validate"),
        ("--save somewhere/.env --profile x", "give no PATH"),
    ],
)
def test_save_profile_refuses_what_cannot_be_saved(shell, options, said):
    with pytest.raises(UsageError, match=said):
        shell.run_line_magic("oncehub_auth", options)


def test_forget_save_profile_removes_it(shell, accounts, capsys):
    staging_profile(accounts.base_url)
    shell.run_line_magic("oncehub_auth", "--forget --save --profile staging")
    assert "Removed profile 'staging'" in capsys.readouterr().out
    assert toml.loads(profiles_path().read_text(encoding="utf-8")) == {}


# -- who am I --------------------------------------------------------------------------


def test_status_says_profile_source_account_when_url_and_budget(shell, accounts):
    path = staging_profile(accounts.base_url)
    shell.run_line_magic("config", "OnceHubMagics.rate_limit = True")
    run_cell(shell, "%oncehub_auth --profile staging")
    run_cell(shell, "r = %oncehub users limit==1")
    status = run_cell(shell, "%oncehub_auth --status")
    rows = dict(status.rows())
    assert status.title == f"Signed in as {STAGING_ACCOUNT}"
    assert rows["Profile"] == "staging"
    assert rows["Key"] == f"ApiKey('…0001') from profile 'staging' in {path}"
    assert re.fullmatch(
        rf"{STAGING_ACCOUNT}, confirmed \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC", rows["Account"]
    )
    assert rows["Base URL"] == accounts.base_url
    # two requests sent (/test, /users): the budget left in this process (the per-second
    # window may have moved on by now; tests/http/test_ratelimit.py counts it exactly)
    assert re.search(r"[345] of 5 left \(5 requests per second per account\)", rows["Rate limits"])
    assert "198 of 200 left (200 requests per 5 minutes per IP address)" in rows["Rate limits"]
    assert rows["Requests"].startswith("2 sent")
    assert "staging" in rows["Profiles"]
    text, html = str(status), status._repr_html_()
    assert STAGING_KEY not in text + html + repr(status)
    assert "Signed in as" in html and "oncehub-ok" in html


def test_status_before_signing_in_says_what_to_do(shell):
    status = run_cell(shell, "%oncehub_auth --status")
    assert not status.signed_in and "Not signed in" in str(status)
    assert "%oncehub_auth" in dict(status.rows())["What to do"]


def test_status_is_importable_and_shows_a_key_kept_without_validation(shell, accounts):
    import oncehub_nb

    run_cell(shell, f"%oncehub_auth {CANARY_KEY} --base-url {accounts.base_url} --no-validate")
    rows = dict(oncehub_nb.status().rows())
    assert rows["Account"].startswith("not confirmed")
    assert rows["Rate limits"] == "not counted here (rate_limit is off)"


# -- the header above results ------------------------------------------------------------


def test_every_view_carries_the_header_in_html_and_text(shell, accounts):
    staging_profile(accounts.base_url)
    run_cell(shell, "%oncehub_auth --profile staging")
    header = f"Profile staging · account {STAGING_ACCOUNT} · {accounts.base_url}"
    table = run_cell(shell, "%oncehub bookings limit==3")
    booking = run_cell(shell, f"%oncehub bookings/{table.ids()[0]}")
    missing = run_cell(shell, "%oncehub bookings/BKNG-NOPE")
    for result in (table, booking, missing):
        assert result.header == header
        assert str(result).splitlines()[0] == header
        assert '<div class="oncehub-header"' in result._repr_html_()
        assert header in result._repr_html_()
    assert missing.status_code == 404


def test_no_header_on_oncehub_itself_with_no_profiles_but_the_default():
    session = current()
    for names, profile, base_url, shown in [
        ([], None, "https://api.oncehub.com/v2", False),
        (["default"], "default", "https://api.oncehub.com/v2", False),
        (["default", "staging"], "default", "https://api.oncehub.com/v2", True),
        ([], "staging", "https://api.oncehub.com/v2", True),
        ([], None, "https://proxy.example.com/v2", True),
    ]:
        session.profile_names = names
        line = session.header_for(profile, "ann@example.com", base_url)
        assert (line is not None) is shown, (names, profile, base_url)


def test_the_401_card_names_the_profile_whose_key_failed(shell, accounts):
    staging_profile(accounts.base_url, key="regenerated-key-000000000")
    result = run_cell(shell, "%oncehub_auth --profile staging")
    assert not result.ok and result.status_code == 401
    card = flat(str(result))
    assert card.startswith("Profile staging · account not confirmed")
    rows = dict(result.rows())
    assert rows["Key"].endswith(f"from profile 'staging' in {profiles_path()}")
    what_to_do = rows["What to do"]  # what usually happened (OnceHub's FAQ), which profile
    assert "regenerated" in what_to_do and "deleted" in what_to_do
    assert "profile 'staging'" in what_to_do
    assert "--prompt" in what_to_do and "add --save --profile staging" in what_to_do
    # the same on a call's error card, with the key kept unchecked
    run_cell(shell, "%oncehub_auth --profile staging --no-validate")
    failed = run_cell(shell, "%oncehub bookings")
    card = flat(str(failed))
    assert failed.status_code == 401 and card.startswith("Profile staging")
    assert "profile 'staging'" in (failed.error.hint or "")
    assert "profile &#x27;staging&#x27;" in failed._repr_html_()


# -- platforms, in the magic -----------------------------------------------------------


def test_colab_secret_signs_in_and_is_named(shell, accounts, standins, monkeypatch):
    monkeypatch.setenv(*COLAB_MARKER)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    result = run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url}")
    assert result.ok and result.key_source == "Colab's Secrets (ONCEHUB_API_KEY)"


def test_a_store_that_never_answers_is_a_note_not_a_hang(
    shell, accounts, standins, monkeypatch, capsys
):
    monkeypatch.setenv(*COLAB_MARKER)
    standins.colab.SECRETS = {"ONCEHUB_API_KEY": CANARY_KEY}
    standins.colab.HANG.clear()
    (Path.cwd() / ".env").write_text(f"ONCEHUB_API_KEY={CANARY_KEY}\n", encoding="utf-8")
    shell.run_line_magic("config", "OnceHubMagics.secret_timeout = 0.05")
    result = run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url}")
    assert result.ok and result.key_source.startswith(".env at")
    err = capsys.readouterr().err
    assert "Note: Colab's Secrets did not answer within 0.05 s: skipped" in err


# -- where widgets cannot show -----------------------------------------------------------


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """getpass answers with the canary key; the prompts asked are kept."""
    asked: list[str] = []

    def answer(prompt: str = "") -> str:
        asked.append(prompt)
        return CANARY_KEY

    monkeypatch.setattr(getpass, "getpass", answer)
    return asked


def in_kernel(monkeypatch: pytest.MonkeyPatch, shell: Any) -> None:
    monkeypatch.setattr(shell, "kernel", SimpleNamespace(_allow_stdin=True), raising=False)


def test_a_kernel_without_a_widget_manager_asks_with_the_hidden_prompt(
    shell, accounts, monkeypatch, answers
):
    in_kernel(monkeypatch, shell)  # a console: stdin, and no Jupyter server's notebook
    result = run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url}")
    assert answers == ["OnceHub API key (typing is hidden): "]
    assert result.ok and result.key_source == "the hidden prompt"


def test_a_widget_manager_that_spoke_to_the_kernel_gets_the_form(
    shell, monkeypatch, answers, capsys
):
    import ipywidgets

    in_kernel(monkeypatch, shell)
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", object())
    assert run_cell(shell, "%oncehub_auth") is None
    assert answers == [] and "OnceHub sign-in form" in capsys.readouterr().out


def test_without_ipywidgets_the_prompt_asks(shell, accounts, monkeypatch, answers):
    in_kernel(monkeypatch, shell)
    monkeypatch.setenv("JPY_SESSION_NAME", "notebook.ipynb")
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails: not installed
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name, *a: None if name == "ipywidgets" else _spec(name)
    )
    result = run_cell(shell, f"%oncehub_auth --base-url {accounts.base_url}")
    assert answers and result.ok


def _spec(name: str) -> Any:
    from importlib.machinery import PathFinder

    return PathFinder.find_spec(name)


# -- loaded on first use, from an IPython config ------------------------------------------


def readme_lazy_magics() -> str:
    """The ``c.MagicsManager.lazy_magics`` block the README gives for ipython_config.py."""
    text = README.read_text(encoding="utf-8")
    start = text.index("c.MagicsManager.lazy_magics = {")
    return text[start : text.index("}\n", start) + 2]


@pytest.mark.slow  # a real IPython in a subprocess, reading its profile's config file
def test_lazy_magics_from_the_readme_load_the_extension_on_first_use(tmp_path, accounts):
    ipython_dir = tmp_path / "ipython"
    config = ipython_dir / "profile_default" / "ipython_config.py"
    config.parent.mkdir(parents=True)
    config.write_text(f"c = get_config()\n{readme_lazy_magics()}", encoding="utf-8")
    cell = (
        "import sys\n"
        "before = 'oncehub_nb.ipython.magics' in sys.modules\n"
        f"r = %oncehub_auth {CANARY_KEY} --base-url {accounts.base_url}\n"
        "t = %oncehub users limit==1\n"
        "print('RESULT', before, r.account, len(t))\n"
    )
    env = {**os.environ, "IPYTHONDIR": str(ipython_dir), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=nocolor", "-c", cell],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert lines == [f"RESULT False {CANARY_ACCOUNT} 1"], done.stdout + done.stderr
    assert CANARY_KEY not in done.stdout.replace(f"%oncehub_auth {CANARY_KEY}", "")
