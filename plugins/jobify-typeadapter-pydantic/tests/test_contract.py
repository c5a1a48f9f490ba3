"""PydanticConverter passes the type adapter contract suite."""

import pytest

from jobify.testing.contracts import TypeAdapterContract
from jobify_typeadapter_pydantic import PydanticConverter


class TestPydanticConverterContract(TypeAdapterContract):
    @pytest.fixture
    def adapter(self):
        return PydanticConverter()
