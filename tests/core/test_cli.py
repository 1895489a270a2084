"""The terminal commands: output and exit status, in-process and as a real subprocess."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from oncehub_nb.cli import main
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY, Sandbox

HANG_GUARD = 30  # seconds: only ever reached if a subprocess hangs


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``oncehub-nb argv...`` in-process: exit status, stdout, stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_with_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--sandbox")
    assert status == 0
    assert "built-in sandbox" in out
    assert f"Key valid for {DEMO_ACCOUNT}" in out
    assert "from the built-in sandbox (demo key)" in out
    assert "Traceback" not in out


def test_check_sandbox_with_a_fault_key(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "--sandbox", "--key", "sandbox-forbidden")
    assert status == 1
    assert "403" in out and "No API access" in out
    assert "Traceback" not in out + err


def test_check_shows_a_proxy_page_as_its_title_not_markup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["check", "--sandbox", "--key", "sandbox-bad-gateway", "--backoff", "0"])
    out = capsys.readouterr().out
    assert status == 1
    assert "  Retries     3\n" in out
    assert "✘ Unexpected response — HTTP 502" in out
    assert "  Body        502 Bad Gateway (HTML page)\n" in out
    assert "<" not in out  # no markup at all, not even escaped


def test_check_reads_env_file(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    env_file = tmp_path / "my.env"
    env_file.write_text(f"ONCEHUB_API_KEY={DEMO_KEY}\n", encoding="utf-8")
    status, out, _ = run(
        capsys, "check", "--env-file", str(env_file), "--base-url", sandbox.base_url
    )
    assert status == 0
    assert f"dotenv file {env_file}" in out
    assert sandbox.count(key=DEMO_KEY) == 1


def test_check_wrong_key_from_environment(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE-wrong-cli-key-0010")
    status, out, _ = run(capsys, "check", "--base-url", sandbox.base_url)
    assert status == 1
    assert "401" in out and "environment variable ONCEHUB_API_KEY" in out
    assert "FAKE-wrong-cli-key-0010" not in out


def test_check_without_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check")
    assert status == 2
    assert "No OnceHub API key found" in err
    assert "ONCEHUB_API_KEY" in err and "Traceback" not in err


def test_check_bad_key_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE bad\tkey")
    status, out, err = run(capsys, "check")
    assert status == 2
    assert out == ""
    assert err.startswith(
        "oncehub-nb: The API key contains a space (at character 5). "
        "(key from environment variable ONCEHUB_API_KEY)"
    )
    assert "FAKE bad" not in err


def test_check_missing_env_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "check", "--env-file", str(tmp_path / "none.env"))
    assert status == 2 and "No dotenv file" in err


def test_check_plain_http_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "check", "--key", "FAKE-k-0011", "--base-url", "http://example.com/v2"
    )
    assert status == 2 and "Refusing plain-HTTP" in err


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_sandbox_on_a_busy_port_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], busy_port: int
) -> None:
    status, out, err = run(capsys, "sandbox", "--port", str(busy_port))
    assert status == 2
    assert out == ""
    assert (
        err == f"oncehub-nb: cannot start the sandbox on port {busy_port}: Address already in use\n"
    )


def test_python_dash_m_subprocess(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_")}
    done = subprocess.run(
        [sys.executable, "-m", "oncehub_nb", "check", "--sandbox"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert f"Key valid for {DEMO_ACCOUNT}" in done.stdout


def stream_lines(stream: object) -> queue.Queue[str | None]:
    """Lines of ``stream`` as they come, read in a thread; None once it is closed."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_sandbox_command_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncehub_nb", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Ctrl+C as a terminal delivers it, even when the test run itself was started with
        # SIGINT ignored (a background job of a script): an ignored signal is inherited.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        lines = stream_lines(proc.stdout)
        first = lines.get(timeout=HANG_GUARD)  # printed once the port is bound and served
        running = re.fullmatch(r"OnceHub sandbox running at (http://127\.0\.0\.1:\d+/v2)", first)
        assert running, first
        seen = [first]
        while seen[-1] != "Press Ctrl+C to stop.":  # the last line before it waits
            line = lines.get(timeout=HANG_GUARD)
            assert line is not None, seen
            seen.append(line)
        answer = httpx.get(f"{running.group(1)}/test", headers={"API-Key": DEMO_KEY}, timeout=5)
        assert answer.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG_GUARD) == 0
        assert lines.get(timeout=HANG_GUARD) == "sandbox stopped"
        assert lines.get(timeout=HANG_GUARD) is None
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_demo_check_uses_the_sandbox_without_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    from oncehub_nb.demo import main as demo_main

    status = demo_main(["--no-lab"])
    out = capsys.readouterr().out
    assert status == 0
    assert "No OnceHub API key configured" in out and "using the sandbox" in out
    assert f"Key valid for {DEMO_ACCOUNT}" in out


