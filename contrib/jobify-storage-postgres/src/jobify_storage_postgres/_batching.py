"""Calls made in one loop turn, sent as one batch: :class:`Batcher` and its :class:`Op`.

A write or a claim returns only once the database answered it, and one
statement per call would multiply the round trips under load. So each call
becomes an :class:`Op` with a future; a :class:`Batcher` collects the calls
of one loop turn and hands them to its ``flush`` as one batch, one batch at
a time (while a batch runs, the next one grows). The write batches
(``_writes``) and the claim batches (``_claims``) each have one. A re-join
(``_leases``) holds both while it changes the lease epoch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final

from jobify_storage_postgres._errors import PostgresStorageStateError

__all__ = ("CALLS", "Batcher", "Op", "settle", "split_repeats")


class Op:
    """One call waiting for its batch: its kind, its arguments and the caller's future."""

    __slots__ = ("args", "future", "kind")

    def __init__(self, kind: str, args: Any, future: asyncio.Future[Any]) -> None:
        self.kind = kind
        self.args = args
        self.future = future


class Batcher:
    """Collect the calls of one loop turn; run them as one batch, one batch at a time.

    While a batch runs, new calls gather for the next one, so under load the
    batches grow instead of the round trips multiplying.
    """

    __slots__ = ("flush", "flushing", "held", "loop", "pending", "running", "scheduled")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, flush: Callable[[list[Op]], Awaitable[None]]
    ) -> None:
        self.loop = loop
        self.flush = flush
        self.pending: list[Op] = []
        self.running: list[Op] = []  # the calls of the batch on its way
        self.flushing: asyncio.Task[None] | None = None
        self.scheduled = False
        self.held: asyncio.Event | None = None  # set while batches wait (a re-join)

    def hold(self) -> None:
        """Start no batch until :meth:`release`; calls made meanwhile wait in ``pending``."""
        if self.held is None:
            self.held = asyncio.Event()

    def release(self) -> None:
        """Start batches again, the waiting calls first."""
        held, self.held = self.held, None
        if held is not None:
            held.set()
            if self.pending:
                self._schedule()

    def put(self, kind: str, args: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()
        self.pending.append(Op(kind, args, future))
        self._schedule()
        return future

    @property
    def busy(self) -> bool:
        return bool(self.pending) or self.flushing is not None

    def _schedule(self) -> None:
        if self.flushing is None and not self.scheduled and self.held is None:
            self.scheduled = True
            self.loop.call_soon(self._start)  # after the calls already made this turn

    def _start(self) -> None:
        self.scheduled = False
        if self.flushing is not None or not self.pending or self.held is not None:
            return
        ops, self.pending = self.pending, []
        self.running = ops
        self.flushing = self.loop.create_task(self._run(ops))

    async def _run(self, ops: list[Op]) -> None:
        try:
            await self.flush(ops)
        except BaseException as exc:
            for op in ops:
                if not op.future.done():
                    op.future.set_exception(
                        exc
                        if isinstance(exc, Exception)
                        else PostgresStorageStateError(
                            "PostgresStorage: shut down while the call waited for the database"
                        )
                    )
            if not isinstance(exc, Exception):
                raise
        finally:
            self.flushing = None
            self.running = []
            if self.pending:
                self._schedule()

    async def drain(self) -> None:
        """Wait until every call made so far is answered."""
        while self.busy:
            if self.flushing is not None:
                await asyncio.wait([self.flushing])
            elif self.held is not None:
                await self.held.wait()
            else:
                await asyncio.sleep(0)

    def cancel(self, error: BaseException) -> int:
        """Fail every call not answered yet and stop the running batch; return how many failed.

        The calls of the running batch are failed at once, not when its task
        ends: a statement cancelled on a connection the network dropped can
        take asyncpg a long time to give up, and callers must not wait for it.
        """
        failed = 0
        for op in (*self.running, *self.pending):
            if not op.future.done():
                op.future.set_exception(error)
                failed += 1
        self.pending = []
        if self.flushing is not None:
            self.flushing.cancel()
        return failed


def split_repeats(segments: list[list[Op]]) -> list[list[Op]]:
    """Split fenced segments so that no statement touches one job twice (order kept)."""
    out: list[list[Op]] = []
    for seg in segments:
        if seg[0].kind not in ("advance", "release"):
            out.append(seg)
            continue
        seen: set[str] = set()
        current: list[Op] = []
        for op in seg:
            ids = {op.args[0].job_id} if op.kind == "advance" else {j for j, _ in op.args}
            if seen & ids:
                out.append(current)
                current, seen = [], set()
            seen |= ids
            current.append(op)
        out.append(current)
    return out


CALLS: Final = {
    "upsert": "add_schedule", "delete": "delete_schedule", "if_absent": "add_schedule_if_absent",
    "flag": "set_paused", "runs": "record_runs", "trim": "trim_runs", "finish": "finish_jobs",
    "purge": "purge_outcomes",
}  # fmt: skip
"""The call each write kind comes from, for messages."""


def settle(op: Op, result: Any = None, error: BaseException | None = None) -> None:
    """Answer the caller of ``op`` (with ``error`` if given), unless it was answered."""
    if op.future.done():
        return
    if error is not None:
        op.future.set_exception(error)
    else:
        op.future.set_result(result)
