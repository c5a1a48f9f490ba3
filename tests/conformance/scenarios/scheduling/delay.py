"""`.delay(seconds)`: the job waits that long; zero and negative delays run at once; floats work."""

import asyncio
import time

from harness import acatch, report, within

from jobify import Jobify

app = Jobify(storage=False)
ran: dict[str, float] = {}
t0 = 0.0


@app.task
async def mark(name: str) -> None:
    ran[name] = time.monotonic() - t0


async def main() -> None:
    global t0
    async with app:
        t0 = time.monotonic()
        await app_delay("quarter", 0.25)
        await app_delay("zero", 0)
        await app_delay("negative", -5)
        await app_delay("int", 0)
        await asyncio.sleep(0.1)
        early = sorted(ran)
        await app.wait_all(timeout=2)
        bad = await acatch(mark.schedule("bad").delay("1"))
    report(
        {
            "done_by_0.1s": early,
            "quarter_waited": ran["quarter"] >= 0.24 and within(ran["quarter"], 1),
            "all": sorted(ran),
            "string_delay": bad,
        }
    )


async def app_delay(name: str, seconds: float) -> None:
    await mark.schedule(name).delay(seconds)


asyncio.run(main())
