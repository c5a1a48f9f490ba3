"""add_plugin on a running app: accepted or refused, and whether the plugin is started or stopped."""

import asyncio

from harness import catch, report

from jobify import Jobify

events: list[str] = []


class Recorder:
    def __init__(self, tag: str) -> None:
        self.tag = tag

    async def startup(self, app: Jobify) -> None:
        events.append(f"{self.tag} up")

    async def shutdown(self) -> None:
        events.append(f"{self.tag} down")


app = Jobify(storage=False, plugins=[Recorder("early")])


async def main() -> None:
    async with app:
        out = {"add": catch(app.add_plugin, Recorder("late"))}
        events.append("body")
    body = events.index("body")
    out["before_body"] = events[:body]
    out["after_body"] = sorted(events[body + 1 :])  # 0.14 keeps plugins in a set: no order
    report(out)


asyncio.run(main())
