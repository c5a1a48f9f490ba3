"""Benchmark fixtures: plugin combinations, skipped when a plugin is not installed."""

from __future__ import annotations

import pytest

from jobify.testing.combos import Combo

COMBOS = [
    Combo(storage=False, serializer="json"),
    Combo(storage="sqlite", serializer="json"),
    Combo(storage="sqlite", serializer="orjson"),
    Combo(storage="sqlite", serializer="msgpack"),
    Combo(storage="sqlite", serializer="json", typeadapter="pydantic"),
    Combo(storage=False, serializer="json", middleware=("queue",)),
]


@pytest.fixture(params=COMBOS, ids=lambda c: c.id)
def combo(request: pytest.FixtureRequest) -> Combo:
    """One plugin combination; skipped when one of its plugins is missing."""
    chosen: Combo = request.param
    missing = chosen.missing()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (see requirements-dev.txt)")
    return chosen
