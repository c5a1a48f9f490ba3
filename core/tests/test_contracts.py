"""The contract suites pass a correct implementation and catch broken ones."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobify import JobStatus
from jobify.storage import Claim, ScheduledJob, Storage
from jobify.testing.contracts import (
    T0,
    ClusterStorageContract,
    CronParserContract,
    CrossProcessStorage,
    ExecutorContract,
    MiddlewareContract,
    SerializerContract,
    StorageContract,
    TypeAdapterContract,
)
from jobify.testing.contracts import row as make_row
from jobify.testing.memory import ClaimRecord, MemoryCluster, MemoryNodeStorage, MemoryStorage

HERE = str(Path(__file__).parent)


class DroppingStorage(MemoryStorage):
    """The bug under test: every n-th write is acknowledged but lost."""

    def __init__(self, rows: dict[str, ScheduledJob], *, drop_every: int) -> None:
        super().__init__(rows)
        self.drop_every = drop_every
        self.writes = 0

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        kept = []
        for row in scheduled:
            self.writes += 1
            if self.writes % self.drop_every:
                kept.append(row)
        await super().add_schedule(*kept)


class TestMemoryStorage(StorageContract):
    """jobify.testing.memory.MemoryStorage, offered to users' tests, passes the suite."""

    @pytest.fixture
    def make_storage(self) -> Callable[[], Storage]:
        rows: dict[str, ScheduledJob] = {}
        return lambda: MemoryStorage(rows)


async def test_storage_that_drops_a_write_fails_the_contract() -> None:
    backing: dict[str, ScheduledJob] = {}
    with pytest.raises(AssertionError):
        await StorageContract().test_concurrent_writes_all_land(
            lambda: DroppingStorage(backing, drop_every=97)
        )


# --- cluster storages ---------------------------------------------------------------


class TestMemoryCluster(ClusterStorageContract):
    """jobify.testing.memory.MemoryCluster, offered to kernel tests, passes the suite."""

    @pytest.fixture
    def cluster(self) -> MemoryCluster:
        return MemoryCluster()

    @pytest.fixture
    def make_storage(self, cluster: MemoryCluster) -> Callable[[], MemoryNodeStorage]:
        return cluster.node

    @pytest.fixture
    def kill(self, cluster: MemoryCluster) -> Callable[[MemoryNodeStorage], Any]:
        return cluster.kill

    @pytest.fixture
    def stall(self, cluster: MemoryCluster) -> Callable[[MemoryNodeStorage], Any]:
        @contextlib.asynccontextmanager
        async def stall(node: MemoryNodeStorage) -> AsyncIterator[None]:
            await cluster.expire(node)  # its lease is taken over at once
            yield

        return stall

    @pytest.fixture
    def adoption_timeout(self) -> float:
        return 0.5  # adoption happens inside kill()


async def test_memory_cluster_logs_claims_and_owners_and_refuses_a_dead_node() -> None:
    cluster = MemoryCluster()
    a, b = cluster.node("a"), cluster.node()
    assert b.name == "node-1"
    for node in (a, b):
        await node.startup()
        await node.join(_ignore)
    await a.add_schedule(make_row("x"))
    assert cluster.owner_of("x") == "a"
    assert (await b.claim("x", T0)).won
    assert not (await a.claim("x", T0)).won
    assert cluster.claims == [ClaimRecord("node-1", "x", True), ClaimRecord("a", "x", False)]
    assert cluster.owner_of("x") == "node-1"
    assert cluster.owner_of("missing") is None
    await cluster.kill(b)
    assert cluster.owner_of("x") == "a"
    assert cluster.rows["x"].status is JobStatus.SCHEDULED
    with pytest.raises(RuntimeError, match="node 'node-1' is dead"):
        await b.get_schedules()
    with pytest.raises(ValueError, match="a live node is already named 'a'"):
        cluster.node("a")
    await a.shutdown()


async def _ignore(rows: Any) -> None:
    del rows


class RacyClaimNode(MemoryNodeStorage):
    """The bug: the claim checks the row, awaits, then writes it (not atomic)."""

    async def claim(self, job_id: str, due: datetime) -> Claim:
        row = self.cluster.rows.get(job_id)
        if row is None or row.next_run_at > due or row.status is not JobStatus.SCHEDULED:
            return Claim(False, row)
        await asyncio.sleep(0)  # another node's claim reads the row here
        running = self.cluster.rows[job_id] = row._replace(status=JobStatus.RUNNING)
        return Claim(True, running)


