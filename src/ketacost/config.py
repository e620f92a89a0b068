"""A counselor's defaults: price book, clinic profile, default format, state.

The file is YAML in the user's config folder (platformdirs), or wherever
KETACOST_CONFIG points. A missing file means no defaults; a broken one is an error
that names the file and the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from ketacost.errors import KetacostError

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
US_STATES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    }
)


class ConfigError(KetacostError):
    """The config file is unreadable or malformed."""


class Clinic(BaseModel):
    """The provider or facility named on a Good Faith Estimate or a handout."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Short | None = None
    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    tin: Annotated[str, StringConstraints(pattern=r"^\d{2}-?\d{7}$")] | None = None
    address: Short | None = None
    phone: Short | None = None
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pricing: Path | None = None
    format: Literal["table", "json", "csv", "markdown", "html"] | None = None
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    clinic: Clinic = Clinic()
    # Default ICD-10-CM code(s) for a Good Faith Estimate (--diagnosis replaces them).
    diagnosis: list[Short] = []
    # Savings tips in estimates and handouts (--tips/--no-tips overrides).
    tips: bool = True
    # The language of what is printed: en or es (--lang overrides).
    lang: Literal["en", "es"] | None = None


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
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            model = Clinic if len(err["loc"]) > 1 and err["loc"][0] == "clinic" else Settings
            msg = f"unknown key; allowed here: {', '.join(model.model_fields)}"
        raise ConfigError(f"{where}: {loc}: {msg}") from None
    if settings.state and settings.state not in US_STATES:
        raise ConfigError(f"{where}: state: '{settings.state}' is not a US state code")
    if settings.pricing is not None and not settings.pricing.is_absolute():
        # A relative price book path is relative to the config file, not the cwd.
        settings = settings.model_copy(update={"pricing": p.parent / settings.pricing})
    return settings
