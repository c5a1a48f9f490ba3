"""A handler's return value is the job's result: sync and async handlers, returning None, what they receive."""

import asyncio

from harness import report

from jobify import JobContext, Jobify

received: list[dict] = []


def sync_handler(error, context):
    received.append(
        {
            "error": type(error).__name__,
            "args": list(error.args),
            "context": type(context).__name__,
            "is_job_context": isinstance(context, JobContext),
            "job_status": str(context.job.status),
            "runnable": context.runnable.name,
        }
    )
    return {"handled": str(error)}


async def async_handler(error, context):
    await asyncio.sleep(0)
    return "async-handled"


def none_handler(error, context):
    return None


app = Jobify(storage=False)


@app.task(exception_handlers={ValueError: sync_handler})
async def with_sync() -> int:
    raise ValueError("bad value")


@app.task(exception_handlers={ValueError: async_handler})
async def with_async() -> int:
    raise ValueError("bad value")


@app.task(exception_handlers={ValueError: none_handler})
async def with_none() -> int:
    raise ValueError("bad value")


@app.task(exception_handlers={ValueError: sync_handler})
def sync_task() -> int:
    raise ValueError("from a thread")


async def main() -> None:
    out = {}
    async with app:
        routes = {
            "with_sync": with_sync,
            "with_async": with_async,
            "with_none": with_none,
            "sync_task": sync_task,
        }
        for label, route in routes.items():
            job = await route.push()
            await job.wait()
            out[label] = [str(job.status), job.result(), job.exception is None]
    out["received"] = received
    report(out)


asyncio.run(main())
