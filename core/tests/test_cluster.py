"""The kernel on a ClusterStorage: several apps (nodes) share one schedule.

Each node here is a ``Jobify`` app on a ``MemoryCluster`` node storage, all in
one event loop; ``FakeClock`` drives their timers together, so a run that two
nodes arm for the same instant is claimed by both, in turn, and run by one.
The PostgreSQL storage runs the same protocol across processes
(contrib/jobify-storage-postgres).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from jobify import INJECT, Cron, JobContext, Jobify, JobStatus, MisfirePolicy
from jobify.storage import ClusterStorage
from jobify.testing.clock import FakeClock
from jobify.testing.memory import MemoryCluster

START = datetime(2030, 1, 1, tzinfo=UTC)
EVERY_SECOND = "1"  # the kernel tests' cron parser reads a number of seconds (conftest.Every)


@pytest.fixture
def make_node(serializer, cron_factory):
    def make(cluster: MemoryCluster, name: str, runs: list[tuple[str, object]], **task_kw):
        """One node: a one-off task ``work`` and, if options are given, a task ``tick``."""
        app = Jobify(storage=cluster.node(name), serializer=serializer, cron_factory=cron_factory)
        return _declare(app, name, runs, task_kw)

    return make


def _declare(app: Jobify, name: str, runs: list[tuple[str, object]], task_kw) -> Jobify:
    @app.task(name="work")
    async def work(n: int) -> int:
        runs.append((name, n))
        return n

    if task_kw:

        @app.task(name="tick", **task_kw)
        async def tick() -> None:
            runs.append((name, app.configs.timer.now()))

    return app


@contextlib.asynccontextmanager
async def started(*apps: Jobify):
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await stack.enter_async_context(app)
        yield apps


def test_a_memory_cluster_node_is_a_cluster_storage():
    assert isinstance(MemoryCluster().node("a"), ClusterStorage)


async def test_jobs_run_once_on_the_node_that_scheduled_them(make_node):
    cluster, runs = MemoryCluster(), []
    a, b = make_node(cluster, "a", runs), make_node(cluster, "b", runs)
    clock = FakeClock(START)
    clock.install(a)
    clock.install(b)
    async with started(a, b):
        jobs = [await a.registry.routes["work"].schedule(n).delay(1 + n % 3) for n in range(30)]
        assert b.get_active_jobs() == []  # new jobs are not broadcast
        await clock.advance(5)
        assert sorted(runs) == [("a", n) for n in range(30)]
        assert {job.status for job in jobs} == {JobStatus.SUCCESS}
        await asyncio.sleep(0.01)
        assert cluster.rows == {}


async def test_a_declared_cron_runs_once_per_tick_across_three_nodes(make_node):
    cluster, runs = MemoryCluster(), []
    kw = {"cron": Cron(EVERY_SECOND, max_runs=10)}
    nodes = [make_node(cluster, name, runs, **kw) for name in "abc"]
    clock = FakeClock(START)
    for app in nodes:
        clock.install(app)
    async with started(*nodes):
        assert len(cluster.rows) == 1  # one row, armed by every node
        await clock.advance(20)
        ticks = [when for _, when in runs]
        assert len(ticks) == 10, runs  # max_runs is shared: 10 runs in the cluster
        assert ticks == sorted(set(ticks))  # each second once
        assert ticks[0] == START + timedelta(seconds=1)
        assert ticks[-1] == START + timedelta(seconds=10)
        assert cluster.rows == {}
        for app in nodes:
            assert app.get_active_jobs() == []


async def test_every_node_sees_the_clusters_run_count(make_node):
    cluster, runs = MemoryCluster(), []
    kw = {"cron": Cron(EVERY_SECOND, max_runs=100)}
    a, b = make_node(cluster, "a", runs, **kw), make_node(cluster, "b", runs, **kw)
    clock = FakeClock(START)
    clock.install(a)
    clock.install(b)
    async with started(a, b):
        await clock.advance(6)
        assert len(runs) == 6
        job_id = "tick__jobify_cron_definition"
        # the winner counted its runs; the other node read the count at its lost claims
        counts = {app.find_job(job_id).cron_context.run_count for app in (a, b)}
        assert counts == {6}
    assert cluster.rows[job_id].status is JobStatus.SCHEDULED


async def test_a_node_starting_later_joins_the_stored_cron_row(make_node):
    cluster, runs = MemoryCluster(), []
    kw = {"cron": Cron(EVERY_SECOND, max_runs=5)}
    a = make_node(cluster, "a", runs, **kw)
    clock = FakeClock(START)
    clock.install(a)
    async with a:
        await clock.advance(3)
        b = make_node(cluster, "b", runs, **kw)
        clock.install(b)
        async with b:
            job = b.find_job("tick__jobify_cron_definition")
            assert job.cron_context.run_count == 3  # read from the row, not reset
            await clock.advance(10)
    assert len(runs) == 5


async def test_a_killed_nodes_jobs_are_adopted_and_run_once(make_node):
    cluster, runs = MemoryCluster(), []
    a, b = make_node(cluster, "a", runs), make_node(cluster, "b", runs)
    clock = FakeClock(START)
    clock.install(a)
    clock.install(b)
    async with started(b):
        await a.startup()
        for n in range(20):
            await a.registry.routes["work"].schedule(n).delay(10)
        assert {cluster.owner_of(job_id) for job_id in cluster.rows} == {"a"}
        await cluster.kill(a.configs.storage)
        a.configs.app_started = False  # the process is gone: it runs nothing more
        await a.configs.jobs.stop()
        assert len(b.get_active_jobs()) == 20
        await clock.advance(11)
        assert sorted(runs) == [("b", n) for n in range(20)]


async def test_a_job_running_on_a_killed_node_runs_again_on_a_survivor(make_node):
    cluster, runs = MemoryCluster(), []
    a, b = make_node(cluster, "a", runs), make_node(cluster, "b", runs)
    release = asyncio.Event()

    @a.task(name="slow")
    async def slow() -> None:
        runs.append(("a", "slow"))
        await release.wait()

    @b.task(name="slow")
    async def slow() -> None:  # noqa: F811 - the same task declared on node b
        runs.append(("b", "slow"))

    async with started(b):
        await a.startup()
        await a.registry.routes["slow"].schedule().push()
        await asyncio.sleep(0.01)
        assert runs == [("a", "slow")]
        (row,) = cluster.rows.values()
        assert row.status is JobStatus.RUNNING
        await cluster.kill(a.configs.storage)
        a.configs.app_started = False
        await a.configs.jobs.stop()
        await b.wait_all(timeout=2)
    assert runs == [("a", "slow"), ("b", "slow")]  # at-least-once


async def test_a_run_claimed_by_another_node_is_not_run_here(make_node):
    cluster, runs = MemoryCluster(), []
    a, b = make_node(cluster, "a", runs), make_node(cluster, "b", runs)
    clock = FakeClock(START)
    clock.install(a)
    clock.install(b)
    async with started(a, b):
        job_a = await a.registry.routes["work"].schedule(7).delay(1)
        # b believes a is dead and arms a's row too (a lease that lapsed while a lived)
        await b.configs.restorer.adopt(list(cluster.rows.values()))
        job_b = b.find_job(job_a.id)
        assert job_b is not None
        await clock.advance(2)
        assert len(runs) == 1
        statuses = sorted([job_a.status.value, job_b.status.value])
        assert statuses == ["cancelled", "success"]


@pytest.mark.parametrize("policy", [MisfirePolicy.SKIP, MisfirePolicy.ONCE, MisfirePolicy.ALL])
async def test_a_lagging_row_follows_the_misfire_policy_at_claim(make_node, policy):
    """The row is behind the node's timer (an hour old, as after the cluster was down)."""
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs, cron=Cron("60", misfire_policy=policy))
    clock = FakeClock(START)
    clock.install(a)
    old = START - timedelta(minutes=3)
    async with a:
        job = a.find_job("tick__jobify_cron_definition")
        assert job.exec_at == START + timedelta(seconds=60)
        cluster.rows[job.id] = cluster.rows[job.id]._replace(next_run_at=old)
        await clock.advance(60)
    ran_at = [when for _, when in runs]
    if policy is MisfirePolicy.ALL:  # the missed run, then the ones after it, back to back
        assert ran_at == [START + timedelta(seconds=60)] * 5  # -3, -2, -1, 0 min and +60 s
        assert job.cron_context.run_count == 5
    elif policy is MisfirePolicy.ONCE:  # one run now for all that were missed
        assert ran_at == [START + timedelta(seconds=60)]
    else:  # SKIP: nothing now; the next run is stored (this parser steps from "just before")
        assert ran_at == []
        assert cluster.rows[job.id].next_run_at > START + timedelta(seconds=60)
        assert cluster.rows[job.id].status is JobStatus.SCHEDULED


