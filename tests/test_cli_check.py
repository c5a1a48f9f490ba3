"""`jobify check` refuses what startup refuses, and every subcommand imports like `run`.

Issue 13: `check` said "ok" to executor options that then failed every sync
job, and only `run` put the current directory on the import path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobify import Jobify
from jobify.exceptions import ConfigError


def jobify(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `jobify` command in ``tmp_path``, as a user in that directory would.

    ``-P``: like the installed `jobify` script, and unlike ``python -m``, Python
    itself does not put the current directory on the import path.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("JOBIFY_CONFIG", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-P", "-m", "jobify.cli", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("table", "line", "expected"),
    [
        ("thread", 'max_workers = "4"', ["max_workers='4'", "expected an int or None, got str"]),
        ("thread", "max_workers = 0", ["max_workers=0", "expected an int >= 1"]),
        ("process", 'mp_context = "sapwn"', ["mp_context='sapwn'", "Did you mean 'spawn'?"]),
        ("process", "max_tasks_per_child = -1", ["max_tasks_per_child=-1", ">= 1"]),
        (
            "thread",
            "max_worker = 4",
            ["unknown option 'max_worker'", "Did you mean 'max_workers'?"],
        ),
    ],
    ids=["thread-str", "thread-zero", "process-typo", "process-negative", "thread-unknown-key"],
)
def test_check_refuses_bad_executor_options_naming_the_key(
    tmp_path: Path, table: str, line: str, expected: list[str]
) -> None:
    cfg = tmp_path / "jobify.toml"
    cfg.write_text(f"[jobify.storage]\nuse = false\n[jobify.executors.{table}]\n{line}\n")
    out = jobify(tmp_path, "check")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "ok" not in out.stdout
    message = out.stderr.strip().removeprefix("error: ")
    assert f"jobify.toml [jobify.executors.{table}]" in message
    for text in expected:
        assert text in message, message
    # exactly what the app's startup says
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(cfg)
    assert str(info.value).replace(str(cfg), "jobify.toml") == message.replace(
        str(cfg), "jobify.toml"
    )


def test_check_accepts_good_executor_options(tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text(
        "[jobify.storage]\nuse = false\n"
        '[jobify.executors.thread]\nmax_workers = 4\nthread_name_prefix = "jobs"\n'
        '[jobify.executors.process]\nmax_workers = 2\nmp_context = "spawn"\n'
    )
    out = jobify(tmp_path, "check")
    assert out.returncode == 0, out.stderr
    assert "jobify.toml: ok" in out.stdout
    assert "executors:   thread, process" in out.stdout


LOCAL_ADAPTER = """
from jobify.typeadapter import IdentityAdapter

class Adapter(IdentityAdapter):
    pass
"""

LOCAL_STORAGE = "from jobify.testing.memory import MemoryStorage as Store\n"


@pytest.mark.parametrize("command", ["check", "plugins", "jobs"])
def test_every_subcommand_imports_modules_of_the_current_directory(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "localadapter.py").write_text(LOCAL_ADAPTER)
    (tmp_path / "localstore.py").write_text(LOCAL_STORAGE)
    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "localstore:Store"\n'
        '[jobify.typeadapter]\nuse = "localadapter:Adapter"\n'
    )
    out = jobify(tmp_path, command)
    assert out.returncode == 0, out.stderr
    assert "cannot import" not in out.stderr
    if command == "check":
        assert "storage:     MemoryStorage" in out.stdout
        assert "typeadapter: Adapter" in out.stdout
