"""With the kernel: an app on PostgresStorage runs a durable job, and another node adopts one."""

from __future__ import annotations

import json

from jobify import Jobify


class _JSON:
    def dumpb(self, data):
        return json.dumps(data).encode()

    def loadb(self, data):
        return json.loads(data)


def make_app(storage):
    app = Jobify(storage=storage, serializer=_JSON(), cron_factory=lambda e: None)

    @app.task(name="greet")
    async def greet(who: str) -> str:
        return f"hello {who}"

    return app


async def test_a_durable_job_runs_and_its_row_is_gone(make):
    app = make_app(make())
    async with app:
        job = await app.registry.routes["greet"].push("now")
        await job.wait()
        assert job.result() == "hello now"
        later = await app.registry.routes["greet"].schedule("later").delay(3600)
        rows = await app.configs.storage.get_schedules()
        assert [r.job_id for r in rows] == [later.id]
    other = make_app(make())
    async with other:  # the first node left: its pending job is this node's now
        assert other.find_job(later.id) is not None
