"""A counselor's defaults: price book, clinic profile, default format, state.

The file is YAML in the user's config folder (platformdirs; userdirs.py), or wherever
KETACOST_CONFIG points. A missing file means no defaults; a broken one is an error
that names the file and the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, TypeVar

from ketacost.errors import KetacostError
from ketacost.usstates import US_STATES


class ConfigError(KetacostError):
    """The config file is unreadable or malformed."""


class _Record:
    """A read-only record: fields and their defaults in `FIELDS`, the order the config
    file's schema (config_schema.py) declares them."""

    __slots__ = ()
    FIELDS: ClassVar[dict[str, object]] = {}

    def __init__(self, **values: object) -> None:
        unknown = values.keys() - self.FIELDS.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown field {min(unknown)!r}")
        for name, default in self.FIELDS.items():
            # each record its own list: pydantic copies a mutable default
            value = (
                values[name]
                if name in values
                else list(default)
                if type(default) is list
                else default
            )
            object.__setattr__(self, name, value)

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return tuple(cls.FIELDS)

    def model_copy(self: _R, *, update: dict[str, object] | None = None) -> _R:
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update(update or {})
        return type(self)(**values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    def __hash__(self) -> int:
        return hash(tuple(repr(getattr(self, n)) for n in self.FIELDS))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.FIELDS)
        return f"{type(self).__name__}({shown})"


_R = TypeVar("_R", bound=_Record)


class Clinic(_Record):
    """The provider or facility named on a Good Faith Estimate or a handout."""

    FIELDS: ClassVar[dict[str, object]] = dict.fromkeys(
        ("name", "npi", "tin", "address", "phone", "state")
    )
    __slots__ = tuple(FIELDS)
    model_fields: ClassVar[tuple[str, ...]] = tuple(FIELDS)

    name: str | None
    npi: str | None
    tin: str | None
    address: str | None
    phone: str | None
    state: str | None


class Settings(_Record):
    """A counselor's defaults, as checked by config_schema.SettingsModel."""

    FIELDS: ClassVar[dict[str, object]] = {
        "pricing": None,
        "format": None,
        "state": None,
        "clinic": Clinic(),
        # Default ICD-10-CM code(s) for a Good Faith Estimate (--diagnosis replaces them).
        "diagnosis": [],
        # Savings tips in estimates and handouts (--tips/--no-tips overrides).
        "tips": True,
        # The language of what is printed: en or es (--lang overrides).
        "lang": None,
    }
    __slots__ = tuple(FIELDS)
    model_fields: ClassVar[tuple[str, ...]] = tuple(FIELDS)

    pricing: Path | None
    format: str | None
    state: str | None
    clinic: Clinic
    diagnosis: list[str]
    tips: bool
    lang: str | None


# A config file is a few lines; anything near this is the wrong file.
MAX_CONFIG_BYTES = 256 * 1024


def config_path() -> Path:
    env = os.environ.get("KETACOST_CONFIG")
    if env:
        return Path(env)
    from ketacost.userdirs import user_config_dir

    return Path(user_config_dir()) / "config.yaml"


def load_settings(path: Path | None = None) -> Settings:
    """The settings in `path`, else KETACOST_CONFIG's file, else the user's config file.

    The user's own config file may be absent (no defaults). A file named by
    KETACOST_CONFIG or `path` must exist: a counselor who set it expects their clinic
    and prices, and must not get a quote without them unawares."""
    from ketacost import safeio

    named = path is not None or bool(os.environ.get("KETACOST_CONFIG"))
    p = path or config_path()
    where = safeio.shown(p)
    if path is None and os.environ.get("KETACOST_CONFIG"):
        where = f"KETACOST_CONFIG {where}"
    try:
        raw = safeio.read_capped(p, MAX_CONFIG_BYTES)
    except safeio.TooBig as exc:
        raise ConfigError(
            f"{where}: is {exc.size:,} bytes; a config file may be at most {MAX_CONFIG_BYTES:,}"
        ) from None
    except safeio.ReadError as exc:
        if exc.reason == "no such file":
            if not named:
                return Settings()
            hint = "; create it, or unset KETACOST_CONFIG" if path is None else ""
            raise ConfigError(f"{where}: no such file{hint}") from None
        raise ConfigError(f"{where}: {exc.reason}") from None
    from ketacost.book.yamlsafe import parse

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: is not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        data = parse(text, where)
    except KetacostError as exc:
        raise ConfigError(exc.message) from None
    if data is None:
        return Settings()
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the config file must be a mapping")
    settings = plain_settings(data)
    if settings is None:
        settings = _checked_settings(data, where)
    if settings.state and settings.state not in US_STATES:
        raise ConfigError(f"{where}: state: '{settings.state}' is not a US state code")
    if settings.pricing is not None and not settings.pricing.is_absolute():
        # A relative price book path is relative to the config file, not the cwd.
        settings = settings.model_copy(update={"pricing": p.parent / settings.pricing})
    return settings


