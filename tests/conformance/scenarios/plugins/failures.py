"""A plugin raising in startup or shutdown, and an object without the plugin methods."""

import asyncio
from contextlib import asynccontextmanager

from harness import exc, report

from jobify import Jobify

events: list[object] = []


class Recorder:
    def __init__(self, fail: str | None) -> None:
        self.fail = fail

    async def startup(self, app: Jobify) -> None:
        events.append("plugin up")
        if self.fail == "up":
            raise KeyError("up")

    async def shutdown(self) -> None:
        events.append("plugin down")
        if self.fail == "down":
            raise OSError("down")


@asynccontextmanager
async def lifespan(arg):
    events.append("life enter")
    yield
    events.append("life exit")


async def run(plugin: object, *, via_add: bool = False) -> list:
    events.clear()
    try:
        if via_add:
            app = Jobify(storage=False, lifespan=lifespan)
            app.add_plugin(plugin)  # type: ignore[arg-type]
        else:
            app = Jobify(storage=False, lifespan=lifespan, plugins=[plugin])  # type: ignore[list-item]
        events.append("built")
        async with app:
            events.append("body")
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        events.append(exc(error))
    return list(events)


async def main() -> None:
    report(
        {
            "startup_fails": await run(Recorder("up")),
            "shutdown_fails": await run(Recorder("down")),
            "not_a_plugin_added": await run(object(), via_add=True),
            "not_a_plugin_passed": await run(object()),
        }
    )


asyncio.run(main())
