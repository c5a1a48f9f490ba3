"""QueueMiddleware(workers=0 or less) is refused (ours) or built, and then runs no job (0.14); maxsize= exists only here."""

import asyncio
import contextlib
from typing import Any

from harness import catch, exc, report

from jobify import Jobify
from jobify.middleware import QueueMiddleware


async def run_one(workers: int) -> dict[str, Any]:
    """Build the middleware; if it builds, whether a pushed job runs within 0.3 s."""
    try:
        middleware = QueueMiddleware(workers=workers)
    except Exception as error:  # noqa: BLE001 - what it raised is the observation
        return {"build": exc(error)}
    app = Jobify(storage=False, middleware=[middleware])

    @app.task
    async def job() -> str:
        return "ran"

    async with app:
        pushed = await job.push()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(pushed.wait()), 0.3)
        return {"build": "built", "status_after_0.3s": str(pushed.status)}


async def main() -> None:
    report(
        {
            "workers_0": await run_one(0),
            "workers_negative": await run_one(-1),
            "maxsize": catch(lambda: type(QueueMiddleware(maxsize=3)).__name__),
        }
    )


asyncio.run(main())