def _checked_settings(data: dict[str, object], where: str) -> Settings:
    """The settings pydantic makes of `data` (config_schema.py), or its refusal as a
    ConfigError naming the file and the key."""
    from pydantic import ValidationError

    from ketacost.config_schema import ClinicModel, SettingsModel

    try:
        model = SettingsModel.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            nested = len(err["loc"]) > 1 and err["loc"][0] == "clinic"
            keys = ClinicModel.model_fields if nested else SettingsModel.model_fields
            msg = f"unknown key; allowed here: {', '.join(keys)}"
        raise ConfigError(f"{where}: {loc}: {msg}") from None
    fields = dict(model.__dict__)
    fields["clinic"] = Clinic(**model.clinic.__dict__)
    return Settings(**fields)


# What the plain checks accept, as the schema's patterns would (ASCII digits only: the
# schema's \d also takes other scripts' digits, which are left to it to decide).
_NPI = re.compile(r"[0-9]{10}")
_TIN = re.compile(r"[0-9]{2}-?[0-9]{7}")
_STATE = re.compile(r"[A-Z]{2}")
_SHORT = 200
_UNDECIDED = object()


def _short(value: object) -> object:
    """A short text, stripped, when pydantic would surely strip it the same way: only
    ASCII blanks around it (its idea of whitespace differs from Python's elsewhere)."""
    if type(value) is not str or len(value) > _SHORT:
        return _UNDECIDED
    text = value.strip(" \t\r\n")
    return text if text == text.strip() else _UNDECIDED


def _matching(pattern: re.Pattern[str]) -> Callable[[object], object]:
    def check(value: object) -> object:
        ok = type(value) is str and pattern.fullmatch(value) is not None
        return value if ok else _UNDECIDED

    return check


def _one_of(*choices: str) -> Callable[[object], object]:
    return lambda value: value if type(value) is str and value in choices else _UNDECIDED


CLINIC_RULES: dict[str, Callable[[object], object]] = {
    "name": _short,
    "npi": _matching(_NPI),
    "tin": _matching(_TIN),
    "address": _short,
    "phone": _short,
    "state": _matching(_STATE),
}


def _clinic(value: object) -> object:
    if type(value) is not dict:
        return _UNDECIDED
    fields = _plain_record(value, CLINIC_RULES)
    return _UNDECIDED if fields is None else Clinic(**fields)


def _diagnosis(value: object) -> object:
    if type(value) is not list:
        return _UNDECIDED
    codes = [_short(code) for code in value]
    return _UNDECIDED if _UNDECIDED in codes else codes


SETTINGS_RULES: dict[str, Callable[[object], object]] = {
    "pricing": lambda value: Path(value) if type(value) is str else _UNDECIDED,
    "format": _one_of("table", "json", "csv", "markdown", "html"),
    "state": _matching(_STATE),
    "clinic": _clinic,
    "diagnosis": _diagnosis,
    "tips": lambda value: value if type(value) is bool else _UNDECIDED,
    "lang": _one_of("en", "es"),
}
NOT_NONE = frozenset({"clinic", "diagnosis", "tips"})  # no None for these in the schema


def _plain_record(
    data: dict[object, object], rules: dict[str, Callable[[object], object]]
) -> dict[str, object] | None:
    fields: dict[str, object] = {}
    for key, value in data.items():
        rule = rules.get(key) if type(key) is str else None
        if rule is None or (value is None and key in NOT_NONE and rules is SETTINGS_RULES):
            return None
        checked = None if value is None else rule(value)
        if checked is _UNDECIDED:
            return None
        fields[str(key)] = checked
    return fields


def plain_settings(data: dict[object, object]) -> Settings | None:
    """The settings of a config file's mapping when the plain checks accept every key
    and value (as config_schema.SettingsModel would take them), else None: the schema
    decides, and words any refusal. A run with a config file imports no pydantic."""
    fields = _plain_record(data, SETTINGS_RULES)
    return None if fields is None else Settings(**fields)
