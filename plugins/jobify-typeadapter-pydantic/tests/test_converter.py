"""PydanticConverter's options, cache and the round trips the reference gets wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Json,
    SerializationInfo,
    ValidationError,
    ValidationInfo,
    computed_field,
    field_serializer,
    field_validator,
)

from jobify.typeadapter import Dumper, Loader
from jobify_typeadapter_pydantic import PydanticConverter

CONVERTER = PydanticConverter()


def through_json(value: Any, tp: Any, converter: PydanticConverter = CONVERTER) -> Any:
    return converter.load(json.loads(json.dumps(converter.dump(value, tp))), tp)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: int
    raw: Json[list[int]]

    @computed_field
    @property
    def double(self) -> int:
        return self.a * 2


class Aliased(BaseModel):
    user_name: str = Field(alias="userName")


def test_implements_the_dumper_and_loader_contracts():
    assert {Dumper, Loader} <= set(type(CONVERTER).__mro__)


def test_one_type_adapter_per_type_is_cached():
    converter = PydanticConverter()
    first = converter.adapter(list[int])
    assert converter.adapter(list[int]) is first
    converter.dump([1], list[int])
    assert converter.adapter(list[int]) is first


def test_unhashable_annotations_work_without_the_cache():
    tp = Annotated[list[int], ["unhashable metadata"]]
    assert through_json([1, 2], tp) == [1, 2]


def test_required_aliased_fields_round_trip_when_dumped_by_name():
    value = Aliased(userName="ada")
    assert CONVERTER.dump(value, Aliased) == {"user_name": "ada"}
    assert through_json(value, Aliased) == value
    by_alias = PydanticConverter(by_alias=True)
    assert by_alias.dump(value, Aliased) == {"userName": "ada"}
    assert through_json(value, Aliased, by_alias) == value


def test_computed_fields_are_not_stored_so_extra_forbid_models_round_trip():
    value = Strict(a=2, raw="[1, 2]")
    dumped = CONVERTER.dump(value, Strict)
    assert "double" not in dumped
    assert dumped["raw"] == "[1,2]"  # Json[...] fields stay JSON text
    assert through_json(value, Strict) == value


def test_config_applies_to_plain_types_and_models_keep_their_own():
    converter = PydanticConverter(config=ConfigDict(str_strip_whitespace=True))
    assert converter.load("  x  ", str) == "x"
    assert converter.load({"userName": "  y  "}, Aliased).user_name == "  y  "
    assert converter.load([{"userName": "z"}], list[Aliased]) == [Aliased(userName="z")]


def test_bytes_can_be_stored_as_base64_through_config():
    converter = PydanticConverter(
        config=ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    )
    blob = bytes(range(256))
    assert through_json(blob, bytes, converter) == blob
    with pytest.raises(ValueError, match="utf-8"):
        CONVERTER.dump(blob, bytes)  # pydantic's default writes bytes as UTF-8 text


def test_strict_refuses_coercion():
    strict = PydanticConverter(strict=True)
    assert strict.load({"a": 1, "raw": "[1]"}, Strict).a == 1
    with pytest.raises(ValidationError):
        strict.load({"a": "1", "raw": "[1]"}, Strict)
    with pytest.raises(ValidationError):  # python-mode strictness: ISO strings are not datetimes
        strict.load("2030-01-01T00:00:00Z", datetime)
    assert CONVERTER.load({"a": "1", "raw": "[1]"}, Strict).a == 1


def test_from_attributes_reads_objects():
    class Row:
        userName = "from-row"

    with pytest.raises(ValidationError):
        CONVERTER.load(Row(), Aliased)
    assert PydanticConverter(from_attributes=True).load(Row(), Aliased).user_name == "from-row"


class WithContext(BaseModel):
    value: str

    @field_serializer("value")
    def _ser(self, value: str, info: SerializationInfo) -> str:
        return f"{info.context['prefix']}{value}"

    @field_validator("value", mode="before")
    @classmethod
    def _val(cls, value: str, info: ValidationInfo) -> str:
        return value.removeprefix(info.context["prefix"]) if info.context else value


def test_context_reaches_serializers_and_validators():
    converter = PydanticConverter(context={"prefix": "enc:"})
    assert converter.dump(WithContext(value="x"), WithContext) == {"value": "enc:x"}
    assert through_json(WithContext(value="x"), WithContext, converter) == WithContext(value="x")


def test_invalid_stored_data_raises_a_value_error():
    with pytest.raises(ValueError, match="validation error for Strict"):
        CONVERTER.load({"a": "not a number", "raw": "[]"}, Strict)


def test_dumping_a_value_that_is_not_its_annotation_warns_as_pydantic_does():
    with pytest.warns(UserWarning, match="serialized value may not be as expected"):
        CONVERTER.dump("not a model", Strict)


def test_datetimes_with_zoneinfo_keep_the_instant():
    from zoneinfo import ZoneInfo

    moment = datetime(2030, 3, 31, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert through_json(moment, datetime) == moment.astimezone(UTC)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        (
            {"config": {"str_strip_whitespac": True}},
            ValueError,
            r"Did you mean 'str_strip_whitespace'",
        ),
        (
            {"config": 5},
            TypeError,
            r"PydanticConverter\(config=5\): expected a pydantic.ConfigDict",
        ),
        ({"strict": "yes"}, TypeError, r"strict='yes'\): expected True, False or None"),
        ({"from_attributes": 1}, TypeError, r"from_attributes=1"),
        ({"by_alias": None}, TypeError, r"by_alias=None\): expected True or False"),
        ({"exclude_none": "no"}, TypeError, r"exclude_none='no'"),
        ({"context": [1]}, TypeError, r"context=\[1\]\): expected a dict"),
    ],
)
def test_bad_options_fail_in_the_constructor(options, error, match):
    with pytest.raises(error, match=match):
        PydanticConverter(**options)


def test_options_are_frozen():
    with pytest.raises(AttributeError):
        CONVERTER.strict = True
