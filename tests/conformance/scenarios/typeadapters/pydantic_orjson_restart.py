"""PydanticConverter with OrjsonSerializer across a restart: arguments come back typed."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from harness import acatch, phase, report, run_phase
from pydantic import BaseModel

from jobify import Jobify
from jobify.serializers import OrjsonSerializer
from jobify.typeadapter import PydanticConverter


class Order(BaseModel):
    id: uuid.UUID
    when: datetime
    items: list[int]
    note: str | None = None


converter = PydanticConverter()
app = Jobify(dumper=converter, loader=converter, serializer=OrjsonSerializer())
restored: dict[str, Any] = {}


@app.task
async def handle(order: Order, at: datetime, counts: dict[str, int], tags: tuple[str, ...]) -> None:
    restored.update(order=order, at=at, counts=counts, tags=tags)


async def first() -> None:
    async with app:
        order = Order(id=uuid.UUID(int=9), when=datetime(2030, 1, 1, tzinfo=UTC), items=[1, 2])
        got = await acatch(
            handle.schedule(
                order, datetime(2031, 2, 3, 4, 5, tzinfo=UTC), {"a": 1}, ("x", "y")
            ).delay(0.2, job_id="o")
        )
        report({"stored": "ok" if "ok" in got else got})


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    report({name: [type(v).__name__, repr(v)] for name, v in sorted(restored.items())})


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"first": run_phase("first"), "second": run_phase("second")})