class GreedyJoinNode(MemoryNodeStorage):
    """The bug: joining takes every row, the live nodes' ones too."""

    async def join(self, adopt: Any) -> Any:
        cluster = self.cluster
        cluster.take(self, [j for j in cluster.rows if cluster.owner_of(j) != self.name])
        return await super().join(adopt)


class SilentLeaveCluster(MemoryCluster):
    """The bug: shutdown does not leave; its rows wait for the next join (a lease expiry)."""

    async def leave(self, node: MemoryNodeStorage) -> None:
        del node  # nothing handed over; the stopped node's rows are orphaned until a join


class RunningAdoptionCluster(MemoryCluster):
    """The bug: adopted rows keep their RUNNING status, so nobody runs them again."""

    def take(self, node: MemoryNodeStorage, job_ids: Any) -> list[ScheduledJob]:
        running = [j for j in job_ids if self.rows[j].status is JobStatus.RUNNING]
        super().take(node, job_ids)
        for job_id in running:
            self.rows[job_id] = self.rows[job_id]._replace(status=JobStatus.RUNNING)
        return [self.rows[job_id] for job_id in job_ids]


class UnfencedNode(MemoryNodeStorage):
    """The bug: a write after a run is an upsert, whoever holds the row now (jobify <= the fix)."""

    async def advance(self, row: ScheduledJob, claimed: datetime) -> Claim:
        await self.add_schedule(row)
        return Claim(True, row)

    async def release(self, held: Any) -> set[str]:
        await self.delete_schedule_many(list(held))
        return set(held)

    async def set_aside(self, job_id: str, reason: str) -> None:
        row = self.cluster.drop(job_id)
        if row is not None:
            self.cluster.aside[job_id] = (row, reason)


class NoRejoinNode(MemoryNodeStorage):
    """The bug: a node whose lease expired claims on as if nothing happened."""

    async def claim(self, job_id: str, due: datetime) -> Claim:
        return self.cluster.claim(self, job_id, due)


def _broken_cluster(
    node: type[MemoryNodeStorage], cluster: MemoryCluster | None = None
) -> tuple[Callable[[], MemoryNodeStorage], Callable[[MemoryNodeStorage], Any]]:
    """``make_storage`` and ``kill`` for a cluster of ``node`` objects."""
    shared = MemoryCluster() if cluster is None else cluster
    return (lambda: node(shared)), shared.kill


async def test_cluster_storage_whose_claim_is_not_atomic_fails_the_contract() -> None:
    with pytest.raises(AssertionError, match="won by several nodes"):
        await ClusterStorageContract().test_concurrent_claims_win_each_run_once(
            *_broken_cluster(RacyClaimNode)
        )


async def test_cluster_storage_whose_join_steals_live_rows_fails_the_contract() -> None:
    with pytest.raises(AssertionError, match="took a live node's rows"):
        await ClusterStorageContract().test_joining_does_not_take_the_rows_of_live_nodes(
            *_broken_cluster(GreedyJoinNode)
        )


async def test_cluster_storage_whose_shutdown_does_not_leave_fails_the_contract() -> None:
    with pytest.raises(AssertionError, match="not adopted within 0.2 s"):
        await ClusterStorageContract().test_a_node_that_leaves_hands_its_rows_over_at_once(
            *_broken_cluster(MemoryNodeStorage, SilentLeaveCluster()), 0.2
        )


async def test_cluster_storage_that_adopts_running_rows_as_running_fails_the_contract() -> None:
    make, kill = _broken_cluster(MemoryNodeStorage, RunningAdoptionCluster())
    with pytest.raises(AssertionError, match="running"):
        await ClusterStorageContract().test_a_killed_nodes_rows_are_adopted_by_a_survivor(
            make, kill, 0.2
        )


class JsonSerializer:
    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


class TestJsonSerializer(SerializerContract):
    @pytest.fixture
    def serializer(self) -> JsonSerializer:
        return JsonSerializer()


def test_serializer_that_loses_unicode_fails_the_contract() -> None:
    class Lossy(JsonSerializer):
        def dumpb(self, data: Any) -> bytes:
            return json.dumps(data).encode("ascii", "ignore").replace(b"\\u", b"u")

    with pytest.raises(AssertionError):
        SerializerContract().test_json_values_round_trip(Lossy(), "ünïcødé 🙂")


