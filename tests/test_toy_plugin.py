"""Walk docs/writing-a-plugin.md: a toy plugin written from it installs, is selected, passes its suite.

tests/fixtures/jobify-toy-serializer was written from the doc alone. The test
installs it with pip into a private directory (the rest of the suite never
sees it), selects it in a jobify.toml from a subprocess, lists it with
``jobify plugins`` and runs its own contract tests with pytest against the
installed copy.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "jobify-toy-serializer"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("toy-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(FIXTURE)],
        check=True,
    )  # fmt: skip
    return target


def run(site: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_selected_from_jobify_toml_and_used_for_durable_jobs(site: Path, tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text(
        '[jobify.serializer]\nuse = "toy-zlib"\nlevel = 9\n'
        '[jobify.storage]\nuse = "sqlite"\ndatabase = "jobs.db"\n'
    )
    code = """
        import asyncio, zlib
        from jobify import Jobify

        app = Jobify.from_config("jobify.toml")

        @app.task
        async def double(x: int) -> int:
            return 2 * x

        async def main():
            async with app:
                await double.schedule(21).delay(3600, job_id="later")
                (row,) = await app.configs.storage.get_schedules()
                print("stored:", row.job_id, zlib.decompress(row.message)[:1])
                job = await double.push(4)
                await job.wait()
                print("result:", job.result())
            s = app.configs.serializer
            print(type(s).__module__, type(s).__name__, s.level)

        asyncio.run(main())
    """
    result = run(site, tmp_path, "-c", textwrap.dedent(code))
    assert result.returncode == 0, result.stderr
    assert "stored: later b'{'" in result.stdout
    assert "result: 8" in result.stdout
    assert "jobify_toy_serializer.serializer ToySerializer 9" in result.stdout


def test_a_bad_option_is_refused_at_assembly(site: Path, tmp_path: Path) -> None:
    (tmp_path / "jobify.toml").write_text('[jobify.serializer]\nuse = "toy-zlib"\nlevle = 9\n')
    result = run(site, tmp_path, "-m", "jobify.cli", "check")
    assert result.returncode == 1
    assert "unknown option 'levle'. Valid options: level." in result.stderr


def test_listed_by_jobify_plugins_with_its_contract_suite(site: Path, tmp_path: Path) -> None:
    result = run(site, tmp_path, "-m", "jobify.cli", "plugins")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "toy-serializer  jobify-toy-serializer 0.1.0" in out
    block = out[out.index("toy-serializer  ") :].split("\n")[:3]
    assert block[1].strip() == "serializer 'toy-zlib'"
    assert block[2].strip() == "contract suite: tests/test_contract.py (present)"


def test_its_contract_suite_passes_against_the_installed_copy(site: Path, tmp_path: Path) -> None:
    result = run(
        site, FIXTURE, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-W",
        "error", "--rootdir", str(FIXTURE),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout
    assert "failed" not in result.stdout
    # the copy under test is the installed one, not the source tree
    check = run(site, tmp_path, "-c", "import jobify_toy_serializer as m; print(m.__file__)")
    assert check.stdout.startswith(str(site))
