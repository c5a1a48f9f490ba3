"""Contract test suites that plugin distributions subclass.

Each class holds tests every implementation of one capability must pass; a
plugin's tests subclass it and override one fixture::

    from jobify.testing.contracts import StorageContract

    class TestRedisStorage(StorageContract):
        @pytest.fixture
        def make_storage(self, tmp_path):
            return lambda: RedisStorage(url=...)

The suites need pytest (they are imported by test modules only) and run
``async def`` tests with :mod:`jobify.testing.aio`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from jobify._kernel.message import decode, encode
from jobify._kernel.runnable import FuncSpec
from jobify._kernel.timer import At, CronTrigger
from jobify._kernel.values import Cron, JobStatus, MisfirePolicy
from jobify.crontab import CronParser
from jobify.serializers import Serializer
from jobify.storage import ScheduledJob, Storage
from jobify.typeadapter import IdentityAdapter

__all__ = ("CronParserContract", "SerializerContract", "StorageContract")

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
        for trigger in (At(T0), CronTrigger(cron)):
            message = encode(
                spec=spec, arguments=args, trigger=trigger, cron_state=None,
                dumper=adapter, serializer=serializer,
            )  # fmt: skip
            got_args, got_trigger, _ = decode(
                message, spec=spec, serializer=serializer, loader=adapter
            )
            assert got_args == args
            assert got_trigger == trigger

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
