"""Nested routers join prefixes with a dot: "analytics.users:<task>"; what routes lists."""

import asyncio

from harness import report

from jobify import INJECT, JobContext, Jobify, JobRouter

app = Jobify(storage=False)
analytics = JobRouter(prefix="analytics")
users = JobRouter(prefix="users")
plain = JobRouter()


@users.task(name="logins")
async def logins(ctx: JobContext = INJECT) -> str:
    return ctx.runnable.name


@plain.task(name="bare")
async def bare(ctx: JobContext = INJECT) -> str:
    return ctx.runnable.name


users.include_router(plain)
analytics.include_router(users)
app.include_router(analytics)


async def main() -> None:
    async with app:
        j1 = await logins.push()
        j2 = await bare.push()
        await app.wait_all()
        out = {
            "runnable": [j1.result(), j2.result()],
            "names": [logins.name, bare.name],
            "app_routes": sorted(r.name for r in app.routes),
            "analytics_routes": sorted(r.name for r in analytics.routes),
            "users_routes": sorted(r.name for r in users.routes),
        }
    report(out)


asyncio.run(main())
