"""What one storage did since it was built: the public snapshot and the counters behind it.

The worker thread adds to :class:`Counters` once per transaction, under a
lock; :meth:`SQLiteStorage.statistics` takes a :class:`SQLiteStatistics`
snapshot from the event loop. The counters belong to the storage, not to one
started session, so they keep counting across a restart.
"""

from __future__ import annotations

import threading

import attrs

__all__ = ("Counters", "SQLiteStatistics")


@attrs.frozen(kw_only=True)
class SQLiteStatistics:
    """A snapshot of what one :class:`SQLiteStorage` did since it was built.

    Attributes:
        transactions: committed transactions; with group commit this is far
            below ``operations`` under concurrent load.
        failed_transactions: transactions rolled back because of an error.
        operations: calls that finished (writes, reads, set-asides), failed
            ones included.
        rows_written: rows inserted or replaced by ``add_schedule``.
        rows_deleted: rows removed by ``delete_schedule(_many)``.
        rows_set_aside: rows marked by ``set_aside`` or found undecodable by
            ``get_schedules``.
        largest_batch: most operations committed in one transaction.
        queued: operations holding a queue slot and not finished at snapshot
            time (at most ``max_queue_size``).
        waiting: callers waiting for a queue slot at snapshot time
            (back-pressure).
    """

    __module__ = "jobify_storage_sqlite.storage"  # its documented home, as for the errors

    transactions: int = 0
    failed_transactions: int = 0
    operations: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    rows_set_aside: int = 0
    largest_batch: int = 0
    queued: int = 0
    waiting: int = 0


class Counters:
    """Cumulative counters, written by the worker thread, read by ``statistics()``."""

    __slots__ = (
        "failed_transactions",
        "largest_batch",
        "lock",
        "operations",
        "rows_deleted",
        "rows_set_aside",
        "rows_written",
        "transactions",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transactions = self.failed_transactions = self.operations = 0
        self.rows_written = self.rows_deleted = self.rows_set_aside = 0
        self.largest_batch = 0

    def committed(self, ops: int, *, written: int, deleted: int, set_aside: int) -> None:
        """Count a committed transaction of ``ops`` operations and the rows it touched."""
        with self.lock:
            self.transactions += 1
            self.operations += ops
            self.rows_written += written
            self.rows_deleted += deleted
            self.rows_set_aside += set_aside
            self.largest_batch = max(self.largest_batch, ops)

    def failed(self, ops: int) -> None:
        """Count a rolled-back transaction whose ``ops`` operations failed with it."""
        with self.lock:
            self.failed_transactions += 1
            self.operations += ops

    def snapshot(self, queued: int, waiting: int) -> SQLiteStatistics:
        """The counters now, with the calls ``queued`` and ``waiting`` for room."""
        with self.lock:
            return SQLiteStatistics(
                transactions=self.transactions,
                failed_transactions=self.failed_transactions,
                operations=self.operations,
                rows_written=self.rows_written,
                rows_deleted=self.rows_deleted,
                rows_set_aside=self.rows_set_aside,
                largest_batch=self.largest_batch,
                queued=queued,
                waiting=waiting,
            )
