"""`app.shutdown()` on an app that is not running: nothing happens (ours) or TypeError (0.14)."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


async def main() -> None:
    unstarted = await acatch(app.shutdown())
    await app.startup()
    await app.shutdown()
    again = await acatch(app.shutdown())
    report({"shutdown_unstarted": unstarted, "shutdown_again": again})


asyncio.run(main())
