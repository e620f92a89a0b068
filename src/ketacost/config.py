"""A counselor's defaults: price book, clinic profile, default format, state.

The file is YAML in the user's config folder (platformdirs), or wherever
KETACOST_CONFIG points. A missing file means no defaults; a broken one is an error
that names the file and the field.
"""

from __future__ import annotations

import os
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
    from platformdirs import user_config_dir

    return Path(user_config_dir("ketacost")) / "config.yaml"


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
    settings = Settings(**fields)
    if settings.state and settings.state not in US_STATES:
        raise ConfigError(f"{where}: state: '{settings.state}' is not a US state code")
    if settings.pricing is not None and not settings.pricing.is_absolute():
        # A relative price book path is relative to the config file, not the cwd.
        settings = settings.model_copy(update={"pricing": p.parent / settings.pricing})
    return settings
