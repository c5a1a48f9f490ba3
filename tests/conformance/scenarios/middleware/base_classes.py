"""BaseMiddleware / BaseOuterMiddleware: instantiating, subclasses without __call__, isinstance."""

from harness import catch, report

from jobify.middleware import BaseMiddleware, BaseOuterMiddleware


class NoCall(BaseMiddleware):
    pass


class NoCallOuter(BaseOuterMiddleware):
    pass


class Full(BaseMiddleware):
    async def __call__(self, call_next, context):
        return await call_next(context)


async def plain(call_next, context):
    return await call_next(context)


def kind(value: object) -> str:
    return type(value).__name__


report(
    {
        "base": catch(lambda: kind(BaseMiddleware())),
        "base_outer": catch(lambda: kind(BaseOuterMiddleware())),
        "no_call": catch(lambda: kind(NoCall())),
        "no_call_outer": catch(lambda: kind(NoCallOuter())),
        "full": catch(lambda: kind(Full())),
        "full_isinstance": catch(lambda: isinstance(Full(), BaseMiddleware)),
        "plain_isinstance": catch(lambda: isinstance(plain, BaseMiddleware)),
    }
)
