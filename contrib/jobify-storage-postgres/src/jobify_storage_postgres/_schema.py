"""The tables of one ``PostgresStorage`` schema: their layout and in-place migrations.

A schema holds, at version 3:

* ``meta``: the schema version;
* ``nodes``: one lease per node (its expiry on the database clock, its epoch,
  and whether it joined: a scheduler, not a producer or ``jobify jobs``);
  ``epochs``: the sequence lease epochs come from;
* ``jobs``: one row per stored job, with its owner and the epoch it was
  taken under (fencing), its control flags (``paused``, ``run_requested``)
  and its change stamp (``version``: the feed version of the write that last
  stored it; ``writer``: the node id that wrote it);
* ``feed``: one row, the change feed's counter (``version``), bumped by
  every write another process must hear about;
* ``changes``: one entry per job id whose change the row itself cannot
  show: a delete (a tombstone) or a control flag set by another process.
  Newest wins; entries older than an hour are trimmed;
* ``runs``: run history, one record per run;
* ``outcomes``: the kept outcome of finished jobs.

Each entry of :data:`MIGRATIONS` moves a schema from version ``n - 1`` to
``n`` in the transaction that checks the version (:func:`migrate`), so a
schema written by an older version keeps every row and comes out complete or
unchanged. A storage opened read-only creates and migrates nothing: it reads
the version it finds (:func:`read_layout`, :func:`found_layout`).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from jobify.exceptions import StorageNotFoundError
from jobify_storage_postgres._base import quote
from jobify_storage_postgres._errors import PostgresSchemaError

__all__ = (
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "check_version",
    "found_layout",
    "migrate",
    "read_layout",
)

log = logging.getLogger("jobify.storage.postgres")

SCHEMA_VERSION: Final = 3
"""The table layout this version writes, kept in ``<schema>.meta``."""

# ``{s}`` is the quoted schema. Version 0 is "no tables", so creating is migrating from 0.
MIGRATIONS: Final[dict[int, tuple[str, ...]]] = {
    1: (
        """CREATE TABLE {s}.jobs (
            job_id text PRIMARY KEY,
            name text NOT NULL,
            message bytea NOT NULL,
            status text NOT NULL,
            next_run_at timestamptz NOT NULL,
            owner text NULL,
            set_aside text NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )""",
        "CREATE INDEX jobs_owner_idx ON {s}.jobs (owner)",
        """CREATE TABLE {s}.nodes (
            node_id text PRIMARY KEY,
            started_at timestamptz NOT NULL DEFAULT now(),
            lease_until timestamptz NOT NULL
        )""",
    ),
    # fencing: the lease epoch of each node, and the epoch each row was taken under
    2: (
        "CREATE SEQUENCE {s}.epochs",
        "ALTER TABLE {s}.nodes ADD COLUMN epoch bigint NOT NULL DEFAULT 0",
        "ALTER TABLE {s}.jobs ADD COLUMN epoch bigint NOT NULL DEFAULT 0",
    ),
    # operating a scheduler: control flags, the change feed, run history, kept outcomes
    3: (
        "ALTER TABLE {s}.jobs ADD COLUMN paused boolean NOT NULL DEFAULT false",
        "ALTER TABLE {s}.jobs ADD COLUMN run_requested boolean NOT NULL DEFAULT false",
        "ALTER TABLE {s}.jobs ADD COLUMN version bigint NOT NULL DEFAULT 0",
        "ALTER TABLE {s}.jobs ADD COLUMN writer text NULL",
        "ALTER TABLE {s}.nodes ADD COLUMN joined boolean NOT NULL DEFAULT false",
        "CREATE INDEX jobs_version_idx ON {s}.jobs (version)",
        'CREATE INDEX jobs_listing_idx ON {s}.jobs (job_id COLLATE "C")',
        """CREATE TABLE {s}.feed (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            version bigint NOT NULL
        )""",
        "INSERT INTO {s}.feed (version) VALUES (0)",
        """CREATE TABLE {s}.changes (
            job_id text PRIMARY KEY,
            version bigint NOT NULL,
            writer text NOT NULL,
            deleted boolean NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        )""",
        "CREATE INDEX changes_version_idx ON {s}.changes (version)",
        "CREATE INDEX changes_at_idx ON {s}.changes (at)",
        """CREATE TABLE {s}.runs (
            run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            job_id text NOT NULL,
            task text NOT NULL,
            planned_at timestamptz NOT NULL,
            started_at timestamptz NOT NULL,
            finished_at timestamptz NOT NULL,
            status text NOT NULL,
            attempt integer NOT NULL,
            node text NOT NULL,
            error_type text NULL,
            error_message text NULL,
            result_summary text NULL
        )""",
        "CREATE INDEX runs_job_idx ON {s}.runs (job_id, run_id)",
        "CREATE INDEX runs_finished_idx ON {s}.runs (finished_at)",
        """CREATE TABLE {s}.outcomes (
            job_id text PRIMARY KEY,
            name text NOT NULL,
            status text NOT NULL,
            result bytea NULL,
            error text NULL,
            finished_at timestamptz NOT NULL
        )""",
        "CREATE INDEX outcomes_finished_idx ON {s}.outcomes (finished_at)",
    ),
}


async def migrate(conn: Any, schema: str, where: str) -> None:
    """Create ``schema``'s tables, or migrate them to :data:`SCHEMA_VERSION`, in one transaction."""
    s = quote(schema)
    async with conn.transaction():
        # nodes start together: one of them creates or migrates, the others wait
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"jobify:{s}")
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        await conn.execute(f"CREATE TABLE IF NOT EXISTS {s}.meta (version int NOT NULL)")
        stored = await conn.fetchval(f"SELECT max(version) FROM {s}.meta")  # noqa: S608
        version = 0 if stored is None else int(stored)
        check_version(version, where)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                await conn.execute(statement.format(s=s))
            log.info("%s: schema migrated to version %d", where, target)
        if version < SCHEMA_VERSION:
            await conn.execute(f"DELETE FROM {s}.meta")  # noqa: S608
            await conn.execute(f"INSERT INTO {s}.meta (version) VALUES ($1)", SCHEMA_VERSION)  # noqa: S608


