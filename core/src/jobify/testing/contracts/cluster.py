"""The cluster-storage suite: claims, leases, adoption and fencing across nodes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from jobify._kernel.values import JobStatus
from jobify.storage import Claim, ClusterStorage, ScheduledJob

if TYPE_CHECKING:
    pass

__all__ = (
    "ClusterStorageContract",
    "KillNode",
    "StallNode",
)

from jobify.testing.contracts.storage import StorageContract, row

UTC = timezone.utc  # noqa: UP017 - one name for the suites
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


# --- cluster storages ----------------------------------------------------------------

KillNode = Callable[[ClusterStorage], Awaitable[None]]
"""``await kill(storage)``: the node dies abruptly, as on SIGKILL (no leave, no lease renewal)."""

StallNode = Callable[[ClusterStorage], AbstractAsyncContextManager[None]]
"""``async with stall(storage):``: the node is paused inside (no renewal, no adoption, no call).

Entering returns once the node's lease has expired, so the other nodes may
adopt its rows; leaving lets it run again with the state it had, as a process
does after SIGCONT or when a partition heals.
"""


_LEAVE_TIMEOUT = 5.0  # seconds: a node that leaves hands its rows over without a lease expiry


class _Nodes:
    """The nodes one cluster test starts, with the rows each got from ``join`` and ``adopt``.

    Leaving the ``async with`` shuts down every node still running, so a
    failing test leaves no node holding rows.
    """

    def __init__(self, make_storage: Callable[[], ClusterStorage], kill: KillNode) -> None:
        self._make = make_storage
        self._kill = kill
        self.running: list[ClusterStorage] = []
        self.adopted: dict[int, list[ScheduledJob]] = {}
        self._changed = asyncio.Event()

    async def __aenter__(self) -> _Nodes:
        return self

    async def __aexit__(self, *exc: object) -> None:
        while self.running:
            await self.running.pop().shutdown()

    async def start(self) -> ClusterStorage:
        """A new node, started but not joined."""
        storage = self._make()
        await storage.startup()
        self.running.append(storage)
        self.adopted[id(storage)] = []
        return storage

    async def join(self, storage: ClusterStorage) -> list[ScheduledJob]:
        """Join ``storage``, recording what it adopts later; return the rows join gave it."""

        async def adopt(rows: Sequence[ScheduledJob]) -> None:
            self.adopted[id(storage)].extend(rows)
            self._changed.set()

        joined = list(await storage.join(adopt))
        self.adopted[id(storage)].extend(joined)
        self._changed.set()
        return joined

    async def start_joined(self, count: int) -> list[ClusterStorage]:
        """``count`` new nodes, started and joined one after the other."""
        nodes = []
        for _ in range(count):
            node = await self.start()
            assert await self.join(node) == [], "a node joining a live cluster got rows back"
            nodes.append(node)
        return nodes

    async def kill(self, storage: ClusterStorage) -> None:
        """Kill ``storage``'s node; it is not shut down at the end."""
        self.running.remove(storage)
        await self._kill(storage)

    async def leave(self, storage: ClusterStorage) -> None:
        """Shut ``storage``'s node down: it leaves the cluster."""
        self.running.remove(storage)
        await storage.shutdown()

    async def wait_adopted(
        self, job_ids: set[str], seconds: float
    ) -> dict[str, tuple[ClusterStorage, ScheduledJob]]:
        """Wait until running nodes adopted ``job_ids``; return each row and its adopter.

        A row counts as adopted by a node when its ``join`` returned it or its
        ``adopt`` callback received it; one row adopted by two nodes fails.
        """
        try:
            async with asyncio.timeout(seconds):
                while True:
                    self._changed.clear()
                    got = self._adoptions()
                    if job_ids <= set(got):
                        return got
                    await self._changed.wait()
        except TimeoutError:
            missing = sorted(job_ids - set(self._adoptions()))
            msg = f"{len(missing)} rows not adopted within {seconds} s, e.g. {missing[:5]}"
            raise AssertionError(msg) from None

    def _adoptions(self) -> dict[str, tuple[ClusterStorage, ScheduledJob]]:
        got: dict[str, tuple[ClusterStorage, ScheduledJob]] = {}
        pairs = [(n, r) for n in self.running for r in self.adopted[id(n)]]
        for node, adopted in pairs:
            if adopted.job_id in got and got[adopted.job_id][0] is not node:
                msg = f"row {adopted.job_id!r} was adopted by two nodes"
                raise AssertionError(msg)
            got[adopted.job_id] = (node, adopted)
        return got


