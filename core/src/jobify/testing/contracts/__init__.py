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
* :class:`ChangeFeedContract`, :class:`ControlStorageContract`,
  :class:`HistoryStorageContract`, :class:`ResultStorageContract`, or
  :class:`OperationsStorageContract` for all four (``make_storage``;
  ``feed_timeout``), for the abilities that operate a scheduler,
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

from jobify.testing.contracts.cluster import ClusterStorageContract
from jobify.testing.contracts.cron import CronParserContract
from jobify.testing.contracts.distribution import DistributionContract
from jobify.testing.contracts.executor import ExecutorContract
from jobify.testing.contracts.middleware import MiddlewareContract
from jobify.testing.contracts.operations import (
    ChangeFeedContract,
    ControlStorageContract,
    HistoryStorageContract,
    OperationsStorageContract,
    ResultStorageContract,
)
from jobify.testing.contracts.serializer import SerializerContract
from jobify.testing.contracts.storage import (
    T0,
    UTC,
    CrossProcessStorage,
    StorageContract,
    row,
)
from jobify.testing.contracts.typeadapter import TypeAdapterContract

__all__ = (
    "T0",
    "UTC",
    "ChangeFeedContract",
    "ClusterStorageContract",
    "ControlStorageContract",
    "CronParserContract",
    "CrossProcessStorage",
    "DistributionContract",
    "ExecutorContract",
    "HistoryStorageContract",
    "MiddlewareContract",
    "OperationsStorageContract",
    "ResultStorageContract",
    "SerializerContract",
    "StorageContract",
    "TypeAdapterContract",
    "row",
)
