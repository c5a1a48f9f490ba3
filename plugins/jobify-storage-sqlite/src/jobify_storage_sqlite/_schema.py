"""The tables of one ``SQLiteStorage``: their layout, creation and in-place migration.

For a ``table_name`` of ``jobs`` the storage keeps five tables in the file:

* ``jobs``: one row per stored job, with its control flags (``paused``,
  ``run_requested``) and its change stamp (``version``: the write batch that
  last changed it; ``writer``: the storage object that wrote it);
* ``jobs_meta``: ``schema_version`` and ``version``, the counter each write
  batch bumps once;
* ``jobs_changes``: one entry per job id whose row another process must hear
  about although the row itself does not say so: a delete (a tombstone,
  ``deleted = 1``) or a control flag set by someone else. Newest wins;
  trimmed after an hour;
* ``jobs_runs``: run history, one record per run;
* ``jobs_outcomes``: the kept outcome of finished jobs.

Schema version 1 (jobify-storage-sqlite before the operations abilities)
had the jobs and meta tables only; opening such a file adds the columns and
tables in one transaction and keeps every row. A table made by jobify 0.14
(no meta table) is adopted the same way.
"""

from __future__ import annotations

import sqlite3
from typing import Final

__all__ = ("SCHEMA_VERSION", "Layout", "Names", "create_schema", "quote", "read_layout")

SCHEMA_VERSION: Final = 2
"""The layout of the tables this version writes, kept in ``<table_name>_meta``."""

_REQUIRED: Final = ("job_id", "name", "message", "status", "next_run_at")
_ADDED: Final = (  # columns later versions added to the jobs table, with their definition
    ("quarantined_reason", "TEXT"),
    ("paused", "INTEGER NOT NULL DEFAULT 0"),
    ("run_requested", "INTEGER NOT NULL DEFAULT 0"),
    ("version", "INTEGER NOT NULL DEFAULT 0"),
    ("writer", "INTEGER NOT NULL DEFAULT 0"),
)


