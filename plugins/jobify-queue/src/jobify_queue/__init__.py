"""jobify-queue: bound how many jobs run at once, and start the most urgent first.

:class:`QueueMiddleware` is an inner middleware; :class:`JobifyQueue` is the
protocol of the queue it feeds, :class:`Item` what it puts there, and
:class:`PriorityJobQueue` the default queue. The reference's paths
``from jobify.middleware import QueueMiddleware, JobifyQueue, Item`` resolve
here.

The names load lazily (PEP 562), so that discovering the plugin, which imports
``jobify_queue._hooks``, does not import the middleware.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from jobify_queue.middleware import QueueMiddleware as QueueMiddleware
    from jobify_queue.queue import Item as Item
    from jobify_queue.queue import JobifyQueue as JobifyQueue
    from jobify_queue.queue import PriorityJobQueue as PriorityJobQueue

__all__ = ("Item", "JobifyQueue", "PriorityJobQueue", "QueueMiddleware")

_WHERE: Final = {
    "Item": "jobify_queue.queue",
    "JobifyQueue": "jobify_queue.queue",
    "PriorityJobQueue": "jobify_queue.queue",
    "QueueMiddleware": "jobify_queue.middleware",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