class ClusterStorageContract(StorageContract):
    """What every :class:`~jobify.storage.ClusterStorage` must do, beyond :class:`StorageContract`.

    Override four fixtures:

    * ``make_storage``: each call builds a new *node* on the same backing store
      (a storage object as another app process would hold);
    * ``kill``: an ``async def kill(storage)`` that makes that node die
      abruptly, as on SIGKILL: its lease is no longer renewed and it does not
      leave (close its connections without a word);
    * ``stall``: ``stall(storage)``, an async context manager inside which
      that node is paused (see :data:`StallNode`): the fencing tests bring it
      back with stale state after its lease expired;
    * ``adoption_timeout``: seconds within which survivors adopt a dead
      node's rows, a little above the lease expiry (default 30).

    Every test starts its own nodes and shuts down those it did not kill.
    """

    @pytest.fixture
    def make_storage(self) -> Callable[[], ClusterStorage]:
        """Return a factory of cluster nodes sharing one backing store."""
        raise NotImplementedError("override the make_storage fixture")

    @pytest.fixture
    def kill(self) -> KillNode:
        """Return a coroutine function ``kill(storage)``: that node dies without leaving."""
        raise NotImplementedError("override the kill fixture")

    @pytest.fixture
    def stall(self) -> StallNode:
        """Return ``stall(storage)``: an async context manager that pauses that node inside."""
        raise NotImplementedError("override the stall fixture")

    @pytest.fixture
    def adoption_timeout(self) -> float:
        """Return the seconds within which survivors adopt a dead node's rows."""
        return 30.0

    async def test_is_a_cluster_storage(self, make_storage: Callable[[], ClusterStorage]) -> None:
        assert isinstance(make_storage(), ClusterStorage)

    async def test_concurrent_claims_win_each_run_once(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, c = await nodes.start_joined(3)
            ids = [f"run-{i}" for i in range(200)]
            await a.add_schedule(*(row(job_id) for job_id in ids))
            claims: list[Claim] = await asyncio.gather(
                *(node.claim(job_id, T0) for job_id in ids for node in (c, b, a))
            )
            wins = dict.fromkeys(ids, 0)
            for job_id, claim in zip((j for j in ids for _ in "cba"), claims, strict=True):
                wins[job_id] += claim.won
            doubles = sorted(j for j, n in wins.items() if n > 1)
            nobody = sorted(j for j, n in wins.items() if n == 0)
            assert not doubles, f"{len(doubles)} runs won by several nodes, e.g. {doubles[:5]}"
            assert not nobody, f"{len(nobody)} due runs won by no node, e.g. {nobody[:5]}"

    async def test_a_won_claim_returns_the_row_running(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("a", minutes=1, message=b"payload"))
            won, got = await a.claim("a", T0 + timedelta(minutes=2))
            assert won
            assert got is not None
            assert JobStatus(got.status) is JobStatus.RUNNING
            assert (got.job_id, got.name, bytes(got.message)) == ("a", "mod:task", b"payload")
            assert got.next_run_at == T0 + timedelta(minutes=1)
            assert JobStatus((await self.rows_of(a))["a"].status) is JobStatus.RUNNING

    async def test_a_claim_before_the_run_is_due_is_lost(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("a", minutes=5))
            won, got = await a.claim("a", T0)
            assert not won
            assert got is not None
            assert got.next_run_at == T0 + timedelta(minutes=5)
            assert JobStatus(got.status) is JobStatus.SCHEDULED
            assert JobStatus((await self.rows_of(a))["a"].status) is JobStatus.SCHEDULED

    async def test_a_claim_of_a_run_running_on_another_node_is_lost(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(row("a"))
            assert (await a.claim("a", T0)).won
            won, got = await b.claim("a", T0 + timedelta(minutes=1))
            assert not won
            assert got is not None
            assert got.job_id == "a"
            assert JobStatus(got.status) is JobStatus.RUNNING

    async def test_a_claim_of_a_missing_row_is_lost_with_no_row(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            assert tuple(await a.claim("missing", T0)) == (False, None)
            await a.add_schedule(row("gone"))
            await a.delete_schedule("gone")
            assert tuple(await a.claim("gone", T0)) == (False, None)

    async def test_a_retried_claim_is_won_again_by_the_same_node(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        """A claim whose answer was lost on the way is retried; the retry must win too."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await b.add_schedule(row("a"))
            first = await a.claim("a", T0)
            again = await a.claim("a", T0)
            assert first.won
            assert again.won, f"the retry of a won claim was lost: {again}"
            assert again.row is not None
            assert JobStatus(again.row.status) is JobStatus.RUNNING
            assert not (await b.claim("a", T0)).won

    async def test_add_schedule_if_absent_keeps_one_row_for_every_node(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, c = await nodes.start_joined(3)
            offers = [row("cron", message=name.encode()) for name in "abc"]
            got = await asyncio.gather(
                *(n.add_schedule_if_absent(o) for n, o in zip((a, b, c), offers, strict=True))
            )
            stored = list((await self.rows_of(b)).values())
            assert len(stored) == 1
            assert bytes(stored[0].message) in {b"a", b"b", b"c"}
            for returned in got:
                assert returned.job_id == "cron"
                assert bytes(returned.message) == bytes(stored[0].message)
            later = await c.add_schedule_if_absent(row("cron", message=b"later"))
            assert bytes(later.message) == bytes(stored[0].message)

    async def test_joining_does_not_take_the_rows_of_live_nodes(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(*(row(f"a-{i}") for i in range(10)))
            assert (await a.claim("a-0", T0)).won
            b = await nodes.start()
            taken = await nodes.join(b)
            assert taken == [], f"a joining node took a live node's rows: {taken[:5]}"
            rows = await self.rows_of(b)
            assert JobStatus(rows["a-0"].status) is JobStatus.RUNNING
            assert (await a.claim("a-0", T0)).won, "the live node lost its running claim"
            assert nodes.adopted[id(a)] == []

    async def test_a_killed_nodes_rows_are_adopted_by_a_survivor(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, adoption_timeout: float
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            a, b, _c = await nodes.start_joined(3)  # two survivors
            ids = {f"a-{i}" for i in range(10)}
            await a.add_schedule(*(row(job_id, minutes=1) for job_id in sorted(ids)))
            await b.add_schedule(row("b-own", minutes=1))
            assert (await a.claim("a-0", T0 + timedelta(minutes=1))).won
            await nodes.kill(a)
            adopted = await nodes.wait_adopted(ids, adoption_timeout)
            assert set(adopted) == ids, "a survivor adopted rows the dead node did not own"
            for job_id, (node, got) in adopted.items():
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                claim = await node.claim(job_id, got.next_run_at)
                assert claim.won, f"the adopter of {job_id!r} lost its claim: {claim}"

    async def test_a_node_that_leaves_hands_its_rows_over_at_once(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, adoption_timeout: float
    ) -> None:
        """``shutdown`` leaves the cluster: survivors adopt its rows without waiting for a lease."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            ids = {f"a-{i}" for i in range(10)}
            await a.add_schedule(*(row(job_id) for job_id in sorted(ids)))
            assert (await a.claim("a-0", T0)).won
            await nodes.leave(a)
            adopted = await nodes.wait_adopted(ids, min(adoption_timeout, _LEAVE_TIMEOUT))
            for job_id, (node, got) in adopted.items():
                assert node is b
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                assert (await b.claim(job_id, T0)).won

    @pytest.mark.parametrize("end", ["killed", "left"])
    async def test_a_node_joining_after_the_others_ended_gets_their_rows(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        adoption_timeout: float,
        end: str,
    ) -> None:
        """Rows of a cluster with no live node go to the next node that joins.

        After a leave, ``join`` returns them; after a kill, they come from
        ``join`` or, once the dead node's lease expired, through ``adopt``.
        """
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            ids = {f"a-{i}" for i in range(5)} | {f"b-{i}" for i in range(5)}
            await a.add_schedule(*(row(j) for j in sorted(ids) if j.startswith("a")))
            await b.add_schedule(*(row(j) for j in sorted(ids) if j.startswith("b")))
            assert (await a.claim("a-0", T0)).won
            for node in (a, b):
                await (nodes.kill(node) if end == "killed" else nodes.leave(node))
            c = await nodes.start()
            joined = await nodes.join(c)
            if end == "left":
                assert {r.job_id for r in joined} == ids
            adopted = await nodes.wait_adopted(ids, adoption_timeout)
            for job_id, (node, got) in adopted.items():
                assert node is c
                assert JobStatus(got.status) is JobStatus.SCHEDULED, got
                assert (await c.claim(job_id, T0)).won

    # --- fencing: a node back from a pause longer than its lease -------------------

    async def test_a_stale_owners_writes_lose_and_rewind_nothing(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        stall: StallNode,
        adoption_timeout: float,
    ) -> None:
        """The bug this rule closes: a node paused mid-run comes back and writes its stale state.

        ``a`` claims a cron run and a one-off run, then stalls past its lease;
        ``b`` adopts its rows and runs the cron row on. ``a``'s writes then
        lose, whatever they are, and the row is left as ``b`` wrote it.
        """
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(
                row("cron", message=b"a"), row("once", minutes=1), row("odd", minutes=2)
            )
            assert (await a.claim("cron", T0)).won  # a is running these two when it stalls
            assert (await a.claim("once", T0 + timedelta(minutes=1))).won
            async with stall(a):
                await nodes.wait_adopted({"cron", "once", "odd"}, adoption_timeout)
            for minute in range(3):  # b runs the cron row on: T0 again (at-least-once), +1, +2
                due = T0 + timedelta(minutes=minute)
                assert (await b.claim("cron", due)).won
                moved = await b.advance(row("cron", minutes=minute + 1, message=b"b"), due)
                assert moved.won, f"the adopter's advance at {due} lost: {moved}"
            set_aside = getattr(a, "set_aside", None)
            if set_aside is not None:
                await set_aside("odd", "a stale node cannot read it")
                assert "odd" in await self.rows_of(b), "a stale node set aside a row it lost"
            stale = await a.advance(row("cron", minutes=1, message=b"a"), T0)
            assert not stale.won, f"a stale owner's advance was stored: {stale}"
            assert stale.row is not None
            assert stale.row.next_run_at == T0 + timedelta(minutes=3)
            assert not await a.release({"once": T0 + timedelta(minutes=1)}), (
                "a stale owner deleted a row another node holds"
            )
            rows = await self.rows_of(b)
            assert rows["cron"].next_run_at == T0 + timedelta(minutes=3), "the row moved back"
            assert bytes(rows["cron"].message) == b"b"
            assert {"once", "odd"} <= set(rows)
            assert (await b.claim("once", T0 + timedelta(minutes=1))).won
            assert set(await b.release({"once": T0 + timedelta(minutes=1)})) == {"once"}
            assert "once" not in await self.rows_of(b)

    async def test_a_stale_claim_of_a_run_taken_over_is_lost(
        self,
        make_storage: Callable[[], ClusterStorage],
        kill: KillNode,
        stall: StallNode,
        adoption_timeout: float,
    ) -> None:
        """``a``'s claim was won before it stalled; the run is the adopter's now."""
        async with _Nodes(make_storage, kill) as nodes:
            a, b = await nodes.start_joined(2)
            await a.add_schedule(row("x"))
            assert (await a.claim("x", T0)).won
            async with stall(a):
                await nodes.wait_adopted({"x"}, adoption_timeout)
            assert (await b.claim("x", T0)).won
            again = await a.claim("x", T0)  # the repeat of a claim whose reply was lost
            assert not again.won, f"a stale node won a run the adopter holds: {again}"
            assert again.row is not None
            assert JobStatus(again.row.status) is JobStatus.RUNNING
            assert set(await b.release({"x": T0})) == {"x"}

    async def test_a_node_back_from_a_pause_rejoins_before_it_claims(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode, stall: StallNode
    ) -> None:
        """Nobody adopted its rows: it re-reads them (``adopt``) before a claim is answered."""
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("x"), row("y", minutes=1))
            assert (await a.claim("y", T0 + timedelta(minutes=1))).won  # mid-run at the stall
            async with stall(a):
                pass
            claim = await a.claim("x", T0)
            handed = {r.job_id: r for r in nodes.adopted[id(a)]}
            assert set(handed) == {"x", "y"}, (
                f"before its claim was answered, the node re-read {sorted(handed)}, not x and y"
            )
            assert claim.won, claim
            moved = await a.advance(row("x", minutes=5), T0)
            assert moved.won, f"the node's own rows lost its writes after it joined again: {moved}"
            released = await a.release({"y": T0 + timedelta(minutes=1), "x": T0})
            assert set(released) == {"y"}, "x is at T0 + 5 min now: only y is released"
            assert set(await self.rows_of(a)) == {"x"}

    async def test_advance_never_moves_a_row_back(
        self, make_storage: Callable[[], ClusterStorage], kill: KillNode
    ) -> None:
        async with _Nodes(make_storage, kill) as nodes:
            (a,) = await nodes.start_joined(1)
            await a.add_schedule(row("x", minutes=5))
            assert (await a.claim("x", T0 + timedelta(minutes=5))).won
            with pytest.raises(ValueError, match="back"):
                await a.advance(row("x", minutes=4), T0 + timedelta(minutes=5))
            lost = await a.advance(row("x", minutes=9), T0 + timedelta(minutes=4))
            assert not lost.won, "an advance from a run the row is not at was stored"
            assert (await self.rows_of(a))["x"].next_run_at == T0 + timedelta(minutes=5)
            moved = await a.advance(row("x", minutes=6), T0 + timedelta(minutes=5))
            assert moved.won
            assert moved.row is not None
            assert JobStatus(moved.row.status) is JobStatus.SCHEDULED
            assert (await self.rows_of(a))["x"].next_run_at == T0 + timedelta(minutes=6)
