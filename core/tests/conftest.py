"""Fixtures for the kernel's behaviour tests: the kernel alone, with fakes for its plugins.

Every test runs with plugin autoload off and no ``jobify.toml``, so what it
observes is the kernel's own behaviour. The fakes are deliberately tiny:

* ``Every``: a cron parser whose expression is a number of seconds;
  ``next_run(now)`` is ``now + step`` and every ``now`` it was called with is
  recorded (on the parser and on its factory).
* ``FakeStorage``: an in-memory :class:`jobify.storage.Storage` that records
  every call, can be told to fail ``add_schedule``, and has the optional
  ``set_aside(job_id, reason)`` method the kernel uses for undecodable rows.
* ``JsonSer``: a stdlib-json serializer.

With ``--import-mode=importlib`` test modules cannot import this file, so
everything is reached through fixtures (``cron_factory``, ``app``,
``storage``, ``serializer``, ``make_app``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from jobify import Jobify
from jobify.storage import ScheduledJob, Storage


@pytest.fixture(autouse=True)
def _kernel_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test the kernel without plugin distributions and without a jobify.toml."""
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")


# --- cron parser ---------------------------------------------------------------


class Every:
    """A cron parser for tests: the expression is a float number of seconds."""

    def __init__(self, expression: str, log: list[datetime]) -> None:
        try:
            seconds = float(expression)
        except ValueError:
            msg = f"not a number of seconds: {expression!r}"
            raise ValueError(msg) from None
        if seconds <= 0:
            msg = f"the step must be > 0, got {expression!r}"
            raise ValueError(msg)
        self.expression = expression
        self.step = timedelta(seconds=seconds)
        self.nows: list[datetime] = []
        self._log = log

    def next_run(self, *, now: datetime) -> datetime:
        self.nows.append(now)
        self._log.append(now)
        return now + self.step


class EveryFactory:
    """A ``cron_factory`` that builds :class:`Every` parsers and records them."""

    def __init__(self) -> None:
        self.expressions: list[str] = []
        self.parsers: list[Every] = []
        self.nows: list[datetime] = []

    def __call__(self, expression: str) -> Every:
        self.expressions.append(expression)
        parser = Every(expression, self.nows)
        self.parsers.append(parser)
        return parser


@pytest.fixture
def cron_factory() -> EveryFactory:
    """A fresh :class:`EveryFactory` (``cron_factory.nows``: every ``now`` seen)."""
    return EveryFactory()


@pytest.fixture
def app(_kernel_alone: None, cron_factory: EveryFactory) -> Jobify:
    """An app with storage off and the :class:`Every` cron parser; not started."""
    return Jobify(storage=False, cron_factory=cron_factory)


# --- storage and serializer ----------------------------------------------------------


class FakeStorage(Storage):
    """An in-memory storage that records what the kernel asks of it."""

    def __init__(self) -> None:
        self.rows: dict[str, ScheduledJob] = {}
        self.added: list[ScheduledJob] = []
        self.deleted: list[str] = []
        self.delete_many_calls: list[list[str]] = []
        self.set_aside_calls: list[tuple[str, str]] = []
        self.aside: dict[str, ScheduledJob] = {}
        self.started = 0
        self.stopped = 0
        self.fail_add: Exception | None = None

    async def startup(self) -> None:
        self.started += 1

    async def shutdown(self) -> None:
        self.stopped += 1

    async def get_schedules(self) -> Sequence[ScheduledJob]:
        return list(self.rows.values())

    async def add_schedule(self, *scheduled: ScheduledJob) -> None:
        if self.fail_add is not None:
            raise self.fail_add
        for row in scheduled:
            self.added.append(row)
            self.rows[row.job_id] = row

    async def delete_schedule(self, job_id: str) -> None:
        self.deleted.append(job_id)
        self.rows.pop(job_id, None)

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        self.delete_many_calls.append(list(job_ids))
        for job_id in job_ids:
            self.deleted.append(job_id)
            self.rows.pop(job_id, None)

    async def set_aside(self, job_id: str, reason: str) -> None:
        self.set_aside_calls.append((job_id, reason))
        row = self.rows.pop(job_id, None)
        if row is not None:
            self.aside[job_id] = row


class JsonSer:
    """A serializer on stdlib json."""

    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


@pytest.fixture
def storage() -> FakeStorage:
    """A fresh in-memory storage; share it between two apps to test a restart."""
    return FakeStorage()


@pytest.fixture
def serializer() -> JsonSer:
    """A stdlib-json serializer."""
    return JsonSer()


@pytest.fixture
def make_app(
    _kernel_alone: None, cron_factory: EveryFactory, storage: FakeStorage, serializer: JsonSer
) -> Callable[..., Jobify]:
    """Build durable apps on the shared fake storage (keyword arguments win)."""

    def make(**kwargs: Any) -> Jobify:
        kwargs.setdefault("storage", storage)
        kwargs.setdefault("serializer", serializer)
        kwargs.setdefault("cron_factory", cron_factory)
        return Jobify(**kwargs)

    return make
