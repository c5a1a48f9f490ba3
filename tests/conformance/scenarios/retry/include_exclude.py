"""SmartRetry include_exceptions / exclude_exceptions: which exceptions are retried, subclasses included."""

import asyncio

from harness import exc, report

from jobify import Jobify, SmartRetry

app = Jobify(storage=False)
calls: dict[str, int] = {}


class Transient(Exception):
    pass


class Fatal(Transient):
    pass


def policy(**kwargs: object) -> SmartRetry:
    return SmartRetry(2, initial_delay=0.01, jitter=False, **kwargs)  # type: ignore[arg-type]


@app.task(retry=policy(exclude_exceptions=(ValueError,)))
async def excluded() -> None:
    calls["excluded"] = calls.get("excluded", 0) + 1
    raise ValueError


@app.task(retry=policy(include_exceptions=(KeyError,)))
async def not_included() -> None:
    calls["not_included"] = calls.get("not_included", 0) + 1
    raise ValueError


@app.task(retry=policy(include_exceptions=(LookupError,)))
async def included_subclass() -> None:
    calls["included_subclass"] = calls.get("included_subclass", 0) + 1
    raise KeyError


@app.task(retry=policy(include_exceptions=(Transient,), exclude_exceptions=(Fatal,)))
async def excluded_subclass(kind: str) -> None:
    calls[f"excluded_subclass_{kind}"] = calls.get(f"excluded_subclass_{kind}", 0) + 1
    raise Fatal if kind == "fatal" else Transient


@app.task(retry=policy(exclude_exceptions=(Exception,)))
async def exclude_all() -> None:
    calls["exclude_all"] = calls.get("exclude_all", 0) + 1
    raise OSError


async def main() -> None:
    out = {}
    async with app:
        jobs = {
            "excluded": await excluded.push(),
            "not_included": await not_included.push(),
            "included_subclass": await included_subclass.push(),
            "fatal": await excluded_subclass.push("fatal"),
            "transient": await excluded_subclass.push("transient"),
            "exclude_all": await exclude_all.push(),
        }
        await app.wait_all()
        out["jobs"] = {key: [str(job.status), exc(job.exception)] for key, job in jobs.items()}
    out["calls"] = dict(sorted(calls.items()))
    report(out)


asyncio.run(main())
