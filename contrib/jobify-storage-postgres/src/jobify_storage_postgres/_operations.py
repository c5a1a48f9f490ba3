"""Operating a scheduler on ``PostgresStorage``: control flags, run history, kept outcomes.

The writes ride the storage's write batcher like every other write (calls of
one loop turn share a statement, a batch of several kinds is one
transaction), so recording runs or outcomes costs no round trip of its own:

* ``set_paused`` / ``request_run`` set a flag on the row and leave a
  ``changes`` entry, so every node hears of it through the change feed even
  after the row's owner rewrote the row; a paused row is never claimed.
  Clearing a run request is bookkeeping of the node that runs it and is
  fenced by its lease, as every write that follows a run;
* ``record_runs`` appends to ``runs``; ``trim_runs`` drops by age (an index
  on ``finished_at``) and by count per job (only jobs over the count);
* ``finish_jobs`` deletes the rows (tombstones for the feed) and upserts the
  outcomes in one statement; ``purge_outcomes`` drops old ones.

Texts are cut to :data:`ERROR_LIMIT` / :data:`SUMMARY_LIMIT` characters, and
characters PostgreSQL text cannot hold (NUL, lone surrogates) are replaced,
so a run's record never fails for what a task raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from jobify import JobStatus
from jobify.storage import (
    ERROR_LIMIT,
    SUMMARY_LIMIT,
    JobOutcome,
    RunRecord,
    StoredJob,
    checked_aware,
    checked_outcome,
    checked_run,
)
from jobify_storage_postgres._base import (
    OPERATIONS_LAYOUT,
    AbilityBase,
    quote,
    stored_columns,
    stored_from,
)
from jobify_storage_postgres._feed import notice, notify, stamp

__all__ = ("ERROR_LIMIT", "OPERATION_KINDS", "SUMMARY_LIMIT", "OperationsAbility")

OPERATION_KINDS: Final = frozenset({"flag", "runs", "trim", "finish", "purge"})
"""The write-batch kinds this module runs (:meth:`OperationsAbility._run_operation`)."""

_LIST_STATUSES: Final = ("scheduled", "running", "paused", "set aside")


# --- checks, on the caller's side -------------------------------------------------------


def _storable(text: str) -> str:
    """``text`` with what PostgreSQL text cannot hold replaced (NUL, lone surrogates)."""
    if text.isascii():
        return text.replace("\x00", "\ufffd")
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _job_id(where: str, job_id: Any) -> str:
    if not isinstance(job_id, str):
        msg = f"{where}: job_id must be a str, got {job_id!r}"
        raise TypeError(msg)
    return job_id


def _kept(text: str | None) -> str | None:
    return None if text is None else _storable(text)


def _run_params(run: Any, where: str) -> tuple[Any, ...]:
    """Check one run record and turn it into the parameters of one ``runs`` row."""
    run = checked_run(run, where)
    return (
        _storable(run.job_id), _storable(run.task), run.planned_at, run.started_at,
        run.finished_at, run.status.value, run.attempt, _storable(run.node),
        _kept(run.error_type), _kept(run.error_message), _kept(run.result_summary),
    )  # fmt: skip


def _outcome_params(outcome: Any, where: str) -> tuple[Any, ...]:
    """Check one outcome and turn it into the parameters of one ``outcomes`` row."""
    outcome = checked_outcome(outcome, where)
    return (
        _storable(outcome.job_id), _storable(outcome.name), outcome.status.value,
        outcome.result, _kept(outcome.error), outcome.finished_at,
    )  # fmt: skip


def _run_from(rec: Any) -> tuple[int, RunRecord]:
    return int(rec["run_id"]), RunRecord(
        job_id=rec["job_id"], task=rec["task"], planned_at=rec["planned_at"],
        started_at=rec["started_at"], finished_at=rec["finished_at"],
        status=JobStatus(rec["status"]), attempt=int(rec["attempt"]), node=rec["node"],
        error_type=rec["error_type"], error_message=rec["error_message"],
        result_summary=rec["result_summary"],
    )  # fmt: skip


def _outcome_from(rec: Any) -> JobOutcome:
    result = rec["result"]
    return JobOutcome(
        rec["job_id"], rec["name"], JobStatus(rec["status"]),
        None if result is None else bytes(result), rec["error"], rec["finished_at"],
    )  # fmt: skip


def _columns(params: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows of parameters as one list per column (for ``unnest``)."""
    return [[p[i] for p in params] for i in range(width)]


