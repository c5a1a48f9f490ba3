"""Contract test suites that plugin distributions subclass.

Each class holds tests every implementation of one capability must pass; a
plugin's tests subclass it and override one fixture::

    from jobify.testing.contracts import StorageContract

    class TestRedisStorage(StorageContract):
        @pytest.fixture
        def make_storage(self, tmp_path):
            return lambda: RedisStorage(url=...)

The suites need pytest (they are imported by test modules only) and run
``async def`` tests with :mod:`jobify.testing.aio`. One suite per capability:

* :class:`StorageContract` (``make_storage``; ``cross_process_storage`` for the
  crash test); its scheduler-lock tests run when the storage declares
  :class:`~jobify.storage.SchedulerLock`,
* :class:`ClusterStorageContract` (``make_storage``, ``kill``, ``stall``,
  ``adoption_timeout``), for storages shared by several app processes,
* :class:`SerializerContract` (``serializer``),
* :class:`TypeAdapterContract` (``adapter``),
* :class:`ExecutorContract` (``make_executor``),
* :class:`CronParserContract` (``factory``),
* :class:`MiddlewareContract` (``make_middleware``).

And one for the distribution itself, :class:`DistributionContract` (class
attributes ``entry_point``, ``distribution``, ``offers``, ``lazy_modules``):
the entry point is declared by it, its hooks match the specs, register what
they say, and import nothing heavy at discovery.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import functools
import importlib
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from jobify._kernel.message import decode, encode
from jobify._kernel.runnable import FuncSpec
from jobify._kernel.triggers import At, CronTrigger
from jobify._kernel.values import Cron, JobStatus, MisfirePolicy
from jobify.crontab import CronParser
from jobify.exceptions import SchedulerLockedError
from jobify.executors import Executor, InterruptibleExecutor
from jobify.serializers import Serializer
from jobify.storage import Claim, ClusterStorage, ScheduledJob, SchedulerLock, Storage
from jobify.typeadapter import Dumper, IdentityAdapter, Loader

if TYPE_CHECKING:
    from jobify import Jobify

__all__ = (
    "ClusterStorageContract",
    "DistributionContract",
    "CronParserContract",
    "CrossProcessStorage",
    "ExecutorContract",
    "MiddlewareContract",
    "SerializerContract",
    "StorageContract",
    "TypeAdapterContract",
)

UTC = timezone.utc  # noqa: UP017 - one name for the suites
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def row(
    job_id: str, *, name: str = "mod:task", minutes: int = 0, message: bytes = b"m"
) -> ScheduledJob:
    """A stored job for the storage tests."""
    return ScheduledJob(job_id, name, message, JobStatus.SCHEDULED, T0 + timedelta(minutes=minutes))


class StorageContract:
    """What every :class:`~jobify.storage.Storage` must do.

    Override ``make_storage``: a fixture returning a zero-argument callable
    that builds a new storage object on the *same* backing store each time
    (so a second object sees what the first wrote, as after a restart).
    """

    @pytest.fixture
    def make_storage(self) -> Callable[[], Storage]:
        """Return a factory of storages sharing one backing store."""
        raise NotImplementedError("override the make_storage fixture")

    @pytest.fixture
    def cross_process_storage(self) -> CrossProcessStorage | None:
        """Return how a subprocess builds a storage on the same backing store, or None.

        None (the default) skips the crash test, as for in-memory storages.
        """
        return None

    @staticmethod
    async def rows_of(storage: Storage) -> dict[str, ScheduledJob]:
        """Stored rows by job id."""
        return {r.job_id: r for r in await storage.get_schedules()}

    async def test_is_a_storage(self, make_storage: Callable[[], Storage]) -> None:
        assert isinstance(make_storage(), Storage)

    async def test_starts_empty_and_round_trips_a_row(
        self, make_storage: Callable[[], Storage]
    ) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            assert await self.rows_of(storage) == {}
            original = row("a", message=bytes(range(256)))
            await storage.add_schedule(original)
            got = (await self.rows_of(storage))["a"]
            assert got.job_id == "a"
            assert got.name == original.name
            assert got.message == original.message
            assert JobStatus(got.status) is JobStatus.SCHEDULED
            assert got.next_run_at == original.next_run_at
            assert got.next_run_at.utcoffset() is not None
        finally:
            await storage.shutdown()

    async def test_add_replaces_a_row_with_the_same_id(
        self, make_storage: Callable[[], Storage]
    ) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            await storage.add_schedule(row("a", minutes=1, message=b"old"))
            await storage.add_schedule(row("a", minutes=2, message=b"new"))
            rows = await self.rows_of(storage)
            assert list(rows) == ["a"]
            assert rows["a"].message == b"new"
            assert rows["a"].next_run_at == T0 + timedelta(minutes=2)
        finally:
            await storage.shutdown()

    async def test_delete_one_and_many_ignoring_missing(
        self, make_storage: Callable[[], Storage]
    ) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            await storage.add_schedule(row("a"), row("b"), row("c"), row("d"))
            await storage.delete_schedule("a")
            await storage.delete_schedule("missing")
            await storage.delete_schedule_many(["b", "c", "missing"])
            await storage.delete_schedule_many([])
            assert set(await self.rows_of(storage)) == {"d"}
        finally:
            await storage.shutdown()

    async def test_rows_survive_a_restart(self, make_storage: Callable[[], Storage]) -> None:
        first = make_storage()
        await first.startup()
        await first.add_schedule(row("kept", minutes=5), row("gone"))
        await first.delete_schedule("gone")
        await first.shutdown()
        second = make_storage()
        await second.startup()
        try:
            rows = await self.rows_of(second)
            assert set(rows) == {"kept"}
            assert rows["kept"].next_run_at == T0 + timedelta(minutes=5)
        finally:
            await second.shutdown()

    async def test_concurrent_writes_all_land(self, make_storage: Callable[[], Storage]) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            await asyncio.gather(*(storage.add_schedule(row(f"job-{i}")) for i in range(500)))
            await asyncio.gather(*(storage.delete_schedule(f"job-{i}") for i in range(0, 500, 2)))
            rows = await self.rows_of(storage)
            assert set(rows) == {f"job-{i}" for i in range(1, 500, 2)}
        finally:
            await storage.shutdown()

    async def test_large_batch(self, make_storage: Callable[[], Storage]) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            await storage.add_schedule(*(row(f"b{i}", minutes=i) for i in range(5000)))
            assert len(await self.rows_of(storage)) == 5000
            await storage.delete_schedule_many([f"b{i}" for i in range(5000)])
            assert await self.rows_of(storage) == {}
        finally:
            await storage.shutdown()

    async def test_payloads_that_cannot_be_decoded_are_kept_byte_for_byte(
        self, make_storage: Callable[[], Storage]
    ) -> None:
        """A storage keeps bytes, not text: the kernel decides what is undecodable."""
        payloads = {
            "invalid-utf8": b"\xff\xfe\x00garbage\x80",
            "nul-bytes": b"\x00" * 64,
            "empty": b"",
            "one-mib": bytes(range(256)) * 4096,
        }
        first = make_storage()
        await first.startup()
        await first.add_schedule(*(row(k, message=v) for k, v in payloads.items()))
        await first.shutdown()
        second = make_storage()
        await second.startup()
        try:
            rows = await self.rows_of(second)
            assert {k: bytes(r.message) for k, r in rows.items()} == payloads
        finally:
            await second.shutdown()

    @pytest.mark.parametrize(
        "job_id",
        ["quote'\"; DROP TABLE x; --", "ünïcødé-日本語-🙂", "x" * 10_000, " spaced id ", "NULL"],
        ids=["quotes", "unicode", "10k-chars", "spaces", "NULL"],
    )
    async def test_unusual_job_ids(self, make_storage: Callable[[], Storage], job_id: str) -> None:
        storage = make_storage()
        await storage.startup()
        try:
            await storage.add_schedule(row(job_id))
            assert set(await self.rows_of(storage)) == {job_id}
            await storage.delete_schedule(job_id)
            assert await self.rows_of(storage) == {}
        finally:
            await storage.shutdown()

    async def test_crash_in_a_write_burst_loses_no_acknowledged_row(
        self, cross_process_storage: CrossProcessStorage | None
    ) -> None:
        """SIGKILL a process in the middle of a write burst; every acknowledged row survives.

        A subprocess builds the storage from ``cross_process_storage`` and adds
        rows in concurrent batches of ten, printing each batch's ids once its
        ``add_schedule`` calls have returned. It is killed mid-burst; a new
        storage on the same backing store must open, and hold every printed
        row with its payload intact.
        """
        spec = cross_process_storage
        if spec is None:
            pytest.skip(
                "this storage does not cross processes (e.g. in memory); override the "
                "cross_process_storage fixture to run the crash test"
            )
        acked, stderr = _crash_writer(spec)
        assert len(acked) >= _CRASH_MIN_ROWS, f"the writer stopped early:\n{stderr}"
        storage = _build_storage(spec)
        await storage.startup()
        try:
            rows = await self.rows_of(storage)
        finally:
            await storage.shutdown()
        lost = [job_id for job_id in acked if job_id not in rows]
        assert not lost, f"{len(lost)} acknowledged rows lost, e.g. {lost[:5]}"
        for job_id, got in rows.items():
            assert got.message == job_id.encode(), f"row {job_id!r} has a corrupt payload"

    # --- SchedulerLock, when the storage declares it ------------------------------

    @staticmethod
    def _scheduler_lock(storage: Storage) -> SchedulerLock:
        if not isinstance(storage, SchedulerLock):
            pytest.skip("this storage does not declare jobify.storage.SchedulerLock")
        return storage

    async def test_scheduler_lock_admits_one_holder_until_shutdown(
        self, make_storage: Callable[[], Storage]
    ) -> None:
        """A second storage on the same store is refused, naming the holder; shutdown frees it."""
        first, second = make_storage(), make_storage()
        self._scheduler_lock(first)
        await first.startup()
        try:
            await self._scheduler_lock(first).lock_scheduler()
            await self._scheduler_lock(first).lock_scheduler()  # the holder again: nothing
            await second.startup()
            try:
                with pytest.raises(SchedulerLockedError) as refused:
                    await self._scheduler_lock(second).lock_scheduler()
                assert str(os.getpid()) in str(refused.value), "the holder is named"
            finally:
                await second.shutdown()
        finally:
            await first.shutdown()
        await second.startup()
        try:
            await self._scheduler_lock(second).lock_scheduler()
        finally:
            await second.shutdown()

    async def test_scheduler_lock_dies_with_a_killed_holder(
        self,
        make_storage: Callable[[], Storage],
        cross_process_storage: CrossProcessStorage | None,
    ) -> None:
        """A holder killed with SIGKILL leaves nothing stale: the next one locks at once."""
        self._scheduler_lock(make_storage())
        spec = cross_process_storage
        if spec is None:
            pytest.skip("override the cross_process_storage fixture to run the SIGKILL test")
        proc = await asyncio.to_thread(_start_lock_holder, spec)
        try:
            assert proc.stdout is not None
            line = await asyncio.to_thread(proc.stdout.readline)
            assert line.strip() == "locked", proc.communicate(timeout=60)
            storage = _build_storage(spec)
            await storage.startup()
            try:
                with pytest.raises(SchedulerLockedError) as refused:
                    await self._scheduler_lock(storage).lock_scheduler()
                assert str(proc.pid) in str(refused.value), "the holder is named"
                proc.kill()
                await asyncio.to_thread(proc.wait, 60)
                await self._scheduler_lock(storage).lock_scheduler()  # at once: no retry
            finally:
                await storage.shutdown()
        finally:
            proc.kill()
            await asyncio.to_thread(proc.communicate, None, 60)


# --- cluster storages ----------------------------------------------------------------

KillNode = Callable[[ClusterStorage], Awaitable[None]]
"""``await kill(storage)``: the node dies abruptly, as on SIGKILL (no leave, no lease renewal)."""

StallNode = Callable[[ClusterStorage], AbstractAsyncContextManager[None]]
"""``async with stall(storage):``: the node is paused inside (no renewal, no adoption, no call).

