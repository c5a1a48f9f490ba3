"""PostgresStorage operating a scheduler: schema 3 migration, the feed's wake-up, control on a cluster.

The contract suites (test_contract.py) check each ability on its own; these
check what is PostgreSQL's: a version 2 schema migrated in place, the NOTIFY
wake-up and its fallback, a paused row no node claims, a run request handed
to one node, fencing of a run request's clear, the cluster view and the
read-only view ``jobify jobs`` uses.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from jobify import JobStatus
from jobify.exceptions import StorageNotFoundError
from jobify.storage import (
    ChangeFeed,
    ClusterView,
    ControlStorage,
    HistoryStorage,
    InspectableStorage,
    ResultStorage,
)
from jobify_storage_postgres import (
    SCHEMA_VERSION,
    PostgresStorage,
    PostgresStorageStateError,
)
from jobify_storage_postgres._schema import MIGRATIONS

T0 = datetime(2030, 1, 1, tzinfo=UTC)


async def _sql(dsn: str, *statements: str) -> list[list[asyncpg.Record]]:
    conn = await asyncpg.connect(dsn)
    try:
        return [await conn.fetch(statement) for statement in statements]
    finally:
        await conn.close()


async def _make_v2_schema(dsn: str, schema: str) -> None:
    """A schema as jobify-storage-postgres with schema version 2 left it, with rows."""
    s = f'"{schema}"'
    statements = [f"CREATE SCHEMA {s}", f"CREATE TABLE {s}.meta (version int NOT NULL)"]
    statements += [sql.format(s=s) for version in (1, 2) for sql in MIGRATIONS[version]]
    statements += [
        f"INSERT INTO {s}.meta (version) VALUES (2)",
        f"INSERT INTO {s}.nodes (node_id, lease_until, epoch) VALUES "
        "('old:host:1:00000000', now() - interval '1 hour', 7)",
        f"INSERT INTO {s}.jobs (job_id, name, message, status, next_run_at, owner, epoch) VALUES "
        "('kept-1', 'mod:task', '\\x01', 'scheduled', '2030-01-01T00:00:00Z', "
        "'old:host:1:00000000', 7), "
        "('kept-2', 'mod:task', '\\x02', 'running', '2030-01-01T00:01:00Z', "
        "'old:host:1:00000000', 7)",
        f"INSERT INTO {s}.jobs (job_id, name, message, status, next_run_at, set_aside) VALUES "
        "('aside', 'gone:task', '\\x03', 'scheduled', '2030-01-01T00:02:00Z', 'no task')",
    ]
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


# --- schema version 3 ----------------------------------------------------------------


def test_it_declares_every_operations_ability(make):
    storage = make()
    for ability in (
        ChangeFeed, ControlStorage, HistoryStorage, ResultStorage, InspectableStorage, ClusterView
    ):  # fmt: skip
        assert isinstance(storage, ability), ability.__name__
    assert SCHEMA_VERSION == 3


async def test_a_version_2_schema_is_migrated_in_place_keeping_every_row(
    make, postgres_dsn, schema
):
    await _make_v2_schema(postgres_dsn, schema)
    reader = make().read_only()  # read-only first: it reads version 2 as it is
    await reader.startup()
    try:
        listed = {s.row.job_id: s for s in await reader.list_jobs()}
        assert set(listed) == {"aside", "kept-1", "kept-2"}
        assert not any(s.paused or s.run_requested for s in listed.values())
        assert await reader.get_runs() == []
        assert await reader.get_outcome("kept-1") is None
        assert await reader.changes(await reader.cursor()) == (0, [], [])
    finally:
        await reader.shutdown()
    [[before]] = await _sql(postgres_dsn, f'SELECT max(version) AS v FROM "{schema}".meta')
    assert before["v"] == 2, "a read-only storage migrated the schema"

    storage = make()
    await storage.startup()
    try:
        stored = {s.row.job_id: s for s in await storage.list_jobs()}
        assert set(stored) == {"aside", "kept-1", "kept-2"}
        assert stored["kept-1"].row.message == b"\x01"
        assert stored["kept-1"].row.next_run_at == T0
        assert stored["kept-2"].row.status is JobStatus.RUNNING
        assert stored["aside"].set_aside == "no task"
        assert not any(s.paused or s.run_requested for s in stored.values())
        assert await storage.set_paused("kept-1", paused=True)
        assert (await storage.get_stored_job("kept-1")).paused
        await storage.finish_jobs(
            ("kept-2", "mod:task", JobStatus.SUCCESS, b"ok", None, T0 + timedelta(minutes=2))
        )
        assert (await storage.get_outcome("kept-2")).result == b"ok"
        assert await storage.cursor() > 0
    finally:
        await storage.shutdown()
    [[meta], owners] = await _sql(
        postgres_dsn,
        f'SELECT max(version) AS v FROM "{schema}".meta',
        f'SELECT job_id, owner, epoch FROM "{schema}".jobs ORDER BY job_id',
    )
    assert meta["v"] == SCHEMA_VERSION
    assert [(r["job_id"], r["owner"], r["epoch"]) for r in owners] == [
        ("aside", None, 0),
        ("kept-1", "old:host:1:00000000", 7),  # fencing columns as they were
    ]


async def test_read_only_creates_nothing_and_writes_nothing(make, postgres_dsn, schema, row):
    with pytest.raises(StorageNotFoundError, match=f"schema '{schema}'.*holds no jobify tables"):
        await make().read_only().startup()
    [[found]] = await _sql(
        postgres_dsn, f"SELECT count(*) AS n FROM pg_namespace WHERE nspname = '{schema}'"
    )
    assert found["n"] == 0, "read-only startup created the schema"
    storage = make()
    await storage.startup()
    reader = storage.read_only()
    await reader.startup()
    try:
        await storage.add_schedule(row("x"))
        assert [s.row.job_id for s in await reader.get_stored_jobs()] == ["x"]
        assert reader.node_id is None
        assert [n.name for n in await reader.nodes()] == [storage.node_id]
        refused = "opened with read_only\\(\\) and writes nothing"
        with pytest.raises(PostgresStorageStateError, match=refused):
            await reader.add_schedule(row("y"))
        with pytest.raises(PostgresStorageStateError, match=refused):
            await reader.set_paused("x", paused=True)
        with pytest.raises(PostgresStorageStateError, match=refused):
            await reader.purge_outcomes(T0)
        with pytest.raises(PostgresStorageStateError, match=refused):
            await reader.join(lambda rows: asyncio.sleep(0))
        woken = asyncio.Event()
        reader.watch(woken.set)  # the dashboard watches a read-only copy
        await asyncio.sleep(0.3)
        woken.clear()
        await storage.add_schedule(row("z"))
        async with asyncio.timeout(2):
            await woken.wait()
    finally:
        await reader.shutdown()
        await storage.shutdown()
    assert "secret" not in make().describe()


def test_describe_names_server_database_and_schema_never_the_password():
    storage = PostgresStorage("postgresql://jobify:s3cret@db.example:6543/jobs", schema="billing")
    text = storage.describe()
    assert text == "PostgreSQL database 'jobs' on db.example:6543, schema 'billing'"
    assert "s3cret" not in text and "jobify" not in text


# --- the change feed -----------------------------------------------------------------


async def test_a_write_from_another_connection_wakes_the_watcher_within_a_second(
    make, row, started
):
    scheduler, producer = make(lease_seconds=30), make(lease_seconds=30)
    await started(scheduler, producer, join=False)
    try:
        cursor = await scheduler.cursor()
        woken = asyncio.Event()
        calls: list[float] = []

        def on_change() -> None:
            calls.append(time.monotonic())
            woken.set()

        scheduler.watch(on_change)
        await asyncio.sleep(0.3)  # the first call (for what came before) and the LISTEN
        woken.clear()
        await scheduler.add_schedule(row("own"))  # its own write: no call
        await asyncio.sleep(0.3)
        assert not woken.is_set(), "the watcher was called for its own write"
        sent = time.monotonic()
        await producer.add_schedule(row("pushed"))
        async with asyncio.timeout(1.0):
            await woken.wait()
        took = calls[-1] - sent
        assert took < 1.0
        changes = await scheduler.changes(cursor)
        assert [s.row.job_id for s in changes.changed] == ["pushed"]
        woken.clear()
        assert await producer.set_paused("own", paused=True)
        async with asyncio.timeout(1.0):
            await woken.wait()
        paused = await scheduler.changes(changes.cursor)
        assert [(s.row.job_id, s.paused) for s in paused.changed] == [("own", True)]
    finally:
        await scheduler.shutdown()
        await producer.shutdown()


async def test_rows_of_producers_are_reported_to_schedulers_and_their_own_rows_are_not(
    make, row, started
):
    a, b, producer = make(), make(), make()
    await started(a, b)  # two schedulers (joined)
    await started(producer, join=False)  # a web worker that only stores jobs
    try:
        cursor = await b.cursor()
        await a.add_schedule(row("armed-by-a"))  # a's timer runs it; claims settle the rest
        await producer.add_schedule(row("pushed"))
        assert await a.set_paused("armed-by-a", paused=True)  # a flag: every node hears it
        await a.delete_schedule("pushed")
        await producer.add_schedule(row("pushed-again"))
        changes = await b.changes(cursor)
        assert sorted(s.row.job_id for s in changes.changed) == ["armed-by-a", "pushed-again"]
        assert [s.paused for s in changes.changed if s.row.job_id == "armed-by-a"] == [True]
        assert list(changes.deleted) == ["pushed"]
    finally:
        for node in (a, b, producer):
            await node.shutdown()


async def test_a_change_whose_notice_is_lost_is_found_by_the_lease_beat(
    make, started, postgres_dsn, schema
):
    scheduler = make(lease_seconds=0.6)
    await started(scheduler, join=False)
    try:
        woken = asyncio.Event()
        scheduler.watch(woken.set)
        await asyncio.sleep(0.3)
        woken.clear()
        # a write that sends no notice (as if the listening connection had dropped it)
        await _sql(postgres_dsn, f'UPDATE "{schema}".feed SET version = version + 1 RETURNING 1')
        async with asyncio.timeout(2.0):  # a beat every 0.2 s
            await woken.wait()
    finally:
        await scheduler.shutdown()


async def test_idle_watching_sends_nothing_but_the_lease_beat(make, started):
    scheduler = make(lease_seconds=30)
    await started(scheduler, join=False)
    try:
        scheduler.watch(lambda: None)
        await asyncio.sleep(0.3)
        before = scheduler.statistics().round_trips
        await asyncio.sleep(1.5)
        assert scheduler.statistics().round_trips == before
    finally:
        await scheduler.shutdown()


# --- control on a cluster ------------------------------------------------------------


async def test_a_paused_job_is_claimed_by_neither_of_two_nodes(make, row, started):
    a, b = make(), make()
    await started(a, b)
    try:
        await a.add_schedule(row("job"), row("other"))
        assert await b.set_paused("job", paused=True)
        for node in (a, b, a, b):
            claim = await node.claim("job", T0 + timedelta(minutes=1))
            assert not claim.won
            assert claim.row is not None and claim.row.status is JobStatus.SCHEDULED
        assert (await b.claim("other", T0)).won  # the other row is claimed as ever
        await a.add_schedule(row("job", 1))  # the owner stores its next run: still paused
        assert (await b.get_stored_job("job")).paused
        assert not (await b.claim("job", T0 + timedelta(minutes=1))).won
        assert await a.set_paused("job", paused=False)
        won = [await n.claim("job", T0 + timedelta(minutes=1)) for n in (b, a)]
        assert [c.won for c in won] == [True, False]
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_a_pause_stays_with_rows_a_survivor_adopts(make, row, started):
    a, b = make(lease_seconds=1), make(lease_seconds=1)
    adopted = await started(a, b)
    try:
        await a.add_schedule(row("job"))
        assert await a.set_paused("job", paused=True)
        await a._abort()  # killed: b adopts its rows when its lease expires
        async with asyncio.timeout(10):
            while not adopted[id(b)]:
                await asyncio.sleep(0.05)
        assert [r.job_id for r in adopted[id(b)]] == ["job"]
        assert (await b.get_stored_job("job")).paused
        assert not (await b.claim("job", T0)).won
        assert "job" in b._resync  # the next changes() reports the flag to b's kernel
        reported = await b.changes(await b.cursor())
        assert [(s.row.job_id, s.paused) for s in reported.changed] == [("job", True)]
    finally:
        await b.shutdown()


async def test_a_run_request_is_handed_to_one_node(make, row, started):
    a, b, operator = make(), make(), make()
    await started(a, b)
    await started(operator, join=False)
    try:
        await a.add_schedule(row("cron"))
        cursors = [await a.cursor(), await b.cursor()]
        assert await operator.request_run("cron")
        answers = await asyncio.gather(a.changes(cursors[0]), b.changes(cursors[1]))
        flags = [[s.run_requested for s in c.changed if s.row.job_id == "cron"] for c in answers]
        assert sorted(flags) == [[False], [True]]
        assert not (await operator.get_stored_job("cron")).run_requested
    finally:
        for node in (a, b, operator):
            await node.shutdown()


async def test_a_node_that_lost_its_lease_clears_and_takes_no_run_request(
    make, row, started, postgres_dsn, schema
):
    a, operator = make(lease_seconds=30), make(lease_seconds=30)
    await started(a)
    await started(operator, join=False)
    try:
        await operator.add_schedule(row("job"))
        cursor = await a.cursor()
        assert await operator.request_run("job")
        await _sql(
            postgres_dsn,
            f"UPDATE \"{schema}\".nodes SET lease_until = now() - interval '1 second' "
            f"WHERE node_id = '{a.node_id}' RETURNING 1",
        )
        assert await a.request_run("job", requested=False)  # the row exists...
        assert (await operator.get_stored_job("job")).run_requested  # ...the flag stays
        changes = await a.changes(cursor)
        assert [(s.row.job_id, s.run_requested) for s in changes.changed] == [("job", False)]
        assert (await operator.get_stored_job("job")).run_requested, "taken without a lease"
    finally:
        await a.shutdown()
        await operator.shutdown()


# --- the cluster view ----------------------------------------------------------------


async def test_nodes_lists_live_nodes_and_dead_ones_that_own_rows(make, row, started):
    a, b = make(lease_seconds=30), make(lease_seconds=30)
    await started(a, b)
    try:
        await a.add_schedule(row("x"), row("y"))
        asked = time.time()
        listed = await b.nodes()
        assert [n.name for n in listed] == sorted([a.node_id, b.node_id])
        by_name = {n.name: n for n in listed}
        assert by_name[a.node_id].jobs_owned == 2 and by_name[b.node_id].jobs_owned == 0
        assert by_name[b.node_id].this_node and not by_name[a.node_id].this_node
        for node in listed:
            assert node.alive
            assert asked + 20 < node.lease_expires_at.timestamp() < asked + 31
        await b._suspend()  # b adopts nothing from now on
        gone = a.node_id
        await a.shutdown()  # leaves: its lease ends, its rows wait for an adopter
        after = {n.name: n for n in await b.nodes()}
        assert set(after) == {gone, b.node_id}
        assert tuple(after[gone]) == (gone, False, None, 2, False)
        assert after[b.node_id].alive and after[b.node_id].this_node
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_nodes_leaves_out_a_passing_process_that_owns_nothing(make, row, started):
    scheduler, producer, passing = make(), make(), make()
    await started(scheduler)
    await started(producer, passing, join=False)  # a web worker, and `jobify jobs pause ID`
    try:
        await producer.add_schedule(row("pushed"))  # owned by the producer until claimed
        listed = {n.name: n.jobs_owned for n in await scheduler.nodes()}
        assert listed == {scheduler.node_id: 0, producer.node_id: 1}
        assert passing.node_id in {n.name for n in await passing.nodes()}  # when it asks
    finally:
        for storage in (scheduler, producer, passing):
            await storage.shutdown()
