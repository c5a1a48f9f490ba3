"""The same task name on routers with different prefixes, without prefix, and on the app."""

import asyncio

from harness import acatch, catch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
one = JobRouter(prefix="one")
two = JobRouter(prefix="two")
bare = JobRouter()


async def from_one() -> str:
    return "one"


async def from_two() -> str:
    return "two"


async def from_bare() -> str:
    return "bare"


async def from_app() -> str:
    return "app"


t_one = one.task(name="same")(from_one)
t_two = two.task(name="same")(from_two)
t_bare = bare.task(name="same")(from_bare)
t_app = app.task(name="same")(from_app)
out = {
    "again_on_one": catch(one.task(name="same"), from_two),
    "include": catch(app.include_routers, one, two, bare),
}


async def run(route: object) -> object:
    job = await route.push()  # type: ignore[attr-defined]
    await job.wait()
    return job.result()


async def main() -> None:
    async with app:
        out["app_route_names"] = sorted(r.name for r in app.routes)
        for key, route in (("one", t_one), ("two", t_two), ("bare", t_bare), ("app", t_app)):
            out[f"run_{key}"] = await acatch(run(route))
    report(out)


asyncio.run(main())