async def test_jobs_that_are_not_durable_are_not_claimed(make_node):
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs)

    @a.task(name="local", durable=False)
    async def local() -> None:
        runs.append(("a", "local"))

    async with a:
        await a.registry.routes["local"].schedule().push()
        await a.wait_all(timeout=2)
    assert runs == [("a", "local")]
    assert cluster.claims == []


@pytest.mark.parametrize("lost_row", ["gone", "running"])
async def test_a_lost_cron_claim_waits_for_the_next_run(make_node, lost_row):
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs, cron=EVERY_SECOND)
    clock = FakeClock(START)
    clock.install(a)
    async with a:
        job = a.find_job("tick__jobify_cron_definition")
        if lost_row == "gone":
            del cluster.rows[job.id]
            await clock.advance(1)
            assert job.status is JobStatus.CANCELLED
            assert a.get_active_jobs() == []
        else:
            other = cluster.node("b")  # another node claims this run first
            await other.startup()
            assert (await other.claim(job.id, job.exec_at)).won
            await clock.advance(1)
            assert job.exec_at == START + timedelta(seconds=2)
            assert job.status is JobStatus.SCHEDULED
        assert runs == []


async def test_a_claim_that_fails_is_tried_again_a_second_later(make_node, caplog):
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs)
    storage = a.configs.storage
    real_claim = storage.claim
    failures = [RuntimeError("the database said no")]

    async def claim(job_id, due):
        if failures:
            raise failures.pop()
        return await real_claim(job_id, due)

    storage.claim = claim
    clock = FakeClock(START)
    clock.install(a)
    async with a:
        job = await a.registry.routes["work"].schedule(1).delay(1)
        await clock.advance(1)
        assert runs == []
        assert job.status is JobStatus.SCHEDULED
        assert "claim failed; trying again in 1 s" in caplog.text
        await clock.advance(1)
        assert runs == [("a", 1)]
        assert job.status is JobStatus.SUCCESS


