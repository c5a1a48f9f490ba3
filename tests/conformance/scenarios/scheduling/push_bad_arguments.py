"""Arguments that do not fit the task's signature: refused when pushed or scheduled, or when run?"""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def add(a: int, b: int = 1) -> int:
    return a + b


async def main() -> None:
    async with app:
        out = {
            "missing": await acatch(add.push()),
            "too_many": await acatch(add.push(1, 2, 3)),
            "unknown_kw": await acatch(add.push(1, c=3)),
            "twice": await acatch(add.push(1, a=2)),
            "schedule_missing": catch(lambda: add.schedule() and "builder"),
            "schedule_unknown_kw": catch(lambda: add.schedule(1, z=0) and "builder"),
            "wrong_type_runs": None,
        }
        job = await add.push("x", "y")
        await job.wait()
        out["wrong_type_runs"] = {"status": job.status.value, "result": catch(job.result)}
        out["active_after"] = len(app.get_active_jobs())
    report(out)


asyncio.run(main())
