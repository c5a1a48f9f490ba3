"""A RunMode.PROCESS task declared with name= in a script run directly: its jobs run and return."""

import asyncio
import os

from harness import report

from jobify import Jobify, RunMode

app = Jobify(storage=False)


@app.task(name="custom-name", run_mode=RunMode.PROCESS)
def pid_of_worker(x: int) -> list:
    return [x * 2, os.getpid() != PARENT]


PARENT = int(os.environ.setdefault("SCENARIO_PARENT_PID", str(os.getpid())))


async def main() -> None:
    async with app:
        job = await pid_of_worker.push(21)
        await asyncio.wait_for(job.wait(), 20)
    report(
        {
            "name": pid_of_worker.name,
            "status": job.status.value,
            "result": job.result() if job.status.value == "success" else None,
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
