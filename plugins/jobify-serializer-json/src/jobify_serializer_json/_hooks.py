"""Hook implementations of jobify-serializer-json: ``json``, ``json-extended``, ``pickle-unsafe``.

Only ``jobify.hookspecs`` is imported here; a serializer's module is imported
when an app selects it (``[jobify.serializer] use = "json"``), or chooses none:
``json-extended`` is the default, and ``json`` the default of an app with a type
adapter (a dumper/loader), as in jobify 0.14.
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
    """Offer ``json-extended`` (default), ``json`` (default with a dumper) and ``pickle-unsafe``."""
    register("json", "jobify_serializer_json.serializer:JSONSerializer", typed_default=True)
    register(
        "json-extended", "jobify_serializer_json.extended:ExtendedJSONSerializer", default=True
    )
    register("pickle-unsafe", "jobify_serializer_json.unsafe_pickle:UnsafePickleSerializer")
