"""Tasks with positional-only, keyword-only and variadic parameters: what push accepts and passes."""

import asyncio

from harness import acatch, report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def kinds(a: int, /, b: int, *args: int, c: int, d: int = 4, **kw: int) -> list:
    return [a, b, list(args), c, d, sorted(kw.items())]


async def main() -> None:
    async with app:
        ok = await kinds.push(1, 2, 3, c=5, e=6)
        ok2 = await kinds.push(1, b=2, c=3)
        await app.wait_all(timeout=2)
        out = {
            "ok": ok.result(),
            "b_as_keyword": ok2.result(),
            "positional_only_as_keyword": await acatch(kinds.push(a=1, b=2, c=3)),
            "keyword_only_missing": await acatch(kinds.push(1, 2)),
        }
    report(out)


asyncio.run(main())