Entering returns once the node's lease has expired, so the other nodes may
adopt its rows; leaving lets it run again with the state it had, as a process
does after SIGCONT or when a partition heals.
"""

_LEAVE_TIMEOUT = 5.0  # seconds: a node that leaves hands its rows over without a lease expiry


class _Nodes:
    """The nodes one cluster test starts, with the rows each got from ``join`` and ``adopt``.

    Leaving the ``async with`` shuts down every node still running, so a
    failing test leaves no node holding rows.
    """

    def __init__(self, make_storage: Callable[[], ClusterStorage], kill: KillNode) -> None:
        self._make = make_storage
        self._kill = kill
        self.running: list[ClusterStorage] = []
        self.adopted: dict[int, list[ScheduledJob]] = {}
        self._changed = asyncio.Event()

    async def __aenter__(self) -> _Nodes:
        return self

    async def __aexit__(self, *exc: object) -> None:
        while self.running:
            await self.running.pop().shutdown()

    async def start(self) -> ClusterStorage:
        """A new node, started but not joined."""
        storage = self._make()
        await storage.startup()
        self.running.append(storage)
        self.adopted[id(storage)] = []
        return storage

    async def join(self, storage: ClusterStorage) -> list[ScheduledJob]:
        """Join ``storage``, recording what it adopts later; return the rows join gave it."""

        async def adopt(rows: Sequence[ScheduledJob]) -> None:
            self.adopted[id(storage)].extend(rows)
            self._changed.set()

        joined = list(await storage.join(adopt))
        self.adopted[id(storage)].extend(joined)
        self._changed.set()
        return joined

    async def start_joined(self, count: int) -> list[ClusterStorage]:
        """``count`` new nodes, started and joined one after the other."""
        nodes = []
        for _ in range(count):
            node = await self.start()
            assert await self.join(node) == [], "a node joining a live cluster got rows back"
            nodes.append(node)
        return nodes

    async def kill(self, storage: ClusterStorage) -> None:
        """Kill ``storage``'s node; it is not shut down at the end."""
        self.running.remove(storage)
        await self._kill(storage)

    async def leave(self, storage: ClusterStorage) -> None:
        """Shut ``storage``'s node down: it leaves the cluster."""
        self.running.remove(storage)
        await storage.shutdown()

    async def wait_adopted(
        self, job_ids: set[str], seconds: float
    ) -> dict[str, tuple[ClusterStorage, ScheduledJob]]:
        """Wait until running nodes adopted ``job_ids``; return each row and its adopter.

        A row counts as adopted by a node when its ``join`` returned it or its
        ``adopt`` callback received it; one row adopted by two nodes fails.
        """
        try:
            async with asyncio.timeout(seconds):
                while True:
                    self._changed.clear()
                    got = self._adoptions()
                    if job_ids <= set(got):
                        return got
                    await self._changed.wait()
        except TimeoutError:
            missing = sorted(job_ids - set(self._adoptions()))
            msg = f"{len(missing)} rows not adopted within {seconds} s, e.g. {missing[:5]}"
            raise AssertionError(msg) from None

    def _adoptions(self) -> dict[str, tuple[ClusterStorage, ScheduledJob]]:
        got: dict[str, tuple[ClusterStorage, ScheduledJob]] = {}
        pairs = [(n, r) for n in self.running for r in self.adopted[id(n)]]
        for node, adopted in pairs:
            if adopted.job_id in got and got[adopted.job_id][0] is not node:
                msg = f"row {adopted.job_id!r} was adopted by two nodes"
                raise AssertionError(msg)
            got[adopted.job_id] = (node, adopted)
        return got


