"""app.add_exception_handler before startup applies; after startup it raises or is accepted."""

import asyncio

from harness import catch, report

from jobify import Jobify

app = Jobify(storage=False)


def handled(error, context):
    return f"handled {type(error).__name__}"


@app.task
async def fails(kind: str) -> None:
    raise {"value": ValueError, "key": KeyError}[kind]


out = {"before": catch(app.add_exception_handler, ValueError, handled)}


async def main() -> None:
    async with app:
        out["after"] = catch(app.add_exception_handler, KeyError, handled)
        j1 = await fails.push("value")
        j2 = await fails.push("key")
        await app.wait_all()
        out["value"] = [str(j1.status), j1.result() if j1.exception is None else None]
        out["key"] = [str(j2.status), j2.result() if j2.exception is None else None]
    report(out)


asyncio.run(main())