def test_demo_check_uses_your_key_when_configured(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncehub_nb.demo import main as demo_main

    monkeypatch.setenv("ONCEHUB_API_KEY", DEMO_KEY)
    monkeypatch.setenv("ONCEHUB_BASE_URL", sandbox.base_url)
    status = demo_main(["--no-lab"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Validating your key (environment variable ONCEHUB_API_KEY)" in out
    assert sandbox.count(key=DEMO_KEY) == 1


def test_sandbox_options_reach_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    import oncehub_nb.sandbox as sandbox_package

    seen: list[dict[str, object]] = []
    monkeypatch.setattr(sandbox_package, "serve", lambda **options: seen.append(options))
    assert main(["sandbox", "--seed", "3", "--bookings", "10000", "--no-limits"]) == 0
    assert main(["sandbox", "--contacts", "7"]) == 0
    assert seen[0] == {
        "port": 0, "seed": 3, "bookings": 10000, "contacts": 5000,
        "key_limit": None, "address_limit": None,
    }  # fmt: skip
    assert (seen[1]["bookings"], seen[1]["contacts"]) == (30, 7)
    assert "key_limit" not in seen[1]  # OnceHub's limits stay on unless asked


def test_sandbox_sizes_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["sandbox", "--bookings", "-5"])
    assert stopped.value.code == 2
    assert "must be between 0 and 1,000,000" in capsys.readouterr().err


# -- profiles ------------------------------------------------------------------------


def write_profiles(text: str, mode: int = 0o600) -> Path:
    from oncehub_nb.sources.profiles import profiles_path

    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_profiles_lists_each_with_its_key_masked(capsys: pytest.CaptureFixture[str]) -> None:
    path = write_profiles(
        '[staging]\nkey = "staging-key-0000-0000-0001"\nbase_url = "https://s.example.com/v2"\n'
        '[prod]\nkey_env = "PROD_ONCEHUB_KEY"\n[broken]\nkee = "x"\n'
    )
    status, out, _ = run(capsys, "profiles")
    assert status == 0
    assert f"Profiles in {path}:" in out
    lines = {line.split()[0]: line for line in out.splitlines()[1:-1]}
    assert "key ApiKey('…0001') in the profiles file" in lines["staging"]
    assert "https://s.example.com/v2" in lines["staging"]
    assert "environment variable PROD_ONCEHUB_KEY" in lines["prod"]
    assert "unusable: unknown field(s) kee" in lines["broken"]
    assert "the built-in sandbox's demo key" in lines["sandbox"]
    assert "staging-key-0000-0000-0001" not in out


def test_profiles_without_a_file_lists_the_built_in_one(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "profiles")
    assert status == 0 and "(no such file yet)" in out and "sandbox" in out


def test_profiles_refuses_a_file_others_can_read(capsys: pytest.CaptureFixture[str]) -> None:
    path = write_profiles('[staging]\nkey_env = "X"\n', mode=0o644)
    status, _, err = run(capsys, "profiles")
    assert status == 2 and f"chmod 600 {path}" in err


def test_check_profile_validates_its_key_against_its_base_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Sandbox(key_limit=None, address_limit=None) as box:
        write_profiles(f'[demo]\nkey = "{DEMO_KEY}"\nbase_url = "{box.base_url}"\n')
        status, out, _ = run(capsys, "check", "--profile", "demo")
    assert status == 0
    assert f"Key valid for {DEMO_ACCOUNT}" in out and "from profile 'demo' in" in out


def test_check_profile_sandbox_starts_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--profile", "sandbox")
    assert status == 0 and "built-in sandbox" in out and DEMO_ACCOUNT in out


def test_check_an_unknown_profile_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check", "--profile", "nope")
    assert status == 2 and "No profile 'nope'" in err
