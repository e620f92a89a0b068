"""The pydantic statement of a scenario's field rules.

`scenario.Scenario` is a plain record: a CLI run must not pay ~55 ms to import pydantic
and build this model. Values the plain checks cannot vouch for (an unusual type, a value
out of range, an unknown field) come here, so whatever pydantic accepted or refused
before, and with which message, it still does; tests/test_scenario_plain.py proves the
plain checks agree with this model wherever they accept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ketacost.planfile import PlanFile

# The model states its rules itself (scenario.py defers to it, so it cannot import from
# there); tests/test_scenario_plain.py holds the plain checks' bounds and choices to these.
MAX_MONTHS = 60
Insurance = Literal["none", "commercial", "medicare", "medicare-advantage", "medicaid"]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class ScenarioModel(BaseModel):
    """The rules of `scenario.Scenario`'s fields, as pydantic states them."""

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
    insurance: Insurance = "none"
    covered: bool | None = None  # None: the price book's default for the payer
    network: Literal["in", "out"] = "in"
    allowed: Money | None = None
    deductible: Money | None = None
    coinsurance: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    copay: Money | None = None
    oop_max: Money | None = None
    medigap: Literal["none", "G", "N"] = "none"
    plan_year_start: tuple[int, int] | None = None  # (month, day)
    annual_deductible: Money | None = None
    annual_oop_max: Money | None = None
    assistance: bool = True
    hsa: bool = False
    hsa_payroll: bool = False  # HSA contributions through an employer's payroll (no FICA)
    fsa: bool = False
    family: bool = False  # family HSA coverage: the higher contribution limit
    tax_rate: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    account_balance: Money | None = None
    finance: str | None = None  # a preset id or MONTHS@APR
    include_indirect: bool = False
    hourly_wage: Money | None = None
    state: str | None = None  # two-letter US state, where a rule or program depends on it
    observation_rebate: bool = False  # the Spravato observation rebate (commercial plans)
    plan: str | None = None  # the plan file the plan fields came from
    drug_benefit: Literal["medical", "pharmacy"] = "medical"
    drug_network: Literal["in", "out"] | None = None  # None: as --network
    rx_copay: Money | None = None
    rx_coinsurance: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    rx_deductible: Money | None = None  # remaining; None: integrated with the medical one
    annual_rx_deductible: Money | None = None
    accumulator: bool = False
    family_deductible: Money | None = None  # remaining this plan year
    family_oop_max: Money | None = None
    annual_family_deductible: Money | None = None
    annual_family_oop_max: Money | None = None
    family_kind: Literal["embedded", "aggregate"] = "embedded"
    secondary: str | None = None  # the secondary plan's file
    secondary_plan: PlanFile | None = None  # read from `secondary`
    rates: str | None = None  # a rate book (ketacost rates extract): real allowed amounts

    @field_validator("state")
    @classmethod
    def _us_state(cls, v: str | None) -> str | None:
        from ketacost.usstates import US_STATES

        if v is None:
            return v
        code = v.strip().upper()
        if code not in US_STATES:
            raise ValueError("must be a two-letter US state code such as NY or TX")
        return code

    @field_validator("start")
    @classmethod
    def _plausible_year(cls, v: dt.date) -> dt.date:
        if not 2000 <= v.year <= 2100:
            raise ValueError("must be a date between 2000 and 2100")
        return v


def validated(values: dict[str, Any]) -> dict[str, Any]:
    """The fields pydantic makes of `values`, in declaration order; raises its
    ValidationError."""
    return dict(ScenarioModel.model_validate(values).__dict__)
