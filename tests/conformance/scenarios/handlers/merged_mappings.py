"""Handlers of app, router and task merge by exception type: each level adds types, a lower level overrides."""

import asyncio

from harness import report

from jobify import Jobify, JobRouter


def tagged(tag: str):
    return lambda error, context: f"{tag}:{type(error).__name__}"


app = Jobify(storage=False, exception_handlers={KeyError: tagged("app"), OSError: tagged("app")})
router = JobRouter(exception_handlers={ValueError: tagged("router"), OSError: tagged("router")})
app.add_exception_handler(TypeError, tagged("app-added"))


@router.task(exception_handlers={IndexError: tagged("task")})
async def raises(kind: str) -> None:
    raise {
        "key": KeyError,
        "value": ValueError,
        "os": OSError,
        "index": IndexError,
        "type": TypeError,
    }[kind]


app.include_router(router)


async def main() -> None:
    out = {}
    async with app:
        for kind in ("key", "value", "os", "index", "type"):
            job = await raises.push(kind)
            await job.wait()
            out[kind] = job.result() if job.exception is None else type(job.exception).__name__
    report(out)


asyncio.run(main())
