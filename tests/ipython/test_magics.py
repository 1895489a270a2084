"""The magics through a real InteractiveShell, against the sandbox over HTTP."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import oncehub_nb
from oncehub_nb.errors import NoSessionKey
from oncehub_nb.ipython.magics import OnceHubMagics
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY
from oncehub_nb.session import current
from oncehub_nb.settings import Settings
from tests.support import CANARY_ACCOUNT, CANARY_KEY, close_shell, fresh_shell


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    """A new shell and a new session for each test; nothing carries over."""
    yield fresh_shell(monkeypatch)
    close_shell()


def run(ip: InteractiveShell, cell: str) -> Any:
    """Run a cell as a notebook would (with history) and re-raise any error in it."""
    result = ip.run_cell(cell, store_history=True)
    result.raise_error()
    return result.result


@pytest.fixture(autouse=True)
def no_prompting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that reaches getpass by mistake fails at once instead of waiting for input."""

    def refuse(prompt: str = "") -> str:
        raise AssertionError(f"unexpected prompt: {prompt!r}")

    monkeypatch.setattr(getpass, "getpass", refuse)


def magics_of(ip: InteractiveShell) -> OnceHubMagics:
    found = [c for c in ip.configurables if isinstance(c, OnceHubMagics)]
    assert len(found) == 1
    return found[0]


# --- loading ----------------------------------------------------------------------


def test_loading_twice_and_reloading_keeps_one_set_and_the_session(shell, sandbox, capsys):
    shell.run_line_magic("load_ext", "oncehub_nb")
    oncehub_nb.load_ipython_extension(shell)
    magics_of(shell)
    shell.run_line_magic("oncehub_auth", f"{DEMO_KEY} --base-url {sandbox.base_url} --no-validate")
    shell.run_line_magic("reload_ext", "oncehub_nb")
    magics_of(shell)
    assert "oncehub_auth" in shell.magics_manager.magics["line"]
    assert current().signed_in  # the key survived the reload


def test_unload_removes_the_magics(shell):
    shell.run_line_magic("unload_ext", "oncehub_nb")
    assert "oncehub_auth" not in shell.magics_manager.magics["line"]
    assert not any(isinstance(c, OnceHubMagics) for c in shell.configurables)
    shell.run_line_magic("load_ext", "oncehub_nb")
    assert "oncehub_test" in shell.magics_manager.magics["line"]


@pytest.mark.slow  # a terminal IPython in a subprocess
def test_extension_listed_in_config_reads_config(tmp_path):
    code = (
        "from traitlets.config import Config\n"
        "from IPython.terminal.interactiveshell import TerminalInteractiveShell\n"
        "from IPython.terminal.ipapp import TerminalIPythonApp\n"
        "c = Config()\n"
        "c.InteractiveShellApp.extensions = ['oncehub_nb']\n"
        "c.OnceHubMagics.timeout = 4.5\n"
        "app = TerminalIPythonApp.instance(config=c)\n"
        "app.initialize(['--no-banner', '--quick'])\n"
        "m = [x for x in app.shell.configurables if type(x).__name__ == 'OnceHubMagics']\n"
        "print(len(m), m[0].timeout, 'oncehub_auth' in app.shell.magics_manager.magics['line'])\n"
    )
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.stdout.strip().splitlines()[-1] == "1 4.5 True", done.stderr


