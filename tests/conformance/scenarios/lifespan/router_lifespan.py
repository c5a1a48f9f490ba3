"""A router's lifespan: order against the app's, and where the state it yields is visible."""

import asyncio
from contextlib import asynccontextmanager

from harness import report

from jobify import INJECT, Jobify, JobRouter, State

events: list[str] = []


def lifespan(tag: str, key: str):
    @asynccontextmanager
    async def manage(arg):
        events.append(f"{tag} enter")
        yield {key: tag}
        events.append(f"{tag} exit")

    return manage


app = Jobify(storage=False, lifespan=lifespan("app", "from_app"))
router = JobRouter(prefix="r", state=State({"own": 1}), lifespan=lifespan("router", "from_router"))


@router.task
async def on_router(state: State = INJECT) -> list:
    return sorted(state.keys())


@app.task
async def on_app(state: State = INJECT) -> list:
    return sorted(state.keys())


app.include_router(router)


async def main() -> None:
    out = {}
    async with app:
        events.append("body")
        j1 = await on_router.push()
        j2 = await on_app.push()
        await app.wait_all()
        out["router_task_state"] = j1.result()
        out["app_task_state"] = j2.result()
        out["app_state"] = sorted(app.state.keys())
        out["router_state"] = sorted(router.state.keys())
    out["events"] = events
    report(out)


asyncio.run(main())
