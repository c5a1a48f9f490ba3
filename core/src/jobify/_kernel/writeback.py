"""Write-behind: what jobs leave to storage when they end, one batch per loop turn.

A durable job that ends (or is cancelled) has its row deleted — or, when the
app keeps results, replaced by its outcome; with run history on, each run
leaves a record. None of these is awaited by the job: they are queued here and
written together on the next loop turn, so ten thousand jobs ending at once
cost a few storage calls, not ten thousand. A failed write is logged: a row
that could not be deleted makes its job run again after a restart
(at-least-once), never lose it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from jobify.storage import (
        ClusterStorage,
        HistoryStorage,
        JobOutcome,
        ResultStorage,
        RunRecord,
        Storage,
    )

__all__ = ("WriteBehind",)

log = logging.getLogger("jobify")


class WriteBehind:
    """Batches deletes, kept outcomes and run records for one storage."""

    __slots__ = (
        "_cluster",
        "_deletes",
        "_flush",
        "_history",
        "_outcomes",
        "_releases",
        "_results",
        "_runs",
        "_storage",
    )

    def __init__(
        self,
        storage: Storage,
        *,
        results: ResultStorage | None = None,
        history: HistoryStorage | None = None,
        cluster: ClusterStorage | None = None,
    ) -> None:
        """Write to ``storage``; keep outcomes in ``results`` and runs in ``history`` if given.

        ``cluster``: the storage is shared by nodes; rows of jobs that ended
        after a claimed run are released there, fenced (``ClusterStorage.release``).
        """
        self._storage = storage
        self._results = results
        self._history = history
        self._cluster = cluster
        self._deletes: set[str] = set()
        self._releases: dict[str, tuple[datetime, JobOutcome | None]] = {}
        self._outcomes: dict[str, JobOutcome] = {}
        self._runs: list[RunRecord] = []
        self._flush: asyncio.Task[None] | None = None

    @property
    def keeps_results(self) -> bool:
        """True when ended jobs leave an outcome instead of nothing."""
        return self._results is not None

    @property
    def keeps_history(self) -> bool:
        """True when each run leaves a record."""
        return self._history is not None

    @property
    def pending(self) -> int:
        """How many writes wait for the next batch."""
        return len(self._deletes) + len(self._releases) + len(self._outcomes) + len(self._runs)

    def delete(self, job_id: str) -> None:
        """Delete ``job_id``'s row in the next batch."""
        self._deletes.add(job_id)
        self._schedule()

    def finish(self, outcome: JobOutcome) -> None:
        """Replace the row of ``outcome``'s job by the outcome, in the next batch."""
        self._outcomes[outcome.job_id] = outcome
        self._schedule()

    def release(self, job_id: str, held: datetime, outcome: JobOutcome | None) -> None:
        """On a cluster: delete ``job_id``'s row if this node still holds it at ``held``.

        In the next batch; ``outcome`` is kept when the row was released.
        """
        self._releases[job_id] = (held, outcome)
        self._schedule()

    def record(self, run: RunRecord) -> None:
        """Keep ``run`` in the history, in the next batch."""
        self._runs.append(run)
        self._schedule()

    def discard(self, job_id: str) -> None:
        """Forget a pending delete or outcome of ``job_id``: it is stored again."""
        self._deletes.discard(job_id)
        self._releases.pop(job_id, None)
        self._outcomes.pop(job_id, None)

    def _schedule(self) -> None:
        if self._flush is None:
            self._flush = asyncio.get_running_loop().create_task(self._write())

    async def drain(self) -> None:
        """Wait until every queued write is done (at shutdown, before storage closes)."""
        while self._flush is not None:
            await asyncio.gather(self._flush, return_exceptions=True)

    async def _write(self) -> None:
        try:
            while self._deletes or self._releases or self._outcomes or self._runs:
                if self.pending > 1:
                    # jobs end in bursts: wait one turn for the rest of this one. A lone
                    # end goes now, into the batch of whatever the loop stores next
                    await asyncio.sleep(0)
                deletes, self._deletes = list(self._deletes), set()
                releases, self._releases = self._releases, {}
                outcomes, self._outcomes = list(self._outcomes.values()), {}
                runs, self._runs = self._runs, []
                if releases:
                    outcomes += await self._release(releases)
                await self._write_batch(deletes, outcomes, runs)
        finally:
            self._flush = None

    async def _release(
        self, releases: dict[str, tuple[datetime, JobOutcome | None]]
    ) -> list[JobOutcome]:
        """Release rows on the cluster; the outcomes of the rows released."""
        assert self._cluster is not None  # noqa: S101 - only a cluster queues releases
        try:
            released = set(await self._cluster.release({k: v[0] for k, v in releases.items()}))
        except Exception:
            log.exception(
                "could not release %d finished job(s); they will run again (at-least-once)",
                len(releases),
            )
            return []
        lost = len(releases) - len(released)
        if lost:
            log.info(
                "%d ended job(s) had been taken over by another node; their rows stay there",
                lost,
            )
        return [o for k, (_, o) in releases.items() if k in released and o is not None]

    async def _write_batch(
        self, deletes: list[str], outcomes: list[JobOutcome], runs: list[RunRecord]
    ) -> None:
        if deletes:
            try:
                await self._storage.delete_schedule_many(deletes)
            except Exception:
                log.exception(
                    "could not delete %d finished job(s) from storage; they will run again "
                    "after a restart (at-least-once)", len(deletes),
                )  # fmt: skip
        if outcomes and self._results is not None:
            try:
                await self._results.finish_jobs(*outcomes)
            except Exception:
                log.exception(
                    "could not store the outcome of %d finished job(s); they will run again "
                    "after a restart (at-least-once)", len(outcomes),
                )  # fmt: skip
        if runs and self._history is not None:
            try:
                await self._history.record_runs(*runs)
            except Exception:
                log.exception("could not record %d run(s) in the history", len(runs))
