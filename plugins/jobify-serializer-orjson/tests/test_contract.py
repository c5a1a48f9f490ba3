"""OrjsonSerializer passes the serializer contract suite, with and without options."""

import orjson
import pytest

from jobify.serializers import Serializer
from jobify.testing.contracts import SerializerContract
from jobify_serializer_orjson import OrjsonSerializer


class TestOrjsonContract(SerializerContract):
    @pytest.fixture(
        params=[{}, {"option": orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC}, {"default": str}],
        ids=["defaults", "options", "default-hook"],
    )
    def serializer(self, request: pytest.FixtureRequest) -> Serializer:
        return OrjsonSerializer(**request.param)
