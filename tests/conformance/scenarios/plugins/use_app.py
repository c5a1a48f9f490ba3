"""A plugin using the app it is given: its state, configs.app_started, and pushing a task from startup."""

import asyncio

from harness import acatch, report

from jobify import Jobify, State

seen: dict[str, object] = {}


class UsesApp:
    async def startup(self, app: Jobify) -> None:
        seen["state"] = sorted(app.state.keys())
        seen["started_flag"] = app.configs.app_started
        seen["push_in_startup"] = await acatch(_push())

    async def shutdown(self) -> None:
        seen["shutdown_started_flag"] = app.configs.app_started


async def _push() -> str:
    job = await task.push()
    return type(job).__name__


app = Jobify(storage=False, state=State({"k": 1}), plugins=[UsesApp()])
ran: list[str] = []


@app.task
async def task() -> None:
    ran.append("task")


async def main() -> None:
    async with app:
        await asyncio.sleep(0.1)
        seen["ran"] = list(ran)
    report(seen)


asyncio.run(main())
