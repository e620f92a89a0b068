"""Option values without pydantic: typer 0.29 turns every option's value through a
pydantic `TypeAdapter` it builds on the first use (50-60 ms of schema building on each
run, plus `importlib.metadata` through pydantic's plugin loader). This CLI's options
are only `str`, `int`, `bool`, `Path`, enums and lists of `str`; for a value that plain
Python reads the same way pydantic would (`"12"`, `"json"`, a path), this module gives
the same result. Any other value (`--months abc`, `--format xx`) goes to typer's own
adapter, so every message a user sees is typer's own, word for word.

`install()` is a no-op on a typer without this machinery (before 0.29) and for any
option kind not listed here (those keep typer's adapter). `tests/test_clitypes.py`
checks, on random values, that both ways give the same value or the same error.
See benchmarks/README.md for the alternatives measured (a version bound, typer
settings) and why this one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits, no sign, space or "_": pydantic agrees


class _Ask(Exception):
    """The plain way does not decide: ask typer's own adapter."""


def _str(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    if type(value) is str:
        try:
            value.encode("utf-8")  # lone surrogates (undecodable argv bytes): pydantic's call
        except UnicodeEncodeError:
            raise _Ask from None
        return value
    raise _Ask


def _int(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    if type(value) is int:
        return value
    if type(value) is str and _DIGITS.fullmatch(value):
        return int(value)
    raise _Ask


def _bool(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    if type(value) is bool:
        return value
    raise _Ask


def _choice(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_choice

    try:
        return coerce_cli_choice(
            value,
            choices=list(descriptor.annotation),
            case_sensitive=descriptor.parameter_info.case_sensitive,
            ctx=ctx,
        )
    except ValueError:
        raise _Ask from None


def _path(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    from typer._param_types import coerce_cli_path

    info = descriptor.parameter_info
    path_type = info.path_type or descriptor.annotation
    if type(value) is str and value and "\0" not in value:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Ask from None
        if str(path_type(value)) != value:  # "0/" -> "0": typer's message keeps "0/"
            raise _Ask
        value = path_type(value)
    if not isinstance(value, path_type):
        raise _Ask
    return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)


def _str_list(value: Any, descriptor: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_str(v, descriptor, param, ctx) for v in value]
    raise _Ask


Coerce = Callable[[Any, Any, Any, Any], Any]


def plain_coercion(descriptor: Any) -> Coerce | None:
    """The plain way for an option's type, or None when typer's adapter is needed."""
    info = descriptor.parameter_info
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None):
        return None
    if descriptor.file_annotation is not None:
        return None
    ann = descriptor.annotation
    if ann is str:
        return _str
    if ann is bool:
        return _bool
    if ann is int:
        return _int if info.min is None and info.max is None else None
    if isinstance(ann, type) and issubclass(ann, Enum):
        return _choice
    if ann is Path and info.path_type in (None, Path):
        return _path
    if ann == list[str]:
        return _str_list
    return None


def install() -> None:
    """Put the plain way in front of typer's adapters (typer >= 0.29)."""
    try:
        from dataclasses import dataclass

        from typer import _coercion, core
    except ImportError:  # pragma: no cover - typer without the adapter layer
        return
    original: Any = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if original is None or base is None or getattr(original, "_ketacost", False):
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(base):  # type: ignore[misc,valid-type]
        descriptor: Any = None
        plain: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.plain(value, self.descriptor, param, ctx)
            except _Ask:
                return original(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build(descriptor: Any) -> Any:
        plain = plain_coercion(descriptor)
        if plain is None:
            return original(descriptor)
        return PlainRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
            plain=plain,
        )

    build._ketacost = True  # type: ignore[attr-defined]
    build.original = original  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build)  # noqa: B010 (not a typed export)
