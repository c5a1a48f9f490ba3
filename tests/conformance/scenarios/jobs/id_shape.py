"""A job id: 32 lower-case hex digits of a version-4 UUID, new for each job; a given job_id is kept."""

import asyncio
import string
import uuid

from harness import report

from jobify import Jobify

app = Jobify(storage=False)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        jobs = [await noop.push() for _ in range(5)]
        named = await noop.schedule().delay(0.05, job_id="my-job")
        await app.wait_all(timeout=2)
    ids = [j.id for j in jobs]
    report(
        {
            "type": type(ids[0]).__name__,
            "lengths": sorted({len(i) for i in ids}),
            "hex_lower": all(set(i) <= set(string.hexdigits.lower()) for i in ids),
            "uuid4": all(uuid.UUID(hex=i).version == 4 for i in ids),
            "distinct": len(set(ids)) == len(ids),
            "given_id": named.id,
        }
    )


asyncio.run(main())
