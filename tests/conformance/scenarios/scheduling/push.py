"""`task.push(*args, **kwargs)` runs the task now with those arguments and defaults."""

import asyncio
import time

from harness import report, within

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def greet(
    name: str, greeting: str = "hello", *rest: int, sep: str = " ", **extra: str
) -> str:
    return sep.join(
        [greeting, name, *map(str, rest), *(f"{k}={v}" for k, v in sorted(extra.items()))]
    )


async def main() -> None:
    async with app:
        t0 = time.monotonic()
        first = await greet.push("ada")
        await first.wait()
        took = time.monotonic() - t0
        jobs = [
            await greet.push("bob", "hi"),
            await greet.push(name="eve", greeting="hey"),
            await greet.push("x", "yo", 1, 2, sep="-", mood="ok"),
        ]
        await app.wait_all(timeout=2)
    report(
        {
            "first": first.result(),
            "ran_soon": within(took, 0.5),
            "results": [j.result() for j in jobs],
            "distinct_jobs": len({id(j) for j in jobs}) == 3,
        }
    )


asyncio.run(main())
