"""scripts/with-postgres: a throwaway PostgreSQL server around a command (`make test` uses it)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.external_service

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "with-postgres"
DSN_ENV = "JOBIFY_TEST_POSTGRES_DSN"
UP_LINE = re.compile(
    r"^with-postgres: PostgreSQL \d+ on 127\.0\.0\.1:(\d+) \(data in (/\S+)\)$", re.MULTILINE
)


def run(*cmd: str, dsn: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DSN_ENV}
    if dsn is not None:
        env[DSN_ENV] = dsn
    return subprocess.run([str(SCRIPT), *cmd], env=env, capture_output=True, text=True, timeout=180)


def test_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)


def test_starts_a_loopback_server_and_removes_it_afterwards() -> None:
    result = run("sh", "-c", f'psql "${DSN_ENV}" -Atc "select 1"; echo "${DSN_ENV}"')
    assert result.returncode == 0, result.stderr
    up = UP_LINE.search(result.stderr)
    assert up, result.stderr
    port, datadir = int(up[1]), Path(up[2])
    assert result.stdout.splitlines() == [
        "1",
        f"postgresql://postgres@127.0.0.1:{port}/jobify_test",
    ]
    assert "stopped" in result.stderr.splitlines()[-1]
    assert not datadir.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_passes_the_exit_code_through() -> None:
    result = run("sh", "-c", "exit 3")
    assert result.returncode == 3, result.stderr
    up = UP_LINE.search(result.stderr)
    assert up, result.stderr
    assert not Path(up[2]).exists()


def test_a_given_dsn_is_used_and_nothing_is_started() -> None:
    given = "postgresql://someone@db.example:6543/elsewhere"
    result = run("sh", "-c", f'echo "${DSN_ENV}"; exit 4', dsn=given)
    assert result.returncode == 4
    assert result.stdout == f"{given}\n"
    assert result.stderr == ""
