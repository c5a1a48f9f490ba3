"""The serializer suite: every job message round-trips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from jobify._kernel.message import decode, encode
from jobify._kernel.runnable import FuncSpec
from jobify._kernel.triggers import At, CronTrigger
from jobify._kernel.values import Cron, MisfirePolicy
from jobify.serializers import Serializer
from jobify.typeadapter import IdentityAdapter

if TYPE_CHECKING:
    pass

__all__ = ("SerializerContract",)


UTC = timezone.utc  # noqa: UP017 - one name for the suites
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _task(x: int, *rest: str, flag: bool = False, **extra: Any) -> None:
    del x, rest, flag, extra


class SerializerContract:
    """What every :class:`~jobify.serializers.Serializer` must do.

    Override ``serializer``: a fixture returning the serializer to test.
    """

    @pytest.fixture
    def serializer(self) -> Serializer:
        """Return the serializer under test."""
        raise NotImplementedError("override the serializer fixture")

    @pytest.mark.parametrize(
        "value",
        [
            None, True, False, 0, -1, 2**53, 1.5, "", "text", "ünïcødé 🙂",
            [], [1, "a", None], {}, {"a": {"b": [1, 2, {"c": None}]}},
        ],
    )  # fmt: skip
    def test_json_values_round_trip(self, serializer: Serializer, value: Any) -> None:
        data = serializer.dumpb(value)
        assert isinstance(data, bytes)
        assert serializer.loadb(data) == value

    def test_job_messages_round_trip(self, serializer: Serializer) -> None:
        spec: FuncSpec[None] = FuncSpec(_task, name="mod:_task")
        adapter = IdentityAdapter()
        args = {"x": 1, "rest": ("a", "b"), "flag": True, "extra": {"k": "v"}}
        cron = Cron("*/5 * * * *", max_runs=3, misfire_policy=MisfirePolicy.SKIP)
        offset = datetime(
            2030, 6, 1, 9, 15, 30, 250000, tzinfo=timezone(timedelta(hours=-3, minutes=-30))
        )
        for trigger in (At(T0), At(offset), CronTrigger(cron)):
            message = encode(
                spec=spec, arguments=args, trigger=trigger, cron_state=None,
                dumper=adapter, serializer=serializer,
            )  # fmt: skip
            got_args, got_trigger, _ = decode(
                message, spec=spec, serializer=serializer, loader=adapter
            )
            assert got_args == args
            assert got_trigger == trigger
            if isinstance(trigger, At):
                assert isinstance(got_trigger, At)
                assert got_trigger.at.utcoffset() == trigger.at.utcoffset(), "lost tz info"

    def test_garbage_raises_value_error(self, serializer: Serializer) -> None:
        with pytest.raises(ValueError):
            serializer.loadb(b"\xff\x00garbage\xfe")
