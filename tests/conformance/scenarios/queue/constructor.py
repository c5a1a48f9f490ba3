"""QueueMiddleware and Item as constructed: workers values, maxsize, a custom queue, Item fields and order."""

import asyncio

from harness import catch, report

from jobify.middleware import Item, JobifyQueue, QueueMiddleware


def build(**kwargs: object) -> str:
    QueueMiddleware(**kwargs)  # type: ignore[arg-type]
    return "built"


report(
    {
        "default": catch(build),
        "workers_1": catch(build, workers=1),
        "workers_0": catch(build, workers=0),
        "workers_negative": catch(build, workers=-1),
        "maxsize": catch(build, maxsize=3),
        "asyncio_queue": catch(lambda: build(queue=asyncio.Queue())),
        "item_fields": list(Item._fields),
        "item_defaults": Item._field_defaults,
        "item_lt": Item(None, None, None, -5) < Item(None, None, None, 0),
        "queue_isinstance": catch(isinstance, asyncio.PriorityQueue(), JobifyQueue),
        "has_startup_shutdown": [
            hasattr(QueueMiddleware, "startup"),
            hasattr(QueueMiddleware, "shutdown"),
        ],
    }
)
