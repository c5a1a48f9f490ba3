"""Tasks declared on a router after it was included: before startup they run; after, declaring or pushing fails."""

import asyncio

from harness import acatch, report

from jobify import Jobify, JobRouter

app = Jobify(storage=False)
router = JobRouter(prefix="p")
app.include_router(router)


@router.task(name="late")
async def late() -> str:
    return "late"


async def main() -> None:
    out = {}
    async with app:
        job = await late.push()
        await job.wait()
        out["late"] = [job.result(), str(job.status)]

        async def declare_and_push() -> object:
            @router.task(name="later")
            async def later() -> str:
                return "later"

            job = await later.push()
            await job.wait()
            return job.result()

        out["after_startup"] = await acatch(declare_and_push())
    report(out)


asyncio.run(main())
