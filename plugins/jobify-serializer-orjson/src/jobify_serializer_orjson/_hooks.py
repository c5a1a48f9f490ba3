"""Hook implementations of jobify-serializer-orjson: the ``orjson`` serializer.

Only ``jobify.hookspecs`` is imported here; orjson is imported when an app
selects the serializer (``[jobify.serializer] use = "orjson"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.hookspecs import Register
    from jobify.serializers import Serializer

__all__ = ("jobify_register_serializers",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_serializers(register: Register[Serializer]) -> None:
    """Offer ``[jobify.serializer] use = "orjson"``."""
    register("orjson", "jobify_serializer_orjson.serializer:OrjsonSerializer")
