"""A third-party plugin distribution is found through its entry point and chosen by name.

The distribution lives in tests/fixtures/jobify-acme-plugin; nothing imports
it. The test installs it with pip into a private directory and runs a
subprocess with that directory on sys.path, so the rest of the suite never
sees it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "jobify-acme-plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("acme-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(FIXTURE)],
        check=True,
    )  # fmt: skip
    return target


def run(site: Path, cwd: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_discovered_and_selected_by_name_from_jobify_toml(site: Path, tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text(
        '[jobify.storage]\nuse = "acme-memory"\nnamespace = "t"\n'
        '[jobify.serializer]\nuse = "acme-repr"\n'
    )
    result = run(
        site,
        tmp_path,
        """
        import asyncio
        from jobify import Jobify
        from jobify_acme_plugin.memory import ROWS

        app = Jobify.from_config("jobify.toml")

        @app.task
        async def double(x: int) -> int:
            return 2 * x

        async def main():
            async with app:
                job = await double.schedule(21).delay(3600, job_id="later")
                print("stored:", list(ROWS["t"]))
                now = await double.push(4)
                await now.wait()
                print("result:", now.result())
            print(type(app.configs.storage).__name__, type(app.configs.serializer).__name__)

        asyncio.run(main())
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "stored: ['later']" in result.stdout
    assert "result: 8" in result.stdout
    assert "MemoryStorage ReprSerializer" in result.stdout


def test_listed_by_jobify_plugins(site: Path, tmp_path: Path) -> None:
    result = run(site, tmp_path, "from jobify.cli import main; raise SystemExit(main(['plugins']))")
    assert result.returncode == 0, result.stderr
    assert "acme-plugin  jobify-acme-plugin 2.3.0" in result.stdout
    assert "storage 'acme-memory'" in result.stdout
    assert "contract suite: none declared" in result.stdout


def test_disabled_plugin_is_not_offered(site: Path, tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text(
        '[jobify.plugins]\ndisable = ["acme-plugin"]\n[jobify.storage]\nuse = "acme-memory"\n'
    )
    result = run(site, tmp_path, "from jobify.cli import main; raise SystemExit(main(['check']))")
    assert result.returncode == 1
    assert "no storage named 'acme-memory'" in result.stderr


def test_unknown_option_of_the_plugin_is_refused(site: Path, tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text('[jobify.storage]\nuse = "acme-memory"\nnamespaec = 1\n')
    result = run(site, tmp_path, "from jobify.cli import main; raise SystemExit(main(['check']))")
    assert result.returncode == 1
    assert (
        "[jobify.storage]: unknown option 'namespaec'. Valid options: namespace." in result.stderr
    )
