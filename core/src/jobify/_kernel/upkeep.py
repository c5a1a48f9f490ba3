"""Upkeep: dropping kept outcomes and run history past their retention, in the background.

Started by a scheduler app only when it keeps results or history; otherwise
nothing runs. Each sweep is one storage call; a failing sweep is logged and
tried again at the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from jobify._kernel.arguments import HistoryRetention
    from jobify.storage import HistoryStorage, ResultStorage

__all__ = ("Upkeep",)

log = logging.getLogger("jobify")


class Upkeep:
    """Sweeps old outcomes (``results_ttl``) and old runs (history retention)."""

    __slots__ = ("_history", "_now", "_results", "_results_ttl", "_retention", "_task")

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        results: ResultStorage | None = None,
        results_ttl: float = 0.0,
        history: HistoryStorage | None = None,
        retention: HistoryRetention | None = None,
    ) -> None:
        """Sweep ``results`` older than ``results_ttl`` s and ``history`` past ``retention``."""
        self._now = now
        self._results = results
        self._results_ttl = results_ttl
        self._history = history
        self._retention = retention
        self._task: asyncio.Task[None] | None = None

    @property
    def needed(self) -> bool:
        """True when there is something to sweep."""
        return (self._results is not None and self._results_ttl > 0) or (
            self._history is not None and self._retention is not None
        )

    @property
    def period(self) -> float:
        """Seconds between sweeps: a tenth of the shortest retention, between 1 s and 10 min."""
        spans = [self._results_ttl] if self._results is not None else []
        if self._retention is not None:
            spans.append(self._retention.max_age)
        return max(1.0, min(600.0, min(spans, default=600.0) / 10))

    def start(self) -> None:
        """Start sweeping, in the background."""
        if self.needed and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def stop(self) -> None:
        """Stop sweeping."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def sweep(self) -> None:
        """One sweep now."""
        now = self._now()
        if self._results is not None and self._results_ttl > 0:
            await self._results.purge_outcomes(now - timedelta(seconds=self._results_ttl))
        if self._history is not None and self._retention is not None:
            await self._history.trim_runs(
                older_than=now - timedelta(seconds=self._retention.max_age),
                keep_per_job=self._retention.max_runs_per_job,
            )

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("could not drop old outcomes or run history; trying again later")
            await asyncio.sleep(self.period)
