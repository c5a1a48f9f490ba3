"""CBORSerializer passes the serializer contract suite, with and without options."""

from datetime import UTC

import pytest

from jobify.serializers import Serializer
from jobify.testing.contracts import SerializerContract
from jobify_serializer_cbor import CBORSerializer


class TestCBORContract(SerializerContract):
    @pytest.fixture(
        params=[
            {},
            {"timezone": UTC, "canonical": True, "string_referencing": True},
            {"value_sharing": True, "indefinite_containers": True, "max_depth": 50},
        ],
        ids=["defaults", "canonical", "sharing-indefinite"],
    )
    def serializer(self, request: pytest.FixtureRequest) -> Serializer:
        return CBORSerializer(**request.param)
