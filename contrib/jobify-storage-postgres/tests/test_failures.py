"""Failure paths on a real server: a lost listener, shutdown during an outage, an expired lease.

The outage test puts a TCP proxy of its own between the node and the server
and cuts it, so the shared server (and the other tests' connections) are never
touched; the other tests only terminate the backends of the node under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from jobify import JobStatus
from jobify.storage import ScheduledJob
from jobify_storage_postgres import PostgresStorage, PostgresStorageStateError

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def ids(rows: list[ScheduledJob]) -> set[str]:
    return {r.job_id for r in rows}


# --- a lost LISTEN connection ----------------------------------------------------------


async def test_a_lost_listener_is_reopened_within_retry_max_delay(
    make, listener_pids, row, started, terminate_listener, wait_for
):
    lease = 30  # far longer than the test: adoption can only come through NOTIFY
    a = make(lease_seconds=lease, retry_max_delay=0.5)
    b = make(lease_seconds=lease, retry_max_delay=0.5)
    adopted = await started(a, b)
    try:
        await b.add_schedule(*(row(f"b{i}") for i in range(20)))
        old = await terminate_listener(a)

        async def listening_again() -> bool:
            return (await listener_pids(a)) not in ([], [old])

        took = await wait_for(listening_again, 3)
        assert took < 0.5 + 0.5  # retry_max_delay, and a round trip
        await b.shutdown()
        took = await wait_for(lambda: len(adopted[id(a)]) == 20, 3)
        assert took < 1.0
        assert ids(adopted[id(a)]) == {f"b{i}" for i in range(20)}
    finally:
        await a.shutdown()
        await b.shutdown()


async def test_a_leave_while_the_listener_is_down_is_adopted_after_the_reconnect(
    make, row, started, terminate_listener, wait_for
):
    lease = 30
    a = make(lease_seconds=lease, retry_max_delay=0.5)
    b = make(lease_seconds=lease, retry_max_delay=0.5)
    adopted = await started(a, b)
    try:
        await b.add_schedule(*(row(f"b{i}") for i in range(20)))
        await terminate_listener(a)
        await b.shutdown()  # its NOTIFY reaches nobody: a is not listening
        took = await wait_for(lambda: len(adopted[id(a)]) == 20, 3)
        assert took < 3  # not the 30 s lease
    finally:
        await a.shutdown()
        await b.shutdown()


# --- shutdown while the database cannot be reached -------------------------------------


class Proxy:
    """A TCP proxy to the server that the test can cut (refuse and reset) or silence."""

    def __init__(self, dsn: str) -> None:
        parts = urlsplit(dsn)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._dsn = parts
        self.server: asyncio.Server | None = None
        self.port = 0
        self.silent = False
        self.dropping = False
        self.pipes: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def dsn(self) -> str:
        netloc = self._dsn.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(
            self._dsn._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)
        )

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.pipes.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.pipes.add(up_writer)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    while self.silent:  # held back: the peer hears nothing for now
                        await asyncio.sleep(0.05)
                    if self.dropping:  # lost for good, the connection stays open
                        continue
                    dst.write(data)
                    await dst.drain()
            dst.close()

        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.ensure_future(pump(src, dst))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def cut(self) -> None:
        """Refuse new connections and reset the open ones, as a stopped server would."""
        assert self.server is not None
        self.server.close()
        for writer in self.pipes:
            writer.transport.abort()
        self.pipes.clear()
        await self.server.wait_closed()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        self.silent = False
        for writer in self.pipes:
            writer.transport.abort()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


@pytest.mark.parametrize("outage", ["refused", "silent"])
async def test_shutdown_during_an_outage_returns_in_bounded_time_and_keeps_acked_rows(
    make, postgres_dsn, schema, caplog, outage, row, rows_in_table, started, wait_for
):
    caplog.set_level(logging.WARNING, logger="jobify.storage.postgres")
    lease = 2.0
    proxy = Proxy(postgres_dsn)
    await proxy.start()
    a = PostgresStorage(proxy.dsn, schema=schema, lease_seconds=lease, retry_max_delay=0.2)
    try:
        await started(a)
        node = a.node_id
        await a.add_schedule(*(row(f"k{i}") for i in range(10)))  # acknowledged
        assert (await a.claim("k0", T0)).won
        if outage == "refused":
            await proxy.cut()
        else:
            proxy.silent = True  # connections stay open, nothing comes back
        pending = asyncio.ensure_future(a.add_schedule(row("never")))
        await asyncio.sleep(0.3)
        assert not pending.done()
        start = time.monotonic()
        async with asyncio.timeout(lease + 10):  # hangs fail here, not in CI's timeout
            await a.shutdown()
        took = time.monotonic() - start
        assert took < lease + 4  # the README bound, lease_seconds + 3 s of closing, + slack
        with pytest.raises(PostgresStorageStateError, match="shut down"):
            await pending  # never acknowledged, and the caller is told
        messages = [r.getMessage() for r in caplog.records]
        if outage == "refused":  # a silent connection raises nothing: only the timeouts tell
            assert any("cannot be reached" in m for m in messages), messages
        assert any("1 call(s) still waiting" in m and "not acknowledged" in m for m in messages)
        assert any("could not leave the cluster" in m for m in messages), messages
    finally:
        await a._abort()
        await proxy.stop()
    # the acknowledged rows are still there, still a's; the unacknowledged one is not
    table = await rows_in_table(schema)
    assert set(table) == {f"k{i}" for i in range(10)}
    assert {owner for owner, _ in table.values()} == {node}
    assert table["k0"][1] == JobStatus.RUNNING.value  # a could not hand it back
    # another node adopts them once a's lease has run out (join or the next beats)
    b = make(lease_seconds=lease)
    adopted = await started(b)
    try:
        await wait_for(lambda: len(adopted[id(b)]) == 10, lease * 4 / 3 + 3)
        assert {r.status for r in adopted[id(b)]} == {JobStatus.SCHEDULED}
    finally:
        await b.shutdown()


async def test_a_network_that_drops_packets_stalls_nothing_for_good(
    make, postgres_dsn, schema, row, rows_in_table, started
):
    """Statements lost on open connections time out and are retried on new ones."""
    proxy = Proxy(postgres_dsn)
    await proxy.start()
    a = PostgresStorage(
        proxy.dsn, schema=schema, lease_seconds=30, retry_max_delay=0.2, command_timeout=0.5
    )
    try:
        await started(a)
        await a.add_schedule(row("before"))
        proxy.dropping = True
        write = asyncio.ensure_future(a.add_schedule(row("during")))
        claim = asyncio.ensure_future(a.claim("before", T0))
        await asyncio.sleep(1.5)  # three command timeouts: still retrying, not hung
        assert not write.done() and not claim.done()
        proxy.dropping = False
        async with asyncio.timeout(5):
            await write
            assert (await claim).won
        assert a.statistics().outages >= 1
        table = await rows_in_table(schema)
        assert table["during"][0] == a.node_id
        assert table["before"] == (a.node_id, JobStatus.RUNNING.value)
    finally:
        await a.shutdown()
        await proxy.stop()


# --- a lease that expired while the node was alive --------------------------------------


async def test_a_node_cut_off_longer_than_its_lease_rejoins_and_its_stale_writes_lose(
    make, postgres_dsn, schema, caplog, row, rows_in_table, started, wait_for
):
    """A partition: ``a``'s connections are reset and refused for several leases, then healed.

    ``b`` adopts ``a``'s rows and runs them on; ``a``'s write queued during the
    partition (the end of the run it had claimed) loses, ``a`` warns once,
    joins again under a new epoch, and goes on with rows of its own.
    """
    caplog.set_level(logging.WARNING, logger="jobify.storage.postgres")
    lease = 1.0
    proxy = Proxy(postgres_dsn)
    await proxy.start()
    a = PostgresStorage(proxy.dsn, schema=schema, lease_seconds=lease, retry_max_delay=0.2)
    b = make(lease_seconds=lease)
    adopted = await started(a, b)
    try:
        first_epoch = a.epoch
        await a.add_schedule(row("x"), row("y", 1))
        assert (await a.claim("x", T0)).won  # a is running x when the network goes
        await proxy.cut()
        await wait_for(lambda: ids(adopted[id(b)]) == {"x", "y"}, lease * 4 / 3 + 3)
        assert (await b.claim("x", T0)).won  # b runs x again (at-least-once) and moves on
        assert (await b.advance(row("x", 2), T0)).won
        assert (await b.claim("y", T0 + timedelta(minutes=1))).won
        stale = asyncio.ensure_future(a.advance(row("x", 1), T0))  # a's run ends, cut off
        await asyncio.sleep(lease)
        await proxy.start()  # the partition heals
        lost = await asyncio.wait_for(stale, 10)
        assert not lost.won, f"a's stale advance was stored: {lost}"
        assert lost.row is not None and lost.row.next_run_at == T0 + timedelta(minutes=2)
        assert not await a.release({"y": T0 + timedelta(minutes=1)})
        again = await a.claim("y", T0 + timedelta(minutes=1))
        assert not again.won
        assert a.epoch is not None and a.epoch > first_epoch
        warnings = [
            r.getMessage()
            for r in caplog.records
            if "found its lease expired" in r.getMessage() and a.node_id in r.getMessage()
        ]
        assert len(warnings) == 1, warnings
        assert "re-read the 0 job(s) it still owns" in warnings[0]
        table = await rows_in_table(schema)
        assert table["x"] == (b.node_id, JobStatus.SCHEDULED.value)
        assert table["y"] == (b.node_id, JobStatus.RUNNING.value)
        await a.add_schedule(row("new"))  # a goes on working, with rows of its own
        assert (await a.claim("new", T0)).won
        assert (await a.advance(row("new", 1), T0)).won
        stats = a.statistics()
        assert stats.rejoins == 1
        assert stats.writes_lost == 2
        await asyncio.sleep(lease * 2)  # several beats: a's new lease holds, nothing moves
        assert ids(adopted[id(b)]) == {"x", "y"}
        assert adopted[id(a)] == []
        assert (await rows_in_table(schema))["new"][0] == a.node_id
    finally:
        await a.shutdown()
        await b.shutdown()
        await proxy.stop()


async def test_a_claim_under_a_lease_taken_over_waits_for_the_node_to_join_again(
    make, postgres_dsn, schema, caplog, row, started
):
    """An adopter took ``a``'s lease over (a new epoch) before ``a``'s renewal noticed.

    The claim statement itself checks the lease: ``a`` joins again, hands the
    rows it still owns over, and only then claims, under its new epoch.
    """
    caplog.set_level(logging.WARNING, logger="jobify.storage.postgres")
    a = make(lease_seconds=30)  # no renewal and no local expiry during the test
    adopted = await started(a)
    try:
        await a.add_schedule(row("x"), row("y"))
        epoch = a.epoch
        conn = await asyncpg.connect(postgres_dsn)
        try:
            await conn.execute(
                f'UPDATE "{schema}".nodes SET epoch = nextval(\'"{schema}".epochs\') '  # noqa: S608
                "WHERE node_id = $1",
                a.node_id,
            )
        finally:
            await conn.close()
        claim = await a.claim("x", T0)
        assert ids(adopted[id(a)]) == {"x", "y"}  # handed over before the claim was answered
        assert claim.won
        assert a.epoch is not None and a.epoch > epoch
        assert a.statistics().rejoins == 1
        assert "found its lease expired" in caplog.text
    finally:
        await a.shutdown()


# --- adoption apart from renewal -------------------------------------------------------


async def test_adopted_rows_are_handed_over_batch_by_batch(make, row, started, wait_for):
    """1,200 rows of a dead node reach the adopt callback as they are taken, 500 at a time."""
    a, b = make(lease_seconds=0.6), make(lease_seconds=0.6)
    await started(a)
    await b.startup()
    batches: list[int] = []

    async def adopt(rows):
        batches.append(len(rows))

    await b.join(adopt)
    try:
        await a.add_schedule(*(row(f"a{i:04}") for i in range(1200)))
        await a._abort()
        await wait_for(lambda: sum(batches) == 1200, 5)
        assert batches == [500, 500, 200]
    finally:
        await b.shutdown()


async def test_a_slow_adoption_does_not_hold_up_the_adopters_lease(
    make, caplog, row, rows_in_table, started
):
    """b's adopt callback hangs for three leases; b renews meanwhile, so c takes nothing of b's."""
    lease = 0.6
    a, b, c = (make(lease_seconds=lease) for _ in range(3))
    await started(a)
    adopting, release = asyncio.Event(), asyncio.Event()

    async def slow_adopt(rows):
        adopting.set()
        await release.wait()

    await b.startup()
    await b.join(slow_adopt)
    try:
        await b.add_schedule(row("b-own"))
        await a.add_schedule(row("a-own"))
        await a._abort()
        async with asyncio.timeout(5):
            await adopting.wait()  # b took a's row and hangs in the callback
        await started(c)  # c would adopt b's rows if b's lease lapsed
        await asyncio.sleep(lease * 3)
        table = await rows_in_table(b.schema)
        assert table["b-own"][0] == b.node_id
        assert table["a-own"][0] == b.node_id
        assert "found its lease expired" not in caplog.text
    finally:
        release.set()
        await b.shutdown()
        await c.shutdown()