def quote(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


class Names:
    """The quoted names of one storage's tables and indexes."""

    __slots__ = (
        "by_version",
        "changes",
        "changes_by_version",
        "jobs",
        "meta",
        "outcomes",
        "outcomes_by_finished",
        "runs",
        "runs_by_finished",
        "runs_by_job",
        "table",
    )

    def __init__(self, table: str) -> None:
        """Name the tables of ``table`` (the jobs table)."""
        self.table = table
        self.jobs = quote(table)
        self.meta = quote(f"{table}_meta")
        self.changes = quote(f"{table}_changes")
        self.runs = quote(f"{table}_runs")
        self.outcomes = quote(f"{table}_outcomes")
        self.by_version = quote(f"{table}_by_version")
        self.changes_by_version = quote(f"{table}_changes_by_version")
        self.runs_by_job = quote(f"{table}_runs_by_job")
        self.runs_by_finished = quote(f"{table}_runs_by_finished")
        self.outcomes_by_finished = quote(f"{table}_outcomes_by_finished")


class Layout:
    """What an opened file holds: all of it (version 2), or less when read-only on an older one.

    A storage opened with ``read_only()`` changes nothing, so a file of
    schema version 1 stays as it is; its reads then see no flags, no runs
    and no outcomes instead of failing.
    """

    __slots__ = ("changes", "flags", "outcomes", "runs")

    def __init__(
        self, *, flags: bool = True, changes: bool = True, runs: bool = True, outcomes: bool = True
    ) -> None:
        """Say which parts of the version 2 layout exist."""
        self.flags = flags
        self.changes = changes
        self.runs = runs
        self.outcomes = outcomes

    @property
    def paused(self) -> str:
        """The SQL of the paused column (0 without flags)."""
        return "paused" if self.flags else "0"

    @property
    def run_requested(self) -> str:
        """The SQL of the run_requested column (0 without flags)."""
        return "run_requested" if self.flags else "0"


def read_layout(conn: sqlite3.Connection, names: Names) -> Layout:
    """What ``conn``'s file holds of the current layout (for a read-only storage)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({names.jobs})")}
    return Layout(
        flags={"paused", "run_requested", "version", "writer"} <= columns,
        changes=f"{names.table}_changes" in tables,
        runs=f"{names.table}_runs" in tables,
        outcomes=f"{names.table}_outcomes" in tables,
    )


def create_schema(
    conn: sqlite3.Connection, names: Names, where: str, error: type[Exception]
) -> None:
    """Create the tables, or bring an older layout to this version, in one transaction.

    Raises:
        error: the table was not made by jobify, or by a newer version;
            nothing was changed (the storage passes its ``SQLiteStorageError``).
    """
    meta = names.meta
    conn.execute("BEGIN IMMEDIATE")  # two processes starting at once must not race
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT)")
        found = conn.execute(
            f"SELECT value FROM {meta} WHERE key = 'schema_version'"  # noqa: S608
        ).fetchone()
        if found is not None and str(found[0]) not in ("1", str(SCHEMA_VERSION)):
            msg = (
                f"{where}: the table has schema version {found[0]!r}, this "
                f"jobify-storage-sqlite reads version {SCHEMA_VERSION} (and migrates older ones). "
                "Upgrade "
                "jobify-storage-sqlite, or use another table_name or database file"
            )
            raise error(msg)  # noqa: TRY301 - rolled back below
        if found is None or str(found[0]) != str(SCHEMA_VERSION):
            _migrate(conn, names, where, error)
            conn.execute(
                f"INSERT INTO {meta} (key, value) VALUES ('schema_version', ?) "  # noqa: S608
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )
            conn.execute(
                f"INSERT OR IGNORE INTO {meta} (key, value) VALUES ('version', '0')"  # noqa: S608
            )
        else:
            # a write, so that a read-only file fails here and not at the first job
            conn.execute(f"UPDATE {meta} SET value = value WHERE key = 'schema_version'")  # noqa: S608
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _migrate(conn: sqlite3.Connection, names: Names, where: str, error: type[Exception]) -> None:
    """Create what is missing; a table made by an older version keeps its rows."""
    jobs = names.jobs
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {jobs} ("
        "job_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, message BLOB NOT NULL, "
        "status TEXT NOT NULL, next_run_at TEXT NOT NULL, quarantined_reason TEXT, "
        "paused INTEGER NOT NULL DEFAULT 0, run_requested INTEGER NOT NULL DEFAULT 0, "
        "version INTEGER NOT NULL DEFAULT 0, writer INTEGER NOT NULL DEFAULT 0)"
    )
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({jobs})")}
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        msg = (
            f"{where}: the existing table lacks the columns {', '.join(missing)}; it was not "
            "made by jobify. Choose another table_name or another database file"
        )
        raise error(msg)
    for column, definition in _ADDED:
        if column not in columns:
            conn.execute(f"ALTER TABLE {jobs} ADD COLUMN {column} {definition}")
    conn.execute(f"CREATE INDEX IF NOT EXISTS {names.by_version} ON {jobs} (version)")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {names.changes} ("
        "job_id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, writer INTEGER NOT NULL, "
        "deleted INTEGER NOT NULL) WITHOUT ROWID"
    )
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {names.changes_by_version} ON {names.changes} (version)"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {names.runs} ("
        "run_id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, task TEXT NOT NULL, "
        "planned_at TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, "
        "status TEXT NOT NULL, attempt INTEGER NOT NULL, node TEXT NOT NULL, "
        "error_type TEXT, error_message TEXT, result_summary TEXT)"
    )
    conn.execute(f"CREATE INDEX IF NOT EXISTS {names.runs_by_job} ON {names.runs} (job_id, run_id)")
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {names.runs_by_finished} ON {names.runs} (finished_at)"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {names.outcomes} ("
        "job_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, "
        "result BLOB, error TEXT, finished_at TEXT NOT NULL)"
    )
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {names.outcomes_by_finished} ON {names.outcomes} (finished_at)"
    )
