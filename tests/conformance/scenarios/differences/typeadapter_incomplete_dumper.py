"""A Dumper / Loader subclass without dump() / load(): refused when instantiated (ours); 0.14 builds it and a durable job then fails to schedule."""

import asyncio
from typing import Any

from harness import acatch, exc, report

from jobify import Jobify
from jobify.typeadapter import Dumper, Loader


class NoDump(Dumper):
    pass


class NoLoad(Loader):
    pass


class PassDumper(Dumper):
    def dump(self, data: Any, tp: Any) -> Any:
        return data


async def main() -> dict[str, Any]:
    try:
        dumper, loader = NoDump(), NoLoad()
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"build": exc(error)}
    app = Jobify(dumper=dumper, loader=loader)

    @app.task
    async def job(x: int) -> int:
        return x

    async with app:
        scheduled = await acatch(job.schedule(1).delay(0.1))
    return {"build": "built", "schedule": scheduled if "raised" in scheduled else "ok"}


report({"missing_method": asyncio.run(main()), "complete": type(PassDumper()).__name__})
