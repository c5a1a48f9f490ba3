"""Benchmark fixtures: the chosen matrix of plugin combinations x run modes.

Not the cartesian product (2 x 6 x 3 x 3 = 108 cells): each axis is varied
around a baseline so a cell's cost is attributable to one choice.

* storage x serializer: ``nostore-json`` and ``sqlite-{every serializer}``;
* type adapter: ``sqlite-json-{pydantic, adaptix}`` (``none`` is ``sqlite-json``);
* run mode: ``nostore-json`` with the task in ``main`` (async), ``thread`` and
  ``process`` (sync tasks); the other cells run async tasks in ``main``;
* middleware: ``nostore-json-queue``.

A cell whose plugin is not installed is skipped (see requirements-dev.txt).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jobify.testing.combos import Combo

SERIALIZERS = ("json", "json-extended", "orjson", "msgpack", "cbor", "pickle-unsafe")
TYPEADAPTERS = ("pydantic", "adaptix")
RUN_MODES = ("main", "thread", "process")


@dataclass(frozen=True)
class Cell:
    """One benchmark cell: a plugin combination and the run mode of its task."""

    combo: Combo
    run_mode: str = "main"

    @property
    def id(self) -> str:
        return self.combo.id if self.run_mode == "main" else f"{self.combo.id}-{self.run_mode}"


SQLITE = (("database", "{directory}/jobify.db"),)
"""The SQLite file of a cell: in the benchmark's own temporary directory."""


def _sqlite(serializer: str, typeadapter: str | None = None) -> Combo:
    return Combo(
        storage="sqlite", serializer=serializer, typeadapter=typeadapter, storage_options=SQLITE
    )


CELLS = [
    Cell(Combo(storage=False, serializer="json")),
    *(Cell(_sqlite(s)) for s in SERIALIZERS),
    *(Cell(_sqlite("json", t)) for t in TYPEADAPTERS),
    *(Cell(Combo(storage=False, serializer="json"), mode) for mode in RUN_MODES[1:]),
    Cell(Combo(storage=False, serializer="json", middleware=("queue",))),
]
SERIALIZER_CELLS = [
    *(_sqlite(s) for s in SERIALIZERS),
    *(_sqlite("json", t) for t in TYPEADAPTERS),
]


def _skip_missing(combo: Combo) -> None:
    missing = combo.missing()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (see requirements-dev.txt)")


@pytest.fixture(params=CELLS, ids=lambda c: c.id)
def cell(request: pytest.FixtureRequest) -> Cell:
    """One cell of the matrix; skipped when one of its plugins is missing."""
    chosen: Cell = request.param
    _skip_missing(chosen.combo)
    return chosen


@pytest.fixture(params=SERIALIZER_CELLS, ids=lambda c: c.id)
def codec_combo(request: pytest.FixtureRequest) -> Combo:
    """A serializer (and type adapter) choice for the round-trip benchmark."""
    chosen: Combo = request.param
    _skip_missing(chosen)
    return chosen
