"""Validated inputs: what the patient asked about, checked against the price book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ketacost.amounts import parse_money
from ketacost.errors import InputError
from ketacost.pricebook import PriceBook, resolve_treatment

MAX_MONTHS = 60

# Field name -> the option a user typed, so errors name what the user can change.
OPTION = {
    "treatment": "TREATMENT",
    "months": "--months",
    "start": "--start",
    "sessions": "--sessions",
    "maintenance_weeks": "--maintenance-weeks",
    "maintenance": "--no-maintenance",
    "price": "--price",
    "consult": "--consult",
    "dose": "--dose",
    "discounts": "--discount",
}


class Scenario(BaseModel):
    """One patient's situation. Build it with `Scenario.from_options` or directly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    treatment: str
    months: int = Field(12, ge=1, le=MAX_MONTHS)
    start: dt.date = Field(default_factory=dt.date.today)
    sessions: int | None = Field(None, ge=1, le=100)
    maintenance_weeks: int | None = Field(None, ge=1, le=52)
    maintenance: bool = True
    price: Decimal | None = Field(None, ge=0, allow_inf_nan=False)
    consult: Decimal | None = Field(None, ge=0, allow_inf_nan=False)
    dose: Literal[56, 84] | None = None
    discounts: tuple[str, ...] = ()

    @field_validator("start")
    @classmethod
    def _plausible_year(cls, v: dt.date) -> dt.date:
        if not 2000 <= v.year <= 2100:
            raise ValueError("must be a date between 2000 and 2100")
        return v

    @classmethod
    def from_options(cls, **raw: Any) -> Scenario:
        """Build from CLI-style text values (money like '$1,200', dates as YYYY-MM-DD)."""
        values = dict(raw)
        for key in ("price", "consult"):
            text = values.get(key)
            if isinstance(text, str):
                try:
                    values[key] = parse_money(text, OPTION[key])
                except ValueError as exc:
                    raise InputError(str(exc), param=OPTION[key]) from None
        start = values.get("start")
        if isinstance(start, str):
            values["start"] = parse_date(start, "--start")
        if values.get("start") is None:
            values.pop("start", None)
        if values.get("maintenance_weeks") is not None and values.get("maintenance") is False:
            raise InputError(
                "--maintenance-weeks and --no-maintenance contradict each other; give one",
                param="--maintenance-weeks",
            )
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise input_error(exc) from None

    def resolved(self, book: PriceBook) -> Scenario:
        """Check the scenario against the book: known treatment, discounts that apply."""
        tid = resolve_treatment(book, self.treatment)
        if self.dose is not None and tid != "spravato":
            raise InputError("--dose applies only to spravato (56 or 84 mg)", param="--dose")
        if (
            tid == "spravato"
            and self.maintenance_weeks is not None
            and self.maintenance_weeks not in (1, 2)
        ):
            raise InputError(
                "--maintenance-weeks for spravato must be 1 or 2: the label doses weekly "
                "or every 2 weeks from week 9",
                param="--maintenance-weeks",
            )
        seen: list[str] = []
        for did in self.discounts:
            key = did.strip().lower()
            if key not in book.discounts:
                raise InputError(
                    f"--discount: unknown discount '{did}'. Choose from: "
                    f"{', '.join(book.discounts) or '(none in this price book)'}",
                    param="--discount",
                )
            if tid not in book.discounts[key].applies_to:
                applies = ", ".join(book.discounts[key].applies_to)
                raise InputError(
                    f"--discount {key} does not apply to {tid}; it applies to: {applies}",
                    param="--discount",
                )
            if key not in seen:
                seen.append(key)
        return self.model_copy(update={"treatment": tid, "discounts": tuple(seen)})


def parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option}: '{text}' is not a real date; use YYYY-MM-DD, e.g. 2026-12-01",
            param=option,
        ) from None


def input_error(exc: ValidationError) -> InputError:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    option = OPTION.get(field, field)
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind in ("less_than_equal", "less_than"):
        msg = f"must be at most {ctx.get('le', ctx.get('lt'))}"
    elif kind in ("greater_than_equal", "greater_than"):
        msg = f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    elif kind == "literal_error" and field == "dose":
        msg = "must be 56 or 84 (mg)"
    elif kind.startswith("int_"):
        msg = "must be a whole number"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        msg = msg[:1].lower() + msg[1:]
    got = err.get("input")
    shown = got.isoformat() if isinstance(got, dt.date) else got
    suffix = f" (got {shown})" if isinstance(shown, (str, int, Decimal)) else ""
    return InputError(f"{option}: {msg}{suffix}", param=option)