class OperationsAbility(AbilityBase):
    """The ``ControlStorage``, ``HistoryStorage`` and ``ResultStorage`` abilities."""

    # --- control (ControlStorage) -----------------------------------------------------

    async def set_paused(self, job_id: str, *, paused: bool) -> bool:
        """Pause or resume ``job_id``; False when no such row is stored (or it is set aside).

        Stored first, for every node: a paused row is not claimed (a cron job
        keeps its schedule), and the nodes hear the change through the feed.
        Not fenced: a pause is the user's intent, from any process.
        """
        return await self._set_flag("set_paused", "paused", job_id, value=paused, fenced=False)

    async def request_run(self, job_id: str, *, requested: bool = True) -> bool:
        """Ask for (or clear) one extra run of ``job_id`` now; False when no such row.

        The request is handed to one node through the change feed
        (``changes``). Clearing it is the bookkeeping of the node that ran
        it: from a node that joined the cluster it applies only while that
        node's lease is live under its epoch, so a node that lost its lease
        changes no flag.
        """
        fenced = not requested and self._adopt is not None
        return await self._set_flag(
            "request_run", "run_requested", job_id, value=requested, fenced=fenced
        )

    async def _set_flag(
        self, what: str, column: str, job_id: str, *, value: bool, fenced: bool
    ) -> bool:
        _job_id(f"{self._where}.{what}({job_id!r})", job_id)
        if not isinstance(value, bool):
            msg = f"{self._where}.{what}({job_id!r}): the flag must be True or False, got {value!r}"
            raise TypeError(msg)
        self._check_running(what)
        found: bool = await self._write("flag", (job_id, column, value, fenced))
        return found

    async def get_stored_jobs(self) -> list[StoredJob]:
        """Return every row that can run (not set aside) with its flags, soonest first."""
        return await self._read_stored(
            "get_stored_jobs", "WHERE set_aside IS NULL ORDER BY next_run_at, job_id", ()
        )

    async def get_stored_job(self, job_id: str) -> StoredJob | None:
        """Return the row of ``job_id`` (set aside or not) with its flags; None when missing."""
        _job_id(f"{self._where}.get_stored_job()", job_id)
        found = await self._read_stored("get_stored_job", "WHERE job_id = $1", (job_id,))
        return found[0] if found else None

    async def list_jobs(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        task: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> list[StoredJob]:
        """Return a page of rows ordered by job id (byte order), starting after the id ``after``.

        Keyset pagination on an index of ``job_id COLLATE "C"``: each page is
        one range read, however deep. ``status`` is ``"set aside"``,
        ``"paused"`` or a ``JobStatus`` value (``"scheduled"``, ``"running"``)
        of a row that is neither; ``search`` keeps rows whose id or task
        contains it (case-sensitive, taken literally).
        """
        where = f"{self._where}.list_jobs()"
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            msg = f"{where}: limit must be an int >= 1, got {limit!r}"
            raise ValueError(msg)
        for name, value in (("after", after), ("task", task), ("search", search)):
            if value is not None and not isinstance(value, str):
                msg = f"{where}: {name} must be a str or None, got {value!r}"
                raise TypeError(msg)
        if status is not None and not isinstance(status, str):
            msg = f"{where}: status must be one of {', '.join(map(repr, _LIST_STATUSES))}"
            raise TypeError(msg)
        clauses: list[str] = []
        params: list[Any] = []

        def param(value: Any) -> str:
            params.append(value)
            return f"${len(params)}"

        if after is not None:
            clauses.append(f'job_id COLLATE "C" > {param(after)}')
        if task is not None:
            clauses.append(f"name = {param(task)}")
        paused = "paused" if self._layout >= OPERATIONS_LAYOUT else "false"
        if status == "set aside":
            clauses.append("set_aside IS NOT NULL")
        elif status == "paused":
            clauses.append(f"set_aside IS NULL AND {paused}")
        elif status is not None:
            clauses.append(f"set_aside IS NULL AND NOT {paused} AND status = {param(status)}")
        if search is not None:
            mark = param(search)
            clauses.append(f"(strpos(job_id, {mark}) > 0 OR strpos(name, {mark}) > 0)")
        condition = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        order = f'{condition}ORDER BY job_id COLLATE "C" LIMIT {param(limit)}'
        return await self._read_stored("list_jobs", order, tuple(params))

    async def _read_stored(self, what: str, tail: str, args: tuple[Any, ...]) -> list[StoredJob]:
        self._check_running(what)
        await self._drained_writes()
        sql = f"SELECT {stored_columns(self._layout)} FROM {quote(self.schema)}.jobs {tail}"  # noqa: S608

        async def read(conn: Any) -> list[StoredJob]:
            return [stored_from(r) for r in await self._round_trip(conn, "fetch", sql, *args)]

        return await self._retry(what, read)

    # --- run history (HistoryStorage) -------------------------------------------------

    async def record_runs(self, *runs: RunRecord) -> None:
        """Keep ``runs``, in the next write batch (no statement of their own under load).

        Error texts are cut to :data:`ERROR_LIMIT` characters, result
        summaries and error types to :data:`SUMMARY_LIMIT`.

        Raises:
            TypeError, ValueError: a record has a value of the wrong type or a
                naive time (raised before anything is queued).
        """
        where = f"{self._where}.record_runs()"
        params = [_run_params(run, where) for run in runs]
        self._check_running("record_runs")
        if params:
            await self._write("runs", params)

    async def get_runs(
        self,
        *,
        job_id: str | None = None,
        before: int | None = None,
        limit: int = 50,
        failed_only: bool = False,
    ) -> list[tuple[int, RunRecord]]:
        """Return runs newest first with their ids: of one job or all, before the id ``before``."""
        where = f"{self._where}.get_runs()"
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            msg = f"{where}: limit must be an int >= 1, got {limit!r}"
            raise ValueError(msg)
        if before is not None and (isinstance(before, bool) or not isinstance(before, int)):
            msg = f"{where}: before must be a run id (int) or None, got {before!r}"
            raise TypeError(msg)
        self._check_running("get_runs")
        if self._layout < OPERATIONS_LAYOUT:
            return []
        await self._drained_writes()
        clauses: list[str] = []
        params: list[Any] = []
        if job_id is not None:
            params.append(_job_id(where, job_id))
            clauses.append(f"job_id = ${len(params)}")
        if before is not None:
            params.append(before)
            clauses.append(f"run_id < ${len(params)}")
        if failed_only:
            params.append(JobStatus.SUCCESS.value)
            clauses.append(f"status <> ${len(params)}")
        params.append(limit)
        condition = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        sql = (
            "SELECT run_id, job_id, task, planned_at, started_at, finished_at, status, "  # noqa: S608
            "attempt, node, error_type, error_message, result_summary "
            f"FROM {quote(self.schema)}.runs {condition}ORDER BY run_id DESC LIMIT ${len(params)}"
        )

        async def read(conn: Any) -> list[tuple[int, RunRecord]]:
            return [_run_from(r) for r in await self._round_trip(conn, "fetch", sql, *params)]

        return await self._retry("get_runs", read)

    async def trim_runs(
        self, *, older_than: datetime | None = None, keep_per_job: int | None = None
    ) -> int:
        """Drop runs finished before ``older_than`` and all but each job's newest ``keep_per_job``.

        The age reads the index on ``finished_at``; the count ranks only the
        runs of jobs that have more than ``keep_per_job``. Returns how many
        were dropped.
        """
        where = f"{self._where}.trim_runs()"
        cutoff = None if older_than is None else checked_aware(where, "older_than", older_than)
        if keep_per_job is not None and (
            isinstance(keep_per_job, bool) or not isinstance(keep_per_job, int) or keep_per_job < 0
        ):
            msg = f"{where}: keep_per_job must be an int >= 0 or None, got {keep_per_job!r}"
            raise ValueError(msg)
        self._check_running("trim_runs")
        if (cutoff is None and keep_per_job is None) or self._layout < OPERATIONS_LAYOUT:
            return 0
        dropped: int = await self._write("trim", (cutoff, keep_per_job))
        return dropped

    # --- kept outcomes (ResultStorage) ------------------------------------------------

    async def finish_jobs(self, *outcomes: JobOutcome) -> None:
        """Delete the rows of the ``outcomes``' jobs and keep the outcomes, in one statement.

        Every outcome is checked before anything is queued, so a bad one
        changes nothing. An outcome replaces an earlier one of the same job;
        deleted rows leave tombstones for the change feed, as deletes do. On
        a cluster the kernel calls it for the rows its fenced ``release``
        removed, or for a cancel (the user's intent).
        """
        where = f"{self._where}.finish_jobs()"
        params = [_outcome_params(outcome, where) for outcome in outcomes]
        self._check_running("finish_jobs")
        if params:
            await self._write("finish", params)

    async def get_outcome(self, job_id: str) -> JobOutcome | None:
        """Return the kept outcome of ``job_id``, or None."""
        _job_id(f"{self._where}.get_outcome()", job_id)
        self._check_running("get_outcome")
        if self._layout < OPERATIONS_LAYOUT:
            return None
        await self._drained_writes()
        sql = (
            "SELECT job_id, name, status, result, error, finished_at "  # noqa: S608
            f"FROM {quote(self.schema)}.outcomes WHERE job_id = $1"
        )

        async def read(conn: Any) -> JobOutcome | None:
            rec = await self._round_trip(conn, "fetchrow", sql, job_id)
            return None if rec is None else _outcome_from(rec)

        return await self._retry("get_outcome", read)

    async def purge_outcomes(self, finished_before: datetime) -> int:
        """Drop the outcomes of jobs finished before ``finished_before``; return how many."""
        cutoff = checked_aware(
            f"{self._where}.purge_outcomes()", "finished_before", finished_before
        )
        self._check_running("purge_outcomes")
        if self._layout < OPERATIONS_LAYOUT:
            return 0
        dropped: int = await self._write("purge", cutoff)
        return dropped

    # --- the batches ------------------------------------------------------------------

    async def _run_operation(self, conn: Any, seg: list[Any]) -> list[Any]:
        """Run consecutive write calls of one kind of :data:`OPERATION_KINDS`; one result each."""
        kind = seg[0].kind
        if kind == "runs":
            await self._insert_runs(conn, [p for op in seg for p in op.args])
            return [None] * len(seg)
        if kind == "finish":
            await self._finish(conn, [p for op in seg for p in op.args])
            return [None] * len(seg)
        if kind == "flag":
            return [await self._flag(conn, op.args) for op in seg]
        if kind == "trim":
            return [await self._trim(conn, *op.args) for op in seg]
        s = quote(self.schema)  # purge
        results = []
        for op in seg:
            status = await self._round_trip(
                conn,
                "execute",
                f"DELETE FROM {s}.outcomes WHERE finished_at < $1",  # noqa: S608
                op.args,
            )
            results.append(int(status.rsplit(" ", 1)[-1]))
        return results

    async def _flag(self, conn: Any, args: tuple[str, str, bool, bool]) -> bool:
        job_id, column, value, fenced = args
        s = quote(self.schema)
        fence = (
            f"AND EXISTS (SELECT 1 FROM {s}.nodes WHERE node_id = $3 AND epoch = $4 "  # noqa: S608
            "AND lease_until >= clock_timestamp()) "
            if fenced
            else "AND $4::bigint IS NOT NULL "
        )
        sql = (
            f"WITH {stamp(s)}, "  # noqa: S608
            f"upd AS (UPDATE {s}.jobs SET {column} = $2, version = (SELECT version FROM v), "
            "writer = $3, updated_at = now() WHERE job_id = $1 AND set_aside IS NULL "
            f"AND {column} IS DISTINCT FROM $2 {fence}RETURNING job_id), "
            f"log AS (INSERT INTO {s}.changes AS c (job_id, version, writer, deleted, at) "
            "SELECT job_id, (SELECT version FROM v), $3, false, now() FROM upd "
            "ON CONFLICT (job_id) DO UPDATE SET version = EXCLUDED.version, "
            "writer = EXCLUDED.writer, deleted = false, at = EXCLUDED.at) "
            f"SELECT EXISTS (SELECT 1 FROM {s}.jobs WHERE job_id = $1 AND set_aside IS NULL) "
            f"AS found, {notify('$5', '$6', 'EXISTS (SELECT 1 FROM upd)')} AS notified"
        )
        node = self._node_id
        assert node is not None  # noqa: S101 - a running storage that writes has an id
        rec = await self._round_trip(
            conn, "fetchrow", sql, job_id, value, node, self._epoch, self.channel, notice(node)
        )
        return bool(rec["found"])

    async def _insert_runs(self, conn: Any, params: list[tuple[Any, ...]]) -> None:
        s = quote(self.schema)
        await self._round_trip(
            conn,
            "execute",
            f"INSERT INTO {s}.runs (job_id, task, planned_at, started_at, finished_at, "  # noqa: S608
            "status, attempt, node, error_type, error_message, result_summary) "
            "SELECT job_id, task, planned_at, started_at, finished_at, status, attempt, node, "
            "error_type, error_message, result_summary FROM unnest($1::text[], $2::text[], "
            "$3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::int[], "
            "$8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY AS r(job_id, "
            "task, planned_at, started_at, finished_at, status, attempt, node, error_type, "
            "error_message, result_summary, ord) ORDER BY ord",
            *_columns(params, 11),
        )

    async def _finish(self, conn: Any, params: list[tuple[Any, ...]]) -> None:
        latest = {p[0]: p for p in params}  # one statement touches a row once: last wins
        rows = sorted(latest.values(), key=lambda p: p[0])
        s = quote(self.schema)
        node = self._node_id
        assert node is not None  # noqa: S101 - a running storage that writes has an id
        rec = await self._round_trip(
            conn,
            "fetchrow",
            f"WITH gone AS (DELETE FROM {s}.jobs WHERE job_id = ANY($1::text[]) "  # noqa: S608
            f"RETURNING job_id), {stamp(s, when='EXISTS (SELECT 1 FROM gone)')}, "
            f"tomb AS (INSERT INTO {s}.changes (job_id, version, writer, deleted, at) "
            "SELECT job_id, (SELECT version FROM v), $7, true, now() FROM gone ORDER BY job_id "
            "ON CONFLICT (job_id) DO UPDATE SET version = EXCLUDED.version, "
            "writer = EXCLUDED.writer, deleted = true, at = EXCLUDED.at), "
            f"kept AS (INSERT INTO {s}.outcomes (job_id, name, status, result, error, "
            "finished_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], "
            "$4::bytea[], $5::text[], $6::timestamptz[]) AS r(job_id, name, status, result, "
            "error, finished_at) ORDER BY job_id ON CONFLICT (job_id) DO UPDATE SET "
            "name = EXCLUDED.name, status = EXCLUDED.status, result = EXCLUDED.result, "
            "error = EXCLUDED.error, finished_at = EXCLUDED.finished_at RETURNING 1) "
            "SELECT (SELECT count(*) FROM gone) AS deleted, (SELECT count(*) FROM kept) AS kept, "
            f"{notify('$8', '$9', 'EXISTS (SELECT 1 FROM gone)')} AS notified",
            *_columns(rows, 6),
            node,
            self.channel,
            notice(node),
        )
        self._counts["rows_deleted"] += int(rec["deleted"])

    async def _trim(self, conn: Any, cutoff: datetime | None, keep: int | None) -> int:
        runs = f"{quote(self.schema)}.runs"
        dropped = 0
        if cutoff is not None:
            status = await self._round_trip(
                conn,
                "execute",
                f"DELETE FROM {runs} WHERE finished_at < $1",  # noqa: S608
                cutoff,
            )
            dropped += int(status.rsplit(" ", 1)[-1])
        if keep is not None:
            status = await self._round_trip(
                conn,
                "execute",
                f"DELETE FROM {runs} r USING (SELECT run_id FROM (SELECT run_id, "  # noqa: S608
                "row_number() OVER (PARTITION BY job_id ORDER BY run_id DESC) AS rank "
                f"FROM {runs} WHERE job_id IN (SELECT job_id FROM {runs} GROUP BY job_id "
                "HAVING count(*) > $1)) ranked WHERE rank > $1) d WHERE r.run_id = d.run_id",
                keep,
            )
            dropped += int(status.rsplit(" ", 1)[-1])
        return dropped
