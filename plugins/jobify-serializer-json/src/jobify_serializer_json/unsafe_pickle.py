"""``UnsafePickleSerializer``: job messages as pickles. Never for untrusted storage.

``pickle.loads`` imports and calls whatever the bytes name, so whoever can
write the stored messages (the SQLite file, a shared database) can run any
code in the app when it restores its jobs. That is why this serializer is
never a default and is registered as ``pickle-unsafe``.
"""

from __future__ import annotations

import pickle
from typing import Any, Final

from jobify.serializers import Serializer
from jobify_serializer_json.errors import PickleDecodeError, as_bytes, explain, preview

__all__ = ("UnsafePickleSerializer",)

_PROTOCOL: Final = pickle.HIGHEST_PROTOCOL


class UnsafePickleSerializer(Serializer):
    """Encode job messages with pickle: any picklable value round-trips.

    Unsafe, and never a default: loading a pickle executes code chosen by
    whoever wrote it, so anyone able to write to the storage can run
    arbitrary code in the app when stored jobs are restored. Use it only when
    the storage is as trusted as the application code, and prefer
    :class:`~jobify_serializer_json.ExtendedJSONSerializer`, which
    reconstructs only the classes you register. Pickles also break when the
    classes they name are renamed or moved.
    """

    __slots__ = ()

    def __init__(self) -> None:  # no options; an explicit signature lets config name them
        pass

    def __repr__(self) -> str:
        return "UnsafePickleSerializer()"

    def dumpb(self, data: Any) -> bytes:
        """Pickle ``data`` with the highest protocol.

        Raises:
            pickle.PicklingError: ``data`` holds something pickle cannot store
                (a lambda, a local class); ``TypeError`` for a lock or an open
                file, as ``pickle.dumps`` raises them. A note says what to do.
        """
        try:
            return pickle.dumps(data, protocol=_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            explain(
                exc,
                f"UnsafePickleSerializer.dumpb(): cannot pickle {preview(data)}. Pass "
                "module-level functions and classes, not lambdas, local objects, locks or "
                "open files",
            )
            raise

    def loadb(self, data: bytes) -> Any:
        """Unpickle ``data``. Runs code named by the data: trusted storage only.

        Raises:
            PickleDecodeError: ``data`` is not a pickle, or names a class or
                function that no longer exists (a ``ValueError`` and a
                ``pickle.UnpicklingError``; pickle's error is the ``__cause__``).
            TypeError: ``data`` is not bytes.
        """
        raw = as_bytes(data, "UnsafePickleSerializer.loadb()")
        try:
            return pickle.loads(raw)  # noqa: S301 - the point of this class, see its docstring
        except Exception as exc:
            msg = (
                f"UnsafePickleSerializer.loadb(): cannot unpickle {preview(raw)}: "
                f"{type(exc).__name__}: {exc}. It is not a pickle (another serializer wrote "
                "it, or it is corrupt) or it names a class or function that was renamed or "
                "removed: read it with the serializer and code that stored it"
            )
            raise PickleDecodeError(msg) from exc
