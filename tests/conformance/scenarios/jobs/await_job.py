"""`await job` returns the result; a failed job raises JobFailedError each time; gather works."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def double(x: int) -> int:
    return x * 2


@app.task
async def boom() -> None:
    raise ValueError("boom")


async def main() -> None:
    async with app:
        ok = await double.push(21)
        bad = await boom.push()
        first = await acatch(ok)
        again = await acatch(ok)
        failed1 = await acatch(bad)
        failed2 = await acatch(bad)
        gathered = await asyncio.gather(ok, bad, return_exceptions=True)
    report(
        {
            "await_result": first,
            "await_again": again,
            "await_failed": failed1,
            "await_failed_again": failed2,
            "gather": [g if isinstance(g, int) else type(g).__name__ for g in gathered],
            "status_str": str(ok.status),
        }
    )


asyncio.run(main())
