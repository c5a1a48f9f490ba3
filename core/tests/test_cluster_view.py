"""ClusterView: the nodes of a cluster storage as an operator sees them (the in-memory cluster)."""

from __future__ import annotations

from jobify import Jobify
from jobify.storage import ClusterView, NodeInfo
from jobify.testing.memory import MemoryCluster


def test_a_memory_node_offers_the_view():
    assert isinstance(MemoryCluster().node("a"), ClusterView)


async def test_nodes_list_owners_liveness_and_this_node(serializer, cron_factory):
    cluster = MemoryCluster()
    a_storage, b_storage = cluster.node("a"), cluster.node("b")
    a = Jobify(storage=a_storage, serializer=serializer, cron_factory=cron_factory)
    b = Jobify(storage=b_storage, serializer=serializer, cron_factory=cron_factory)

    @a.task(name="work")
    async def work_a(n: int) -> None: ...

    @b.task(name="work")
    async def work_b(n: int) -> None: ...

    async with b:
        await a.startup()
        await work_a.schedule(1).delay(3600)
        await work_a.schedule(2).delay(3600)
        await work_b.schedule(3).delay(3600)
        assert await a_storage.nodes() == [
            NodeInfo("a", alive=True, lease_expires_at=None, jobs_owned=2, this_node=True),
            NodeInfo("b", alive=True, lease_expires_at=None, jobs_owned=1, this_node=False),
        ]
        await cluster.kill(a_storage)  # b adopts a's rows
        a.configs.app_started = False  # the process is gone: it runs nothing more
        await a.configs.jobs.stop()
        assert await b_storage.nodes() == [
            NodeInfo("b", alive=True, lease_expires_at=None, jobs_owned=3, this_node=True),
        ]
