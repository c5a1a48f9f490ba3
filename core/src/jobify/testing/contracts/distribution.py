"""The distribution suite: a plugin's entry point, hooks and lazy imports."""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

__all__ = ("DistributionContract",)


class DistributionContract:
    """What every plugin distribution's discovery must satisfy.

    Set the class attributes in a subclass::

        class TestDiscovered(DistributionContract):
            entry_point = "storage-sqlite"
            distribution = "jobify-storage-sqlite"
            offers = {
                "jobify_register_storages": [
                    ("sqlite", "jobify_storage_sqlite.storage:SQLiteStorage", True),
                ],
            }
            lazy_modules = ("sqlite3", "jobify_storage_sqlite.storage")
    """

    entry_point: str = ""
    distribution: str = ""
    offers: dict[str, list[tuple[str, str, bool | str]]] = {}  # noqa: RUF012 - read-only per subclass
    """Per hook: ``(name, "module:attr", default)``; ``default`` is True, False or
    ``"typed"`` (registered with ``typed_default=True``)."""
    lazy_modules: tuple[str, ...] = ()

    @classmethod
    def hooks_module(cls) -> Any:
        """The plugin's hook module, loaded through its entry point."""
        from importlib.metadata import entry_points

        found = list(entry_points(group="jobify", name=cls.entry_point))
        assert len(found) == 1, f"entry point {cls.entry_point!r} in group 'jobify': {found}"
        return found[0].load()

    def test_entry_point_is_declared_by_this_distribution(self) -> None:
        from importlib.metadata import entry_points

        (ep,) = entry_points(group="jobify", name=self.entry_point)
        assert ep.dist is not None
        assert ep.dist.name == self.distribution
        assert ep.value == self.distribution.replace("-", "_") + "._hooks"

    def test_hooks_register_what_they_offer(self) -> None:
        hooks = self.hooks_module()
        for hook, expected in self.offers.items():
            calls: list[tuple[str, Any, bool | str]] = []

            def register(
                name: str, factory: Any, /, *, default: bool = False, typed_default: bool = False
            ) -> None:
                mark = "typed" if typed_default else default
                calls.append((name, factory, mark))  # noqa: B023 - called right away

            getattr(hooks, hook)(register)
            assert calls == expected, hook
            for _name, target, _default in calls:
                module, _, attr = target.partition(":")
                assert callable(getattr(importlib.import_module(module), attr)), target

    def test_hooks_match_the_kernel_specs(self) -> None:
        import pluggy

        from jobify import hookspecs

        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        pm.register(self.hooks_module())
        pm.check_pending()
        implemented = {
            name for name in dir(pm.hook) if name.startswith("jobify_") and
            getattr(pm.hook, name).get_hookimpls()
        }  # fmt: skip
        assert set(self.offers) <= implemented

    def test_discovery_imports_nothing_heavy(self) -> None:
        module = self.distribution.replace("-", "_") + "._hooks"
        code = (
            f"import sys, {module}\n"
            f"loaded = [m for m in {list(self.lazy_modules)!r} if m in sys.modules]\n"
            "assert not loaded, f'imported at discovery: {loaded}'\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603
