"""jobify.Plugin is a runtime-checkable Protocol: isinstance on objects with and without its methods."""

from harness import catch, report

from jobify import Plugin


class Full:
    async def startup(self, app: object) -> None: ...

    async def shutdown(self) -> None: ...


class OnlyStartup:
    async def startup(self, app: object) -> None: ...


class Explicit(Plugin):
    async def startup(self, app: object) -> None: ...

    async def shutdown(self) -> None: ...


report(
    {
        "full": catch(isinstance, Full(), Plugin),
        "only_startup": catch(isinstance, OnlyStartup(), Plugin),
        "object": catch(isinstance, object(), Plugin),
        "explicit_subclass": catch(isinstance, Explicit(), Plugin),
        "instantiate_protocol": catch(lambda: type(Plugin()).__name__),
        "instantiate_subclass": catch(lambda: type(Explicit()).__name__),
    }
)
