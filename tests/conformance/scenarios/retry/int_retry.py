"""retry=int: how many times the task runs, the final status and exception, success on a later try."""

import asyncio
import time

from harness import exc, report, within

from jobify import Jobify

app = Jobify(storage=False)
calls: dict[str, int] = {"always": 0, "once": 0, "zero": 0}


@app.task(retry=1)
async def always() -> None:
    calls["always"] += 1
    raise ValueError("always")


@app.task(retry=2)
async def fails_once() -> str:
    calls["once"] += 1
    if calls["once"] == 1:
        raise ValueError("first")
    return "second try"


@app.task(retry=0)
async def zero() -> None:
    calls["zero"] += 1
    raise ValueError("zero")


async def main() -> None:
    out = {}
    async with app:
        start = time.monotonic()
        jobs = {
            "always": await always.push(),
            "once": await fails_once.push(),
            "zero": await zero.push(),
        }
        await app.wait_all()
        out["within_3s"] = within(time.monotonic() - start, 3.0)
        for key, job in jobs.items():
            out[key] = {
                "status": str(job.status),
                "exception": exc(job.exception),
                "result": job.result() if job.exception is None else None,
            }
    out["calls"] = calls
    report(out)


asyncio.run(main())
