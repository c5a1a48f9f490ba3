"""Errors raised by jobify.

Every error says where the problem is, what the bad value was and how to fix
it. The classes of the reference API keep their constructors; the assembly
errors (configuration and plugin distributions) also subclass the builtin a
caller would naturally catch (``ValueError``, ``LookupError``, ``ImportError``).
"""

from __future__ import annotations

__all__ = (
    "ApplicationStateError",
    "BaseJobifyError",
    "ConfigError",
    "DuplicateJobError",
    "JobFailedError",
    "JobNotCompletedError",
    "JobTimeoutError",
    "PluginConflictError",
    "PluginLoadError",
    "PluginNotFoundError",
    "RouteAlreadyRegisteredError",
    "SchedulerLockedError",
    "StorageNotFoundError",
)


class BaseJobifyError(Exception):
    """Base class of every error jobify raises on purpose."""


class ApplicationStateError(BaseJobifyError):
    """Raised when the app is in the wrong state for the requested operation."""

    def __init__(self, *, operation: str, reason: str, solution: str) -> None:
        self.operation = operation
        self.reason = reason
        self.solution = solution
        super().__init__(f"Cannot {operation}: {reason}. {solution}")


class DuplicateJobError(RuntimeError):
    """Raised when a job is scheduled with an ID that is already in use."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(
            f"A job with id {job_id!r} is already scheduled. Pass replace=True to "
            "replace it, or choose another job_id."
        )


class JobFailedError(BaseJobifyError):
    """Raised by ``Job.result()`` when the job did not succeed."""

    def __init__(self, job_id: str, reason: str) -> None:
        self.job_id = job_id
        self.reason = reason
        super().__init__(f"Job {job_id!r} failed: {reason}")


class JobNotCompletedError(BaseJobifyError):
    """Raised when trying to access the result of an incomplete job."""

    def __init__(
        self,
        msg: str = "Job result is not ready yet, please use .wait() and then you can use .result",
    ) -> None:
        super().__init__(msg)


class JobTimeoutError(BaseJobifyError):
    """Raised when job execution exceeds the configured timeout."""

    def __init__(self, job_id: str, timeout: float) -> None:
        self.job_id = job_id
        self.timeout = timeout
        super().__init__(f"Job {job_id!r} exceeded its timeout of {timeout} seconds")


class RouteAlreadyRegisteredError(BaseJobifyError):
    """A route with this name has already been registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"A task named {name!r} is already registered. Give one of them another "
            "name: @app.task(name=...)."
        )


class ConfigError(BaseJobifyError, ValueError):
    """A configuration file or a capability choice is invalid.

    The message starts with where (file and table or key), then what was wrong
    and how to fix it.
    """


class PluginNotFoundError(BaseJobifyError, LookupError):
    """No installed plugin distribution offers the requested name."""


class PluginConflictError(ConfigError):
    """Two plugin distributions offer the same name for one capability."""


class PluginLoadError(BaseJobifyError, ImportError):
    """A plugin distribution's module could not be imported."""


class SchedulerLockedError(BaseJobifyError, RuntimeError):
    """Another app already runs the jobs of this storage (a single-scheduler storage).

    Raised at startup by a storage that implements
    :class:`jobify.storage.SchedulerLock`, e.g. a second ``jobify run`` on one
    SQLite file. The message names the storage, the holder (process id, host,
    since when) and the ways out: a producer app that only stores jobs, or a
    storage made for several schedulers (PostgreSQL).
    """


class StorageNotFoundError(BaseJobifyError, FileNotFoundError):
    """A storage opened read-only found nothing to read (no file, no table).

    Raised by the ``startup`` of a storage returned by
    :meth:`jobify.storage.InspectableStorage.read_only`, which never creates
    what is missing; ``jobify jobs`` reports it with the config it came from.
    """
