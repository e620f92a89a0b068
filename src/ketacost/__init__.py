"""ketacost: what ketamine treatment for depression will cost a patient in the US.

The library API lives in `ketacost.api` and is re-exported here lazily, so
`ketacost --version` and the CLI's start-up import nothing they do not need."""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"

_API = ("load_book", "estimate", "compare", "tips", "schedule", "finance", "scenario")
_ERRORS = ("KetacostError", "InputError", "PriceBookError", "ConfigError")
__all__ = [*_API, *_ERRORS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from ketacost import api

        return getattr(api, name)
    if name in _ERRORS:
        from ketacost import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'ketacost' has no attribute {name!r}")


class _Package(types.ModuleType):
    """`ketacost.scenario` is the API function even though a module of that name
    exists: importing the module must not replace the function on the package.
    `from ketacost.scenario import Scenario` still works."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
