"""Lazy loading of generated models: a name loads its bundle module on first access."""
from __future__ import annotations

import sys
from importlib import import_module
from importlib.machinery import ModuleSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any, Callable


def lazy_getattr(package: str, namespace: dict[str, Any],
                 modules: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving ``name`` from ``modules[name][0]`` and caching it."""
    def __getattr__(name: str) -> Any:
        entry = modules.get(name)
        if entry is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{entry[0]}"), name)
        namespace[name] = value
        return value
    return __getattr__


class _AliasFinder:
    """Serves ``<package>.<official_module>`` (e.g. ``...models.user``) from the bundles.

    A meta path finder and loader by protocol (``find_spec``/``create_module``/``exec_module``);
    not derived from ``importlib.abc``, whose import costs about 10 ms."""

    def __init__(self, package: str, modules: dict[str, tuple[str, str]]) -> None:
        self.prefix = package + "."
        self.by_module = {official: name for name, (_, official) in modules.items()}
        self.package = package

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname.startswith(self.prefix) and fullname[len(self.prefix):] in self.by_module:
            return ModuleSpec(fullname, self)  # type: ignore[arg-type]  # a Loader by protocol
        return None

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        name = self.by_module[module.__name__[len(self.prefix):]]
        package = sys.modules[self.package]
        setattr(module, name, getattr(package, name))
        module.__all__ = [name]  # type: ignore[attr-defined]


def install_module_aliases(package: str, modules: dict[str, tuple[str, str]]) -> None:
    sys.meta_path.append(_AliasFinder(package, modules))
