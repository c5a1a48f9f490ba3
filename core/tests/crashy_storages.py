"""File storages for the crash test of the storage contract, imported by a subprocess.

``FileStorage`` writes each batch to disk (write a temporary file, fsync,
rename) before ``add_schedule`` returns. ``LazyFileStorage`` is the bug the
suite must catch: it acknowledges writes it only makes on shutdown.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from jobify.storage import ScheduledJob, Storage


class FileStorage(Storage):
    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.rows: dict[str, ScheduledJob] = {}

    async def startup(self) -> None:
        if self.path.exists():
            for r in json.loads(self.path.read_text()):
                self.rows[r[0]] = ScheduledJob(
                    r[0], r[1], base64.b64decode(r[2]), r[3], datetime.fromisoformat(r[4])
                )

    async def shutdown(self) -> None:
        self.flush()

    def flush(self) -> None:
        data = [
            [
                r.job_id,
                r.name,
                base64.b64encode(r.message).decode(),
                r.status,
                r.next_run_at.isoformat(),
            ]
            for r in self.rows.values()
        ]
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.path)

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        return list(self.rows.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        for r in scheduled:
            self.rows[r.job_id] = r
        self.flush()

    async def delete_schedule(self, job_id: str) -> None:
        self.rows.pop(job_id, None)
        self.flush()

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            self.rows.pop(job_id, None)
        self.flush()


class LazyFileStorage(FileStorage):
    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        for r in scheduled:
            self.rows[r.job_id] = r  # the bug: acknowledged, written only at shutdown
