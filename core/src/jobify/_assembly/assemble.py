"""Assembly: from settings and plugin distributions to an app's parts, once per app.

:func:`assemble` is a plain function (no global plugin manager): it builds a
``PluginManager``, registers the discovered plugin distributions and any
given explicitly, runs the registration hooks, and resolves each capability
in this order: an instance passed to ``Jobify(...)``, the choice in the
config file, the registered default, the kernel's fallback. Tables of the
config file that plugins claimed (``jobify_register_config_tables``) are
checked and built here too, and any other unknown table is refused.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs

from jobify._assembly.catalog import Catalog, TableOffer, import_target
from jobify._assembly.config import TOP_KEYS, plugin_table
from jobify._assembly.hooks import PluginSet
from jobify._assembly.seed import install_hint
from jobify.exceptions import ConfigError, PluginNotFoundError
from jobify.options import options_class, unknown

if TYPE_CHECKING:
    from jobify._assembly.config import Choice, Settings
    from jobify._assembly.discovery import PluginInfo
    from jobify.crontab import CronParser
    from jobify.executors import Executor
    from jobify.middleware import BaseMiddleware, BaseOuterMiddleware
    from jobify.serializers import Serializer
    from jobify.storage import Storage
    from jobify.typeadapter import Dumper, Loader

    class TypeAdapter(Dumper, Loader, Protocol):
        """A type adapter plugin's object: both halves."""


__all__ = ("Assembly", "assemble", "build_choice", "build_tables", "option_names")


@attrs.frozen(kw_only=True)
class Assembly:
    """What assembly resolved, in the contracts' types; the app builds its rooms from it.

    A capability is None when nothing was chosen or installed (the kernel's
    fallback applies) and False when the file or the caller turned it off.
    """

    plugin_set: PluginSet
    catalog: Catalog
    plugins: tuple[PluginInfo, ...]
    storage: Storage | Literal[False] | None
    serializer: Serializer | Literal[False] | None
    typeadapter: TypeAdapter | Literal[False] | None
    cron_factory: Callable[[str], CronParser] | None
    cron_source: str
    """Where the cron parser came from, for ``jobify check``."""
    executors: Mapping[str, Callable[[], Executor]]
    middleware: tuple[BaseMiddleware, ...]
    outer_middleware: tuple[BaseOuterMiddleware, ...]
    on_startup: tuple[Callable[..., Any], ...]
    on_shutdown: tuple[Callable[..., Any], ...]
    observers_scheduled: tuple[Callable[..., Any], ...]
    observers_started: tuple[Callable[..., Any], ...]
    observers_finished: tuple[Callable[..., Any], ...]
    observers_headers: tuple[Callable[..., Any], ...] = ()
    observers_retried: tuple[Callable[..., Any], ...] = ()
    observers_missed: tuple[Callable[..., Any], ...] = ()
    tables: Mapping[str, Any] = attrs.field(factory=dict)
    """The plugin tables of the config file, built: name -> options object.

    A plugin reads its own in ``jobify_startup``: ``app.assembly.tables.get("metrics")``
    (absent when the file has no such table).
    """
    table_offers: Mapping[str, TableOffer] = attrs.field(factory=dict)
    """Every table the loaded plugins claimed, whether the file has it or not."""


def option_names(factory: Callable[..., Any]) -> tuple[str, ...] | None:
    """Keyword options ``factory`` accepts; None when it takes ``**kwargs``.

    The fields of its options class (:func:`jobify.options.options_class`) if
    it has one, else the parameters of its signature.
    """
    declared = options_class(factory)
    if declared is not None:
        return tuple(a.alias for a in attrs.fields(declared) if a.init)
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    names = []
    for param in sig.parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            names.append(param.name)
    return tuple(names)


def check_options(
    factory: Callable[..., Any], given: Mapping[str, Any], where: str, *, values: bool = False
) -> None:
    """Fail with the valid names when ``given`` has a key ``factory`` does not take.

    With ``values``, also check each value, as the factory will when called:
    by building the options class the factory declares (see
    :func:`jobify.options.declare`). For factories called later than assembly
    (executor pools, cron parsers), so that a bad value fails at startup and in
    ``jobify check`` rather than at the first job.
    """
    valid = option_names(factory)
    if valid is not None:
        for key in given:
            if key not in valid:
                msg = f"{where}: {unknown('option', key, valid)}"
                raise ConfigError(msg)
    declared = options_class(factory)
    if values and declared is not None and declared is not factory:
        try:
            declared(**given)
        except (TypeError, ValueError) as exc:
            msg = f"{where}: {exc}"
            raise ConfigError(msg) from exc


def build_choice(
    catalog: Catalog, capability: str, choice: Choice, *, call: bool = True, typed: bool = False
) -> Any:
    """Build the implementation ``choice`` selects (a name, ``"module:attr"``, or the default).

    A choice without ``use`` configures the default implementation of
    ``capability`` (the one for typed apps when ``typed``).
    """
    use = choice.use
    if use is None:
        offer = catalog.default(capability, typed=typed)
        if offer is None:
            installed = ", ".join(o.describe() for o in catalog.offers[capability].values())
            msg = (
                f"{choice.where}: no use = ... and no default {capability} is installed to "
                f"take these options; set use = one of: {installed or 'none installed'}"
            )
            raise ConfigError(msg)
        use = offer.name
    assert isinstance(use, str)  # noqa: S101 - checked by Settings
    if ":" in use:
        try:
            factory = import_target(use, choice.where)
        except PluginNotFoundError as exc:
            raise ConfigError(str(exc)) from None
    else:
        try:
            factory = catalog.get(capability, use, where=f"{choice.where} use = {use!r}").load()
        except PluginNotFoundError as exc:
            raise ConfigError(str(exc)) from None
    check_options(factory, choice.options, choice.where, values=not call)
    if not call:
        return functools.partial(factory, **choice.options) if choice.options else factory
    try:
        return factory(**choice.options)
    except (TypeError, ValueError) as exc:
        msg = f"{choice.where}: {exc}"
        raise ConfigError(msg) from exc


