"""AdaptixConverter passes the type adapter contract suite."""

import pytest

from jobify.testing.contracts import TypeAdapterContract
from jobify_typeadapter_adaptix import AdaptixConverter


class TestAdaptixConverterContract(TypeAdapterContract):
    @pytest.fixture
    def adapter(self):
        return AdaptixConverter()
