"""A task raising KeyboardInterrupt or SystemExit: its job fails (ours) or it stops the app (0.14)."""

import asyncio

from harness import catch, exc, phase, report, run_phase

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def interrupt() -> None:
    raise KeyboardInterrupt


@app.task
async def leave() -> None:
    raise SystemExit(3)


@app.task
async def fine() -> str:
    return "ok"


async def main(task: object) -> dict:
    async with app:
        job = await task.push()
        await asyncio.sleep(0.2)
        after = await fine.push()
        await after.wait()
        later = after.result()
    return {
        "status": job.status.value,
        "exception": exc(job.exception),
        "cause": exc(job.exception.__cause__) if job.exception else None,
        "result": catch(job.result),
        "later_job": later,
    }


if phase() == "main":
    report({"keyboard_interrupt": run_phase("interrupt"), "system_exit": run_phase("exit")})
else:
    try:
        out = asyncio.run(main(interrupt if phase() == "interrupt" else leave))
    except BaseException as error:  # noqa: BLE001 - what escaped is the observation
        out = {"escaped": exc(error)}
    report(out)
