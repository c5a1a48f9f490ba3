"""A router without prefix keeps its tasks' names; tasks run through the app."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify, JobRouter

app = Jobify(storage=False)
router = JobRouter()


@router.task
async def plain(ctx: JobContext = INJECT) -> str:
    return ctx.runnable.name


@router.task(name="custom")
async def custom(x: int) -> int:
    return x + 1


app.include_router(router)


async def main() -> None:
    async with app:
        j1 = await plain.push()
        j2 = await custom.push(1)
        await app.wait_all()
        out = {
            "names": [plain.name, custom.name],
            "results": [j1.result(), j2.result()],
            "statuses": [str(j1.status), str(j2.status)],
        }
    report(out)


asyncio.run(main())
