"""With the `jobify` distribution installed, an app needs no configuration at all:
SQLite storage, extended JSON, croniter, thread and process pools are the defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, os, threading
from jobify import Cron, Jobify, RunMode
from jobify.testing.jobs import until_done

app = Jobify()


@app.task
def sync_square(x: int) -> tuple[int, str]:
    return x * x, threading.current_thread().name


@app.task(run_mode=RunMode.PROCESS)
def pid_of_worker(x: int) -> tuple[int, int]:
    return x + 1, os.getpid()


@app.task(cron=Cron("* * * * * * *", max_runs=2))
async def every_second() -> str:
    return "tick"


async def main() -> None:
    async with app:
        square = await sync_square.push(7)
        remote = await pid_of_worker.push(41)
        await square.wait()
        await remote.wait()
        cron = app.find_job("worker:every_second__jobify_cron_definition")
        await until_done(cron, 10)
        print("square", square.result()[0], square.result()[1].startswith("jobify-worker"))
        print("process", remote.result()[0], remote.result()[1] != os.getpid())
        print("cron", cron.status.value, cron.cron_context.run_count)
        print("storage", type(app.configs.storage).__name__, type(app.configs.serializer).__name__)


if __name__ == "__main__":
    asyncio.run(main())
"""


def test_sync_process_and_cron_tasks_work_without_configuration(tmp_path: Path) -> None:
    (tmp_path / "worker.py").write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "JOBIFY_CONFIG"}
    result = subprocess.run(
        [sys.executable, "worker.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "square 49 True" in lines
    assert "process 42 True" in lines
    assert "cron success 2" in lines
    assert "storage SQLiteStorage ExtendedJSONSerializer" in lines
    assert (tmp_path / "jobify.db").exists()


def test_the_sqlite_readme_config_leaves_use_out(tmp_path: Path) -> None:
    """plugins/jobify-storage-sqlite/README.md: `use` "may be left out" -- and it may."""
    from jobify import Jobify
    from jobify.storage import SQLiteStorage

    readme = Path(__file__).resolve().parents[1] / "plugins/jobify-storage-sqlite/README.md"
    assert '[jobify.storage]\ndatabase = "var/jobs.db"' in readme.read_text()
    config = tmp_path / "jobify.toml"
    config.write_text('[jobify.storage]\ndatabase = "var/jobs.db"\ntable_name = "billing_jobs"\n')
    app = Jobify.from_config(config)
    assert isinstance(app.configs.storage, SQLiteStorage)
    assert app.configs.storage.database == Path("var/jobs.db")
    assert app.configs.storage.table_name == "billing_jobs"
