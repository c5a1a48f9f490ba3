"""Operating a scheduler, with real processes on one SQLite file.

The "done when" of issues 13 and 16 for one node, each with its figures:

- pause / resume / run now / cancel given with ``jobify jobs ...`` to a running
  ``jobify run`` take effect within 1 s of the command's exit code 0, and
  survive a restart;
- run history matches the runs (count, statuses, errors) and retention trims it;
- two producer processes (and ``uvicorn --workers 2`` when uvicorn is
  installed) plus one scheduler: each job runs once, and the producers read
  every result;
- SIGTERM during a 2 s sync job: with ``shutdown_grace`` it completes once and
  is not run again; with no grace it is cancelled, logged with its id, and
  runs again after the restart;
- a scheduler idle with the change feed watching uses next to no CPU.

Tasks write what they do to a ledger file (append, one line per event, with
the time and the process id), which is what the assertions count.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = """
import os
import time

from jobify import Cron, Jobify, MisfirePolicy

app = Jobify()


def note(*words):
    line = " ".join(str(w) for w in words) + f" {time.time():.3f} {os.getpid()}\\n"
    fd = os.open("ledger.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, line.encode())
    os.close(fd)


@app.task
async def tick(name: str) -> None:
    note("tick", name)


@app.task
async def once(tag: str) -> str:
    note("once", tag)
    return tag.upper()


@app.task
async def flaky(n: int) -> int:
    note("flaky", n)
    if n % 3 == 0:
        raise ValueError(f"bad {n}")
    return n * 10


@app.task
def slow_sync(tag: str) -> str:
    note("start", tag)
    time.sleep(2)
    note("done", tag)
    return tag


EVERY_SECOND = "* * * * * * *"  # seconds first: every second


async def seed(what):
    # store the jobs of one test (run by seed.py, a producer: the scheduler runs them)
    if what == "control":
        once_now = Cron(EVERY_SECOND, misfire_policy=MisfirePolicy.ONCE)
        await tick.schedule("ticker").cron(once_now, job_id="ticker")
        await tick.schedule("victim").cron(Cron(EVERY_SECOND), job_id="victim")
        await once.schedule("later").delay(3600, job_id="later")
        await once.schedule("later2").delay(3600, job_id="later2")
    elif what == "history":
        for n in range(9):
            await flaky.schedule(n).delay(0.5, job_id=f"flaky-{n}")
        await tick.schedule("counter").cron(Cron(EVERY_SECOND, max_runs=8), job_id="counter")
    elif what == "slow":
        await slow_sync.schedule("s1").delay(0.5, job_id="slow-1")
    elif what == "idle":
        for n in range(20):
            await once.schedule(f"idle-{n}").delay(3600, job_id=f"idle-{n}")
"""

SEED = """
import asyncio
import sys

from svc import app, seed


async def main():
    async with app:
        await seed(sys.argv[1])


asyncio.run(main())
"""

PRODUCER = """
import asyncio
import json
import sys

from svc import app, once


async def main(tag, count):
    async with app:
        now = [await once.push(f"{tag}-now-{i}") for i in range(count)]
        later = [await once.schedule(f"{tag}-later-{i}").delay(0.5) for i in range(count)]
        jobs = now + later
        results = await asyncio.gather(*(asyncio.wait_for(job, 60) for job in jobs))
        kept = await app.job_outcome(jobs[0].id)
        print(json.dumps({
            "results": results,
            "statuses": [job.status.value for job in jobs],
            "outcome": [kept.task, kept.status.value, kept.result],
        }))


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""

WEB = """
import json
import os
from urllib.parse import parse_qs

from svc import app, once


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await app.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await app.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return
    tag = parse_qs(scope["query_string"].decode())["tag"][0]
    job = await once.push(tag)
    result = await job
    body = json.dumps({"result": result, "worker": os.getpid()}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""


def _files(tmp_path: Path, **jobify: object) -> Path:
    """The app, the seeding script, the scheduler's jobify.toml; return the producers' config."""
    (tmp_path / "svc.py").write_text(APP)
    (tmp_path / "seed.py").write_text(SEED)
    _toml(tmp_path, **jobify)
    return _toml(tmp_path, "producer.toml", role="producer", **jobify)


def _seed(tmp_path: Path, what: str) -> None:
    """Store a test's jobs from a producer process, as a web app would."""
    subprocess.run(
        [sys.executable, "seed.py", what], cwd=tmp_path, check=True, timeout=60,
        env=_env(tmp_path, JOBIFY_CONFIG=str(tmp_path / "producer.toml")),
    )  # fmt: skip


def _toml(tmp_path: Path, name: str = "jobify.toml", **jobify: object) -> Path:
    lines = ["[jobify]", 'app = "svc:app"']
    tables: list[str] = []
    for key, value in jobify.items():
        if isinstance(value, dict):
            tables += [f"[jobify.{key}]", *(f"{k} = {json.dumps(v)}" for k, v in value.items())]
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    lines += ["[jobify.storage]", 'database = "jobs.db"', *tables]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path), **extra}
    env.pop("JOBIFY_CONFIG", None)
    if "JOBIFY_CONFIG" in extra:
        env["JOBIFY_CONFIG"] = extra["JOBIFY_CONFIG"]
    return env


