"""The rooms of one app, made once when it is assembled, each given the others it needs.

The timer loop, the job table (with its write-behind), the job runner, the
restorer and the operator controls are built here from what assembly resolved
and held in the app's :class:`~jobify._kernel.configuration.JobifyConfiguration`.
Collaborators are passed in: no room reaches for another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify._assembly.seed import install_hint
from jobify._kernel.configuration import JobifyConfiguration, NoStorage
from jobify._kernel.control import JobControl
from jobify._kernel.jobs import JobTable
from jobify._kernel.message import MessageCodec
from jobify._kernel.pools import WorkerPools
from jobify._kernel.restore import Restorer
from jobify._kernel.runner import JobRunner
from jobify._kernel.timer import TimerLoop
from jobify._kernel.writeback import WriteBehind
from jobify.storage import ClusterStorage, HistoryStorage, ResultStorage, Storage

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from jobify._assembly.assemble import Assembly
    from jobify._kernel.app import Jobify
    from jobify._kernel.arguments import AppArguments, ExtraArguments
    from jobify.crontab import CronParser
    from jobify.typeadapter import Dumper, Loader

__all__ = ("build_rooms",)


def build_rooms(
    app: Jobify,
    asm: Assembly,
    args: AppArguments,
    extra: ExtraArguments,
    *,
    tz: ZoneInfo,
    dumper: Dumper,
    loader: Loader,
) -> JobifyConfiguration:
    """Make ``app``'s rooms and its configuration; without storage durable jobs live in memory."""
    timer = TimerLoop(tz=tz, clock=extra.clock)
    stored = asm.storage is not None and asm.storage is not False
    storage: Storage = (
        asm.storage if asm.storage is not None and asm.storage is not False else NoStorage()
    )
    serializer = asm.serializer if asm.serializer is not False else None
    codec = (
        None
        if serializer is None
        else MessageCodec(serializer=serializer, dumper=dumper, loader=loader)
    )
    writes = WriteBehind(
        storage,
        results=storage if extra.results_ttl and isinstance(storage, ResultStorage) else None,
        history=storage if extra.history and isinstance(storage, HistoryStorage) else None,
        cluster=storage if isinstance(storage, ClusterStorage) else None,
    )
    jobs = JobTable(
        app=app,
        storage=storage,
        stored=stored,
        codec=codec,
        timer=timer,
        writes=writes,
        new_id=args.new_job_id,
        producer=extra.role == "producer",
        observers_scheduled=asm.observers_scheduled,
        headers=asm.observers_headers,
    )
    runner = JobRunner(
        app, jobs, timer, observers_finished=asm.observers_finished,
        observers_missed=asm.observers_missed, alerts=extra.alerts,
        json_logs=extra.json_logs,
    )  # fmt: skip
    restorer = Restorer(jobs, storage, app.registry.routes)
    return JobifyConfiguration(
        app=app, tz=tz, dumper=dumper, loader=loader, storage=storage,
        getloop=args.loop_factory, serializer=serializer,
        worker_pools=WorkerPools(
            factories=asm.executors,
            thread=args.threadpool_executor,
            process=args.processpool_executor,
        ),
        cron_factory=asm.cron_factory or _no_cron_parser, uuid_generator=args.uuid_generator,
        jobs=jobs, timer=timer, restorer=restorer, runner=runner,
        control=JobControl(jobs, storage, restorer),
    )  # fmt: skip


def _no_cron_parser(expression: str) -> CronParser:
    msg = (
        f"cannot parse cron {expression!r}: no cron parser is installed. Install one "
        f"({install_hint('cron')}) or pass Jobify(cron_factory=...)"
    )
    raise RuntimeError(msg)
