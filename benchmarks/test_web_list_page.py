"""The dashboard's job list over 100,000 stored jobs renders in under a second, on any storage.

Each storage in ``STORAGES`` is a factory ``(tmp_path) -> Storage``; a storage
without the ``ControlStorage`` ability (it cannot list jobs by page) is
skipped, saying so. The database is filled with 100,000 rows that carry a real
message (one job scheduled through the app, its row copied under new ids),
then the list page is fetched through the ASGI app, as a browser would:

- by a *producer* app (a web worker: no live jobs, every row comes from the
  storage), and by a *scheduler* app that restored all 100,000 jobs;
- the first page, a page in the middle (``after=``), a search and a status
  filter (a filter that matches nothing has to look at every row: the worst
  case of a storage without an index for it).

Each figure is the median of 5 requests; every one must stay under a second.
Run ``pytest benchmarks/test_web_list_page.py -s`` to see them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobify import Jobify
from jobify.storage import ControlStorage, Storage
from jobify.testing.memory import MemoryDatabase, MemoryStorage

JOBS = 100_000
ROUNDS = 5
LIMIT_SECONDS = 1.0
TOKEN = "benchmark-token-0123456789"
PAGES = {
    "first page": "/jobs",
    "middle page": "/jobs?after=job-050000",
    "search": "/jobs?search=99999",
    "status filter": "/jobs?status=paused",
}


def memory(tmp_path: Path) -> Storage:
    database = MemoryDatabase()
    return MemoryStorage(database=database)


def sqlite(tmp_path: Path) -> Storage:
    from jobify.storage import SQLiteStorage  # the installed plugin, through the seed path

    storage: Storage = SQLiteStorage(database=tmp_path / "jobs.db")
    return storage


STORAGES = [pytest.param(memory, id="memory"), pytest.param(sqlite, id="sqlite")]


def twin(storage: Storage, tmp_path: Path, factory: Callable[[Path], Storage]) -> Storage:
    """A second storage object on the same jobs (another process's view)."""
    if isinstance(storage, MemoryStorage):
        return MemoryStorage(database=storage.database)
    return factory(tmp_path)


async def fill(app: Jobify, storage: Storage) -> None:
    """100,000 rows of the task ``send_email``, ids ``job-000000`` ...; one real message."""
    route = app.registry.routes["send_email"]
    await route.schedule("ada@example.com", 1).delay(86400, job_id="seed")
    (row,) = [r for r in await storage.get_schedules() if r.job_id == "seed"]
    await storage.add_schedule(*(row._replace(job_id=f"job-{i:06d}") for i in range(JOBS)))
    await storage.delete_schedule("seed")


def make_app(storage: Storage, role: str) -> Jobify:
    from jobify.serializers import ExtendedJSONSerializer

    app = Jobify.from_config(
        storage=storage, serializer=ExtendedJSONSerializer(), autoload=False, role=role
    )

    @app.task(name="send_email")
    async def send_email(to: str, n: int) -> None: ...

    return app


async def measure(app: Jobify) -> dict[str, tuple[float, int]]:
    """Median seconds and bytes of each page in PAGES."""
    from jobify_web import dashboard

    figures: dict[str, tuple[float, int]] = {}
    dash = dashboard(app, token=TOKEN)
    transport = httpx.ASGITransport(app=dash)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as http:
        for name, path in PAGES.items():
            times = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                response = await http.get(path)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
            figures[name] = (statistics.median(times), len(response.content))
        rows = (await http.get("/api/jobs")).json()["jobs"]
        assert len(rows) == 50
        assert rows[0]["id"] == "job-000000"
    return figures


@pytest.mark.parametrize("factory", STORAGES)
async def test_the_list_page_of_100000_jobs_renders_in_under_a_second(
    factory: Callable[[Path], Storage], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")
    try:
        storage = factory(tmp_path)
    except ImportError as exc:
        pytest.skip(f"storage not installed: {exc}")
    if not isinstance(storage, ControlStorage):
        pytest.skip(
            f"{type(storage).__name__} has no ControlStorage ability yet: it cannot list jobs "
            "by page (the dashboard would show one process's live jobs only)"
        )
    producer = make_app(storage, "producer")
    async with producer:
        await fill(producer, storage)
        by_producer = await measure(producer)
    scheduler = make_app(twin(storage, tmp_path, factory), "scheduler")
    async with scheduler:
        assert scheduler.statistics().jobs_live == JOBS
        by_scheduler = await measure(scheduler)
    with capsys.disabled():
        print(f"\njob list over {JOBS:,} jobs ({type(storage).__name__}), median of {ROUNDS}:")
        for who, figures in (("producer", by_producer), ("scheduler", by_scheduler)):
            for name, (seconds, size) in figures.items():
                print(f"  {who:9} {name:13} {seconds * 1000:7.1f} ms  {size / 1024:6.1f} KiB")
    for figures in (by_producer, by_scheduler):
        for name, (seconds, _) in figures.items():
            assert seconds < LIMIT_SECONDS, f"{name}: {seconds:.3f} s"
