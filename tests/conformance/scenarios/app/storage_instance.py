"""`Jobify(storage=SQLiteStorage(path))`: the app stores durable jobs in that file; the Storage methods."""

import asyncio
import os

from harness import catch, report

from jobify import Jobify
from jobify.storage import SQLiteStorage, Storage

storage = SQLiteStorage("custom.db", table_name="my_jobs")
app = Jobify(storage=storage)


@app.task
async def noop() -> None:
    pass


async def main() -> None:
    async with app:
        await noop.schedule().delay(3600, job_id="kept")
        files = sorted(f for f in os.listdir(".") if f.endswith(".db"))
    report(
        {
            "files": files,
            "isinstance_storage": catch(isinstance, storage, Storage),
            "configs_storage_is_it": app.configs.storage is storage,
            "methods": sorted(m for m in dir(Storage) if not m.startswith("_")),
        }
    )


asyncio.run(main())
