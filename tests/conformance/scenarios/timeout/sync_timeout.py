"""timeout= on a sync (thread) task: the job times out on time; the thread itself runs to its end."""

import asyncio
import time

from harness import exc, report, within

from jobify import Jobify

app = Jobify(storage=False)
events: list[str] = []


@app.task(timeout=0.1)
def blocking() -> str:
    time.sleep(0.4)
    events.append("thread finished")
    return "done"


async def main() -> None:
    async with app:
        start = time.monotonic()
        job = await blocking.push()
        await job.wait()
        elapsed = time.monotonic() - start
        out = {
            "status": str(job.status),
            "exception": exc(job.exception),
            "before_thread_end": within(elapsed, 0.38),
            "events_at_timeout": list(events),
        }
        await asyncio.sleep(0.6)
        out["events_later"] = list(events)
        out["status_later"] = str(job.status)
    report(out)


asyncio.run(main())