class ClusterStorageContract(StorageContract):
    """What every :class:`~jobify.storage.ClusterStorage` must do, beyond :class:`StorageContract`.

    Override four fixtures:

    * ``make_storage``: each call builds a new *node* on the same backing store
      (a storage object as another app process would hold);
    * ``kill``: an ``async def kill(storage)`` that makes that node die
      abruptly, as on SIGKILL: its lease is no longer renewed and it does not
      leave (close its connections without a word);
    * ``stall``: ``stall(storage)``, an async context manager inside which
      that node is paused (see :data:`StallNode`): the fencing tests bring it
      back with stale state after its lease expired;
    * ``adoption_timeout``: seconds within which survivors adopt a dead
      node's rows, a little above the lease expiry (default 30).

    Every test starts its own nodes and shuts down those it did not kill.
    """

    @pytest.fixture
    def make_storage(self) -> Callable[[], ClusterStorage]:
        """Return a factory of cluster nodes sharing one backing store."""
        raise NotImplementedError("override the make_storage fixture")

    @pytest.fixture
    def kill(self) -> KillNode:
        """Return a coroutine function ``kill(storage)``: that node dies without leaving."""
        raise NotImplementedError("override the kill fixture")

    @pytest.fixture
    def stall(self) -> StallNode:
        """Return ``stall(storage)``: an async context manager that pauses that node inside."""
        raise NotImplementedError("override the stall fixture")

    @pytest.fixture
    def adoption_timeout(self) -> float:
        """Return the seconds within which survivors adopt a dead node's rows."""
        return 30.0

    async def test_is_a_cluster_storage(self, make_storage: Callable[[], ClusterStorage]) -> None:
        assert isinstance(make_storage(), ClusterStorage)

    async def test_concurrent_claims_win_each_run_once(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, c = await nodes.start_joined(3)
            ids = [f"run-{i}" for i in range(200)]
            await a.add_schedule(*(row(job_id) for job_id in ids))
            claims: list[Claim] = await asyncio.gather(
                *(node.claim(job_id, T0) for job_id in ids for node in (c, b, a))
            )
            wins = dict.fromkeys(ids, 0)
            for job_id, claim in zip((j for j in ids for _ in "cba"), claims, strict=True):
                wins[job_id] += claim.won
            doubles = sorted(j for j, n in wins.items() if n > 1)
            nobody = sorted(j for j, n in wins.items() if n == 0)
            assert not doubles, f"{len(doubles)} runs won by several nodes, e.g. {doubles[:5]}"
            assert not nobody, f"{len(nobody)} due runs won by no node, e.g. {nobody[:5]}"

    async def test_a_won_claim_returns_the_row_running(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("a", minutes=1, message=b"payload"))
            won, got = await a.claim("a", T0 + timedelta(minutes=2))
            assert won
            assert got is not None
            assert JobStatus(got.status) is JobStatus.RUNNING
            assert (got.job_id, got.name, bytes(got.message)) == ("a", "mod:task", b"payload")
            assert got.next_run_at == T0 + timedelta(minutes=1)
            assert JobStatus((await self.rows_of(a))["a"].status) is JobStatus.RUNNING

    async def test_a_claim_before_the_run_is_due_is_lost(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("a", minutes=5))
            won, got = await a.claim("a", T0)
            assert not won
            assert got is not None
            assert got.next_run_at == T0 + timedelta(minutes=5)
            assert JobStatus(got.status) is JobStatus.SCHEDULED
            assert JobStatus((await self.rows_of(a))["a"].status) is JobStatus.SCHEDULED

    async def test_a_claim_of_a_run_running_on_another_node_is_lost(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(row("a"))
            assert (await a.claim("a", T0)).won
            won, got = await b.claim("a", T0 + timedelta(minutes=1))
            assert not won
            assert got is not None
            assert got.job_id == "a"
            assert JobStatus(got.status) is JobStatus.RUNNING

    async def test_a_claim_of_a_missing_row_is_lost_with_no_row(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            assert tuple(await a.claim("missing", T0)) == (False, None)
            await a.add_schedule(row("gone"))
            await a.delete_schedule("gone")
            assert tuple(await a.claim("gone", T0)) == (False, None)

    async def test_a_retried_claim_is_won_again_by_the_same_node(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        """A claim whose answer was lost on the way is retried; the retry must win too."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await b.add_schedule(row("a"))
            first = await a.claim("a", T0)
            again = await a.claim("a", T0)
            assert first.won
            assert again.won, f"the retry of a won claim was lost: {again}"
            assert again.row is not None
            assert JobStatus(again.row.status) is JobStatus.RUNNING
            assert not (await b.claim("a", T0)).won

    async def test_add_schedule_if_absent_keeps_one_row_for_every_node(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, c = await nodes.start_joined(3)
            offers = [row("cron", message=name.encode()) for name in "abc"]
            got = await asyncio.gather(
                *(n.add_schedule_if_absent(o) for n, o in zip((a, b, c), offers, strict=True))
            )
            stored = list((await self.rows_of(b)).values())
            assert len(stored) == 1
            assert bytes(stored[0].message) in {b"a", b"b", b"c"}
            for returned in got:
                assert returned.job_id == "cron"
                assert bytes(returned.message) == bytes(stored[0].message)
            later = await c.add_schedule_if_absent(row("cron", message=b"later"))
            assert bytes(later.message) == bytes(stored[0].message)

    async def test_joining_does_not_take_the_rows_of_live_nodes(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(*(row(f"a-{i}") for i in range(10)))
            assert (await a.claim("a-0", T0)).won
            b = await nodes.start()
            taken = await nodes.join(b)
            assert taken == [], f"a joining node took a live node's rows: {taken[:5]}"
            rows = await self.rows_of(b)
            assert JobStatus(rows["a-0"].status) is JobStatus.RUNNING
            assert (await a.claim("a-0", T0)).won, "the live node lost its running claim"
            assert nodes.adopted[id(a)] == []

    async def test_a_killed_nodes_rows_are_adopted_by_a_survivor(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, adoption_timeout: float
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, _c = await nodes.start_joined(3)  # two survivors
            ids = {f"a-{i}" for i in range(10)}
            await a.add_schedule(*(row(job_id, minutes=1) for job_id in sorted(ids)))
            await b.add_schedule(row("b-own", minutes=1))
            assert (await a.claim("a-0", T0 + timedelta(minutes=1))).won
            await nodes.kill(a)
            adopted = await nodes.wait_adopted(ids, adoption_timeout)
            assert set(adopted) == ids, "a survivor adopted rows the dead node did not own"
            for job_id, (node, got) in adopted.items():
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                claim = await node.claim(job_id, got.next_run_at)
                assert claim.won, f"the adopter of {job_id!r} lost its claim: {claim}"

    async def test_a_node_that_leaves_hands_its_rows_over_at_once(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, adoption_timeout: float
    ) -> None:
        """``shutdown`` leaves the cluster: survivors adopt its rows without waiting for a lease."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            ids = {f"a-{i}" for i in range(10)}
            await a.add_schedule(*(row(job_id) for job_id in sorted(ids)))
            assert (await a.claim("a-0", T0)).won
            await nodes.leave(a)
            adopted = await nodes.wait_adopted(ids, min(adoption_timeout, _LEAVE_TIMEOUT))
            for job_id, (node, got) in adopted.items():
                assert node is b
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                assert (await b.claim(job_id, T0)).won

    @pytest.mark.parametrize("end", ["killed", "left"])
    async def test_a_node_joining_after_the_others_ended_gets_their_rows(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        adoption_timeout: float,
        end: str,
    ) -> None:
        """Rows of a cluster with no live node go to the next node that joins.

        After a leave, ``join`` returns them; after a kill, they come from
        ``join`` or, once the dead node's lease expired, through ``adopt``.
        """
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            ids = {f"a-{i}" for i in range(5)} | {f"b-{i}" for i in range(5)}
            await a.add_schedule(*(row(j) for j in sorted(ids) if j.startswith("a")))
            await b.add_schedule(*(row(j) for j in sorted(ids) if j.startswith("b")))
            assert (await a.claim("a-0", T0)).won
            for node in (a, b):
                await (nodes.kill(node) if end == "killed" else nodes.leave(node))
            c = await nodes.start()
            joined = await nodes.join(c)
            if end == "left":
                assert {r.job_id for r in joined} == ids
            adopted = await nodes.wait_adopted(ids, adoption_timeout)
            for job_id, (node, got) in adopted.items():
                assert node is c
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                assert (await c.claim(job_id, T0)).won

    # --- fencing: a node back from a pause longer than its lease -------------------

    async def test_a_stale_owners_writes_lose_and_rewind_nothing(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        stall: StallNode,
        adoption_timeout: float,
    ) -> None:
        """The bug this rule closes: a node paused mid-run comes back and writes its stale state.

        ``a`` claims a cron run and a one-off run, then stalls past its lease;
        ``b`` adopts its rows and runs the cron row on. ``a``'s writes then
        lose, whatever they are, and the row is left as ``b`` wrote it.
        """
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(
                row("cron", message=b"a"), row("once", minutes=1), row("odd", minutes=2)
            )
            assert (await a.claim("cron", T0)).won  # a is running these two when it stalls
            assert (await a.claim("once", T0 + timedelta(minutes=1))).won
            async with stall(a):
                await nodes.wait_adopted({"cron", "once", "odd"}, adoption_timeout)
            for minute in range(3):  # b runs the cron row on: T0 again (at-least-once), +1, +2
                due = T0 + timedelta(minutes=minute)
                assert (await b.claim("cron", due)).won
                moved = await b.advance(row("cron", minutes=minute + 1, message=b"b"), due)
                assert moved.won, f"the adopter's advance at {due} lost: {moved}"
            set_aside = getattr(a, "set_aside", None)
            if set_aside is not None:
                await set_aside("odd", "a stale node cannot read it")
                assert "odd" in await self.rows_of(b), "a stale node set aside a row it lost"
            stale = await a.advance(row("cron", minutes=1, message=b"a"), T0)
            assert not stale.won, f"a stale owner's advance was stored: {stale}"
            assert stale.row is not None
            assert stale.row.next_run_at == T0 + timedelta(minutes=3)
            assert not await a.release({"once": T0 + timedelta(minutes=1)}), (
                "a stale owner deleted a row another node holds"
            )
            rows = await self.rows_of(b)
            assert rows["cron"].next_run_at == T0 + timedelta(minutes=3), "the row moved back"
            assert bytes(rows["cron"].message) == b"b"
            assert {"once", "odd"} <= set(rows)
            assert (await b.claim("once", T0 + timedelta(minutes=1))).won
            assert set(await b.release({"once": T0 + timedelta(minutes=1)})) == {"once"}
            assert "once" not in await self.rows_of(b)

    async def test_a_stale_claim_of_a_run_taken_over_is_lost(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        stall: StallNode,
        adoption_timeout: float,
    ) -> None:
        """``a``'s claim was won before it stalled; the run is the adopter's now."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(row("x"))
            assert (await a.claim("x", T0)).won
            async with stall(a):
                await nodes.wait_adopted({"x"}, adoption_timeout)
            assert (await b.claim("x", T0)).won
            again = await a.claim("x", T0)  # the repeat of a claim whose reply was lost
            assert not again.won, f"a stale node won a run the adopter holds: {again}"
            assert again.row is not None
            assert JobStatus(again.row.status) is JobStatus.RUNNING
            assert set(await b.release({"x": T0})) == {"x"}

    async def test_a_node_back_from_a_pause_rejoins_before_it_claims(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, stall: StallNode
    ) -> None:
        """Nobody adopted its rows: it re-reads them (``adopt``) before a claim is answered."""
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("x"), row("y", minutes=1))
            assert (await a.claim("y", T0 + timedelta(minutes=1))).won  # mid-run at the stall
            async with stall(a):
                pass
            claim = await a.claim("x", T0)
            handed = {r.job_id: r for r in nodes.adopted[id(a)]}
            assert set(handed) == {"x", "y"}, (
                f"before its claim was answered, the node re-read {sorted(handed)}, not x and y"
            )
            assert claim.won, claim
            moved = await a.advance(row("x", minutes=5), T0)
            assert moved.won, f"the node's own rows lost its writes after it joined again: {moved}"
            released = await a.release({"y": T0 + timedelta(minutes=1), "x": T0})
            assert set(released) == {"y"}, "x is at T0 + 5 min now: only y is released"
            assert set(await self.rows_of(a)) == {"x"}

    async def test_advance_never_moves_a_row_back(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("x", minutes=5))
            assert (await a.claim("x", T0 + timedelta(minutes=5))).won
            with pytest.raises(ValueError, match="back"):
                await a.advance(row("x", minutes=4), T0 + timedelta(minutes=5))
            lost = await a.advance(row("x", minutes=9), T0 + timedelta(minutes=4))
            assert not lost.won, "an advance from a run the row is not at was stored"
            assert (await self.rows_of(a))["x"].next_run_at == T0 + timedelta(minutes=5)
            moved = await a.advance(row("x", minutes=6), T0 + timedelta(minutes=5))
            assert moved.won
            assert moved.row is not None
            assert JobStatus(moved.row.status) is JobStatus.SCHEDULED
            assert (await self.rows_of(a))["x"].next_run_at == T0 + timedelta(minutes=6)


class CrossProcessStorage(NamedTuple):
    """How another process builds the storage under test: ``factory(**kwargs)``.

    Used by :meth:`StorageContract.test_crash_in_a_write_burst_loses_no_acknowledged_row`.
    """

    factory: str
    """``"module:attr"`` of a storage class or factory function."""
    kwargs: dict[str, Any]
    """Keyword arguments, JSON-compatible (paths as strings)."""
    path: tuple[str, ...] = ()
    """Directories to put on the subprocess's ``sys.path`` before the test process's own."""


_CRASH_MIN_ROWS = 300
_CRASH_WRITER = """
import asyncio, importlib, json, sys
from datetime import datetime, timezone
from jobify.storage import ScheduledJob
from jobify import JobStatus

spec = json.loads(sys.argv[1])
module, _, attr = spec["factory"].partition(":")
factory = getattr(importlib.import_module(module), attr)
T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)

async def main():
    storage = factory(**spec["kwargs"])
    await storage.startup()
    i = 0
    while True:
        ids = [f"crash-{i + k}" for k in range(10)]
        await asyncio.gather(*(
            storage.add_schedule(ScheduledJob(j, "mod:task", j.encode(), JobStatus.SCHEDULED, T0))
            for j in ids
        ))
        sys.stdout.write(" ".join(ids) + "\\n")
        sys.stdout.flush()
        i += 10

asyncio.run(main())
"""


_LOCK_HOLDER = """
import asyncio, importlib, json, sys

spec = json.loads(sys.argv[1])
module, _, attr = spec["factory"].partition(":")
factory = getattr(importlib.import_module(module), attr)

async def main():
    storage = factory(**spec["kwargs"])
    await storage.startup()
    await storage.lock_scheduler()
    sys.stdout.write("locked\\n")
    sys.stdout.flush()
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def _start_lock_holder(spec: CrossProcessStorage) -> subprocess.Popen[str]:
    """Start a process that takes the scheduler lock, prints ``locked`` and sleeps."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*spec.path, *sys.path])}
    payload = json.dumps({"factory": spec.factory, "kwargs": spec.kwargs})
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(_LOCK_HOLDER), payload],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _build_storage(spec: CrossProcessStorage) -> Storage:
    module, _, attr = spec.factory.partition(":")
    added = [p for p in spec.path if p not in sys.path]
    sys.path[:0] = added
    try:
        factory = getattr(importlib.import_module(module), attr)
    finally:
        for p in added:
            sys.path.remove(p)
    storage: Storage = factory(**spec.kwargs)
    return storage


def _crash_writer(spec: CrossProcessStorage) -> tuple[list[str], str]:
    """Run the writer until it acknowledged enough rows, SIGKILL it; return the acked ids."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*spec.path, *sys.path])}
    payload = json.dumps({"factory": spec.factory, "kwargs": spec.kwargs})
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(_CRASH_WRITER), payload],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    acked: list[str] = []
    try:
        assert proc.stdout is not None
        while len(acked) < _CRASH_MIN_ROWS:
            line = proc.stdout.readline()
            if not line:
                break
            acked.extend(line.split())
    finally:
        proc.kill()  # SIGKILL on POSIX: no cleanup runs in the writer
        watchdog.cancel()
    out, err = proc.communicate(timeout=60)
    lines = out.splitlines()
    if lines and not out.endswith("\n"):
        lines.pop()  # a line cut by the kill was not acknowledged in full
    for line in lines:
        acked.extend(line.split())
    return acked, err


def _task(x: int, *rest: str, flag: bool = False, **extra: Any) -> None:
    del x, rest, flag, extra


class SerializerContract:
    """What every :class:`~jobify.serializers.Serializer` must do.

    Override ``serializer``: a fixture returning the serializer to test.
    """

    @pytest.fixture
    def serializer(self) -> Serializer:
        """Return the serializer under test."""
        raise NotImplementedError("override the serializer fixture")

    @pytest.mark.parametrize(
        "value",
        [
            None, True, False, 0, -1, 2**53, 1.5, "", "text", "ünïcødé 🙂",
            [], [1, "a", None], {}, {"a": {"b": [1, 2, {"c": None}]}},
        ],
    )  # fmt: skip
    def test_json_values_round_trip(self, serializer: Serializer, value: Any) -> None:
        data = serializer.dumpb(value)
        assert isinstance(data, bytes)
        assert serializer.loadb(data) == value

    def test_job_messages_round_trip(self, serializer: Serializer) -> None:
        spec: FuncSpec[None] = FuncSpec(_task, name="mod:_task")
        adapter = IdentityAdapter()
        args = {"x": 1, "rest": ("a", "b"), "flag": True, "extra": {"k": "v"}}
        cron = Cron("*/5 * * * *", max_runs=3, misfire_policy=MisfirePolicy.SKIP)
        offset = datetime(
            2030, 6, 1, 9, 15, 30, 250000, tzinfo=timezone(timedelta(hours=-3, minutes=-30))
        )
        for trigger in (At(T0), At(offset), CronTrigger(cron)):
            message = encode(
                spec=spec, arguments=args, trigger=trigger, cron_state=None,
                dumper=adapter, serializer=serializer,
            )  # fmt: skip
            got_args, got_trigger, _ = decode(
                message, spec=spec, serializer=serializer, loader=adapter
            )
            assert got_args == args
            assert got_trigger == trigger
            if isinstance(trigger, At):
                assert isinstance(got_trigger, At)
                assert got_trigger.at.utcoffset() == trigger.at.utcoffset(), "lost tz info"

    def test_garbage_raises_value_error(self, serializer: Serializer) -> None:
        with pytest.raises(ValueError):
            serializer.loadb(b"\xff\x00garbage\xfe")


class CronParserContract:
    """What every cron parser must do.

    Override ``factory``: a fixture returning the cron factory
    (``expression -> CronParser``).
    """

    @pytest.fixture
    def factory(self) -> Callable[[str], CronParser]:
        """Return the cron factory under test."""
        raise NotImplementedError("override the factory fixture")

    @pytest.mark.parametrize("expression", ["* * * * *", "*/15 * * * *", "0 0 1 * *", "@daily"])
    def test_next_run_is_after_now_and_aware(
        self, factory: Callable[[str], CronParser], expression: str
    ) -> None:
        parser = factory(expression)
        now = T0 + timedelta(seconds=17)
        seen: list[datetime] = []
        for _ in range(5):
            nxt = parser.next_run(now=now)
            assert nxt > now
            assert nxt.utcoffset() == now.utcoffset()
            seen.append(nxt)
            now = nxt
        assert seen == sorted(set(seen))

    def test_every_minute(self, factory: Callable[[str], CronParser]) -> None:
        parser = factory("* * * * *")
        assert parser.next_run(now=T0 + timedelta(seconds=30)) == T0 + timedelta(minutes=1)
        assert parser.next_run(now=T0) == T0 + timedelta(minutes=1)

    @pytest.mark.parametrize("expression", ["", "bad", "61 * * * *", "* * * *"])
    def test_invalid_expression_raises_value_error(
        self, factory: Callable[[str], CronParser], expression: str
    ) -> None:
        with pytest.raises(ValueError):
            factory(expression)

    def test_naive_now_raises_value_error(self, factory: Callable[[str], CronParser]) -> None:
        with pytest.raises(ValueError):
            factory("* * * * *").next_run(now=datetime(2030, 1, 1))


# --- type adapters ---------------------------------------------------------------


class _Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class _Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class _Event:
    name: str
    at: datetime
    points: list[_Point]
    counts: dict[str, int]
    note: str | None = None


_IST = timezone(timedelta(hours=5, minutes=30))
_EVENT = _Event(
    "launch", datetime(2030, 3, 31, 2, 30, tzinfo=_IST), [_Point(1, 2.5, "a")], {"k": 1}
)
_TYPED_CASES: list[tuple[str, Any, Any]] = [
    ("datetime-utc", T0, datetime),
    ("datetime-offset", datetime(2030, 6, 1, 9, 15, 30, 123456, tzinfo=_IST), datetime),
    ("date", date(2032, 2, 29), date),
    ("timedelta", timedelta(hours=1, seconds=3), timedelta),
    ("dataclass", _Point(3, -1.5, "ünï"), _Point),
    ("nested-dataclass", _EVENT, _Event),
    ("list-of-dataclasses", [_Point(1, 1.0), _Point(2, 2.0, "b")], list[_Point]),
    ("dict-of-datetimes", {"a": T0, "b": T0.astimezone(_IST)}, dict[str, datetime]),
    ("optional-none", None, int | None),
    ("optional-int", 7, int | None),
    ("enum", _Color.GREEN, _Color),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID),
]


def _offsets(value: Any) -> Iterator[Any]:
    """Every datetime's UTC offset inside ``value``, in a fixed order."""
    if isinstance(value, datetime):
        yield value.utcoffset()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _offsets(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _offsets(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _offsets(value[key])


def _typed_task(point: _Point, when: datetime, events: list[_Event], day: date) -> None:
    del point, when, events, day


class _StdJson:
    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


class TypeAdapterContract:
    """What every type adapter (a :class:`~jobify.typeadapter.Dumper` and ``Loader``) must do.

    Values annotated with a type go ``dump -> json.dumps -> json.loads -> load``
    (what a durable job does to its arguments) and come back equal, of the
    annotated type, with every datetime's UTC offset intact.

    Override ``adapter``: a fixture returning the adapter to test.
    """

    @pytest.fixture
    def adapter(self) -> Any:
        """Return the type adapter under test."""
        raise NotImplementedError("override the adapter fixture")

    def test_is_a_dumper_and_a_loader(self, adapter: Any) -> None:
        assert callable(getattr(adapter, "dump", None))
        assert callable(getattr(adapter, "load", None))

    @pytest.mark.parametrize(
        ("value", "tp"), [c[1:] for c in _TYPED_CASES], ids=[c[0] for c in _TYPED_CASES]
    )
    def test_round_trip_through_json_keeps_the_type(
        self, adapter: Any, value: Any, tp: Any
    ) -> None:
        dumped = adapter.dump(value, tp)
        text = json.dumps(dumped)  # plain JSON data, no default= hook
        got = adapter.load(json.loads(text), tp)
        assert got == value
        assert type(got) is type(value)
        assert list(_offsets(got)) == list(_offsets(value)), "a datetime lost its UTC offset"

    def test_job_message_round_trip(self, adapter: Any) -> None:
        dumper: Dumper = adapter
        loader: Loader = adapter
        spec: FuncSpec[None] = FuncSpec(_typed_task, name="mod:_typed_task")
        args = {
            "point": _Point(1, 2.0),
            "when": _EVENT.at,
            "events": [_EVENT],
            "day": date(2030, 1, 2),
        }
        message = encode(
            spec=spec, arguments=args, trigger=At(T0), cron_state=None,
            dumper=dumper, serializer=_StdJson(),
        )  # fmt: skip
        got, trigger, _ = decode(message, spec=spec, serializer=_StdJson(), loader=loader)
        assert got == args
        assert type(got["point"]) is _Point
        assert type(got["events"][0]) is _Event
        assert got["when"].utcoffset() == _IST.utcoffset(None)
        assert trigger == At(T0)


# --- executors -------------------------------------------------------------------


class ExecutorContract:
    """What every executor (behind ``RunMode.THREAD`` / ``RunMode.PROCESS``) must do.

    Override ``make_executor``: a fixture returning a zero-argument callable that
    builds a new executor. The functions submitted are builtins, so process
    pools can run them too.
    """

    @pytest.fixture
    def make_executor(self) -> Callable[[], Executor]:
        """Return a factory of executors."""
        raise NotImplementedError("override the make_executor fixture")

    @pytest.fixture
    def executor(self, make_executor: Callable[[], Executor]) -> Iterator[Executor]:
        """One executor, shut down after the test."""
        pool = make_executor()
        yield pool
        pool.shutdown(wait=True)

    def test_runs_a_function(self, executor: Executor) -> None:
        assert executor.submit(pow, 2, 10).result(timeout=60) == 1024
        assert executor.submit(divmod, 17, 5).result(timeout=60) == (3, 2)

    def test_propagates_exceptions(self, executor: Executor) -> None:
        with pytest.raises(ZeroDivisionError):
            executor.submit(divmod, 1, 0).result(timeout=60)
        with pytest.raises(ValueError, match="invalid literal"):
            executor.submit(int, "not a number").result(timeout=60)
        assert executor.submit(pow, 3, 2).result(timeout=60) == 9  # still usable

    def test_many_submissions(self, executor: Executor) -> None:
        futures = [executor.submit(pow, 2, i) for i in range(64)]
        assert [f.result(timeout=60) for f in futures] == [2**i for i in range(64)]

    async def test_works_with_run_in_executor(self, executor: Executor) -> None:
        loop = asyncio.get_running_loop()
        run = functools.partial(loop.run_in_executor, executor)  # type: ignore[arg-type]
        assert await run(pow, 3, 4) == 81
        with pytest.raises(ZeroDivisionError):
            await run(divmod, 1, 0)

    def test_shutdown_leaves_no_workers(self, make_executor: Callable[[], Executor]) -> None:
        threads = set(threading.enumerate())
        children = set(multiprocessing.active_children())
        pool = make_executor()
        futures = [pool.submit(pow, 2, i) for i in range(8)]
        assert [f.result(timeout=60) for f in futures] == [2**i for i in range(8)]
        pool.shutdown(wait=True)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            extra_threads = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
            extra_children = set(multiprocessing.active_children()) - children
            if not extra_threads and not extra_children:
                break
            time.sleep(0.01)
        assert not extra_threads, f"threads left after shutdown(wait=True): {extra_threads}"
        assert not extra_children, f"processes left after shutdown(wait=True): {extra_children}"

    def test_submit_after_shutdown_raises_runtime_error(
        self, make_executor: Callable[[], Executor]
    ) -> None:
        pool = make_executor()
        pool.shutdown(wait=True)
        with pytest.raises(RuntimeError):
            pool.submit(pow, 2, 2)

    def test_an_interruptible_executor_stops_a_running_call(self, executor: Executor) -> None:
        """``interrupt`` stops a call that runs, and the executor goes on working.

        Skipped unless the executor is an ``InterruptibleExecutor``.
        """
        if not isinstance(executor, InterruptibleExecutor):
            pytest.skip("not an InterruptibleExecutor")
        stuck = executor.submit(time.sleep, 60)
        deadline = time.monotonic() + 30
        while not stuck.running():
            assert time.monotonic() < deadline, "the call never started"
            time.sleep(0.01)
        assert executor.interrupt(stuck) is True
        with pytest.raises(Exception):  # noqa: B017 - cancelled or failed: either stops it
            stuck.result(timeout=30)
        started = time.monotonic()
        assert executor.submit(pow, 2, 5).result(timeout=30) == 32
        assert time.monotonic() - started < 25, "a later call waited for the interrupted one"
        assert executor.interrupt(stuck) is False


# --- middleware ------------------------------------------------------------------


class _BoomError(Exception):
    pass


class _Probe:
    """The innermost middleware of the suite: counts calls, returns or raises on demand."""

    def __init__(self) -> None:
        self.calls = 0
        self.result: Any = None
        self.error: BaseException | None = None

    async def __call__(self, call_next: Any, context: Any) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        if self.result is not None:
            return self.result
        return await call_next(context)


class MiddlewareContract:
    """What every inner middleware must do, in a real app (storage off, no plugins).

    The middleware under test wraps a probe middleware: it must call
    ``call_next`` exactly once per execution and return what it returns,
    let exceptions and cancellation through, and start and stop with the app
    leaving no task behind.

    Override ``make_middleware``: a fixture returning a zero-argument callable
    that builds a new middleware object.
    """

    @pytest.fixture
    def make_middleware(self) -> Callable[[], Any]:
        """Return a factory of middleware objects."""
        raise NotImplementedError("override the make_middleware fixture")

    @pytest.fixture(autouse=True)
    def _app_alone(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
        monkeypatch.setenv("JOBIFY_CONFIG", "")

    @staticmethod
    def app_with(middleware: Any, probe: _Probe) -> Jobify:
        """An app with storage off and ``[middleware, probe]`` as its middleware."""
        from jobify import Jobify

        return Jobify(storage=False, middleware=[middleware, probe])

    async def test_returns_the_result_of_call_next_once_per_run(
        self, make_middleware: Callable[[], Any]
    ) -> None:
        probe = _Probe()
        app = self.app_with(make_middleware(), probe)
        calls: list[int] = []

        @app.task
        async def double(x: int) -> int:
            calls.append(x)
            return 2 * x

        async with app:
            jobs = [await double.push(i) for i in range(20)]
            async with asyncio.timeout(10):
                for job in jobs:
                    await job.wait()
            results: list[Any] = [job.result() for job in jobs]
            assert results == [2 * i for i in range(20)]
            assert sorted(calls) == list(range(20))
            assert probe.calls == 20
            sentinel = object()
            probe.result = sentinel
            job = await double.push(0)
            async with asyncio.timeout(10):
                await job.wait()
            assert job.result() is sentinel
            assert probe.calls == 21

    async def test_propagates_exceptions(self, make_middleware: Callable[[], Any]) -> None:
        from jobify import JobStatus

        probe = _Probe()
        app = self.app_with(make_middleware(), probe)

        @app.task
        async def fails() -> None:
            raise _BoomError("from the task")

        async with app:
            job = await fails.push()
            async with asyncio.timeout(10):
                await job.wait()
            assert job.status is JobStatus.FAILED
            assert isinstance(job.exception, _BoomError)
            probe.error = _BoomError("from call_next")
            job = await fails.push()
            async with asyncio.timeout(10):
                await job.wait()
            assert isinstance(job.exception, _BoomError)
            assert str(job.exception) == "from call_next"
            assert probe.calls == 2

    async def test_cancelling_a_running_job_reaches_the_task(
        self, make_middleware: Callable[[], Any]
    ) -> None:
        from jobify import JobStatus

        app = self.app_with(make_middleware(), _Probe())
        started = asyncio.Event()
        cancelled = asyncio.Event()

        @app.task
        async def forever() -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

        async with app:
            job = await forever.push()
            async with asyncio.timeout(10):
                await started.wait()
                await job.cancel()
                await cancelled.wait()
            assert job.status is JobStatus.CANCELLED

    async def test_starts_and_stops_with_the_app(self, make_middleware: Callable[[], Any]) -> None:
        before = asyncio.all_tasks()
        for _ in range(2):  # a fresh app and middleware after the first one stopped
            app = self.app_with(make_middleware(), _Probe())

            @app.task
            async def one() -> int:
                return 1

            async with app:
                job = await one.push()
                async with asyncio.timeout(10):
                    await job.wait()
                result: Any = job.result()
                assert result == 1
            for _ in range(3):
                await asyncio.sleep(0)
            left = asyncio.all_tasks() - before
            assert not left, f"tasks left after the app stopped: {left}"


class DistributionContract:
    """What every plugin distribution's discovery must satisfy.

    Set the class attributes in a subclass::

        class TestDiscovered(DistributionContract):
            entry_point = "storage-sqlite"
            distribution = "jobify-storage-sqlite"
            offers = {
                "jobify_register_storages": [
                    ("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", True),
                ],
            }
            lazy_modules = ("sqlite3", "jobify_storage_sqlite.storage")
    """

    entry_point: str = ""
    distribution: str = ""
    offers: dict[str, list[tuple[str, str, bool | str]]] = {}  # noqa: RUF012 - read-only per subclass
    """Per hook: ``(name, "module:attr", default)``; ``default`` is True, False or
    ``"typed"`` (registered with ``typed_default=True``)."""
    lazy_modules: tuple[str, ...] = ()

    @classmethod
    def hooks_module(cls) -> Any:
        """The plugin's hook module, loaded through its entry point."""
        from importlib.metadata import entry_points

        found = list(entry_points(group="jobify", name=cls.entry_point))
        assert len(found) == 1, f"entry point {cls.entry_point!r} in group 'jobify': {found}"
        return found[0].load()

    def test_entry_point_is_declared_by_this_distribution(self) -> None:
        from importlib.metadata import entry_points

        (ep,) = entry_points(group="jobify", name=self.entry_point)
        assert ep.dist is not None
        assert ep.dist.name == self.distribution
        assert ep.value == self.distribution.replace("-", "_") + "._hooks"

    def test_hooks_register_what_they_offer(self) -> None:
        hooks = self.hooks_module()
        for hook, expected in self.offers.items():
            calls: list[tuple[str, Any, bool | str]] = []

            def register(
                name: str, factory: Any, /, *, default: bool = False, typed_default: bool = False
            ) -> None:
                mark = "typed" if typed_default else default
                calls.append((name, factory, mark))  # noqa: B023 - called right away

            getattr(hooks, hook)(register)
            assert calls == expected, hook
            for _name, target, _default in calls:
                module, _, attr = target.partition(":")
                assert callable(getattr(importlib.import_module(module), attr)), target

    def test_hooks_match_the_kernel_specs(self) -> None:
        import pluggy

        from jobify import hookspecs

        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        pm.register(self.hooks_module())
        pm.check_pending()
        implemented = {
            name for name in dir(pm.hook) if name.startswith("jobify_") and
            getattr(pm.hook, name).get_hookimpls()
        }  # fmt: skip
        assert set(self.offers) <= implemented

    def test_discovery_imports_nothing_heavy(self) -> None:
        module = self.distribution.replace("-", "_") + "._hooks"
        code = (
            f"import sys, {module}\n"
            f"loaded = [m for m in {list(self.lazy_modules)!r} if m in sys.modules]\n"
            "assert not loaded, f'imported at discovery: {loaded}'\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603
