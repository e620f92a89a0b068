"""The pydantic statement of the config file's rules: loaded only when there is a config
file to read, so a run without one imports no pydantic (config.py holds the plain
records the rest of the program reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class ClinicModel(BaseModel):
    """The provider or facility named on a Good Faith Estimate or a handout."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Short | None = None
    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] | None = None
    tin: Annotated[str, StringConstraints(pattern=r"^\d{2}-?\d{7}$")] | None = None
    address: Short | None = None
    phone: Short | None = None
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class SettingsModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pricing: Path | None = None
    format: Literal["table", "json", "csv", "markdown", "html"] | None = None
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    clinic: ClinicModel = ClinicModel()
    # Default ICD-10-CM code(s) for a Good Faith Estimate (--diagnosis replaces them).
    diagnosis: list[Short] = []
    # Savings tips in estimates and handouts (--tips/--no-tips overrides).
    tips: bool = True
    # The language of what is printed: en or es (--lang overrides).
    lang: Literal["en", "es"] | None = None
