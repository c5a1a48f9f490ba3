"""The contract suites pass a correct implementation and catch broken ones."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from jobify.storage import ScheduledJob, Storage
from jobify.testing.contracts import CronParserContract, SerializerContract, StorageContract


class DictStorage(Storage):
    def __init__(self, backing: dict[str, ScheduledJob], *, drop_every: int = 0) -> None:
        self.backing = backing
        self.drop_every = drop_every
        self.writes = 0

    async def startup(self) -> None: ...
    async def shutdown(self) -> None: ...

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        return list(self.backing.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        for row in scheduled:
            self.writes += 1
            if self.drop_every and self.writes % self.drop_every == 0:
                continue  # the bug: a write is lost
            self.backing[row.job_id] = row

    async def delete_schedule(self, job_id: str) -> None:
        self.backing.pop(job_id, None)

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            self.backing.pop(job_id, None)


class TestDictStorage(StorageContract):
    @pytest.fixture
    def make_storage(self) -> Callable[[], Storage]:
        backing: dict[str, ScheduledJob] = {}
        return lambda: DictStorage(backing)


async def test_storage_that_drops_a_write_fails_the_contract() -> None:
    backing: dict[str, ScheduledJob] = {}
    with pytest.raises(AssertionError):
        await StorageContract().test_concurrent_writes_all_land(
            lambda: DictStorage(backing, drop_every=97)
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
