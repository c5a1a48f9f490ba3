"""Everything a plugin distribution can contribute to a jobify app.

A plugin distribution declares an entry point in the ``jobify`` group whose
value is a module holding ``@hookimpl`` functions named after the specs below::

    # pyproject.toml
    [project.entry-points.jobify]
    storage-redis = "jobify_storage_redis._hooks"

    # jobify_storage_redis/_hooks.py
    from jobify.hookspecs import hookimpl

    @hookimpl
    def jobify_register_storages(register):
        register("redis", "jobify_storage_redis.storage:RedisStorage")

*Registration hooks* run once when an app is assembled, never per job; each
hands the plugin a ``register`` callback, and the app owns what is collected.
A ``"module:attr"`` string is imported only when that name is selected.
*Lifecycle hooks* run at app startup and shutdown. *Observer hooks* run around
jobs, but the kernel looks up their implementations once at assembly: when no
plugin implements one, nothing is called per job. Specs only ever grow by
opt-in arguments, so an implementation may accept fewer arguments than its
spec.

A hook module may also set ``JOBIFY_CONTRACT_TESTS`` (:data:`CONTRACT_TESTS_ATTR`)
to the path, relative to its project root, of the test module that runs the
capability's suite from :mod:`jobify.testing.contracts`; ``jobify plugins``
shows it, and whether that file exists (for installs from a source tree), or
"none declared". See docs/writing-a-plugin.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pluggy

if TYPE_CHECKING:
    from datetime import timedelta

    from jobify._kernel.app import Jobify
    from jobify._kernel.context import JobContext
    from jobify._kernel.job import Job
    from jobify.crontab import CronParser
    from jobify.executors import Executor
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware
    from jobify.serializers import Serializer
    from jobify.storage import Storage
    from jobify.typeadapter import Dumper, Loader

__all__ = (
    "CONTRACT_TESTS_ATTR",
    "PROJECT_NAME",
    "Register",
    "RegisterTable",
    "hookimpl",
    "hookspec",
)

PROJECT_NAME = "jobify"
CONTRACT_TESTS_ATTR = "JOBIFY_CONTRACT_TESTS"
"""Optional attribute of a hook module: where its contract-suite tests live."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

T_contra = TypeVar("T_contra", contravariant=True)


class Register(Protocol[T_contra]):
    """The callback each ``jobify_register_*`` hook receives.

    ``name`` must match ``[a-z][a-z0-9-]*``; ``factory`` is a callable that
    builds the capability from the options of its ``jobify.toml`` table, or a
    ``"module:attr"`` string naming one. ``default=True`` makes it the choice
    when the user chooses none; two defaults for one capability fail assembly.
    ``typed_default=True`` (serializers) makes it the choice instead when the
    app has a type adapter (``dumper``/``loader``), whose output is already
    plain data (jobify 0.14: plain JSON then, extended JSON otherwise).
    """

    def __call__(
        self,
        name: str,
        factory: Callable[..., T_contra] | str,
        /,
        *,
        default: bool = False,
        typed_default: bool = False,
    ) -> None:
        """Offer ``factory`` under ``name``."""


class RegisterTable(Protocol):
    """The callback ``jobify_register_config_tables`` receives.

    ``name`` is the table's key under ``[jobify]`` and must match
    ``[a-z][a-z0-9_]*`` and not be one of the kernel's own keys; ``options``
    is an attrs class whose fields are the table's keys (checked with the
    validators of :mod:`jobify.options`), or a ``"module:attr"`` string naming
    one, imported only when the file has that table.
    """

    def __call__(self, name: str, options: type[Any] | str, /) -> None:
        """Claim ``[jobify.<name>]`` for ``options``."""


# --- registration hooks -----------------------------------------------------


