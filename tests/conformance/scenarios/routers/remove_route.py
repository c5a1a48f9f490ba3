"""remove_route(name) on a router and on the app: what remains and what pushing a removed task does."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
router = JobRouter(prefix="p")


@router.task(name="x")
async def x() -> int:
    return 1


@router.task(name="y")
async def y() -> int:
    return 2


@app.task(name="z")
async def z() -> int:
    return 3


out = {
    "remove_x": catch(router.remove_route, "x"),
    "remove_missing": catch(router.remove_route, "nope"),
    "remove_z": catch(app.remove_route, "z"),
}
app.include_router(router)


async def run(route: object) -> object:
    job = await route.push()  # type: ignore[attr-defined]
    await job.wait()
    return job.result()


async def main() -> None:
    async with app:
        out["router_routes"] = len(list(router.routes))
        out["app_routes"] = len(list(app.routes))
        out["push_x"] = await acatch(run(x))
        out["push_y"] = await acatch(run(y))
        out["push_z"] = await acatch(run(z))
    report(out)


asyncio.run(main())
