"""Runnable as a task sees it: name, bound arguments (with injected ones?), origin_arguments, func_spec."""

import asyncio

from harness import report

from jobify import INJECT, Jobify, JobRouter, Runnable, State

app = Jobify(storage=False)
router = JobRouter(prefix="p")
ATTRS = ("name", "strategy", "bound", "origin_arguments", "func_spec")
SPEC_ATTRS = ("name", "signature", "inject_params", "result_type", "type_params")


@router.task
async def task(x: int, y: str = "d", *, runnable: Runnable = INJECT, state: State = INJECT) -> dict:
    return {
        "name": runnable.name,
        "attrs": [a for a in ATTRS if hasattr(runnable, a)],
        "bound_keys": sorted(runnable.bound.arguments),
        "bound_x_y": [runnable.bound.arguments.get("x"), runnable.bound.arguments.get("y")],
        "bound_args": list(runnable.bound.args)[:2],
        "origin_arguments": dict(runnable.origin_arguments),
        "func_spec_attrs": [a for a in SPEC_ATTRS if hasattr(runnable.func_spec, a)],
        "func_spec_name": runnable.func_spec.name,
    }


app.include_router(router)


async def main() -> None:
    async with app:
        job = await task.push(1)
        await job.wait()
        out = job.result()
    report(out)


asyncio.run(main())
