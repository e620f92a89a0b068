"""Value records for the engine's results and terms: what `@dataclass(frozen=True)`
gives (an `__init__` taking fields by position or keyword, with defaults; equality and
hash by value; a repr; no assignment after it is built), made without writing and
compiling code for each class.

Why not dataclasses: a frozen dataclass compiles six functions when its class is
created, about 0.6 ms each class; the ~40 record classes a run imports cost 20-30 ms of
every command's start-up (issue 17). These records are built with a few closures, and
their instances are no slower to make or read.

Type checkers see them as dataclasses (PEP 681 `dataclass_transform`), so a missing
field, a wrong type or an assignment is still caught before run time."""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda decorated: decorated


T = TypeVar("T")
_NO_DEFAULT = object()


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def fields_of(cls: type) -> tuple[str, ...]:
    """A record class's field names, its bases' first, in declaration order."""
    names: tuple[str, ...] = cls.__dict__.get("_record_fields", ())
    return names


def _make(cls: type[T], frozen: bool) -> type[T]:
    names: list[str] = []
    defaults: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        for name in base.__dict__.get("_record_fields", ()):
            if name not in names:
                names.append(name)
            defaults.pop(name, None)
            default = base.__dict__.get("_record_defaults", {}).get(name, _NO_DEFAULT)
            if default is not _NO_DEFAULT:
                defaults[name] = default
    for name, annotation in inspect.get_annotations(cls).items():
        if _is_classvar(annotation):
            continue
        if name not in names:
            names.append(name)
        default = cls.__dict__.get(name, _NO_DEFAULT)
        if default is not _NO_DEFAULT:
            defaults[name] = default
    order = tuple(names)
    count = len(order)
    key = attrgetter(*order) if order else (lambda _obj: ())
    post_init = getattr(cls, "__post_init__", None)
    label = cls.__qualname__

    every = frozenset(order)

    def values_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > count:
            raise TypeError(f"{label}() takes {count} fields, got {len(args)} by position")
        values = dict(zip(order, args, strict=False))
        for name in order[len(args) :]:
            if name in kwargs:
                values[name] = kwargs.pop(name)
            elif name in defaults:
                values[name] = defaults[name]
            else:
                raise TypeError(f"{label}() is missing the field {name!r}")
        if kwargs:
            raise TypeError(f"{label}() got unexpected or repeated fields: {', '.join(kwargs)}")
        return values

    required = every - defaults.keys()
    # The defaults of the fields after the first n, when all of them have one.
    tails = [
        {name: defaults[name] for name in order[n:]} if required.isdisjoint(order[n:]) else None
        for n in range(count + 1)
    ]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # The usual calls go straight into the instance's dict: the first fields by
        # position and the rest defaulted, or any fields by name with the required ones.
        own = self.__dict__
        if not kwargs:
            tail = tails[len(args)] if len(args) <= count else None
            if tail is None:
                own.update(values_of(args, kwargs))
            else:
                own.update(tail)
                own.update(zip(order, args))  # noqa: B905 - the length is checked
        elif not args and kwargs.keys() <= every and required <= kwargs.keys():
            own.update(defaults)
            own.update(kwargs)
        else:
            own.update(values_of(args, kwargs))
        if post_init is not None:
            post_init(self)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        result: bool = key(self) == key(other)
        return result

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in order)
        return f"{self.__class__.__qualname__}({inner})"

    methods: dict[str, Any] = {
        "_record_fields": order,
        "_record_defaults": defaults,
        "__init__": __init__,
        "__eq__": __eq__,
        "__repr__": __repr__,
        "__match_args__": order,
        "__hash__": None,
    }
    if frozen:

        def __setattr__(self: Any, name: str, value: Any) -> None:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self: Any, name: str) -> None:
            raise FrozenInstanceError(f"cannot delete field {name!r}")

        def __hash__(self: Any) -> int:
            return hash(key(self))

        methods.update(__setattr__=__setattr__, __delattr__=__delattr__, __hash__=__hash__)
    for name, value in methods.items():
        # Like a dataclass, a method the class writes itself is kept.
        if name not in cls.__dict__ or name in ("__hash__", "_record_fields", "_record_defaults"):
            setattr(cls, name, value)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True)
def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    """`@record` (read-only) or `@record(frozen=False)` (fields may be reassigned)."""
    if cls is None:
        return lambda c: _make(c, frozen)
    return _make(cls, frozen)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of record `obj` with the given fields changed (`dataclasses.replace`)."""
    order = fields_of(type(obj))
    unknown = set(changes) - set(order)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {', '.join(sorted(unknown))}")
    values = {name: getattr(obj, name) for name in order}
    values.update(changes)
    return type(obj)(**values)
