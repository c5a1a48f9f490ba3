"""Hook implementations of jobify-queue: the ``queue`` middleware.

Only ``jobify.hookspecs`` is imported here; :class:`QueueMiddleware` is
imported when a ``[[jobify.middleware]] use = "queue"`` table selects it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.hookspecs import Register
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware

__all__ = ("jobify_register_middleware",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_middleware(register: Register[BaseMiddleware | BaseOuterMiddleware]) -> None:
    """Offer ``[[jobify.middleware]] use = "queue"``."""
    register("queue", "jobify_queue.middleware:QueueMiddleware")
