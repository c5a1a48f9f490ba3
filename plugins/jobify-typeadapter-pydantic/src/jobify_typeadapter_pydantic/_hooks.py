"""Hook implementations of jobify-typeadapter-pydantic: the ``pydantic`` type adapter.

Only ``jobify.hookspecs`` is imported here; pydantic is imported when an app
selects the type adapter (``[jobify.typeadapter] use = "pydantic"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobify.hookspecs import hookimpl

if TYPE_CHECKING:
    from jobify.hookspecs import Register
    from jobify.typeadapter import Dumper, Loader

__all__ = ("jobify_register_typeadapters",)

JOBIFY_CONTRACT_TESTS = "tests/test_contract.py"
"""Where this distribution runs its capability's suite from ``jobify.testing.contracts``."""


@hookimpl
def jobify_register_typeadapters(register: Register[Dumper | Loader]) -> None:
    """Offer ``[jobify.typeadapter] use = "pydantic"``."""
    register("pydantic", "jobify_typeadapter_pydantic.converter:PydanticConverter")