async def test_a_node_declaring_a_new_schedule_moves_every_node_to_it(make_node, serializer):
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs, cron="1")
    clock = FakeClock(START)
    clock.install(a)
    async with a:
        await clock.advance(3)
        b = make_node(cluster, "b", runs, cron="5")  # deployed with a new schedule
        clock.install(b)
        async with b:
            job_id = "tick__jobify_cron_definition"
            stored = serializer.loadb(cluster.rows[job_id].message)["cron"]
            assert stored["expression"] == "5"
            assert stored["run_count"] == 3  # the count survives the new schedule
            runs.clear()
            await clock.advance(20)
            assert a.find_job(job_id).cron_expression == "5"  # read from the row
    ticks = sorted(when for _, when in runs)
    assert len(ticks) == 4
    assert all(
        later - earlier == timedelta(seconds=5) for earlier, later in itertools.pairwise(ticks)
    )


# --- fencing: a node that comes back after its lease expired -------------------------------


async def test_a_node_paused_mid_run_past_its_lease_neither_rewinds_nor_reruns(
    serializer, cron_factory, caplog
):
    """The issue's scenario: ``a`` is paused in the middle of a cron run for several leases.

    Meanwhile ``b`` adopts the row and runs the next slots. When ``a``'s run
    ends, the next run it computes from its stale state must not be stored
    over ``b``'s row (before the fix it was: the row went back to ``a`` and
    ``MisfirePolicy.ALL`` replayed every slot ``b`` had run).
    """
    cluster = MemoryCluster()
    slots: list[tuple[str, datetime]] = []
    pause, paused, resume = asyncio.Event(), asyncio.Event(), asyncio.Event()
    clocks = {name: FakeClock(START) for name in "ab"}
    job_id = "tick__jobify_cron_definition"

    def node(name: str) -> Jobify:
        app = Jobify(storage=cluster.node(name), serializer=serializer, cron_factory=cron_factory)
        clocks[name].install(app)

        @app.task(name="tick", cron=Cron(EVERY_SECOND, misfire_policy=MisfirePolicy.ALL))
        async def tick(context: JobContext = INJECT) -> None:
            ctx = context.job.cron_context
            assert ctx is not None
            slots.append((name, ctx.offset))  # the slot this run is for
            if name == "a" and pause.is_set():
                pause.clear()
                paused.set()
                await resume.wait()

        return app

    def second(n: int) -> datetime:
        return START + timedelta(seconds=n)

    a, b = node("a"), node("b")
    async with started(a, b):
        for _ in range(3):  # +1 .. +3, each run once (a's clock goes first: a runs them)
            await clocks["a"].advance(1)
            await clocks["b"].advance(1)
        pause.set()
        a_clock = asyncio.create_task(clocks["a"].advance(1))  # a claims +4 and stops mid-run
        async with asyncio.timeout(5):
            await paused.wait()
        await cluster.expire(a.configs.storage)  # a's lease runs out: b adopts the row
        assert cluster.owner_of(job_id) == "b"
        await clocks["b"].advance(7)  # b runs +4 (again: a had started it) .. +10
        assert cluster.rows[job_id].next_run_at == second(11)
        resume.set()
        await a_clock  # a's run of +4 ends: its write loses, and it follows the row
        assert cluster.rows[job_id].next_run_at == second(11), "a moved the row back"
        assert cluster.owner_of(job_id) == "b"
        assert a.find_job(job_id).exec_at == second(11)
        for n in range(11, 15):  # both go on; a joins again at its first claim
            await clocks["b"].advance_to(second(n))
            await clocks["a"].advance_to(second(n))
        assert cluster.rows[job_id].next_run_at == second(15)
    runs: dict[datetime, list[str]] = {}
    for name, slot in slots:
        runs.setdefault(slot, []).append(name)
    assert sorted(runs) == [second(n) for n in range(1, 15)], "a slot was lost"
    twice = {slot: names for slot, names in runs.items() if len(names) > 1}
    assert twice == {second(4): ["a", "b"]}, twice  # only the run a had started
    rejoined = [r for r in caplog.records if "found its lease expired" in r.getMessage()]
    assert len(rejoined) == 1, [r.getMessage() for r in rejoined]


async def test_a_node_whose_lease_expired_with_nobody_to_adopt_goes_on_with_its_rows(make_node):
    """No survivor took ``a``'s rows: at its next claim it joins again and keeps running them."""
    cluster, runs = MemoryCluster(), []
    a = make_node(cluster, "a", runs, cron=Cron(EVERY_SECOND, max_runs=6))
    clock = FakeClock(START)
    clock.install(a)
    async with a:
        job = await a.registry.routes["work"].schedule(1).delay(2.5)
        await clock.advance(2)
        epoch = a.configs.storage.epoch
        await cluster.expire(a.configs.storage)
        await clock.advance(10)
        assert a.configs.storage.epoch > epoch
        assert job.status is JobStatus.SUCCESS
    assert [when for _, when in runs if isinstance(when, datetime)] == [
        START + timedelta(seconds=n) for n in range(1, 7)
    ]
    assert ("a", 1) in runs
    assert cluster.rows == {}
