"""Default task names: `<module>:<qualname>` (a script uses its file name), nested, static, lambda."""

import asyncio

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def top() -> None:
    pass


def factory():
    async def inner() -> None:
        pass

    return inner


class Holder:
    @staticmethod
    async def static() -> None:
        pass


nested = app.task(factory())
static = app.task(Holder.static)
lam = app.task(lambda: None)
sync = app.task(print)


async def main() -> None:
    async with app:
        job = await top.push()
        await job.wait()
    lam_module, _, lam_name = lam.name.partition(":")
    report(
        {
            "top": top.name,
            "nested": nested.name,
            "static": static.name,
            "lambda_module": lam_module,
            "lambda_prefix": lam_name[:7],
            "lambda_len": len(lam_name),
            "builtin": sync.name,
        }
    )


asyncio.run(main())
