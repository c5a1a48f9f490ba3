"""INJECT of JobContext, State, RequestState, Job, Jobify and Runnable: what each parameter receives."""

import asyncio

from harness import report

from jobify import INJECT, Job, JobContext, Jobify, RequestState, Runnable, State

app = Jobify(storage=False, state=State({"a": 1}))


@app.task
async def task(
    x: int,
    ctx: JobContext = INJECT,
    state: State = INJECT,
    request_state: RequestState = INJECT,
    job: Job = INJECT,
    jobify: Jobify = INJECT,
    runnable: Runnable = INJECT,
) -> dict:
    return {
        "x": x,
        "types": [type(v).__name__ for v in (ctx, state, request_state, job, jobify, runnable)],
        "ctx_app_is_app": ctx.app is app,
        "jobify_is_app": jobify is app,
        "job_is_ctx_job": job is ctx.job,
        "state_is_ctx_state": state is ctx.state,
        "state_is_app_state": state is app.state,
        "request_state_is_ctx": request_state is ctx.request_state,
        "runnable_is_ctx": runnable is ctx.runnable,
        "job_status_inside": str(job.status),
        "job_id_shape": len(job.id),
    }


async def main() -> None:
    async with app:
        job = await task.push(3)
        await job.wait()
        out = job.result()
    report(out)


asyncio.run(main())
