"""``jobify jobs`` on a PostgreSQL cluster lists every node's rows and takes none of them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from jobify import Jobify

pytestmark = pytest.mark.external_service


def test_jobify_jobs_lists_the_cluster_without_adopting(postgres_dsn: str, tmp_path: Path) -> None:
    config = tmp_path / "jobify.toml"
    config.write_text(
        f'[jobify.storage]\nuse = "postgres"\ndsn = "{postgres_dsn}"\n'
        f'schema = "cli_{uuid.uuid4().hex[:8]}"\nlease_seconds = 30\n'
    )

    async def scenario() -> tuple[str, set[str]]:
        app = Jobify.from_config(config)

        @app.task(name="later")
        async def later(n: int) -> None:
            del n

        async with app:
            for n in range(3):
                await later.schedule(n).delay(600, job_id=f"later-{n}")
            listing = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "jobify.cli", "jobs", "--config", str(config)],
                capture_output=True,
                text=True,
                env={**os.environ, "JOBIFY_CONFIG": ""},
                timeout=60,
                check=True,
            )
            await asyncio.sleep(0.2)  # an adoption by the command would have reached us
            still_ours = {job.id for job in app.get_active_jobs()}
            stored = {row.job_id for row in await app.configs.storage.get_schedules()}
            assert stored == {"later-0", "later-1", "later-2"}
        return listing.stdout, still_ours

    out, still_ours = asyncio.run(scenario())
    lines = out.splitlines()
    # the storage keeps run history: the last run's columns are shown (none ran yet)
    assert lines[0].split() == [
        "ID",
        "TASK",
        "STATUS",
        "NEXT",
        "RUN",
        "(UTC)",
        "LAST",
        "RUN",
        "TOOK",
    ]
    assert sorted(line.split()[0] for line in lines[1:-1]) == ["later-0", "later-1", "later-2"]
    assert all(line.split()[1:3] == ["later", "scheduled"] for line in lines[1:-1])
    assert all(line.split()[-2:] == ["-", "-"] for line in lines[1:-1])
    assert lines[-1].startswith("3 job(s) in PostgreSQL database ")  # it names the storage
    assert "schema 'cli_" in lines[-1] and "@" not in lines[-1]  # never the credentials
    assert still_ours == {"later-0", "later-1", "later-2"}
