"""Which serializer an app uses: by default, with a dumper/loader given, and when one is passed."""

from harness import report

from jobify import Jobify
from jobify.serializers import JSONSerializer, UnsafePickleSerializer
from jobify.typeadapter import PydanticConverter


def kind(app: Jobify) -> str:
    return type(app.configs.serializer).__name__


converter = PydanticConverter()
report(
    {
        "default": kind(Jobify(storage=False)),
        "with_dumper_and_loader": kind(Jobify(storage=False, dumper=converter, loader=converter)),
        "with_dumper_only": kind(Jobify(storage=False, dumper=converter)),
        "with_loader_only": kind(Jobify(storage=False, loader=converter)),
        "given_json": kind(Jobify(storage=False, serializer=JSONSerializer())),
        "given_pickle": kind(Jobify(storage=False, serializer=UnsafePickleSerializer())),
        "given_pickle_with_dumper": kind(
            Jobify(
                storage=False,
                serializer=UnsafePickleSerializer(),
                dumper=converter,
                loader=converter,
            )
        ),
    }
)