def build_tables(settings: Settings, offers: Mapping[str, TableOffer]) -> dict[str, Any]:
    """Check and build each plugin table of ``settings`` with the class its plugin claimed.

    A table no loaded plugin claims is refused as an unknown key, with the
    valid keys (the kernel's and the claimed tables) and a "did you mean".
    """
    built: dict[str, Any] = {}
    for name, raw in settings.tables.items():
        offer = offers.get(name)
        if offer is None:
            msg = f"{settings.where()}: {unknown('key', name, [*TOP_KEYS, *sorted(offers)])}"
            if settings.disable:
                msg += (
                    " The tables of disabled plugins are refused too: [jobify.plugins] "
                    f"disable = {list(settings.disable)!r}."
                )
            raise ConfigError(msg)
        where = settings.where(name)
        try:
            cls = offer.load()
        except PluginNotFoundError as exc:
            msg = f"{where}: {exc}"
            raise ConfigError(msg) from None
        built[name] = plugin_table(cls, raw, where=where)
    return built


def _default(catalog: Catalog, capability: str, *, typed: bool = False) -> Any:
    offer = catalog.default(capability, typed=typed)
    return None if offer is None else offer.load()()


def assemble(
    settings: Settings,
    *,
    plugins: Sequence[object] = (),
    autoload: bool = True,
    storage: Any = None,
    serializer: Any = None,
    typeadapter: Any = None,
    typed: bool = False,
    cron_factory: Callable[[str], Any] | None = None,
) -> Assembly:
    """Resolve every capability of one app; instances given here win over the file.

    ``storage`` may be an instance, ``False`` (off) or None (not given).
    ``typed``: the app was given a dumper or loader, so the default serializer
    is the one registered for typed apps (see ``Register``).
    """
    plugin_set = PluginSet.load(settings, plugins, autoload=autoload)
    catalog = plugin_set.offers()
    table_offers = plugin_set.tables(TOP_KEYS)
    tables = build_tables(settings, table_offers)

    def resolve(given: Any, capability: str, choice: Choice | None, *, typed: bool = False) -> Any:
        if given is not None:
            return given
        if choice is not None:
            if choice.use is False:
                return False
            return build_choice(catalog, capability, choice, typed=typed)
        return _default(catalog, capability, typed=typed)

    storage_v = resolve(storage, "storage", settings.storage)
    typeadapter_v = resolve(typeadapter, "typeadapter", settings.typeadapter)
    typed = typed or typeadapter_v not in (None, False)
    serializer_v = resolve(serializer, "serializer", settings.serializer, typed=typed)
    cron_v, cron_source = (
        (cron_factory, "argument") if cron_factory is not None else _cron(catalog, settings)
    )
    impls = plugin_set.implementations
    return Assembly(
        plugin_set=plugin_set,
        catalog=catalog,
        plugins=plugin_set.loaded,
        storage=storage_v,
        serializer=serializer_v,
        typeadapter=typeadapter_v,
        cron_factory=cron_v,
        cron_source=cron_source,
        executors=_executors(catalog, settings),
        middleware=tuple(build_choice(catalog, "middleware", c) for c in settings.middleware),
        outer_middleware=tuple(
            build_choice(catalog, "middleware", c) for c in settings.outer_middleware
        ),
        on_startup=impls("jobify_startup"),
        on_shutdown=impls("jobify_shutdown"),
        observers_scheduled=impls("jobify_job_scheduled"),
        observers_started=impls("jobify_job_started"),
        observers_finished=impls("jobify_job_finished"),
        observers_headers=impls("jobify_job_headers"),
        observers_retried=impls("jobify_job_retried"),
        observers_missed=impls("jobify_job_missed"),
        tables=tables,
        table_offers=table_offers,
    )


def _cron(catalog: Catalog, settings: Settings) -> tuple[Callable[[str], Any] | None, str]:
    """The cron parser the file chose, else the registered default; and where it came from."""
    if settings.cron is not None:
        return build_choice(catalog, "cron", settings.cron, call=False), settings.cron.where
    offer = catalog.default("cron")
    if offer is None:
        return None, "none"
    return offer.load(), offer.describe()


def _executors(catalog: Catalog, settings: Settings) -> dict[str, Callable[[], Any]]:
    """A factory per executor pool kind with its options, checked now (pools start lazily)."""
    executors: dict[str, Callable[[], Any]] = {}
    for kind in ("thread", "process"):
        options = settings.executors.get(kind, {})
        offer = catalog.offers["executor"].get(kind)
        where = settings.where(f"executors.{kind}")
        if offer is None:
            if options:
                msg = (
                    f"{where}: no plugin provides the {kind!r} executor; {install_hint('executor')}"
                )
                raise ConfigError(msg)
            continue
        factory = offer.load()
        check_options(factory, options, where, values=True)
        executors[kind] = functools.partial(factory, **options)
    return executors
