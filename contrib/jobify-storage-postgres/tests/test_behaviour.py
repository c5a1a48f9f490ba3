"""PostgresStorage's own behaviour: batching, claims, leases, NOTIFY, outages, schema, options."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from jobify import JobStatus
from jobify_storage_postgres import SCHEMA_VERSION, PostgresSchemaError, PostgresStorage

T0 = datetime(2030, 1, 1, tzinfo=UTC)


# --- claims --------------------------------------------------------------------------


async def test_three_nodes_claim_300_due_rows_each_won_exactly_once(make, row, started):
    nodes = [make() for _ in range(3)]
    await started(*nodes)
    try:
        ids = [f"r{i}" for i in range(300)]
        await nodes[0].add_schedule(*(row(i) for i in ids))
        order = [(n, i) for i in ids for n in nodes]
        claims = await asyncio.gather(*(n.claim(i, T0) for n, i in order))
        wins = dict.fromkeys(ids, 0)
        for (_n, i), c in zip(order, claims, strict=True):
            wins[i] += c.won
            assert c.row is not None and c.row.status is JobStatus.RUNNING
        assert set(wins.values()) == {1}
        assert max(n.statistics().claim_batches for n in nodes) <= 5
    finally:
        for n in nodes:
            await n.shutdown()


async def test_claim_conditions(make, row, started):
    a, b = make(), make()
    await started(a, b)
    try:
        await a.add_schedule(row("due"), row("later", 5))
        assert not (await a.claim("later", T0)).won  # not due yet
        assert (await b.claim("later", T0 + timedelta(minutes=5))).won
        assert (await a.claim("due", T0)).won
        assert (await a.claim("due", T0)).won  # a retry after a lost reply
        assert not (await b.claim("due", T0)).won  # running on a
        await a.set_aside("due", "broken")
        assert not (await a.claim("due", T0)).won  # set aside rows are never claimed
        assert tuple(await a.claim("nothing", T0)) == (False, None)
        with pytest.raises(TypeError, match="aware datetime"):
            await a.claim("due", datetime(2030, 1, 1))  # noqa: DTZ001
    finally:
        await a.shutdown()
        await b.shutdown()


# --- batching ------------------------------------------------------------------------


async def test_a_thousand_concurrent_writes_take_a_handful_of_round_trips(make, row, started):
    s = make()
    await started(s)
    try:
        before = s.statistics()
        await asyncio.gather(*(s.add_schedule(row(f"j{i}", i)) for i in range(1000)))
        after = s.statistics()
        assert after.round_trips - before.round_trips <= 5
        assert after.largest_write_batch >= 500
        await asyncio.gather(*(s.delete_schedule(f"j{i}") for i in range(0, 1000, 2)))
        assert s.statistics().round_trips - after.round_trips <= 5
        assert len(await s.get_schedules()) == 500
    finally:
        await s.shutdown()


async def test_writes_of_one_turn_keep_their_order(make, row, started):
    s = make()
    await started(s)
    try:
        await asyncio.gather(
            s.add_schedule(row("x", 1)),
            s.delete_schedule("x"),
            s.add_schedule(row("y", 1)),
            s.add_schedule(row("y", 2)),
        )
        rows = {r.job_id: r for r in await s.get_schedules()}
        assert list(rows) == ["y"]
        assert rows["y"].next_run_at == T0 + timedelta(minutes=2)
    finally:
        await s.shutdown()


async def test_set_aside_rows_are_listed_apart_and_cleared_by_a_write(make, row, started):
    s = make()
    await started(s)
    try:
        await s.add_schedule(row("a"), row("b"))
        await s.set_aside("a", "its task is gone")
        assert [r.job_id for r in await s.get_schedules()] == ["b"]
        [(got, reason)] = await s.get_quarantined()
        assert (got.job_id, reason) == ("a", "its task is gone")
        await s.add_schedule(row("a"))
        assert await s.get_quarantined() == []
    finally:
        await s.shutdown()


# --- leases, adoption, NOTIFY ---------------------------------------------------------


async def test_an_expired_lease_is_adopted_within_four_thirds_of_it(make, row, started, wait_for):
    lease = 0.6
    a, b = make(lease_seconds=lease), make(lease_seconds=lease)
    adopted = await started(a, b)
    try:
        await a.add_schedule(row("one"), row("two", 3))
        assert (await a.claim("one", T0)).won
        await a._abort()
        took = await wait_for(lambda: len(adopted[id(b)]) == 2, lease * 4 / 3 + 2)
        assert took < lease * 4 / 3 + 0.5
        assert {r.job_id: r.status for r in adopted[id(b)]} == {
            "one": JobStatus.SCHEDULED,  # was RUNNING on the dead node: runs again
            "two": JobStatus.SCHEDULED,
        }
        assert (await b.claim("one", T0)).won
    finally:
        await b.shutdown()


async def test_a_clean_leave_is_adopted_at_once_through_notify(make, row, started, wait_for):
    a, b = make(lease_seconds=30), make(lease_seconds=30)
    adopted = await started(a, b)
    try:
        await a.add_schedule(*(row(f"a{i}") for i in range(50)))
        await a.claim("a0", T0)
        await a.shutdown()
        took = await wait_for(lambda: len(adopted[id(b)]) == 50, 5)
        assert took < 1.0  # far below the 30 s lease
        assert all(r.status is JobStatus.SCHEDULED for r in adopted[id(b)])
    finally:
        await b.shutdown()


async def test_new_jobs_stay_with_the_node_that_scheduled_them(make, row, started):
    a, b = make(lease_seconds=0.5), make(lease_seconds=0.5)
    adopted = await started(a, b)
    try:
        await a.add_schedule(row("mine"))
        await asyncio.sleep(1.0)  # several beats: nothing moves while a is alive
        assert adopted[id(b)] == []
        assert {r.job_id for r in await b.get_schedules()} == {"mine"}
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_a_sigkilled_process_rows_are_adopted(make, postgres_dsn, schema, started, wait_for):
    code = textwrap.dedent(f"""
        import asyncio, sys
        from datetime import datetime, timezone
        from jobify.storage import ScheduledJob
        from jobify import JobStatus
        from jobify_storage_postgres import PostgresStorage

        async def main():
            s = PostgresStorage({postgres_dsn!r}, schema={schema!r}, lease_seconds=0.6)
            await s.startup()
            async def adopt(rows): pass
            await s.join(adopt)
            t = datetime(2030, 1, 1, tzinfo=timezone.utc)
            await s.add_schedule(*(ScheduledJob(f"p{{i}}", "m:t", b"", JobStatus.SCHEDULED, t)
                                   for i in range(20)))
            await s.claim("p0", t)
            print("ready", flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    with proc:
        assert proc.stdout.readline().strip() == "ready"
        b = make(lease_seconds=0.6)
        adopted = await started(b)
        proc.kill()
        proc.wait(10)
        try:
            await wait_for(lambda: len(adopted[id(b)]) == 20, 5)
            assert {r.status for r in adopted[id(b)]} == {JobStatus.SCHEDULED}
        finally:
            await b.shutdown()
            proc.kill()


# --- connection loss -----------------------------------------------------------------


async def test_writes_in_flight_survive_killed_connections(make, row, started, terminate_backends):
    s = make(retry_max_delay=0.2)
    await started(s)
    try:
        calls = [asyncio.ensure_future(s.add_schedule(row(f"w{i}"))) for i in range(500)]
        await asyncio.sleep(0)
        await terminate_backends(s)
        more = [asyncio.ensure_future(s.add_schedule(row(f"v{i}"))) for i in range(500)]
        await terminate_backends(s)
        async with asyncio.timeout(30):
            await asyncio.gather(*calls, *more)
        assert len(await s.get_schedules()) == 1000
    finally:
        await s.shutdown()


async def test_a_claim_in_flight_when_the_connection_dies_gets_a_true_answer(
    make, caplog, row, started, terminate_backends
):
    s = make(retry_max_delay=0.2)
    await started(s)
    try:
        await s.add_schedule(*(row(f"c{i}") for i in range(100)))
        claims = [asyncio.ensure_future(s.claim(f"c{i}", T0)) for i in range(100)]
        await asyncio.sleep(0)
        await terminate_backends(s)
        async with asyncio.timeout(30):
            results = await asyncio.gather(*claims)
        assert all(c.won for c in results)  # won, or won again on the retry
        rows = await s.get_schedules()
        assert {r.status for r in rows} == {JobStatus.RUNNING}
    finally:
        await s.shutdown()


async def test_an_error_that_is_not_a_lost_connection_is_raised(
    make, postgres_dsn, schema, row, started
):
    s = make()
    await started(s)
    try:
        conn = await asyncpg.connect(postgres_dsn)
        try:
            await conn.execute(
                f'ALTER TABLE "{schema}".jobs ADD CONSTRAINT short CHECK (length(name) < 5)'
            )
        finally:
            await conn.close()
        with pytest.raises(Exception, match="PostgreSQL refused it: CheckViolationError"):
            await s.add_schedule(row("x"))
    finally:
        await s.shutdown()


# --- schema ----------------------------------------------------------------------------


async def test_a_newer_schema_version_fails_startup_naming_both(make, postgres_dsn, schema):
    s = make()
    await s.startup()
    await s.shutdown()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute(f'UPDATE "{schema}".meta SET version = {SCHEMA_VERSION + 1}')
    finally:
        await conn.close()
    with pytest.raises(PostgresSchemaError) as info:
        await make().startup()
    assert f"version {SCHEMA_VERSION + 1}" in str(info.value)
    assert f"version {SCHEMA_VERSION} at most" in str(info.value)


async def test_nodes_starting_together_create_the_schema_once(make):
    nodes = [make() for _ in range(5)]
    await asyncio.gather(*(n.startup() for n in nodes))
    for n in nodes:
        await n.shutdown()


# --- options ---------------------------------------------------------------------------


def test_dsn_is_required():
    with pytest.raises(
        ValueError, match=r"dsn=None\): the dsn option is required: a PostgreSQL URL"
    ):
        PostgresStorage()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dsn": 5}, TypeError, r"dsn=5\): expected a str"),
        (
            {"dsn": "mysql://x:pw@h/db"},
            ValueError,
            r"dsn='mysql://x:\*\*\*@h/db'\): not a PostgreSQL URL",
        ),
        (
            {"schema": "Bad-Name"},
            ValueError,
            r"schema='Bad-Name'\): not a plain schema name.*schema='bad_name'",
        ),
        ({"schema": "pg_x"}, ValueError, r"schema='pg_x'\).*'pg_'"),
        ({"schema": "x" * 56}, ValueError, r"at most 55"),
        ({"node_name": ""}, ValueError, r"node_name=''\): expected 1 to 40 printable"),
        (
            {"lease_seconds": 0},
            ValueError,
            r"lease_seconds=0\): expected a finite number of seconds > 0",
        ),
        ({"lease_seconds": "15"}, TypeError, r"lease_seconds='15'\): expected seconds as a number"),
        ({"retry_max_delay": float("inf")}, ValueError, r"retry_max_delay=inf\)"),
        (
            {"pool_size": 0},
            ValueError,
            r"pool_size=0\): expected an int >= 1; at least 1 connection",
        ),
        ({"pool_size": True}, TypeError, r"pool_size=True\): expected an int"),
        ({"command_timeout": -1}, ValueError, r"command_timeout=-1\): expected a finite"),
    ],
)
def test_bad_options_fail_in_the_constructor(kwargs, error, match):
    kwargs = {"dsn": "postgresql://h/db", **kwargs}
    with pytest.raises(error, match=match):
        PostgresStorage(**kwargs)


async def test_node_ids_are_unique_and_prefixed(make, started):
    a, b = make(node_name="worker"), make(node_name="worker")
    await started(a, b, join=False)
    try:
        assert a.node_id != b.node_id
        assert a.node_id.startswith("worker:")
    finally:
        await a.shutdown()
        await b.shutdown()
    assert a.node_id is None


async def test_calls_before_startup_fail_with_the_fix(make, row):
    with pytest.raises(RuntimeError, match=r"not started; call `await storage.startup\(\)` first"):
        await make().add_schedule(row("x"))
