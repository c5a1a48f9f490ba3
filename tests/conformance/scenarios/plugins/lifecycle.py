"""Plugins from Jobify(plugins=...) and add_plugin: each starts once with the app, stops once after the body."""

import asyncio

from harness import report

from jobify import Jobify

events: list[str] = []
apps: list[bool] = []


class Recorder:
    def __init__(self, tag: str) -> None:
        self.tag = tag

    async def startup(self, app: Jobify) -> None:
        events.append(f"{self.tag} up")
        apps.append(app is jobify_app)

    async def shutdown(self) -> None:
        events.append(f"{self.tag} down")


twice = Recorder("twice")
jobify_app = Jobify(storage=False, plugins=[Recorder("one"), Recorder("two"), twice])
jobify_app.add_plugin(Recorder("added"))
jobify_app.add_plugin(twice)


async def main() -> None:
    out = {
        "plugins_type": type(jobify_app.plugins).__name__,
        "plugins_len": len(jobify_app.plugins),
    }
    async with jobify_app:
        events.append("body")
    body = events.index("body")
    # the order among plugins is not pinned (0.14 keeps them in a set)
    out["before_body"] = sorted(events[:body])
    out["after_body"] = sorted(events[body + 1 :])
    out["got_the_app"] = apps
    report(out)


asyncio.run(main())
