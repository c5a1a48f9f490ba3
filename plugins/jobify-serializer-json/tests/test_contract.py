"""The three serializers pass the serializer contract suite."""

import pytest

from jobify.serializers import Serializer
from jobify.testing.contracts import SerializerContract
from jobify_serializer_json import ExtendedJSONSerializer, JSONSerializer, UnsafePickleSerializer


class TestContract(SerializerContract):
    @pytest.fixture(
        params=[JSONSerializer, ExtendedJSONSerializer, UnsafePickleSerializer],
        ids=["json", "json-extended", "pickle-unsafe"],
    )
    def serializer(self, request: pytest.FixtureRequest) -> Serializer:
        return request.param()
