"""route_class= on JobRouter (NodeRoute subclass) and Jobify (RootRoute subclass): when each is built."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter
from jobify.router import NodeRoute, RootRoute, Route

made: list[str] = []


class MyNode(NodeRoute):
    def __init__(self, *args: object, **kwargs: object) -> None:
        made.append("node")
        super().__init__(*args, **kwargs)


class MyRoot(RootRoute):
    def __init__(self, *args: object, **kwargs: object) -> None:
        made.append("root")
        super().__init__(*args, **kwargs)


app = Jobify(storage=False, route_class=MyRoot)
router = JobRouter(prefix="p", route_class=MyNode)


@router.task
async def on_router() -> int:
    return 1


@app.task
async def on_app() -> int:
    return 2


out: dict[str, object] = {"declared": list(made)}
app.include_router(router)
out["included"] = list(made)
out["types"] = [type(on_router).__name__, type(on_app).__name__]
out["is_route"] = [isinstance(on_router, Route), isinstance(on_app, Route)]


async def main() -> None:
    async with app:
        out["started"] = list(made)
        out["app_route_types"] = sorted(type(r).__name__ for r in app.routes)
        j1 = await on_router.push()
        j2 = await on_app.push()
        await app.wait_all()
        out["results"] = [j1.result(), j2.result()]
    report(out)


asyncio.run(main())
