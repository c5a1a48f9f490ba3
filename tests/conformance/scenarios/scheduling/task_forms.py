"""`app.task` bare, with empty parentheses, called on a function, with options: a route that schedules."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def bare() -> str:
    return "bare"


@app.task()
async def parens() -> str:
    return "parens"


async def plain() -> str:
    return "plain"


called = app.task(plain)
named = app.task(name="renamed")(plain)


async def main() -> None:
    routes = {"bare": bare, "parens": parens, "called": called, "named": named}
    async with app:
        jobs = {k: await r.push() for k, r in routes.items()}
        await app.wait_all(timeout=2)
    report(
        {
            "types": sorted({type(r).__name__ for r in routes.values()}),
            "names": {k: r.name for k, r in routes.items()},
            "results": {k: j.result() for k, j in jobs.items()},
            "func_is_original": called.func is plain and named.func is plain,
            "has_push_schedule": all(
                callable(r.push) and callable(r.schedule) for r in routes.values()
            ),
        }
    )


asyncio.run(main())
