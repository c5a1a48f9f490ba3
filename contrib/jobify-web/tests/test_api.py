"""The JSON API under /api, through an HTTP client: what scripts and the pages rely on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from jobify import Jobify
from jobify.testing.clock import FakeClock
from jobify.testing.memory import MemoryCluster, MemoryStorage
from jobify_web import dashboard

START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


async def settle(app: Jobify) -> None:
    """Let write-behind batches (deletes, outcomes, history) reach the storage."""
    for _ in range(5):
        await asyncio.sleep(0)
    while app.statistics().pending_deletes:
        await asyncio.sleep(0.001)


def declare(app: Jobify, log: list[str]) -> None:
    @app.task(name="send_email")
    async def send_email(to: str, subject: str = "hello") -> str:
        log.append(f"send {to}")
        return f"sent to {to}"

    @app.task(name="tick", cron="*/10 * * * * * *")
    async def tick() -> None:
        log.append("tick")

    @app.task(name="flaky", retry=1)
    async def flaky(n: int) -> None:
        raise RuntimeError(f"flaky run {n} broke")

    @app.task(name="local", durable=False)
    async def local() -> None: ...


@pytest.fixture
def started(make_app):
    """``async with started(**kw) as (app, log, clock)``: a declared app on a fake clock."""
    import contextlib

    @contextlib.asynccontextmanager
    async def run(**kwargs):
        clock = FakeClock(START)
        app = make_app(clock=clock, **kwargs)
        log: list[str] = []
        declare(app, log)
        async with app:
            yield app, log, clock

    return run


async def test_api_index_lists_the_endpoints(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        index = (await http.get("/api")).json()
        assert index["jobs"] == "/api/jobs"
        assert "POST /api/jobs/{id}/pause" in index["actions"]


async def test_overview_and_tasks(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        overview = (await http.get("/api/overview")).json()
        assert overview["running"] is True
        assert overview["history"] == "on"
        assert overview["control"] is True
        assert overview["cluster"] is False
        assert overview["statistics"]["tasks"] == 4
        tasks = {t["name"]: t for t in (await http.get("/api/tasks")).json()["tasks"]}
        assert list(tasks) == ["flaky", "local", "send_email", "tick"]
        assert tasks["tick"]["schedule"] == "*/10 * * * * * *"
        assert tasks["tick"]["live"] == 1
        assert tasks["local"]["durable"] is False
        assert tasks["flaky"]["retry"] == 1
        assert tasks["send_email"]["run_mode"] == "main"


async def test_jobs_page_by_key_through_every_job_once(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        send = app.registry.routes["send_email"]
        for n in range(120):
            await send.schedule(f"user{n}@example.com").delay(3600, job_id=f"mail-{n:03d}")
        seen: list[str] = []
        after = None
        pages = 0
        while True:
            params = {"task": "send_email", "limit": 50}
            if after:
                params["after"] = after
            body = (await http.get("/api/jobs", params=params)).json()
            assert body["source"] == "storage"
            seen += [job["id"] for job in body["jobs"]]
            pages += 1
            after = body["next_after"]
            if after is None:
                break
        assert pages == 3
        assert seen == [f"mail-{n:03d}" for n in range(120)]
        first = (await http.get("/api/jobs", params={"search": "mail-07"})).json()["jobs"]
        assert [job["id"] for job in first] == [f"mail-07{n}" for n in range(10)]
        job = first[0]
        assert job["status"] == "scheduled"
        assert job["next_run_at"] == (START + timedelta(hours=1)).isoformat()
        assert job["stored"] is True


async def test_jobs_that_are_not_stored_join_the_list_in_id_order(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        send, local = app.registry.routes["send_email"], app.registry.routes["local"]
        await send.schedule("a@example.com").delay(60, job_id="b-stored")
        await local.schedule().delay(60, job_id="a-local")
        await local.schedule().delay(60, job_id="c-local")
        body = (await http.get("/api/jobs", params={"limit": 2})).json()
        assert [(j["id"], j["stored"]) for j in body["jobs"]] == [
            ("a-local", False), ("b-stored", True),
        ]  # fmt: skip
        body = (await http.get("/api/jobs", params={"after": body["next_after"]})).json()
        assert [j["id"] for j in body["jobs"]] == ["c-local", "tick__jobify_cron_definition"]
        assert body["next_after"] is None


async def test_one_job_with_its_arguments_as_stored(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        send = app.registry.routes["send_email"]
        await send.schedule("ada@example.com", subject="hi").delay(60, job_id="team/ada/1")
        job = (await http.get("/api/jobs/team/ada/1")).json()
        assert job["id"] == "team/ada/1"
        assert job["task"] == "send_email"
        assert job["arguments"] == {"to": "ada@example.com", "subject": "hi"}
        assert job["arguments_source"] == "stored"
        assert job["trigger"]["kind"] == "at"
        assert job["actions"] == ["pause", "run", "cancel"]
        assert job["runs"] == []
        cron = (await http.get("/api/jobs/tick__jobify_cron_definition")).json()
        assert cron["trigger"]["expression"] == "*/10 * * * * * *"
        missing = await http.get("/api/jobs/nope")
        assert missing.status_code == 404
        assert missing.json() == {"error": "not found", "job_id": "nope"}


async def test_pause_stops_runs_and_resume_brings_them_back(started, client, token):
    async with started() as (app, log, clock):
        async with client(dashboard(app, token=token), bearer=token) as http:
            cron_id = "tick__jobify_cron_definition"
            await clock.advance(10)
            assert log.count("tick") == 1
            done = await http.post(f"/api/jobs/{cron_id}/pause")
            assert done.json() == {"ok": True, "job_id": cron_id, "action": "pause"}
            listed = (await http.get("/api/jobs", params={"status": "paused"})).json()["jobs"]
            assert [j["id"] for j in listed] == [cron_id]
            assert listed[0]["paused"] is True
            await clock.advance(60)
            assert log.count("tick") == 1  # paused: the app no longer runs it
            await http.post(f"/api/jobs/{cron_id}/resume")
            await clock.advance(10)
            assert log.count("tick") >= 2


async def test_run_now_leaves_a_history_row(started, client, token):
    async with started() as (app, log, clock):
        async with client(dashboard(app, token=token), bearer=token) as http:
            send = app.registry.routes["send_email"]
            await send.schedule("bob@example.com").delay(3600, job_id="mail-bob")
            assert (await http.post("/api/jobs/mail-bob/run")).status_code == 200
            await clock.settle()
            await settle(app)
            assert log == ["send bob@example.com"]
            runs = (await http.get("/api/runs", params={"job": "mail-bob"})).json()
            assert runs["history"] == "on"
            assert [(r["job_id"], r["status"]) for r in runs["runs"]] == [("mail-bob", "success")]
            assert runs["runs"][0]["duration"] >= 0
            job = (await http.get("/api/jobs/mail-bob")).json()  # ran once; still due later
            assert [r["status"] for r in job["runs"]] == ["success"]


async def test_failures_newest_first_with_their_errors_by_key(started, client, token):
    async with started() as (app, _, clock):
        async with client(dashboard(app, token=token), bearer=token) as http:
            flaky = app.registry.routes["flaky"]
            for n in range(3):
                job = await flaky.push(n)
                await clock.settle()
                await job.wait()
            await settle(app)
            body = (await http.get("/api/runs", params={"failed": "1", "limit": 2})).json()
            assert [r["error_message"] for r in body["runs"]] == [
                "RuntimeError: flaky run 2 broke", "RuntimeError: flaky run 1 broke",
            ]  # fmt: skip
            assert body["runs"][0]["error_type"] == "RuntimeError"
            assert body["runs"][0]["attempt"] == 2  # retry=1
            older = await http.get(
                "/api/runs", params={"failed": "1", "before": body["next_before"]}
            )
            assert [r["error_message"] for r in older.json()["runs"]] == [
                "RuntimeError: flaky run 0 broke"
            ]
            # a finished durable job: its kept outcome
            job_id = body["runs"][0]["job_id"]
            ended = (await http.get(f"/api/jobs/{job_id}")).json()
            assert ended["outcome"]["status"] == "failed"
            assert "flaky run 2 broke" in ended["outcome"]["error"]
            assert ended["actions"] == []


async def test_cancel_removes_the_job(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        send = app.registry.routes["send_email"]
        await send.schedule("c@example.com").delay(3600, job_id="mail-c")
        assert (await http.post("/api/jobs/mail-c/cancel")).status_code == 200
        assert app.find_job("mail-c") is None
        await settle(app)
        assert (await http.post("/api/jobs/mail-c/cancel")).status_code == 404
        assert (await http.post("/api/jobs/mail-c/explode")).status_code == 404


async def test_history_off_is_said(started, client, token):
    async with started(history=False) as (app, _, _):
        async with client(dashboard(app, token=token), bearer=token) as http:
            assert (await http.get("/api/overview")).json()["history"] == "off"
            assert (await http.get("/api/runs")).json() == {
                "runs": [], "next_before": None, "history": "off",
            }  # fmt: skip


async def test_a_storage_without_control_pages_through_this_processes_jobs(client, token, make_app):
    app = make_app(storage=False, history=False)

    @app.task(name="work")
    async def work(n: int) -> None: ...

    async with app, client(dashboard(app, token=token), bearer=token) as http:
        for n in range(5):
            await work.schedule(n).delay(60, job_id=f"w{n}")
        body = (await http.get("/api/jobs", params={"limit": 3})).json()
        assert body["source"] == "process"
        assert [j["id"] for j in body["jobs"]] == ["w0", "w1", "w2"]
        body = (await http.get("/api/jobs", params={"after": "w2"})).json()
        assert [j["id"] for j in body["jobs"]] == ["w3", "w4"]
        assert (await http.get("/api/overview")).json()["history"] == "unsupported"
        assert (await http.post("/api/jobs/w4/pause")).status_code == 200
        assert app.find_job("w4").paused


async def test_the_cluster_nodes(make_app, client, token):
    cluster = MemoryCluster()
    a = make_app(storage=cluster.node("a"), history=False)
    b = make_app(storage=cluster.node("b"), history=False)
    for app in (a, b):

        @app.task(name="work")
        async def work(n: int) -> None: ...

    async with a, b, client(dashboard(a, token=token), bearer=token) as http:
        await a.registry.routes["work"].schedule(1).delay(60)
        await b.registry.routes["work"].schedule(2).delay(60)
        await b.registry.routes["work"].schedule(3).delay(60)
        nodes = (await http.get("/api/cluster")).json()["nodes"]
        assert nodes == [
            {"name": "a", "alive": True, "lease_expires_at": None, "jobs_owned": 1, "this_node": True},
            {"name": "b", "alive": True, "lease_expires_at": None, "jobs_owned": 2, "this_node": False},
        ]  # fmt: skip
    app = make_app(storage=MemoryStorage(), history=False)
    async with app, client(dashboard(app, token=token), bearer=token) as http:
        assert (await http.get("/api/cluster")).json() == {"nodes": None}


async def test_bad_parameters_are_400(started, client, token):
    async with started() as (app, _, _), client(dashboard(app, token=token), bearer=token) as http:
        for params in ({"limit": "0"}, {"limit": "501"}, {"limit": "x"}, {"status": "bogus"}):
            response = await http.get("/api/jobs", params=params)
            assert response.status_code == 400, params
            assert response.json()["error"] == "bad request"
        assert (await http.get("/api/jobs", params={"search": "x" * 1001})).status_code == 400


async def test_an_app_that_is_not_running_is_503(make_app, client, token):
    app = make_app()
    async with client(dashboard(app, token=token), bearer=token) as http:
        response = await http.get("/api/jobs")
        assert response.status_code == 503
        assert "not running" in response.json()["detail"]
