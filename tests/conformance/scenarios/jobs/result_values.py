"""What `result()` gives back for a task returning None, a dict, a list or an object (MAIN: the same object)."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)
SENTINEL = object()


@app.task
async def none() -> None:
    return None


@app.task
async def mapping() -> dict:
    return {"a": [1, 2], "b": None}


@app.task
async def obj() -> object:
    return SENTINEL


@app.task
async def tup() -> tuple:
    return (1, "x")


async def main() -> None:
    async with app:
        jobs = [await t.push() for t in (none, mapping, obj, tup)]
        await app.wait_all(timeout=2)
    results = [j.result() for j in jobs]
    report(
        {
            "none": results[0],
            "mapping": results[1],
            "same_object": results[2] is SENTINEL,
            "tuple_type": type(results[3]).__name__,
        }
    )


asyncio.run(main())