class Minutely:
    def __init__(self, expression: str) -> None:
        if expression not in ("* * * * *", "*/15 * * * *", "0 0 1 * *", "@daily"):
            raise ValueError(f"unsupported expression {expression!r}")
        self.step = {"* * * * *": 1, "*/15 * * * *": 15, "0 0 1 * *": 60 * 24 * 31, "@daily": 1440}[
            expression
        ]

    def next_run(self, *, now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("naive")
        base = now.replace(second=0, microsecond=0)
        return base + timedelta(minutes=self.step - base.minute % self.step)


class TestMinutelyParser(CronParserContract):
    @pytest.fixture
    def factory(self) -> Callable[[str], Minutely]:
        return Minutely


def test_parser_that_returns_now_fails_the_contract() -> None:
    class Stuck(Minutely):
        def next_run(self, *, now: datetime) -> datetime:
            return now

    with pytest.raises(AssertionError):
        CronParserContract().test_next_run_is_after_now_and_aware(Stuck, "* * * * *")


# --- storage: the crash in a write burst --------------------------------------------


class TestFileStorage(StorageContract):
    """A storage that fsyncs every batch passes the suite, crash test included."""

    @pytest.fixture
    def make_storage(self, tmp_path):
        return lambda: _file_storage("FileStorage", tmp_path / "rows.json")

    @pytest.fixture
    def cross_process_storage(self, tmp_path):
        return CrossProcessStorage(
            "crashy_storages:FileStorage", {"path": str(tmp_path / "rows.json")}, (HERE,)
        )


def _file_storage(name: str, path: Path) -> Storage:
    spec = CrossProcessStorage(f"crashy_storages:{name}", {"path": str(path)}, (HERE,))
    from jobify.testing.contracts.storage import _build_storage

    return _build_storage(spec)


async def test_storage_that_acknowledges_before_writing_fails_the_crash_test(tmp_path) -> None:
    spec = CrossProcessStorage(
        "crashy_storages:LazyFileStorage", {"path": str(tmp_path / "rows.json")}, (HERE,)
    )
    with pytest.raises(AssertionError, match="acknowledged rows lost"):
        await StorageContract().test_crash_in_a_write_burst_loses_no_acknowledged_row(spec)


def test_in_memory_storage_skips_the_crash_test() -> None:
    with pytest.raises(pytest.skip.Exception, match="cross_process_storage"):
        asyncio.run(StorageContract().test_crash_in_a_write_burst_loses_no_acknowledged_row(None))


# --- serializer: tz info ---------------------------------------------------------------


def test_serializer_that_loses_tz_info_fails_the_contract() -> None:
    class DropsOffsets(JsonSerializer):
        """Strips "+hh:mm" / "-hh:mm" offsets from ISO timestamps, as a naive codec would."""

        def dumpb(self, data: Any) -> bytes:
            import re

            text = json.dumps(data)
            return re.sub(r"(T\d\d:\d\d:\d\d(?:\.\d+)?)[+-]\d\d:\d\d", r"\1+00:00", text).encode()

    with pytest.raises(AssertionError):
        SerializerContract().test_job_messages_round_trip(DropsOffsets())


# --- type adapters ------------------------------------------------------------------


class NaiveIsoAdapter:
    """A hand-written adapter for the suite's types that drops UTC offsets (the bug)."""

    def dump(self, data: Any, tp: Any, /) -> Any:
        import dataclasses
        import enum
        import uuid
        from datetime import date

        if isinstance(data, datetime):
            return data.replace(tzinfo=None).isoformat()
        if isinstance(data, date):
            return data.isoformat()
        if isinstance(data, timedelta):
            return data.total_seconds()
        if isinstance(data, enum.Enum):
            return data.value
        if isinstance(data, uuid.UUID):
            return str(data)
        if dataclasses.is_dataclass(data) and not isinstance(data, type):
            return {
                f.name: self.dump(getattr(data, f.name), None) for f in dataclasses.fields(data)
            }
        if isinstance(data, list):
            return [self.dump(x, None) for x in data]
        if isinstance(data, dict):
            return {k: self.dump(v, None) for k, v in data.items()}
        return data

    def load(self, data: Any, tp: Any, /) -> Any:
        if tp is datetime:
            return datetime.fromisoformat(data)
        return data


def test_adapter_that_loses_tz_info_fails_the_contract() -> None:
    contract = TypeAdapterContract()
    with pytest.raises(AssertionError):
        contract.test_round_trip_through_json_keeps_the_type(
            NaiveIsoAdapter(), datetime(2030, 1, 1, tzinfo=timezone_plus(2)), datetime
        )


def test_adapter_that_returns_plain_dicts_fails_the_contract() -> None:
    from jobify.testing.contracts.typeadapter import _Point

    with pytest.raises(AssertionError):
        TypeAdapterContract().test_round_trip_through_json_keeps_the_type(
            NaiveIsoAdapter(), _Point(1, 2.0), _Point
        )


def timezone_plus(hours: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=hours))


# --- executors ------------------------------------------------------------------------


