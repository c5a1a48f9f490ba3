"""What an app is made of once assembled: its configuration, the Plugin contract, a snapshot.

:class:`JobifyConfiguration` is the reference's ``jobify_config`` (handed to
middleware and tasks in their contexts); it also holds the app's job table and
timer loop, the rooms tasks reach through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

from jobify._kernel.control import JobControl
from jobify._kernel.jobs import JobTable
from jobify._kernel.pools import WorkerPools
from jobify._kernel.restore import Restorer
from jobify._kernel.runner import JobRunner
from jobify._kernel.timer import TimerLoop
from jobify.crontab import CronParser
from jobify.serializers import Serializer
from jobify.storage import Storage
from jobify.typeadapter import Dumper, Loader

if TYPE_CHECKING:
    from jobify._kernel.app import Jobify

__all__ = ("AppStatistics", "JobifyConfiguration", "NoStorage", "Plugin")


@runtime_checkable
class Plugin(Protocol):
    """Lifecycle hooks for integrating extensions into a Jobify app.

    Not to be confused with plugin *distributions* (entry points): a
    ``Plugin`` is an object passed to ``Jobify(plugins=[...])``.
    """

    async def startup(self, app: Jobify) -> None:
        """Called at app startup, in registration order."""

    async def shutdown(self) -> None:
        """Called at app shutdown, in reverse order."""


@attrs.define(kw_only=True, eq=False, repr=False)
class JobifyConfiguration:
    """The resolved configuration of one app, and the kernel rooms that use it."""

    app: Jobify
    tz: ZoneInfo
    dumper: Dumper
    loader: Loader
    storage: Storage
    getloop: Callable[[], asyncio.AbstractEventLoop]
    serializer: Serializer | None
    """None: none installed and no storage that would need one."""
    worker_pools: WorkerPools
    cron_factory: Callable[[str], CronParser]
    uuid_generator: Callable[[], Any]
    jobs: JobTable
    timer: TimerLoop
    restorer: Restorer
    runner: JobRunner
    control: JobControl
    app_started: bool = False

    def __repr__(self) -> str:
        return f"<JobifyConfiguration tz={self.tz} storage={type(self.storage).__name__}>"


class AppStatistics(NamedTuple):
    """A snapshot of an app's kernel (``app.statistics()``), for tests and operators."""

    tasks: int
    jobs_live: int
    jobs_running: int
    timers_armed: int
    pending_deletes: int


class NoStorage(Storage):
    """Storage when it is off: nothing is stored, nothing restored."""

    __slots__ = ()

    async def startup(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def get_schedules(self) -> Sequence[Any]:
        return ()

    async def add_schedule(self, *scheduled: Any) -> None:
        return None

    async def delete_schedule(self, job_id: str) -> None:
        return None

    async def delete_schedule_many(self, job_ids: Sequence[str]) -> None:
        return None
