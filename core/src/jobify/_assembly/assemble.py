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
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from jobify import hookspecs
from jobify._assembly import discovery
from jobify._assembly.catalog import Catalog, TableOffer, import_target
from jobify._assembly.config import TOP_KEYS, plugin_table
from jobify._assembly.hooks import collect_offers, collect_tables, impl_functions
from jobify._assembly.seed import install_hint
from jobify.exceptions import ConfigError, PluginNotFoundError
from jobify.options import options_class, unknown

if TYPE_CHECKING:
    from jobify._assembly.config import Choice, Settings
    from jobify._assembly.discovery import PluginInfo

__all__ = ("Assembly", "assemble", "build_choice", "build_tables", "option_names")


@attrs.frozen(kw_only=True)
class Assembly:
    """What assembly resolved; the app copies it into its configuration."""

    pm: pluggy.PluginManager
    catalog: Catalog
    plugins: tuple[PluginInfo, ...]
    storage: Any
    serializer: Any
    typeadapter: Any
    cron_factory: Callable[[str], Any] | None
    cron_source: str
    executors: Mapping[str, Callable[[], Any]]
    middleware: tuple[Any, ...]
    outer_middleware: tuple[Any, ...]
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


def _make_pm(
    settings: Settings, plugins: Sequence[object], *, autoload: bool
) -> tuple[pluggy.PluginManager, tuple[PluginInfo, ...]]:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    dists: dict[str, tuple[str, str]] = {}
    loaded: list[PluginInfo] = []
    if autoload and discovery.autoload_enabled():
        installed = discovery.installed_plugins()
        known = {p.name for p in installed}
        for name in settings.disable:
            if name not in known:
                msg = (
                    f"{settings.source or '<config>'} [jobify.plugins] disable: no plugin named "
                    f"{name!r}. Installed: {', '.join(sorted(known)) or 'none'}."
                )
                raise ConfigError(msg)
        for info in installed:
            if info.name in settings.disable:
                pm.set_blocked(info.name)
                continue
            pm.register(info.load(), name=info.name)
            dists[info.name] = (info.dist, info.version)
            loaded.append(info)
    for index, plugin in enumerate(plugins):
        name = getattr(plugin, "__name__", None) or f"explicit-{index}"
        pm.register(plugin, name=name)
        dists[name] = (name, "local")
    pm.check_pending()
    pm._jobify_dists = dists  # type: ignore[attr-defined]
    return pm, tuple(loaded)


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
    pm, loaded = _make_pm(settings, plugins, autoload=autoload)
    dists = pm._jobify_dists  # type: ignore[attr-defined]
    catalog = collect_offers(pm, dists)
    table_offers = collect_tables(pm, dists, TOP_KEYS)
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

    cron_source = "argument"
    cron_v = cron_factory
    if cron_v is None:
        if settings.cron is not None:
            cron_v = build_choice(catalog, "cron", settings.cron, call=False)
            cron_source = settings.cron.where
        else:
            offer = catalog.default("cron")
            if offer is not None:
                cron_v = offer.load()
                cron_source = offer.describe()
            else:
                cron_source = "none"

    executors: dict[str, Callable[[], Any]] = {}
    for kind in ("thread", "process"):
        options = settings.executors.get(kind, {})
        offer = catalog.offers["executor"].get(kind)
        where = f"{settings.source or '<config>'} [jobify.executors.{kind}]"
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

    middleware = tuple(build_choice(catalog, "middleware", c) for c in settings.middleware)
    outer = tuple(build_choice(catalog, "middleware", c) for c in settings.outer_middleware)

    return Assembly(
        pm=pm,
        catalog=catalog,
        plugins=loaded,
        storage=storage_v,
        serializer=serializer_v,
        typeadapter=typeadapter_v,
        cron_factory=cron_v,
        cron_source=cron_source,
        executors=executors,
        middleware=middleware,
        outer_middleware=outer,
        on_startup=impl_functions(pm, "jobify_startup"),
        on_shutdown=impl_functions(pm, "jobify_shutdown"),
        observers_scheduled=impl_functions(pm, "jobify_job_scheduled"),
        observers_started=impl_functions(pm, "jobify_job_started"),
        observers_finished=impl_functions(pm, "jobify_job_finished"),
        observers_headers=impl_functions(pm, "jobify_job_headers"),
        observers_retried=impl_functions(pm, "jobify_job_retried"),
        observers_missed=impl_functions(pm, "jobify_job_missed"),
        tables=tables,
        table_offers=table_offers,
    )
