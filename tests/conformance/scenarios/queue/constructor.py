"""QueueMiddleware and Item as constructed: workers, positional arguments, a custom queue, Item fields and order."""

import asyncio

from harness import catch, report

from jobify.middleware import Item, JobifyQueue, QueueMiddleware


def build(*args: object, **kwargs: object) -> str:
    QueueMiddleware(*args, **kwargs)  # type: ignore[arg-type]
    return "built"


report(
    {
        "default": catch(build),
        "workers_1": catch(build, workers=1),
        "positional": catch(lambda: build(None, 2)),
        # workers 0 or less, and maxsize=: differences/queue_constructor
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
