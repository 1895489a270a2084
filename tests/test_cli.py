"""The terminal commands: output and exit status, in-process and as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from oncehub_nb.cli import main
from oncehub_nb.sandbox import DEMO_ACCOUNT, DEMO_KEY


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_check_with_sandbox(capsys):
    status, out, _ = run(capsys, "check", "--sandbox")
    assert status == 0
    assert "built-in sandbox" in out
    assert f"Key valid for {DEMO_ACCOUNT}" in out
    assert "from the built-in sandbox (demo key)" in out
    assert "Traceback" not in out


def test_check_sandbox_with_a_fault_key(capsys):
    status, out, err = run(capsys, "check", "--sandbox", "--key", "sandbox-forbidden")
    assert status == 1
    assert "403" in out and "No API access" in out
    assert "Traceback" not in out + err


def test_check_reads_env_file(capsys, sandbox, tmp_path):
    env_file = tmp_path / "my.env"
    env_file.write_text(f"ONCEHUB_API_KEY={DEMO_KEY}\n", encoding="utf-8")
    status, out, _ = run(
        capsys, "check", "--env-file", str(env_file), "--base-url", sandbox.base_url
    )
    assert status == 0
    assert f"dotenv file {env_file}" in out


def test_check_wrong_key_from_environment(capsys, sandbox, monkeypatch):
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE-wrong-cli-key-0010")
    status, out, _ = run(capsys, "check", "--base-url", sandbox.base_url)
    assert status == 1
    assert "401" in out and "environment variable ONCEHUB_API_KEY" in out
    assert "FAKE-wrong-cli-key-0010" not in out


def test_check_without_key_is_a_usage_error(capsys):
    status, _, err = run(capsys, "check")
    assert status == 2
    assert "No OnceHub API key found" in err
    assert "ONCEHUB_API_KEY" in err and "Traceback" not in err


def test_check_bad_key_input_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("ONCEHUB_API_KEY", "FAKE bad\tkey")
    status, _, err = run(capsys, "check")
    assert status == 2
    assert "contains a" in err


def test_check_missing_env_file_and_insecure_url(capsys, tmp_path):
    status, _, err = run(capsys, "check", "--env-file", str(tmp_path / "none.env"))
    assert status == 2 and "No dotenv file" in err
    status, _, err = run(
        capsys, "check", "--key", "FAKE-k-0011", "--base-url", "http://example.com/v2"
    )
    assert status == 2 and "Refusing plain-HTTP" in err


def test_usage_error_from_argparse(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["check", "--no-such-option"])
    assert caught.value.code == 2


def test_python_dash_m_subprocess(tmp_path):
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


def test_sandbox_command_serves_until_interrupted(tmp_path):
    import signal
    import time

    import httpx

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncehub_nb", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        base_url = None
        deadline = time.monotonic() + 20
        lines = []
        while base_url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            for word in line.split():
                if word.startswith("http://127.0.0.1:"):
                    base_url = word.rstrip(".,")
        assert base_url, lines
        answer = httpx.get(f"{base_url}/test", headers={"API-Key": DEMO_KEY}, timeout=5)
        assert answer.status_code == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "sandbox stopped" in out
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_demo_check_uses_the_sandbox_without_a_key(capsys):
    from oncehub_nb.demo import main as demo_main

    status = demo_main(["--no-lab"])
    out = capsys.readouterr().out
    assert status == 0
    assert "No OnceHub API key configured" in out and "using the sandbox" in out
    assert f"Key valid for {DEMO_ACCOUNT}" in out


def test_demo_check_uses_your_key_when_configured(capsys, sandbox, monkeypatch):
    from oncehub_nb.demo import main as demo_main

    monkeypatch.setenv("ONCEHUB_API_KEY", DEMO_KEY)
    monkeypatch.setenv("ONCEHUB_BASE_URL", sandbox.base_url)
    status = demo_main(["--no-lab"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Validating your key (environment variable ONCEHUB_API_KEY)" in out
    assert sandbox.count(key=DEMO_KEY) == 1
