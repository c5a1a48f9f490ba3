"""What one ``PostgresStorage`` did since it was built: the public snapshot and its counters.

Every part of the storage (the batches, the retries, the leases, adoption,
the abilities) adds to one shared ``dict`` of counters, made by
:func:`new_counts`; :meth:`PostgresStorage.statistics` takes a
:class:`PostgresStatistics` snapshot of it. The counters belong to the
storage, not to one started session, so they keep counting across a restart.
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = ("COUNTERS", "PostgresStatistics", "new_counts")


@attrs.frozen(kw_only=True)
class PostgresStatistics:
    """A snapshot of what one :class:`PostgresStorage` did since it was built.

    Attributes:
        round_trips: statements sent to the server by calls (``BEGIN`` and
            ``COMMIT`` included, lease beats and startup not).
        write_batches: statements (or transactions) that carried writes.
        largest_write_batch: most calls answered by one write batch.
        claim_batches: claim statements.
        largest_claim_batch: most claims answered by one statement.
        claims_won: claims this node won.
        claims_lost: claims another node won or whose row had moved or gone.
        rows_written: rows upserted by ``add_schedule``.
        rows_deleted: rows removed by ``delete_schedule(_many)``.
        rows_adopted: rows taken over from nodes that died or left.
        writes_lost: fenced writes (``advance``, ``release``, ``set_aside``)
            that changed nothing because this node no longer held the row.
        rejoins: times this node found its lease expired and joined again.
        retries: attempts repeated after a connection error or a deadlock.
        outages: times the database became unreachable (one warning each).
    """

    __module__ = "jobify_storage_postgres.storage"  # its documented home

    round_trips: int = 0
    write_batches: int = 0
    largest_write_batch: int = 0
    claim_batches: int = 0
    largest_claim_batch: int = 0
    claims_won: int = 0
    claims_lost: int = 0
    rows_written: int = 0
    rows_deleted: int = 0
    rows_adopted: int = 0
    writes_lost: int = 0
    rejoins: int = 0
    retries: int = 0
    outages: int = 0


COUNTERS: Final = tuple(f.name for f in attrs.fields(PostgresStatistics))
"""The names of the counters, as :class:`PostgresStatistics` has them."""


def new_counts() -> dict[str, int]:
    """The counters of a new storage, every one at zero."""
    return dict.fromkeys(COUNTERS, 0)
