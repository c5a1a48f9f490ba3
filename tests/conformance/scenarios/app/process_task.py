"""RunMode.PROCESS: arguments go to the worker, the result comes back, an exception fails the job."""

import asyncio

from harness import catch, exc, report

from jobify import Jobify, RunMode

app = Jobify(storage=False)


class Odd(Exception):
    pass


@app.task(run_mode=RunMode.PROCESS)
def power(base: int, exp: int = 2) -> dict:
    return {"value": base**exp, "list": [base, exp]}


@app.task(run_mode=RunMode.PROCESS)
def fails(n: int) -> None:
    raise Odd(f"odd {n}")


async def main() -> None:
    async with app:
        ok = await power.push(3, exp=3)
        bad = await fails.push(1)
        await asyncio.wait_for(asyncio.gather(ok.wait(), bad.wait()), 20)
    report(
        {
            "ok": ok.status.value,
            "result": catch(ok.result),
            "bad": bad.status.value,
            "exception": exc(bad.exception, message=True),
            "exception_is_class": isinstance(bad.exception, Odd),
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
