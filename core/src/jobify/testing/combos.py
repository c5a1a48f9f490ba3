"""Plugin combinations for benchmarks and cross-plugin tests.

A :class:`Combo` names a storage, serializer, type adapter and middleware by
their registered names; :meth:`Combo.app` writes the matching ``jobify.toml``
and assembles an app from it, exactly as a user would. The combos know no
plugin's options: a storage that needs a file gets it through
``storage_options``, where ``{directory}`` in a text value is the directory
the app is made in (``("database", "{directory}/jobify.db")`` for SQLite).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from jobify._assembly.assemble import assemble
from jobify._assembly.config import Settings

__all__ = ("Combo",)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@attrs.frozen(kw_only=True)
class Combo:
    """One choice per capability; ``storage=False`` turns storage off."""

    storage: str | bool = False
    serializer: str = "json"
    typeadapter: str | None = None
    middleware: tuple[str, ...] = ()
    storage_options: tuple[tuple[str, Any], ...] = ()
    """Keys of ``[jobify.storage]``; ``{directory}`` in a text value is the app's directory."""

    @property
    def id(self) -> str:
        """A short id such as ``sqlite-json-pydantic``."""
        parts = [self.storage if isinstance(self.storage, str) else "nostore", self.serializer]
        if self.typeadapter:
            parts.append(self.typeadapter)
        parts.extend(self.middleware)
        return "-".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The choices, for ``benchmark.extra_info``."""
        return {
            "storage": self.storage,
            "serializer": self.serializer,
            "typeadapter": self.typeadapter,
            "middleware": list(self.middleware),
        }

    def missing(self) -> list[str]:
        """Names of this combo that no installed plugin offers."""
        catalog = assemble(Settings(), autoload=True).catalog
        wanted = [("serializer", self.serializer)]
        if isinstance(self.storage, str):
            wanted.append(("storage", self.storage))
        if self.typeadapter:
            wanted.append(("typeadapter", self.typeadapter))
        wanted += [("middleware", m) for m in self.middleware]
        return [name for cap, name in wanted if name not in catalog.names(cap)]

    def toml(self, directory: Path) -> str:
        """The ``jobify.toml`` text of this combo, for an app made in ``directory``."""
        lines = ["[jobify]"]
        if self.storage is False:
            lines += ["[jobify.storage]", "use = false"]
        else:
            lines += ["[jobify.storage]", f"use = {_toml_value(self.storage)}"]
            for key, value in self.storage_options:
                if isinstance(value, str):
                    value = value.replace("{directory}", str(directory))
                lines.append(f"{key} = {_toml_value(value)}")
        lines += ["[jobify.serializer]", f"use = {_toml_value(self.serializer)}"]
        if self.typeadapter:
            lines += ["[jobify.typeadapter]", f"use = {_toml_value(self.typeadapter)}"]
        for name in self.middleware:
            lines += ["[[jobify.middleware]]", f"use = {_toml_value(name)}"]
        return "\n".join(lines) + "\n"

    def app(self, directory: Path, **kwargs: Any) -> Any:
        """Write ``directory/jobify.toml`` and assemble a ``Jobify`` from it."""
        from jobify._kernel.app import Jobify

        path = directory / "jobify.toml"
        path.write_text(self.toml(directory))
        return Jobify.from_config(path, **kwargs)
