"""User classes built on the public protocols (Serializer, Dumper, Loader, CronTab) run an app's jobs."""

import asyncio
from datetime import datetime
from typing import Any

from harness import report

from jobify import Jobify
from jobify.crontab import CronTab, create_crontab
from jobify.serializers import JSONSerializer, Serializer
from jobify.typeadapter import Dumper, Loader


class JsonViaStdlib(Serializer):
    def dumpb(self, data: Any) -> bytes:
        return JSONSerializer().dumpb(data)

    def loadb(self, data: bytes) -> Any:
        return JSONSerializer().loadb(data)


class PassDumper(Dumper):
    def dump(self, data: Any, tp: Any) -> Any:
        return data


class PassLoader(Loader):
    def load(self, data: Any, tp: Any) -> Any:
        return data


class EverySecond(CronTab):
    """A CronTab that delegates to the default parser."""

    def __init__(self, expression: str) -> None:
        self.inner = create_crontab(expression)

    def next_run(self, *, now: datetime) -> datetime:
        return self.inner.next_run(now=now)


# storage off: 0.14 cannot store a durable job through a plain JSON serializer
# (differences/serializer_json_restart)
app = Jobify(
    storage=False,
    serializer=JsonViaStdlib(),
    dumper=PassDumper(),
    loader=PassLoader(),
    cron_factory=EverySecond,
)
runs: list[int] = []


@app.task
async def double(x: int) -> int:
    runs.append(x)
    return 2 * x


async def main() -> None:
    async with app:
        pushed = await double.push(2)
        await asyncio.wait_for(pushed.wait(), 2)
        cron = await double.schedule(3).cron("* * * * * * *", job_id="every-second")
        await asyncio.sleep(1.2)
        report(
            {
                "result": pushed.result(),
                "cron_ran": 3 in runs,
                "cron_status": str(cron.status),
                "protocol_bases": [
                    [b.__name__ for b in cls.__mro__[1:3]]
                    for cls in (JsonViaStdlib, PassDumper, PassLoader, EverySecond)
                ],
            }
        )


asyncio.run(main())