class TestThreadPoolExecutor(ExecutorContract):
    @pytest.fixture
    def make_executor(self):
        return lambda: ThreadPoolExecutor(max_workers=2)


class SwallowingPool(ThreadPoolExecutor):
    """The bug: a failed call resolves to None instead of raising."""

    def submit(self, fn, /, *args, **kwargs):
        def safe():
            try:
                return fn(*args, **kwargs)
            except Exception:
                return None

        return super().submit(safe)


class LeakyPool:
    """The bug: shutdown() returns while a worker thread still runs."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.inner = ThreadPoolExecutor(max_workers=1)
        self.thread = threading.Thread(target=self.stop.wait, daemon=True)
        self.thread.start()

    def submit(self, fn, /, *args, **kwargs) -> Future[Any]:
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_executor_that_swallows_exceptions_fails_the_contract() -> None:
    pool = SwallowingPool(max_workers=1)
    try:
        with pytest.raises(pytest.fail.Exception):
            ExecutorContract().test_propagates_exceptions(pool)
    finally:
        pool.shutdown()


def test_executor_that_leaves_a_worker_fails_the_contract() -> None:
    pools: list[LeakyPool] = []

    def make() -> LeakyPool:
        pools.append(LeakyPool())
        return pools[-1]

    try:
        with pytest.raises(AssertionError, match="threads left"):
            ExecutorContract().test_shutdown_leaves_no_workers(make)
    finally:
        for pool in pools:
            pool.stop.set()
            pool.thread.join()


# --- middleware -----------------------------------------------------------------------


class Passthrough:
    async def __call__(self, call_next, context):
        return await call_next(context)


class TestPassthroughMiddleware(MiddlewareContract):
    @pytest.fixture
    def make_middleware(self):
        return Passthrough


class CallsTwice:
    """The bug: runs the job twice (e.g. a naive retry)."""

    async def __call__(self, call_next, context):
        await call_next(context)
        return await call_next(context)


class Swallows:
    """The bug: an exception becomes a None result."""

    async def __call__(self, call_next, context):
        try:
            return await call_next(context)
        except Exception:
            return None


class LeaksATask:
    """The bug: starts a worker task with the app and never stops it."""

    async def startup(self, app) -> None:
        self.task = asyncio.get_running_loop().create_task(asyncio.Event().wait())

    async def shutdown(self) -> None:
        pass

    async def __call__(self, call_next, context):
        return await call_next(context)


async def test_middleware_that_calls_call_next_twice_fails_the_contract() -> None:
    with pytest.raises(AssertionError):
        await MiddlewareContract().test_returns_the_result_of_call_next_once_per_run(CallsTwice)


async def test_middleware_that_swallows_exceptions_fails_the_contract() -> None:
    with pytest.raises(AssertionError):
        await MiddlewareContract().test_propagates_exceptions(Swallows)


async def test_middleware_that_leaks_a_task_fails_the_contract() -> None:
    made: list[LeaksATask] = []

    def make() -> LeaksATask:
        made.append(LeaksATask())
        return made[-1]

    try:
        with pytest.raises(AssertionError, match="tasks left"):
            await MiddlewareContract().test_starts_and_stops_with_the_app(make)
    finally:
        for mw in made:
            mw.task.cancel()
        await asyncio.gather(*(mw.task for mw in made), return_exceptions=True)


@contextlib.asynccontextmanager
async def _expired(node: MemoryNodeStorage) -> AsyncIterator[None]:
    await node.cluster.expire(node)
    yield


async def test_cluster_storage_whose_writes_are_not_fenced_fails_the_contract() -> None:
    make, kill = _broken_cluster(UnfencedNode)
    with pytest.raises(AssertionError, match="a stale node set aside a row it lost"):
        await ClusterStorageContract().test_a_stale_owners_writes_lose_and_rewind_nothing(
            make, kill, _expired, 0.2
        )


async def test_cluster_storage_that_fences_only_set_aside_fails_the_contract() -> None:
    class RewindingNode(UnfencedNode):
        set_aside = MemoryNodeStorage.set_aside

    make, kill = _broken_cluster(RewindingNode)
    with pytest.raises(AssertionError, match="a stale owner's advance was stored"):
        await ClusterStorageContract().test_a_stale_owners_writes_lose_and_rewind_nothing(
            make, kill, _expired, 0.2
        )


async def test_cluster_storage_that_does_not_rejoin_after_its_lease_expired_fails_the_contract() -> (
    None
):
    make, kill = _broken_cluster(NoRejoinNode)
    with pytest.raises(AssertionError, match="before its claim was answered"):
        await ClusterStorageContract().test_a_node_back_from_a_pause_rejoins_before_it_claims(
            make, kill, _expired
        )
