"""MsgpackSerializer passes the serializer contract suite, with and without options."""

import pytest

from jobify.serializers import Serializer
from jobify.testing.contracts import SerializerContract
from jobify_serializer_msgpack import MsgpackSerializer


class TestMsgpackContract(SerializerContract):
    @pytest.fixture(
        params=[
            {},
            {"datetime": True, "timestamp": 3, "strict_map_key": False},
            {"default": str, "unicode_errors": "surrogateescape", "max_map_len": 1000},
        ],
        ids=["defaults", "datetimes", "hooks-and-limits"],
    )
    def serializer(self, request: pytest.FixtureRequest) -> Serializer:
        return MsgpackSerializer(**request.param)
