"""Help and error screens without rich's Markdown and traceback modules.

Typer draws `--help` and usage errors with `typer.rich_utils`, which imports
`rich.markdown` (and with it markdown-it and pygments) and `rich.traceback` at the top,
though this CLI's help is rich markup, never Markdown, and its pretty tracebacks are off.
Those two imports cost a help screen more than typer and rich themselves.

`install()` puts a finder on `sys.meta_path` that runs `typer.rich_utils` unchanged, with
stand-ins for the two modules present only while it runs: its `Markdown` and `Traceback`
names become classes that import the real ones when they are first used. Nothing is
imported until typer itself imports `rich_utils`; any other import of `rich.markdown` or
`rich.traceback` gets the real modules. On a typer without `rich_utils` it does nothing.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

TARGET = "typer.rich_utils"
# module -> the name rich_utils takes from it
DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def _real(module: str) -> Any:
    return getattr(importlib.import_module(module), DEFERRED[module])


def _stand_in(module: str) -> types.ModuleType:
    name = DEFERRED[module]

    class _Meta(type):
        # `Traceback.from_exception(...)` and any other class attribute: the real class's.
        def __getattr__(cls, attr: str) -> Any:
            return getattr(_real(module), attr)

        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, _real(module))

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return _real(module)(*args, **kwargs)

    proxy = _Meta(name, (), {"__new__": __new__, "__module__": module})
    stand_in = types.ModuleType(module, f"Loads {module} when {name} is first used.")
    setattr(stand_in, name, proxy)
    return stand_in


# Plain classes, not importlib.abc's: that module alone costs ~2 ms to import.
class _Loader:
    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, attr: str) -> Any:  # get_source, get_filename, ...: the real one's
        return getattr(self.real, attr)

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        module: types.ModuleType | None = self.real.create_module(spec)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        placed = [m for m in DEFERRED if m not in sys.modules]
        for name in placed:
            sys.modules[name] = _stand_in(name)
        try:
            self.real.exec_module(module)
        finally:
            for name in placed:
                sys.modules.pop(name, None)
        _quiet_on_broken_pipe(module)


def _quiet_on_broken_pipe(module: types.ModuleType) -> None:
    """Help and usage screens: a reader that went away ends the run with 141 at the
    edge, as every other output does, not with rich's status 1."""
    made_by = getattr(module, "_get_rich_console", None)
    if made_by is None:
        return

    def console(*args: Any, **kwargs: Any) -> Any:
        from ketacost.cli.edge import reader_gone

        made = made_by(*args, **kwargs)
        made.on_broken_pipe = reader_gone
        return made

    module._get_rich_console = console  # type: ignore[attr-defined]


class _Finder:
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname != TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
                return spec
        return None


def install() -> None:
    if TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