def test_load_ext_imports_neither_httpx_nor_ipywidgets():
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance().run_line_magic('load_ext', 'oncehub_nb')\n"
        "print(sorted(m for m in ('httpx', 'httpcore', 'ipywidgets', 'oncehub_nb.http.api_client')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_import_package_loads_nothing_heavy():
    code = (
        "import sys, oncehub_nb\n"
        "print(sorted(m for m in ('httpx', 'ipywidgets', 'IPython', 'IPython.display')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


# --- configuration ----------------------------------------------------------------


def test_config_lists_and_sets_settings(shell, capsys):
    shell.run_line_magic("config", "OnceHubMagics")
    listing = capsys.readouterr().out
    for name in ("base_url", "timeout", "total_timeout", "retries", "backoff", "rate_limit"):
        assert f"OnceHubMagics.{name}" in listing
    shell.run_line_magic("config", "OnceHubMagics.timeout = 5")
    assert magics_of(shell).timeout == 5
    shell.run_line_magic("oncehub_auth", "--sandbox")  # session made: settings pushed
    assert current().settings.timeout == 5
    shell.run_line_magic("config", "OnceHubMagics.retries = 1")
    shell.run_line_magic("config", "OnceHubMagics.backoff = 0.01")
    assert current().settings == Settings(timeout=5, retries=1, backoff=0.01)
    client = current().make_client(oncehub_nb.ApiKey("FAKE-config-key-0001"))
    with client:
        assert (client.retry.retries, client.retry.backoff) == (1, 0.01)


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("timeout = -1", "above 0"),
        ("retries = 99", "between 0 and 10"),
        ("base_url = 'http://example.com/v2'", "Refusing plain-HTTP"),
        ("var = 'not a name'", "variable name"),
    ],
)
def test_bad_settings_are_refused_and_the_old_value_kept(shell, assignment, message, caplog):
    magics = magics_of(shell)
    name = assignment.split()[0]
    before = getattr(magics, name)
    shell.run_line_magic("config", f"OnceHubMagics.{assignment}")
    assert message in caplog.text
    assert getattr(magics, name) == before
    # the bad value stays in IPython's config; reloading reports it and still works
    shell.run_line_magic("reload_ext", "oncehub_nb")
    assert getattr(magics_of(shell), name) == before


def test_bad_config_file_values_do_not_stop_loading(shell, capsys):
    shell.run_line_magic("unload_ext", "oncehub_nb")
    shell.config.OnceHubMagics.timeout = -5
    shell.run_line_magic("load_ext", "oncehub_nb")
    assert "ignoring the OnceHubMagics settings" in capsys.readouterr().err
    assert magics_of(shell).timeout == 10.0
    assert "oncehub_auth" in shell.magics_manager.magics["line"]


# --- %oncehub_auth ------------------------------------------------------------------


def test_auth_from_environment_validates_and_sets_the_session(shell, sandbox, monkeypatch, capsys):
    monkeypatch.setenv("ONCEHUB_API_KEY", CANARY_KEY)
    monkeypatch.setenv("ONCEHUB_BASE_URL", sandbox.base_url)
    returned = run(shell, "%oncehub_auth")  # the cell's last line: IPython shows the answer
    out = capsys.readouterr().out
    assert returned.ok and returned.account == CANARY_ACCOUNT
    assert out.count(f"Key valid for {CANARY_ACCOUNT}") == 1
    assert "environment variable ONCEHUB_API_KEY" in out
    assert CANARY_KEY not in out
    assert oncehub_nb.client().get("/users", limit=1)["data"]


