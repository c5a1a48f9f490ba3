"""Handler lookup follows the exception's MRO: a base class's handler catches subclasses; the closest wins."""

import asyncio

from harness import exc, report

from jobify import Jobify


class Base(Exception):
    pass


class Child(Base):
    pass


class Grandchild(Child):
    pass


def tagged(tag: str):
    def handler(error, context):
        return f"{tag}:{type(error).__name__}"

    return handler


app = Jobify(
    storage=False,
    exception_handlers={Exception: tagged("exception"), Base: tagged("base")},
)


@app.task(exception_handlers={Child: tagged("child")})
async def raises(kind: str) -> None:
    errors = {"base": Base, "child": Child, "grand": Grandchild, "key": KeyError}
    raise errors[kind]


@app.task
async def raises_app_level(kind: str) -> None:
    errors = {"base": Base, "child": Child, "key": KeyError}
    raise errors[kind]


async def main() -> None:
    out = {}
    async with app:
        for kind in ("base", "child", "grand", "key"):
            job = await raises.push(kind)
            await job.wait()
            out[f"task_{kind}"] = [str(job.status), job.result(), exc(job.exception)]
        for kind in ("base", "child", "key"):
            job = await raises_app_level.push(kind)
            await job.wait()
            out[f"app_{kind}"] = [str(job.status), job.result(), exc(job.exception)]
    report(out)


asyncio.run(main())
