"""The storage suite: what every ``Storage`` must do, and what its declared abilities promise."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from jobify._kernel.values import JobStatus
from jobify.exceptions import SchedulerLockedError
from jobify.storage import ScheduledJob, SchedulerLock, Storage

if TYPE_CHECKING:
    pass

__all__ = (
    "CrossProcessStorage",
    "StorageContract",
    "row",
    "T0",
    "UTC",
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
