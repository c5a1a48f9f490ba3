"""Assembly: registration hooks, capability choice, defaults, errors, observer hooks."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest

from jobify import Jobify, options
from jobify._assembly.assemble import assemble
from jobify._assembly.config import Settings
from jobify.exceptions import ConfigError, PluginConflictError
from jobify.hookspecs import hookimpl
from jobify.testing import memory as testing_memory


@pytest.fixture(autouse=True)
def _kernel_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("JOBIFY_CONFIG", "")


class MemoryStorage(testing_memory.MemoryStorage):
    def __init__(self, *, label: str = "default") -> None:
        super().__init__()
        self.label = label


class ReprSerializer:
    def dumpb(self, data: object) -> bytes:
        return repr(data).encode()

    def loadb(self, data: bytes) -> object:
        import ast

        return ast.literal_eval(data.decode())


class StoragePlugin:
    __name__ = "memory-plugin"

    @hookimpl
    def jobify_register_storages(self, register):
        register("memory", MemoryStorage, default=True)
        register("memory-lazy", "test_assembly:MemoryStorage")

    @hookimpl
    def jobify_register_serializers(self, register):
        register("repr", ReprSerializer, default=True)


class ClashingPlugin:
    __name__ = "clashing"

    @hookimpl
    def jobify_register_storages(self, register):
        register("memory", MemoryStorage)


def test_default_capability_is_used_when_nothing_is_chosen():
    app = Jobify.from_config(None, hook_plugins=[StoragePlugin()])
    assert isinstance(app.configs.storage, MemoryStorage)
    assert isinstance(app.configs.serializer, ReprSerializer)


def test_choice_by_name_with_options_from_toml(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = "memory"\nlabel = "from-file"\n')
    app = Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])
    assert app.configs.storage.label == "from-file"


def test_options_without_use_go_to_the_default(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nlabel = "from-file"\n')
    app = Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])
    assert isinstance(app.configs.storage, MemoryStorage)
    assert app.configs.storage.label == "from-file"


def test_options_without_use_and_without_a_default_say_what_to_set(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nlabel = "from-file"\n')
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(cfg, hook_plugins=[ClashingPlugin()])
    assert str(info.value) == (
        f"{cfg} [jobify.storage]: no use = ... and no default storage is installed to take "
        "these options; set use = one of: memory (clashing local)"
    )


def test_instance_passed_in_code_wins_over_the_file(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = "memory"\nlabel = "from-file"\n')
    mine = MemoryStorage(label="mine")
    app = Jobify.from_config(cfg, hook_plugins=[StoragePlugin()], storage=mine)
    assert app.configs.storage is mine


def test_storage_can_be_turned_off_in_the_file(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text("[jobify.storage]\nuse = false\n")
    app = Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])
    assert app.assembly.storage is False


def test_unknown_name_lists_installed_and_suggests(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = "memroy"\n')
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])
    message = str(info.value)
    assert str(cfg) in message
    assert "[jobify.storage]" in message
    assert "'memroy'" in message
    assert "memory (memory-plugin local)" in message
    assert "Did you mean 'memory'?" in message


def test_unknown_option_names_the_valid_ones(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = "memory"\nlabl = "x"\n')
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])
    assert "unknown option 'labl'" in str(info.value)
    assert "Valid options: label" in str(info.value)
    assert "Did you mean 'label'?" in str(info.value)


def test_lazy_module_attr_factory_is_imported_only_when_selected(tmp_path: Path):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.storage]\nuse = "memory-lazy"\n')
    with pytest.raises(ConfigError, match="cannot import 'test_assembly:MemoryStorage'"):
        Jobify.from_config(cfg, hook_plugins=[StoragePlugin()])


def test_local_class_by_module_attr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "localstore.py").write_text(
        "from jobify.typeadapter import IdentityAdapter\n"
        "class Adapter(IdentityAdapter):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = tmp_path / "jobify.toml"
    cfg.write_text('[jobify.typeadapter]\nuse = "localstore:Adapter"\n')
    app = Jobify.from_config(cfg, storage=False)
    assert type(app.configs.dumper).__name__ == "Adapter"
    assert app.configs.loader is app.configs.dumper


def test_two_plugins_claiming_one_name_are_both_named():
    with pytest.raises(PluginConflictError) as info:
        Jobify.from_config(None, hook_plugins=[StoragePlugin(), ClashingPlugin()])
    message = str(info.value)
    assert "storage 'memory'" in message
    assert "memory-plugin" in message
    assert "clashing" in message
    assert 'disable = ["clashing"]' in message


def test_invalid_capability_name_is_refused():
    class Bad:
        __name__ = "bad"

        @hookimpl
        def jobify_register_serializers(self, register):
            register("Not Valid", ReprSerializer)

    with pytest.raises(ValueError, match=r"\[a-z\]\[a-z0-9-\]\*"):
        Jobify.from_config(None, hook_plugins=[Bad()], storage=False)


def test_misspelled_hookimpl_fails_assembly():
    class Typo:
        __name__ = "typo"

        @hookimpl
        def jobify_register_storage(self, register):  # missing "s"
            register("x", MemoryStorage)

    with pytest.raises(Exception, match="jobify_register_storage"):
        Jobify.from_config(None, hook_plugins=[Typo()], storage=False)


def test_storage_without_any_serializer_fails_with_the_fix():
    with pytest.raises(ConfigError, match="pip install jobify-serializer-json"):
        Jobify(storage=MemoryStorage())


def test_kernel_alone_has_storage_off_and_identity_adapter():
    app = Jobify()
    assert app.assembly.storage is None  # nothing installed, nothing chosen: storage off
    assert app.configs.dumper.dump({"a": 1}, dict) == {"a": 1}


def test_registration_hooks_run_once_per_assembly():
    calls = []

    class Counting:
        __name__ = "counting"

        @hookimpl
        def jobify_register_serializers(self, register):
            calls.append(1)
            register("counted", ReprSerializer)

    app = Jobify.from_config(None, hook_plugins=[Counting()], storage=False)
    assert calls == [1]
    assert "counted" in app.assembly.catalog.names("serializer")


class Observer:
    __name__ = "observer"

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.lifecycle: list[str] = []

    @hookimpl
    def jobify_job_scheduled(self, job):
        self.events.append(("scheduled", job.status.value))

    @hookimpl
    def jobify_job_started(self, context):
        self.events.append(("started", context.job.status.value))

    @hookimpl
    def jobify_job_finished(self, job):
        self.events.append(("finished", job.status.value))

    @hookimpl
    def jobify_startup(self, app):
        self.lifecycle.append("startup")

    @hookimpl
    async def jobify_shutdown(self, app):
        await asyncio.sleep(0)
        self.lifecycle.append("shutdown")


async def test_observer_and_lifecycle_hooks_are_called():
    observer = Observer()
    app = Jobify.from_config(None, hook_plugins=[observer], storage=False)

    @app.task
    async def job() -> int:
        return 1

    async with app:
        j = await job.push()
        await j.wait()
    assert observer.events == [
        ("scheduled", "scheduled"),
        ("started", "running"),
        ("finished", "success"),
    ]
    assert observer.lifecycle == ["startup", "shutdown"]


async def test_observer_that_raises_does_not_break_jobs(caplog: pytest.LogCaptureFixture):
    class Broken:
        __name__ = "broken"

        @hookimpl
        def jobify_job_finished(self, job):
            raise RuntimeError("observer bug")

    app = Jobify.from_config(None, hook_plugins=[Broken()], storage=False)

    @app.task
    async def job() -> int:
        return 7

    async with app:
        j = await job.push()
        await j.wait()
    assert j.result() == 7
    assert "observer" in caplog.text


async def test_no_observer_means_no_observer_step_in_the_chain():
    app = Jobify.from_config(None, storage=False)

    @app.task(name="job")
    async def job() -> None: ...

    async with app:  # chains are built at startup: a plain task's is the bare call
        assert not isinstance(app.registry.routes["job"].chain, functools.partial)
    assert app.assembly.observers_started == ()
    assert app.assembly.observers_scheduled == ()
    assert app.assembly.observers_finished == ()


def test_assemble_is_a_plain_function_without_global_state():
    first = assemble(Settings(), plugins=[StoragePlugin()], autoload=False)
    second = assemble(Settings(), autoload=False)
    assert first.plugin_set is not second.plugin_set
    assert isinstance(first.storage, MemoryStorage)
    assert second.storage is None


def test_middleware_chosen_in_file_are_built_in_order(tmp_path: Path):
    class Tag:
        def __init__(self, *, tag: str) -> None:
            self.tag = tag

        async def __call__(self, call_next, context):
            return await call_next(context)

    class MwPlugin:
        __name__ = "mw"

        @hookimpl
        def jobify_register_middleware(self, register):
            register("tag", Tag)

    cfg = tmp_path / "jobify.toml"
    cfg.write_text(
        '[[jobify.middleware]]\nuse = "tag"\ntag = "a"\n'
        '[[jobify.middleware]]\nuse = "tag"\ntag = "b"\n'
    )
    app = Jobify.from_config(cfg, hook_plugins=[MwPlugin()], storage=False)
    assert [m.tag for m in app.middleware] == ["a", "b"]


def test_trace_switch_prints_hook_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("JOBIFY_TRACE_PLUGINS", "1")
    Jobify.from_config(None, hook_plugins=[StoragePlugin()], storage=False)
    err = capsys.readouterr().err
    assert "jobify-trace:" in err
    assert "jobify_register_storages" in err


@attrs.frozen(kw_only=True)
class PoolOptions:
    size: int = attrs.field(default=1, validator=options.positive_int(example=4))


built: list[int] = []


@options.declare(PoolOptions)
def make_pool(**kwargs: int) -> ThreadPoolExecutor:
    built.append(PoolOptions(**kwargs).size)
    return ThreadPoolExecutor(max_workers=kwargs.get("size", 1))


class PoolPlugin:
    __name__ = "pool-plugin"

    @hookimpl
    def jobify_register_executors(self, register):
        register("thread", make_pool)


def test_declared_executor_options_are_checked_at_assembly_before_a_pool_is_built(
    tmp_path: Path,
):
    cfg = tmp_path / "jobify.toml"
    cfg.write_text("[jobify.storage]\nuse = false\n[jobify.executors.thread]\nsize = 0\n")
    built.clear()
    with pytest.raises(ConfigError) as info:
        Jobify.from_config(cfg, hook_plugins=[PoolPlugin()])
    assert str(info.value) == (
        f"{cfg} [jobify.executors.thread]: PoolOptions(size=0): expected an int >= 1; e.g. size=4"
    )
    cfg.write_text("[jobify.storage]\nuse = false\n[jobify.executors.thread]\nsize = 2\n")
    Jobify.from_config(cfg, hook_plugins=[PoolPlugin()])
    assert built == []  # checked, but built only when a task needs it