class Scheduler:
    """One `jobify run` process in ``tmp_path``."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.ready = tmp_path / "ready"
        self.ready.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jobify.cli", "run", "--ready-file", str(self.ready)],
            cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.output = ""
        deadline = time.monotonic() + 60
        while not self.ready.exists():
            assert self.proc.poll() is None, self.proc.communicate()[0]
            assert time.monotonic() < deadline, "jobify run did not start"
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> float:
        began = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.output, _ = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, self.output
        return time.monotonic() - began


@contextlib.contextmanager
def scheduler(tmp_path: Path, seed: str | None = None) -> Iterator[Scheduler]:
    """A `jobify run`, started after a producer stored the jobs of ``seed`` (if given)."""
    if seed is not None:
        _seed(tmp_path, seed)
    running = Scheduler(tmp_path)
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.stop()


def ledger(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "ledger.txt"
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def events(tmp_path: Path, kind: str, name: str | None = None) -> list[float]:
    """Times of the ledger's ``kind`` lines (of ``name``), in order."""
    return [
        float(r[-2]) for r in ledger(tmp_path) if r[0] == kind and (name is None or r[1] == name)
    ]


def wait_for(check, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run ``jobify jobs ...``; return the wall time its exit code 0 came back, and its output."""
    result = subprocess.run(
        [sys.executable, "-m", "jobify.cli", "jobs", *args],
        cwd=tmp_path, env=env or _env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    acked = time.time()
    assert result.returncode == 0, result.stdout + result.stderr
    return acked, result.stdout


# --- (a) control from the command line ---------------------------------------------------


def test_pause_resume_run_now_and_cancel_from_the_cli(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    _files(tmp_path)
    took: dict[str, float] = {}
    with scheduler(tmp_path, seed="control") as first:
        wait_for(lambda: len(events(tmp_path, "tick", "ticker")) >= 2, 15, "ticks")
        wait_for(lambda: len(events(tmp_path, "tick", "victim")) >= 2, 15, "ticks")

        acked, out = cli(tmp_path, "pause", "ticker")
        assert out.startswith("job 'ticker' paused in SQLite file")
        time.sleep(2.5)
        last = events(tmp_path, "tick", "ticker")[-1]
        took["pause: last tick"] = last - acked
        assert last <= acked + 1.0, f"ticker ticked {last - acked:.2f} s after the pause"

        acked, _ = cli(tmp_path, "run", "later")
        wait_for(lambda: events(tmp_path, "once", "later"), 5, "the run-now of 'later'")
        took["run now: the run"] = events(tmp_path, "once", "later")[0] - acked
        assert took["run now: the run"] <= 1.0

        acked, _ = cli(tmp_path, "cancel", "victim")
        time.sleep(2.5)
        last = events(tmp_path, "tick", "victim")[-1]
        took["cancel: last tick"] = last - acked
        assert last <= acked + 1.0, f"victim ticked {last - acked:.2f} s after the cancel"
        assert events(tmp_path, "tick", "ticker")[-1] <= acked, "a paused job ran"

        _, listing = cli(tmp_path, "--json")
        jobs = {j["id"]: j for j in json.loads(listing)["jobs"]}
        assert jobs["ticker"]["status"] == "paused"
        assert "victim" not in jobs
        assert "later" not in jobs  # it ran (run now) and ended
        assert jobs["later2"]["status"] == "scheduled"
        first.stop()

    # stopped: a run asked for now happens at the next start
    cli(tmp_path, "run", "later2")
    stopped_at = time.time()
    with scheduler(tmp_path) as second:
        restarted = time.time()
        wait_for(lambda: events(tmp_path, "once", "later2"), 10, "the run-now kept over a restart")
        time.sleep(2.5)
        assert [t for t in events(tmp_path, "tick", "ticker") if t > stopped_at] == [], (
            "the pause did not survive the restart"
        )
        assert [t for t in events(tmp_path, "tick", "victim") if t > stopped_at] == [], (
            "the cancel did not survive the restart"
        )
        assert len(events(tmp_path, "once", "later")) == 1
        took["run now given while stopped: the run, from ready"] = (
            events(tmp_path, "once", "later2")[0] - restarted
        )

        acked, _ = cli(tmp_path, "resume", "ticker")
        wait_for(lambda: events(tmp_path, "tick", "ticker")[-1] > acked, 5, "ticks after resume")
        resumed = [t for t in events(tmp_path, "tick", "ticker") if t > acked - 1.0]
        took["resume: first tick"] = resumed[0] - acked
        assert took["resume: first tick"] <= 1.0
        pids = {r[-1] for r in ledger(tmp_path)}
        assert pids == {str(first.pid), str(second.pid)}
    figures["jobify jobs ... -> jobify run, seconds after the CLI's exit code 0"] = "; ".join(
        f"{k} {v:+.2f}" for k, v in took.items()
    )


# --- (b) run history -------------------------------------------------------------------


def _history(tmp_path: Path, job_id: str) -> list[dict[str, object]]:
    _, out = cli(tmp_path, "history", job_id, "--json", "--limit", "100")
    runs: list[dict[str, object]] = json.loads(out)["runs"]
    return runs


def _forgotten(tmp_path: Path, job_id: str) -> bool:
    """``jobify jobs history ID`` says the job is unknown: no row, no outcome, no run."""
    result = subprocess.run(
        [sys.executable, "-m", "jobify.cli", "jobs", "history", job_id, "--json"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if result.returncode == 0:
        return False  # still known: its outcome or a run is not swept yet
    assert "(no row, no run recorded)" in result.stderr, result.stderr
    return True


def test_run_history_matches_the_runs_and_is_trimmed(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    # results_ttl 10 s: the upkeep sweeps every second, so the count limit shows at once
    _files(tmp_path, results_ttl=10, history={"max_age": 600, "max_runs_per_job": 3})
    with scheduler(tmp_path, seed="history"):
        wait_for(lambda: len(events(tmp_path, "flaky")) >= 9, 20, "the flaky jobs")
        wait_for(lambda: len(events(tmp_path, "tick", "counter")) >= 8, 30, "the 8 cron runs")
        for n in range(9):
            runs = _history(tmp_path, f"flaky-{n}")
            assert len(runs) == 1, (n, runs)
            [record] = runs
            if n % 3 == 0:
                assert (record["status"], record["error"]) == ("failed", f"ValueError: bad {n}")
                assert record["result"] is None
            else:
                assert (record["status"], record["error"]) == ("success", None)
                assert record["result"] == repr(n * 10)
        counted = len(events(tmp_path, "tick", "counter"))
        assert counted == 8  # max_runs
        # the upkeep sweeps every second: the count limit shows within a few
        wait_for(lambda: len(_history(tmp_path, "counter")) == 3, 15, "max_runs_per_job = 3")
        runs = _history(tmp_path, "counter")
        assert {r["status"] for r in runs} == {"success"}
        started = [r["started_at"] for r in runs]
        assert started == sorted(started, reverse=True)
    time.sleep(1.5)
    # restart keeping runs and outcomes 1 s only: the first sweeps drop every older record,
    # and a job with no row, no outcome and no run left is one the CLI no longer knows
    _files(tmp_path, results_ttl=1, history={"max_age": 1, "max_runs_per_job": 3})
    with scheduler(tmp_path):
        wait_for(lambda: _forgotten(tmp_path, "flaky-1"), 10, "the age limits")
        assert all(_forgotten(tmp_path, f"flaky-{n}") for n in range(9))
        assert _forgotten(tmp_path, "counter")  # its max_runs were done: no row either
    figures["run history"] = (
        f"9 one-off runs -> 9 records (3 failed, with their errors); every-second cron: "
        f"{counted} runs -> 3 records kept (max_runs_per_job); max_age 1 s after a restart "
        "-> 0 kept"
    )


# --- (c) producers and one scheduler ------------------------------------------------------


def test_two_producer_processes_and_one_scheduler_run_each_job_once(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    producer_config = _files(tmp_path)
    (tmp_path / "producer.py").write_text(PRODUCER)
    count = 15
    with scheduler(tmp_path) as sched:
        began = time.monotonic()
        producers = [
            subprocess.Popen(
                [sys.executable, "producer.py", tag, str(count)],
                cwd=tmp_path,
                env=_env(tmp_path, JOBIFY_CONFIG=str(producer_config)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for tag in ("p1", "p2")
        ]
        outputs = [p.communicate(timeout=120) for p in producers]
        took = time.monotonic() - began
        for proc, (out, err) in zip(producers, outputs, strict=True):
            assert proc.returncode == 0, err
        time.sleep(1.5)  # a second run, had there been one, would have landed by now
    runs = collections.Counter(r[1] for r in ledger(tmp_path) if r[0] == "once")
    expected = {f"{tag}-{when}-{i}" for tag in ("p1", "p2") for when in ("now", "later")
                for i in range(count)}  # fmt: skip
    assert set(runs) == expected
    assert set(runs.values()) == {1}, "a job ran twice"
    assert {r[-1] for r in ledger(tmp_path) if r[0] == "once"} == {str(sched.pid)}
    for tag, (out, _) in zip(("p1", "p2"), outputs, strict=True):
        document = json.loads(out)
        want = [f"{tag}-now-{i}".upper() for i in range(count)]
        want += [f"{tag}-later-{i}".upper() for i in range(count)]
        assert document["results"] == want
        assert set(document["statuses"]) == {"success"}
        assert document["outcome"] == ["svc:once", "success", f"{tag}-now-0".upper()]
    figures["2 producers + 1 scheduler (SQLite)"] = (
        f"{len(expected)} jobs ran {sum(runs.values())} times, all in the scheduler; every "
        f"result read back by its producer; {took:.1f} s for both producers"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_uvicorn_workers_as_producers_and_one_scheduler(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    pytest.importorskip("uvicorn", reason="uvicorn is not installed: the plain producers test")
    producer_config = _files(tmp_path)
    (tmp_path / "web.py").write_text(WEB)
    port = _free_port()
    with scheduler(tmp_path) as sched:
        web = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "web:asgi", "--workers", "2", "--port", str(port),
             "--log-level", "warning"],
            cwd=tmp_path, env=_env(tmp_path, JOBIFY_CONFIG=str(producer_config)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:  # both workers started (as producers: no scheduler lock to fight over)
                try:
                    _get(port, "warm-up")
                    break
                except OSError:
                    assert web.poll() is None, web.communicate()[0]
                    assert time.monotonic() < deadline, "uvicorn did not answer"
                    time.sleep(0.2)
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda i: _get(port, f"web-{i}"), range(40)))
        finally:
            web.send_signal(signal.SIGTERM)
            web_out, _ = web.communicate(timeout=60)
        time.sleep(1.5)
    assert web.returncode == 0, web_out
    assert "Traceback" not in web_out, web_out
    runs = collections.Counter(r[1] for r in ledger(tmp_path) if r[0] == "once")
    assert runs == {"warm-up": 1, **{f"web-{i}": 1 for i in range(40)}}
    assert {r[-1] for r in ledger(tmp_path) if r[0] == "once"} == {str(sched.pid)}
    assert [a["result"] for a in answers] == [f"WEB-{i}" for i in range(40)]
    workers = collections.Counter(a["worker"] for a in answers)
    figures["uvicorn --workers 2 (producers) + 1 scheduler"] = (
        f"40 concurrent requests, answered by {len(workers)} worker(s) "
        f"({', '.join(map(str, workers.values()))}): each job ran once, in the scheduler, "
        "and each worker awaited its result"
    )


def _get(port: int, tag: str) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}/?tag={tag}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - a local test server
        answer: dict[str, object] = json.loads(response.read())
    return answer


# --- (d) SIGTERM during a sync job ---------------------------------------------------------


@pytest.mark.parametrize("grace", [5, 0], ids=["grace-5s", "no-grace"])
def test_sigterm_during_a_two_second_sync_job(
    tmp_path: Path, grace: int, figures: dict[str, str]
) -> None:
    _files(tmp_path, shutdown_grace=grace, history={"max_age": 600})
    with scheduler(tmp_path, seed="slow") as first:
        wait_for(lambda: events(tmp_path, "start", "s1"), 15, "the slow job to start")
        time.sleep(0.5)
        stopped_in = first.stop(signal.SIGTERM)
    with scheduler(tmp_path) as second:
        time.sleep(4.0 if grace else 0.5)
        if not grace:
            wait_for(lambda: len(events(tmp_path, "done", "s1")) >= 2, 15, "the run again")
        _, history = cli(tmp_path, "history", "slow-1", "--json")
        second.stop()
    starts = [r[-1] for r in ledger(tmp_path) if r[0] == "start"]
    dones = [r[-1] for r in ledger(tmp_path) if r[0] == "done"]
    runs = json.loads(history)["runs"]
    if grace:
        assert starts == [str(first.pid)], "the finished job ran again after the restart"
        assert dones == [str(first.pid)]
        assert [r["status"] for r in runs] == ["success"], "its completion is recorded once"
        assert "waiting up to 5.0 s for 1 running job(s)" in first.output
        assert 0.5 <= stopped_in < 5.0, stopped_in
        figures["SIGTERM, 2 s sync job, shutdown_grace 5"] = (
            f"completed once (stop took {stopped_in:.1f} s); not run again after the restart"
        )
    else:
        assert starts == [str(first.pid), str(second.pid)], "it did not run again"
        assert dones[-1] == str(second.pid)
        assert "were still running and were cancelled" in first.output
        assert "slow-1" in first.output.split("were still running and were cancelled", 1)[1]
        assert runs[0]["status"] == "success"
        figures["SIGTERM, 2 s sync job, shutdown_grace 0"] = (
            f"cancelled and logged with its id (stop took {stopped_in:.1f} s); ran again after "
            "the restart (at-least-once)"
        )


# --- (e) idle CPU ------------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid``, in clock ticks (``SC_CLK_TCK`` a second)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_idle_scheduler_watching_the_feed_uses_next_to_no_cpu(
    tmp_path: Path, figures: dict[str, str]
) -> None:
    _files(tmp_path, history={"max_age": 600})
    with scheduler(tmp_path, seed="idle") as idle:
        time.sleep(1.5)  # startup's work is done
        ticks, wall = _cpu_ticks(idle.pid), time.monotonic()
        time.sleep(5.0)
        ticks = _cpu_ticks(idle.pid) - ticks
        per_second = os.sysconf("SC_CLK_TCK")
        used = ticks / per_second / (time.monotonic() - wall)
        # the feed still works: a change from outside reaches it
        acked, _ = cli(tmp_path, "run", "idle-0")
        wait_for(lambda: events(tmp_path, "once", "idle-0"), 5, "the feed to wake it")
        woke = events(tmp_path, "once", "idle-0")[0] - acked
    figures["idle scheduler CPU (SQLite, feed watching, 20 jobs armed, 5 s)"] = (
        f"{used * 100:.2f} % of a core ({ticks} clock tick(s) of {1000 // per_second} ms in 5 s); "
        f"a change from outside reached it {woke:.2f} s after the CLI's exit"
    )
    assert used < 0.03, f"an idle scheduler used {used:.1%} of a core"
