"""`app.wait_all()` returns once every one-off job has ended (successes and failures)."""

import asyncio
import time

from harness import acatch, report, within

from jobify import Jobify

app = Jobify(storage=False)
done: list[int] = []


@app.task
async def work(n: int) -> None:
    await asyncio.sleep(0.05 * n)
    done.append(n)
    if n == 2:
        raise ValueError(n)


async def main() -> None:
    async with app:
        t0 = time.monotonic()
        nothing = await acatch(app.wait_all())
        idle = time.monotonic() - t0
        jobs = [await work.schedule(n).delay(0.05) for n in (3, 1, 2)]
        t1 = time.monotonic()
        returned = await acatch(app.wait_all())
        waited = time.monotonic() - t1
    report(
        {
            "no_jobs": nothing,
            "no_jobs_at_once": within(idle, 0.1),
            "returns": returned,
            "waited_for_all": waited >= 0.15 and within(waited, 1.5),
            "done": sorted(done),
            "statuses": [j.status.value for j in jobs],
        }
    )


asyncio.run(main())
