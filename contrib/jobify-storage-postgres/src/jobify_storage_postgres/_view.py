"""Looking at a ``PostgresStorage`` from outside: its nodes, where it lives, read-only.

* :meth:`ViewAbility.nodes` (:class:`~jobify.storage.ClusterView`) lists the
  nodes of the cluster for the dashboard's cluster page: one read of the
  ``nodes`` table and of a count of rows per owner; it renews nothing;
* :meth:`ViewAbility.describe` and ``read_only()`` (the storage's own,
  :class:`~jobify.storage.InspectableStorage`) let ``jobify jobs`` say where
  the jobs live and read them without creating a schema, migrating it or
  taking a lease.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from jobify.storage import NodeInfo
from jobify_storage_postgres._base import AbilityBase, quote

__all__ = ("ViewAbility", "describe_dsn")


def describe_dsn(dsn: str, schema: str) -> str:
    """``PostgreSQL database 'jobs' on db.internal:5432, schema 'jobify'``: no user, no password."""
    try:
        parts = urlsplit(dsn)
        host = parts.hostname or "the local socket"
        port = parts.port
    except ValueError:
        return f"PostgreSQL (an unparsable dsn), schema {schema!r}"
    database = unquote(parts.path.lstrip("/")) or "(the user's default database)"
    where = host if port is None else f"{host}:{port}"
    return f"PostgreSQL database {database!r} on {where}, schema {schema!r}"


class ViewAbility(AbilityBase):
    """``nodes()`` (the ``ClusterView`` ability) and ``describe()``."""

    async def nodes(self) -> list[NodeInfo]:
        """Every node the schema knows: live ones, and dead ones that still own rows.

        Live ones are the nodes that joined (schedulers), and the processes
        that own rows without joining (a producer whose jobs no node claimed
        yet); a process that holds a lease for a moment and owns nothing
        (``jobify jobs pause ID``) is left out, unless it is the one asking.
        Read on the database clock: ``alive`` while the lease holds,
        ``lease_expires_at`` None for a node that left (its lease was ended)
        or that owns rows without a lease row. Ordered by name; this node is
        marked ``this_node``. Nothing is written.
        """
        self._check_running("nodes")
        await self._drained_writes()
        s = quote(self.schema)
        sql = (
            "WITH owned AS (SELECT owner, count(*) AS jobs "  # noqa: S608
            f"FROM {s}.jobs WHERE owner IS NOT NULL GROUP BY owner) "
            "SELECT n.node_id, n.lease_until >= now() AS alive, "
            "CASE WHEN isfinite(n.lease_until) THEN n.lease_until END AS lease, "
            f"coalesce(o.jobs, 0) AS jobs FROM {s}.nodes n "
            "LEFT JOIN owned o ON o.owner = n.node_id "
            "WHERE o.jobs > 0 OR (n.lease_until >= now() AND (n.joined OR n.node_id = $1)) "
            "UNION ALL SELECT o.owner, false, NULL, o.jobs FROM owned o "
            f"WHERE NOT EXISTS (SELECT 1 FROM {s}.nodes n WHERE n.node_id = o.owner)"
        )

        async def read(conn: Any) -> list[NodeInfo]:
            records = await self._round_trip(conn, "fetch", sql, self._node_id)
            me = self._node_id
            return [
                NodeInfo(
                    r["node_id"], bool(r["alive"]), r["lease"], int(r["jobs"]), r["node_id"] == me
                )
                for r in records
            ]

        found = await self._retry("nodes", read)
        found.sort(key=lambda n: n.name)
        return found

    def describe(self) -> str:
        """Say where the jobs live: the server, the database and the schema (never a password)."""
        return describe_dsn(self.dsn, self.schema)
