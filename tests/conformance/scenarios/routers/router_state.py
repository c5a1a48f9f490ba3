"""JobRouter(state=...): what a router task's injected State holds, next to the app's."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify, JobRouter, State

app = Jobify(storage=False, state=State({"app_key": 1, "shared": "app"}))
router = JobRouter(prefix="r", state=State({"router_key": 2, "shared": "router"}))
other = JobRouter(prefix="o")


@router.task
async def on_router(state: State = INJECT, ctx: JobContext = INJECT) -> dict:
    state["written_by_router_task"] = True
    return {
        "keys": sorted(state.keys()),
        "shared": state["shared"],
        "ctx_same": ctx.state is state,
        "is_app_state": state is app.state,
        "is_router_state": state is router.state,
    }


@other.task
async def on_other(state: State = INJECT) -> dict:
    return {"keys": sorted(state.keys()), "is_app_state": state is app.state}


@app.task
async def on_app(state: State = INJECT) -> dict:
    return {"keys": sorted(state.keys()), "is_app_state": state is app.state}


app.include_routers(router, other)


async def main() -> None:
    async with app:
        jobs = [await on_router.push(), await on_other.push(), await on_app.push()]
        await app.wait_all()
        out = {
            "results": [j.result() for j in jobs],
            "app_state": sorted(app.state.keys()),
            "router_state": sorted(router.state.keys()),
        }
    report(out)


asyncio.run(main())
