"""What app.routes and router.routes list before and after startup, with nested routers."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
outer = JobRouter(prefix="outer")
inner = JobRouter(prefix="inner")


@app.task(name="top")
async def top() -> None: ...


@outer.task(name="o")
async def o() -> None: ...


@inner.task(name="i")
async def i() -> None: ...


def listing(router: object) -> list[list[str]]:
    return sorted([r.name, type(r).__name__] for r in router.routes)  # type: ignore[attr-defined]


outer.include_router(inner)
app.include_router(outer)
out = {
    "before": {"app": listing(app), "outer": listing(outer), "inner": listing(inner)},
    "sub_routers": [len(app.sub_routers), len(outer.sub_routers), len(inner.sub_routers)],
    "parents": [outer.parent is app, inner.parent is outer, app.parent is None],
}


async def main() -> None:
    async with app:
        out["started"] = {"app": listing(app), "outer": listing(outer), "inner": listing(inner)}
    report(out)


asyncio.run(main())