def check_version(version: int, where: str) -> None:
    """Refuse a schema at ``version`` written by a newer version.

    Raises:
        PostgresSchemaError: ``version`` is above :data:`SCHEMA_VERSION`.
    """
    if version > SCHEMA_VERSION:
        msg = (
            f"{where}.startup(): the schema is at version {version}, written by "
            f"a newer jobify-storage-postgres; this one knows version {SCHEMA_VERSION} "
            "at most. Upgrade jobify-storage-postgres on this node (every node of a "
            "cluster must run a version that knows the schema), or use another schema"
        )
        raise PostgresSchemaError(msg)


async def read_layout(conn: Any, schema: str) -> int | None:
    """The schema version a read-only storage finds (None: no tables), creating nothing."""
    s = quote(schema)
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{s}.meta")
    stored = await conn.fetchval(f"SELECT max(version) FROM {s}.meta") if exists else None  # noqa: S608
    return None if stored is None else int(stored)


def found_layout(stored: int | None, *, schema: str, where: str, described: str) -> int:
    """Check the version :func:`read_layout` found (outside the retries).

    ``described`` says where the storage looked (``describe()``).

    Raises:
        StorageNotFoundError: the schema holds no jobify tables.
        PostgresSchemaError: the schema was written by a newer version.
    """
    if stored is None:
        msg = (
            f"{described} holds no jobify tables (no table {schema}.meta; it "
            "was opened read-only, so nothing was created). Check the dsn and schema "
            "options, or start a node once to create them"
        )
        raise StorageNotFoundError(msg)
    check_version(int(stored), where)
    return int(stored)