@hookspec
def jobify_register_storages(register: Register[Storage]) -> None:
    """Offer storage backends that ``[jobify.storage] use = "<name>"`` selects.

    Called once per app assembly, before startup; never on the job path. Every
    implementation runs; a name offered twice fails assembly, naming both
    plugin distributions.

    Args:
        register: e.g. ``register("sqlite", "pkg.storage:SQLiteStorage", default=True)``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_serializers(register: Register[Serializer]) -> None:
    """Offer serializers that ``[jobify.serializer] use = "<name>"`` selects.

    Called once per app assembly. Every implementation runs; names must be
    unique across plugin distributions.

    Args:
        register: e.g. ``register("json", "pkg:JSONSerializer", default=True)``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_typeadapters(register: Register[Dumper | Loader]) -> None:
    """Offer type adapters that ``[jobify.typeadapter] use = "<name>"`` selects.

    The factory returns one object that is both a ``Dumper`` and a ``Loader``.
    Called once per app assembly; names must be unique.

    Args:
        register: e.g. ``register("pydantic", "pkg:PydanticConverter")``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_executors(register: Register[Executor]) -> None:
    """Offer the pools behind ``RunMode.THREAD`` and ``RunMode.PROCESS``.

    Names are ``thread`` and ``process``; the options of
    ``[jobify.executors.thread]`` / ``[jobify.executors.process]`` are passed
    to the factory. Called once per app assembly; the kernel builds a pool
    only when a task needs it and shuts it down with the app. A factory that
    declares its options class (:func:`jobify.options.declare`) has the
    values checked at assembly, before any pool is built. A pool that is a
    :class:`jobify.executors.InterruptibleExecutor` is told to stop the call
    of a job cancelled while it runs (a ``timeout`` included).

    Args:
        register: e.g. ``register("process", "pkg:make_process_pool")``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_cron_parsers(register: Register[CronParser]) -> None:
    """Offer cron parsers that ``[jobify.cron] use = "<name>"`` selects.

    The factory is called with the expression (plus the table's options) and
    returns a ``CronParser``, raising ``ValueError`` for a bad expression.
    Called once per app assembly; names must be unique.

    Args:
        register: e.g. ``register("croniter", "pkg:create_crontab", default=True)``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_middleware(register: Register[BaseMiddleware | BaseOuterMiddleware]) -> None:
    """Offer middleware that ``[[jobify.middleware]]`` tables select by ``use``.

    Inner middleware (around execution) goes in ``[[jobify.middleware]]``,
    outer middleware (around scheduling) in ``[[jobify.outer_middleware]]``.

    Called once per app assembly; names must be unique. ``default`` is
    ignored: middleware is never added unless chosen.

    Args:
        register: e.g. ``register("queue", "pkg:QueueMiddleware")``.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_register_config_tables(register: RegisterTable) -> None:
    """Claim tables of ``jobify.toml`` that the kernel does not know, for a plugin's own options.

    ``register("metrics", MetricsOptions)`` makes ``[jobify.metrics]`` (and
    ``[tool.jobify.metrics]`` in pyproject.toml) a valid table while this
    plugin is loaded. At assembly its keys are checked against the fields of
    the attrs class (an unknown key fails with the valid names and a "did you
    mean"), then the class is built from them, so its ``jobify.options``
    validators run; errors name the file and the table. The built object is
    ``app.assembly.tables["metrics"]`` (absent when the file has no such
    table); read it in ``jobify_startup``. ``jobify check`` checks it too.

    A top-level table no loaded plugin claims is refused, as any unknown key
    is (a disabled plugin's table included). Called once per app assembly;
    every implementation runs; a name claimed twice fails assembly naming both
    plugin distributions, and a kernel key (``storage``, ``alerts``...) cannot
    be claimed.

    Args:
        register: e.g. ``register("metrics", "pkg.config:MetricsOptions")``.

    .. versionadded:: 0.2
    """


# --- lifecycle hooks --------------------------------------------------------


@hookspec
def jobify_startup(app: Jobify) -> Awaitable[None] | None:
    """React to ``app`` starting, after its storage is open and before jobs restore.

    Called once per startup. Every implementation runs, in registration order;
    a returned awaitable is awaited.

    Args:
        app: the app that is starting.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_shutdown(app: Jobify) -> Awaitable[None] | None:
    """React to ``app`` stopping, after its jobs are cancelled.

    Called once per shutdown, in the reverse order of ``jobify_startup``; a
    returned awaitable is awaited.

    Args:
        app: the app that is stopping.

    .. versionadded:: 0.1
    """


# --- observer hooks ---------------------------------------------------------


@hookspec
def jobify_job_scheduled(job: Job[Any]) -> None:
    """Observe a job that was just scheduled (push, at, delay, cron or restore).

    Called per job, but only when some plugin implements it: the kernel
    resolves the implementations at assembly. Must not block; what it raises
    is logged and ignored.

    Args:
        job: the scheduled job.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_job_started(context: JobContext) -> None:
    """Observe a job run starting, inside the execution pipeline.

    Same cost rule as ``jobify_job_scheduled``. Must not block; what it
    raises is logged and ignored.

    Args:
        context: the run's context (job, state, request state, options).

    .. versionadded:: 0.1
    """


@hookspec
def jobify_job_finished(job: Job[Any]) -> None:
    """Observe a job run ending, with ``job.status`` and result or exception set.

    Same cost rule as ``jobify_job_scheduled``. Must not block; what it
    raises is logged and ignored.

    Args:
        job: the job whose run ended.

    .. versionadded:: 0.1
    """


@hookspec
def jobify_job_headers(job: Job[Any]) -> Mapping[str, str] | None:
    """Give headers to store with a job that is being scheduled (e.g. a trace context).

    Called per scheduled job, before it is stored, only when some plugin
    implements it (resolved at assembly). The headers of every implementation
    are merged into ``job.headers``; they are stored with a durable job and are
    ``job.headers`` again when it runs, in this or another process, also after
    a restart. Must not block; what it raises fails the scheduling call.

    Args:
        job: the job being scheduled (its ``headers`` hold earlier plugins' headers).

    Returns:
        Header names to text values, or None for none.

    .. versionadded:: 0.2
    """


@hookspec
def jobify_job_retried(context: JobContext, attempt: int, error: BaseException) -> None:
    """Observe a failed attempt of a run that is about to be retried.

    Same cost rule as ``jobify_job_scheduled``. Must not block; what it raises
    is logged and ignored.

    Args:
        context: the run's context.
        attempt: the number of the attempt that failed (1 for the first).
        error: what it raised.

    .. versionadded:: 0.2
    """


@hookspec
def jobify_job_missed(job: Job[Any], kind: str, late: timedelta) -> None:
    """Observe a cron run that was missed: it did not start, or did not finish, within grace.

    ``kind`` is ``"start"`` (the run started ``late`` after its planned time:
    the process was down, the pool was full) or ``"finish"`` (the run has been
    running for ``late``, longer than its run grace). Graces are set in
    ``[jobify.alerts]``; with none set, this is never called. Same cost rule as
    ``jobify_job_scheduled``.

    Args:
        job: the cron job.
        kind: ``"start"`` or ``"finish"``.
        late: how late (start) or how long (finish).

    .. versionadded:: 0.2
    """
