"""JobContext: its fields, route_options, config, schedule builder and the job as a task sees them."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify

app = Jobify(storage=False)
PUBLIC_BUILDER = ("at", "cron", "delay", "now", "push", "name", "route_options", "func_spec")
PUBLIC_JOB = (
    "id",
    "status",
    "exec_at",
    "exception",
    "cancel",
    "wait",
    "result",
    "is_done",
    "is_cron",
)
PUBLIC_CONFIG = ("app", "app_started", "tz", "storage", "serializer", "dumper", "loader")


@app.task(metadata={"team": "core"}, timeout=5, retry=1, name="fields")
async def task(ctx: JobContext = INJECT) -> dict:
    return {
        "fields": list(JobContext._fields),
        "is_tuple": isinstance(ctx, tuple),
        "route_options": sorted(ctx.route_options),
        "metadata": dict(ctx.route_options["metadata"]),
        "timeout": ctx.route_options["timeout"],
        "config_type": type(ctx.jobify_config).__name__,
        "config_is_app_configs": ctx.jobify_config is app.configs,
        "config_app_started": ctx.jobify_config.app_started,
        "config_tz": str(ctx.jobify_config.tz),
        "config_attrs": [a for a in PUBLIC_CONFIG if hasattr(ctx.jobify_config, a)],
        "builder_type": type(ctx.schedule_builder).__name__,
        "builder_name": ctx.schedule_builder.name,
        "builder_attrs": [a for a in PUBLIC_BUILDER if hasattr(ctx.schedule_builder, a)],
        "job_attrs": [a for a in PUBLIC_JOB if hasattr(ctx.job, a)],
        "job_is_cron": ctx.job.is_cron(),
        "job_is_done": ctx.job.is_done(),
        "found": app.find_job(ctx.job.id) is ctx.job,
    }


async def main() -> None:
    async with app:
        job = await task.push()
        await job.wait()
        out = job.result()
    report(out)


asyncio.run(main())