def test_auth_from_dotenv_in_the_notebook_folder(shell, sandbox, tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_text(
        f"ONCEHUB_API_KEY={DEMO_KEY}\nONCEHUB_BASE_URL={sandbox.base_url}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    run(shell, "%oncehub_auth")
    out = capsys.readouterr().out
    assert f"Key valid for {DEMO_ACCOUNT}" in out
    assert f".env at {tmp_path / '.env'}" in out


def test_auth_with_env_file_and_var_options(shell, sandbox, tmp_path, capsys):
    env_file = tmp_path / "team.env"
    env_file.write_text(f"MY_ONCEHUB_KEY={DEMO_KEY}\n", encoding="utf-8")
    run(
        shell,
        f"%oncehub_auth --env-file {env_file} --var MY_ONCEHUB_KEY --base-url {sandbox.base_url}",
    )
    assert f"dotenv file {env_file}" in capsys.readouterr().out
    assert current().signed_in


def test_wrong_key_is_shown_and_the_session_is_kept(shell, sandbox, monkeypatch, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    good_client = oncehub_nb.client()
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE-wrong-magic-key-0001")
    shown = run(shell, f"%oncehub_auth --base-url {sandbox.base_url}")
    captured = capsys.readouterr()
    assert captured.out.count("Key rejected — HTTP 401") == 1
    assert "Request-Id" in captured.out and shown.hint in " ".join(captured.out.split())
    assert shown.hint == (
        "Usually a typo, or an admin regenerated or deleted the key (a regenerated key stops "
        "working at once). Check the key from environment variable ONCEHUB_API_KEY, or "
        "create a new key in OnceHub's API settings and run %oncehub_auth --prompt to enter "
        "it; add --save to keep it in .env. ONCEHUB_API_KEY is read before .env: put the new "
        "key there too, or unset it."
    )
    assert "--no-validate" not in captured.out  # it cannot help with a rejected key
    assert "The session was not changed (the previous key is still in use)." in captured.out
    assert captured.err == ""  # shown: no note after the cell
    assert oncehub_nb.client() is good_client
    run(shell, f"r = %oncehub_auth --base-url {sandbox.base_url}")  # kept out of sight
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("Key rejected") == 1 and "the session is unchanged" in captured.err
    assert not shell.user_ns["r"].ok and oncehub_nb.client() is good_client


def test_bad_key_input_is_a_usage_error_and_keeps_the_session(shell, monkeypatch):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE key\twith tab")
    with pytest.raises(UsageError, match="contains a"):
        shell.run_line_magic("oncehub_auth", "")
    assert current().signed_in


def test_usage_errors_show_one_line_not_a_traceback(shell, capsys):
    result = shell.run_cell("%oncehub_test")
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert isinstance(result.error_in_exec, UsageError)
    assert text.strip() == (
        "UsageError: No OnceHub key in this session: run %oncehub_auth first "
        "(or oncehub_nb.AuthWidget())."
    )


def test_inline_key_warns_about_history(shell, sandbox, capsys):
    run(shell, f"%oncehub_auth {CANARY_KEY} --base-url {sandbox.base_url}")
    captured = capsys.readouterr()
    assert "input history" in captured.err and ".env" in captured.err
    assert CANARY_KEY not in captured.out + captured.err
    assert f"Key valid for {CANARY_ACCOUNT}" in captured.out


def test_no_key_without_stdin_fails_at_once_without_prompting(shell, sandbox):
    with pytest.raises(UsageError) as caught:
        shell.run_line_magic("oncehub_auth", "")
    assert sandbox.count() == 0
    message = str(caught.value)
    assert "cannot ask" in message
    assert "Set ONCEHUB_API_KEY" in message and ".env" in message


def test_no_key_in_a_kernel_without_stdin_fails_at_once(shell, monkeypatch):
    monkeypatch.setattr(shell, "kernel", SimpleNamespace(_allow_stdin=False), raising=False)
    with pytest.raises(UsageError, match="cannot ask"):
        shell.run_line_magic("oncehub_auth", "--prompt")


def test_no_key_in_a_kernel_with_stdin_shows_the_widget(shell, monkeypatch, capsys):
    monkeypatch.setattr(shell, "kernel", SimpleNamespace(_allow_stdin=True), raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "tutorial.ipynb")  # a Jupyter server's notebook
    shell.run_line_magic("oncehub_auth", "")
    out = capsys.readouterr().out
    assert "No OnceHub key found" in out
    assert "OnceHub sign-in form" in out  # the widget's text fallback in this plain shell


class FakeTerminal:
    """Stands for a terminal's stdin: the prompt path checks isatty()."""

    closed = False

    def isatty(self) -> bool:
        return True


def test_terminal_prompt_with_getpass(shell, sandbox, monkeypatch, capsys):
    import getpass

    prompts = []
    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or DEMO_KEY)
    run(shell, f"%oncehub_auth --prompt --base-url {sandbox.base_url}")
    out = capsys.readouterr().out
    assert prompts == ["OnceHub API key (typing is hidden): "]
    assert "from the hidden prompt" in out and DEMO_ACCOUNT in out


def test_terminal_prompt_without_a_key_found(shell, sandbox, monkeypatch, capsys):
    import getpass

    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "  " + DEMO_KEY + "  ")
    run(shell, f"%oncehub_auth --base-url {sandbox.base_url}")
    out = capsys.readouterr().out
    assert DEMO_ACCOUNT in out
    assert "surrounding whitespace was removed" in out


def test_no_validate_sends_nothing(shell, sandbox, capsys):
    shell.run_line_magic("oncehub_auth", f"{DEMO_KEY} --base-url {sandbox.base_url} --no-validate")
    assert "not validated" in capsys.readouterr().out
    assert sandbox.count() == 0
    assert current().signed_in


def test_forget_drops_the_key(shell, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    client = oncehub_nb.client()
    shell.run_line_magic("oncehub_auth", "--forget")
    assert "forgotten" in capsys.readouterr().out
    assert client.closed
    with pytest.raises(NoSessionKey, match="%oncehub_auth"):
        oncehub_nb.client()


def test_insecure_base_url_is_a_usage_error(shell):
    with pytest.raises(UsageError, match="Refusing plain-HTTP"):
        shell.run_line_magic("oncehub_auth", f"{DEMO_KEY} --base-url http://example.com/v2")


# --- %oncehub_test ------------------------------------------------------------------


def test_test_returns_the_result(shell, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    capsys.readouterr()
    result = shell.run_line_magic("oncehub_test", "")
    assert result.ok and result.account == DEMO_ACCOUNT and result.status_code == 200
    assert result.request_id.startswith("req_") and result.error is None
    assert capsys.readouterr().out == ""  # returned: shown only by IPython, as a last line


def test_test_shown_once_when_last_in_the_cell(shell, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    capsys.readouterr()
    run(shell, "%oncehub_test")
    assert capsys.readouterr().out.count("Key valid for") == 1
    run(shell, "r = %oncehub_test")
    assert capsys.readouterr().out == ""  # assigned: not shown
    run(shell, "%oncehub_test ;")
    assert capsys.readouterr().out == ""  # ; at the end: not shown
    assert run(shell, "r") is shell.user_ns["r"]  # a later cell shows it again
    assert capsys.readouterr().out.count("Key valid for") == 1


def test_quiet_is_accepted_and_the_value_follows_ipythons_rule(shell, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    capsys.readouterr()
    assert run(shell, "%oncehub_test -q;") is None  # IPython did not show a value
    assert capsys.readouterr().out == ""  # ; hides a last line's value
    run(shell, "quiet = %oncehub_test -q")
    assert capsys.readouterr().out == ""
    assert shell.user_ns["quiet"].ok


def test_test_with_a_sandbox_fault_key_leaves_the_session(shell, capsys):
    shell.run_line_magic("oncehub_auth", "--sandbox")
    client = oncehub_nb.client()
    result = run(shell, "%oncehub_test --sandbox sandbox-forbidden")
    assert result.status_code == 403 and not result.ok
    assert "No API access" in capsys.readouterr().out
    assert oncehub_nb.client() is client


def test_test_with_options_finds_another_key(shell, sandbox, tmp_path):
    env_file = tmp_path / "other.env"
    env_file.write_text("ONCEHUB_API_KEY=FAKE-other-key-0002\n", encoding="utf-8")
    result = shell.run_line_magic(
        "oncehub_test", f"-q --env-file {env_file} --base-url {sandbox.base_url}"
    )
    assert result.status_code == 401
    assert result.key_source == f"dotenv file {env_file}"
    assert not current().signed_in


def test_test_without_a_session_points_to_auth(shell):
    with pytest.raises(UsageError, match="run %oncehub_auth first"):
        shell.run_line_magic("oncehub_test", "")


def test_result_html_escapes_server_text():
    from oncehub_nb.errors import InvalidRequestError
    from oncehub_nb.validation import ValidationResult

    error = InvalidRequestError(
        "<script>alert(1)</script>", status_code=400, error_type="x", param="<b>p</b>"
    )
    html = ValidationResult.failure(None, error)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;p&lt;/b&gt;" in html


# --- help -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["oncehub_auth", "oncehub_test"])
def test_help_lists_every_option_and_each_one_parses(name):
    from oncehub_nb.ipython.arguments import parse_arguments

    func = getattr(OnceHubMagics, name)
    options = [d.args for d in func.decorators if hasattr(d, "args")]
    doc = func.__doc__
    assert doc.startswith(f"::\n\n  %{name} [key] ")
    for flags in options:
        for flag in flags:
            assert flag in doc, flag
    assert "-h" not in doc  # IPython's magic parsers have no --help
    parsed = parse_arguments(func, "FAKE-help-key-0001 --base-url https://x.example/v2")
    assert (parsed.key, parsed.base_url) == ("FAKE-help-key-0001", "https://x.example/v2")
    assert func.__doc__ == doc  # building the parser did not rewrite the help text


def test_help_is_shown_by_the_question_mark(shell, capsys):
    shell.run_line_magic("pinfo", "%oncehub_auth")
    out = capsys.readouterr().out
    assert "%oncehub_auth [key] [--env-file PATH]" in out
    assert "--fallback-sandbox" in out and "Find your OnceHub API key" in out
