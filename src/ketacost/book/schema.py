"""The price book's format: pydantic models that validate data/pricing.yaml.

Only a book read from YAML is validated here (on a cache miss, and in `validate`);
`pricebook.validate` turns the result into the plain records of `pricebook`, which is
what every other module uses and what the cache stores. The class names are the
records' names, so pydantic's messages ("a valid dictionary or instance of Figure")
read as they always did. The rules that records also answer (a figure's value in a
case, whether a code fits a dose, double coding) are pricebook's functions, used by
both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ketacost.book.pricebook import (
    CASES,
    MAX_ENTRIES,
    MAX_FIGURE,
    MAX_ITEMS,
    MAX_PHASES,
    PAYERS,
    PERCENT_UNITS,
    TREATMENT_IDS,
    UNIT_MAX,
    UNITS,
    WHOLE_UNITS,
    Basis,
    Payer,
    TreatmentId,
    double_coding,
    pick,
)
from ketacost.planfile import PlanFile

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
# Money and counts are exact decimals; YAML floats are refused (see _no_float).
Number = Annotated[Decimal, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    # defer_build: `validate` of a CLI run builds only what it validates.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    """A page a figure rests on. `published` is the date the page states (None when it
    states none: never guessed); `accessed` is when it was read."""

    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    published: dt.date | None
    accessed: dt.date

    @model_validator(mode="after")
    def _order(self) -> Source:
        if self.published is not None and self.published > self.accessed:
            raise ValueError("published must not be after accessed")
        return self


class Referenced(Strict):
    """Anything that carries a basis and sources."""

    description: Text
    basis: Basis
    note: str | None = None
    # When the value was last confirmed against its sources.
    checked: dt.date
    # For a derived figure: the dotted paths of the book's figures it is computed from.
    derived_from: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]+$")]] = Field(
        [], max_length=MAX_ITEMS
    )
    sources: list[Source] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _note_explains(self) -> Referenced:
        if self.basis in ("derived", "assumption") and not (self.note and self.note.strip()):
            raise ValueError(f"basis '{self.basis}' needs a note with the arithmetic or the reason")
        return self


class Figure(Referenced):
    """One number with its range: low <= typical <= high, or a single value."""

    unit: Annotated[str, StringConstraints(strip_whitespace=True)]
    low: Number | None = None
    typical: Number | None = None
    high: Number | None = None
    value: Number | None = None

    @field_validator("low", "typical", "high", "value", mode="before")
    @classmethod
    def _no_float(cls, v: Any) -> Any:
        # A YAML float (590.1) has already lost exactness; money must be written as a
        # string or an integer. bool is an int subclass, so refuse it explicitly.
        if isinstance(v, bool):
            raise ValueError("must be a number, not true/false")
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                raise ValueError("must be a finite number")
            raise ValueError(f'write decimals as quoted strings, e.g. "{v}"')
        return v

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        if v not in UNITS:
            raise ValueError(f"unit '{v}' is not one of: {', '.join(sorted(UNITS))}")
        return v

    @model_validator(mode="after")
    def _shape(self) -> Figure:
        triple = (self.low, self.typical, self.high)
        if self.value is not None:
            if any(x is not None for x in triple):
                raise ValueError("give either value or low/typical/high, not both")
            nums = [self.value]
        else:
            if any(x is None for x in triple):
                raise ValueError("needs low, typical and high (or a single value)")
            lo, ty, hi = triple
            assert lo is not None and ty is not None and hi is not None
            if not lo <= ty <= hi:
                raise ValueError(f"must have low <= typical <= high (got {lo}, {ty}, {hi})")
            nums = [lo, ty, hi]
        for n in nums:
            if n < 0:
                raise ValueError("must be >= 0")
            if n > MAX_FIGURE:
                raise ValueError(f"must be at most {MAX_FIGURE:,} (got {n:.3g})")
            if self.unit in PERCENT_UNITS and n > 100:
                raise ValueError("a percentage must be between 0 and 100")
            if self.unit in WHOLE_UNITS and n != n.to_integral_value():
                raise ValueError(f"{self.unit} must be a whole number")
            top = UNIT_MAX.get(self.unit)
            if top is not None and n > top:
                raise ValueError(f"{self.unit} must be at most {top} (got {n:.3g})")
        return self


class Flag(Referenced):
    """A yes/no fact, e.g. whether a payer usually covers a treatment."""

    value: bool


class Phase(Strict):
    """One phase of a protocol.

    A *series* phase has a session count spread evenly over a span of weeks; a
    *recurring* phase repeats every `interval_weeks` until the horizon ends."""

    id: Id
    label: Text
    sessions: Figure | None = None
    span_weeks: Figure | None = None
    interval_weeks: Figure | None = None
    first_after_interval: bool = False
    # A series that belongs to maintenance (Spravato weeks 5-8): --no-maintenance drops it.
    maintenance: bool = False

    @model_validator(mode="after")
    def _kind(self) -> Phase:
        series = self.sessions is not None or self.span_weeks is not None
        if series and self.interval_weeks is not None:
            raise ValueError("a phase has either sessions + span_weeks or interval_weeks")
        if series and (self.sessions is None or self.span_weeks is None):
            raise ValueError("a series phase needs both sessions and span_weeks")
        if not series and self.interval_weeks is None:
            raise ValueError("a phase needs sessions + span_weeks or interval_weeks")
        for name in ("sessions", "span_weeks", "interval_weeks"):
            fig: Figure | None = getattr(self, name)
            if fig is None:
                continue
            expected = "sessions" if name == "sessions" else "weeks"
            if fig.unit != expected:
                raise ValueError(f"{name} must have unit '{expected}' (got '{fig.unit}')")
            if name != "sessions" and pick(fig, "low") < 1:
                raise ValueError(f"{name} must be at least 1 week")
        return self


class Practical(Strict):
    visit_minutes: Figure
    observation_minutes: Figure
    needs_ride: Flag


class EsketamineDrug(Strict):
    """Spravato is priced per 28 mg device; a dose is 2 (56 mg) or 3 (84 mg) devices."""

    device_price: Figure
    devices_per_dose: dict[Literal[56, 84], Figure]
    dose_mg: Figure
    first_session_dose_mg: Figure

    @model_validator(mode="after")
    def _doses(self) -> EsketamineDrug:
        if set(self.devices_per_dose) != {56, 84}:
            raise ValueError("devices_per_dose needs entries for 56 and 84")
        for case in CASES:
            if int(pick(self.dose_mg, case)) not in (56, 84):
                raise ValueError("dose_mg values must be 56 or 84")
        return self


class Treatment(Strict):
    name: Text
    aliases: list[Id] = Field([], max_length=MAX_ITEMS)
    setting: Text
    summary: Text
    session_label: Text = "session"
    session_items: dict[Id, Figure] = Field(min_length=1, max_length=MAX_ITEMS)
    consult_fee: Figure
    phases: list[Phase] = Field(min_length=1, max_length=MAX_PHASES)
    practical: Practical
    coverage: dict[Payer, Flag]
    drug: EsketamineDrug | None = None
    service_codes: list[ServiceCode] = Field([], max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _check(self) -> Treatment:
        missing = [p for p in PAYERS if p != "none" and p not in self.coverage]
        if missing:
            raise ValueError(f"coverage is missing payer(s): {', '.join(missing)}")
        if self.phases[0].interval_weeks is not None:
            raise ValueError("the first phase must be a series (sessions + span_weeks)")
        ids = [p.id for p in self.phases]
        if len(set(ids)) != len(ids):
            raise ValueError("phase ids must be unique")
        return self


class Discount(Strict):
    name: Text
    how: Text
    applies_to: list[TreatmentId] = Field(min_length=1, max_length=MAX_ITEMS)
    phases: list[Id] | None = Field(None, max_length=MAX_PHASES)  # None: every phase
    percent_off: Figure

    @model_validator(mode="after")
    def _unit(self) -> Discount:
        if self.percent_off.unit != "percent":
            raise ValueError("percent_off must have unit 'percent'")
        return self


class FinancialHelp(Strict):
    """A way to get help paying (a grant, a sliding scale, a free-medicine program) that
    is not a fixed percentage off: the tip names it and shows what it can be worth."""

    name: Text
    how: Text
    applies_to: list[TreatmentId] = Field(min_length=1, max_length=MAX_ITEMS)
    # What one award is worth, in USD; None: the program covers the drug itself.
    award: Figure | None = None
    covers_drug: bool = False
    evidence: Referenced  # the pages that show the program exists and what it gives

    @model_validator(mode="after")
    def _worth(self) -> FinancialHelp:
        if (self.award is None) == (not self.covers_drug):
            raise ValueError("give either award (USD) or covers_drug: true")
        if self.award is not None and not self.award.unit.startswith("USD"):
            raise ValueError("award must have a USD unit")
        return self


class PlanTemplate(Referenced):
    """A typical plan a counselor can start a plan file from, with where it comes from."""

    plan: PlanFile


class TypicalPlan(Strict):
    """The commercial plan assumed where the user gives no plan figures."""

    description: Text
    deductible: Figure
    coinsurance: Figure
    copay: Figure
    oop_max: Figure


class Rvus(Strict):
    """A fee-schedule code's relative value units, one Figure per component."""

    work: Figure
    pe: Figure
    mp: Figure


class Locality(Strict):
    """One Medicare payment locality and its cost indices (CMS Addendum E)."""

    mac: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    locality: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
    name: Text
    work: Number
    pe: Number
    mp: Number

    @field_validator("work", "pe", "mp", mode="before")
    @classmethod
    def _no_float(cls, v: Any) -> Any:
        if isinstance(v, (float, bool)):
            raise ValueError('write an index as a quoted string, e.g. "1.000"')
        return v


class GpciTable(Referenced):
    """The year's geographic practice cost indices: one sourced node for the whole table."""

    year: int = Field(ge=2000, le=2100)
    localities: list[Locality] = Field(min_length=1, max_length=MAX_ENTRIES)


class Medicare(Strict):
    part_b_deductible: Figure
    part_b_coinsurance: Figure
    # Optional parts that let a rate follow the patient's locality (--state).
    conversion_factor: Figure | None = None
    g2082_rvus: Rvus | None = None
    g2083_rvus: Rvus | None = None
    g2082_rate: Figure
    g2083_rate: Figure
    gpci: GpciTable | None = None


class MedicareAdvantage(Strict):
    """A typical Medicare Advantage plan's in-network cost sharing."""

    description: Text
    deductible: Figure
    coinsurance: Figure  # for a Part B drug visit: at most Original Medicare's 20%
    oop_max: Figure  # the year's CMS limit on in-network out-of-pocket costs


class AssistanceProgram(Strict):
    name: Text
    eligible_payers: list[Payer] = Field(min_length=1, max_length=MAX_ITEMS)
    per_treatment_floor: Figure
    annual_cap: Figure


class OutOfNetwork(Strict):
    """What a typical PPO pays out of network, where the patient files a superbill."""

    description: Text
    deductible: Figure
    coinsurance: Figure
    oop_max: Figure
    allowed_percent: Figure  # the plan's allowed amount as a share of the clinic's charge


class Medicaid(Strict):
    """Medicaid varies by state; these are the federal bounds the tool can honestly use."""

    description: Text
    copay: Figure


class ObservationRebate(Strict):
    """A rebate of the patient's cost share for observation, where the state allows."""

    name: Text
    excluded_states: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = Field(
        [], max_length=MAX_ENTRIES
    )
    patient_floor: Figure


class Insurance(Strict):
    typical_plan: TypicalPlan
    out_of_network: OutOfNetwork | None = None
    medicare: Medicare
    medicaid: Medicaid | None = None
    medicare_advantage: MedicareAdvantage | None = None
    # What copay accumulators are and where state law limits them (for the tip).
    copay_accumulators: Referenced | None = None
    spravato_savings: AssistanceProgram
    spravato_observation_rebate: ObservationRebate | None = None


class Tax(Strict):
    """Pre-tax accounts: the year's limits and the payroll-tax rate a cafeteria plan saves."""

    year: int = Field(ge=2000, le=2100)
    hsa_limit_self: Figure
    hsa_limit_family: Figure
    # An HSA needs a high-deductible plan: its deductible at least these (None: unchecked).
    hdhp_min_deductible_self: Figure | None = None
    hdhp_min_deductible_family: Figure | None = None
    hdhp_max_oop_self: Figure | None = None
    hdhp_max_oop_family: Figure | None = None
    fsa_limit: Figure
    fica_rate: Figure
    default_tax_rate: Figure


class FinancePreset(Strict):
    name: Text
    kind: Literal["deferred", "amortized"]
    how: Text
    months: Figure
    apr: Figure  # for a deferred promo: the rate charged back if not paid in time
    min_payment: Figure | None = None
    min_purchase: Figure | None = None


class Indirect(Strict):
    """Costs around each visit, kept apart from the medical total."""

    ride_round_trip: Figure  # a rideshare or taxi home and back
    travel_round_trip_miles: Figure
    mileage_rate: Figure  # USD per mile
    hours_off_per_visit: dict[TreatmentId, Figure]


class ServiceCode(Referenced):
    """A billing code expected on a claim or a Good Faith Estimate."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,6}$")]
    applies_to: Literal["session", "consult", "drug"]


# ----------------------------------------------------------------- billing codes (GFE)
# The `billing` block: codes with descriptors and the dates they are billable, ICD-10-CM
# descriptors for the diagnoses a GFE names, and how each treatment is coded. Its nodes
# carry sources in the {title, url, published, accessed} shape and a `checked` date.

CodeId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{5}$")]
IcdCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
CodeKind = Literal["evaluation", "procedure", "drug", "bundle", "prolonged"]


class DatedSource(Strict):
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    published: dt.date | None
    accessed: dt.date


class Checked(Strict):
    """A billing node: its basis, a note where needed, sources and when it was checked."""

    basis: Basis
    note: str | None = None
    checked: dt.date
    sources: list[DatedSource] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _note_explains(self) -> Checked:
        if self.basis in ("derived", "assumption") and not (self.note and self.note.strip()):
            raise ValueError(f"basis '{self.basis}' needs a note with the arithmetic or the reason")
        return self


class BillingCode(Checked):
    system: Literal["CPT", "HCPCS"]
    kind: CodeKind
    descriptor: Text
    unit: Text
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None  # the last day it is billable

    @model_validator(mode="after")
    def _window(self) -> BillingCode:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class Diagnosis(Checked):
    descriptor: Text


class CodeUse(Strict):
    """One code on a session or intake: how many units, and for which doses."""

    code: CodeId
    units: Annotated[int, Field(ge=1, le=999)] | Literal["dose_mg"] = 1
    min_mg: Annotated[int, Field(ge=1)] | None = None
    max_mg: Annotated[int, Field(ge=1)] | None = None
    before: CodeId | None = None  # the code billed instead on days before `code` is billable


class TreatmentCoding(Checked):
    """A treatment's intake and session codes. A treatment with two ways of coding a
    session (Spravato: bundled G-code, or drug + visit + observation) names them
    `bundled` and `itemized` and says which one it `use`s."""

    intake: list[CodeUse] = Field(min_length=1, max_length=MAX_ITEMS)
    session: list[CodeUse] | None = Field(None, max_length=MAX_ITEMS)
    use: Literal["bundled", "itemized"] | None = None
    bundled: list[CodeUse] | None = Field(None, max_length=MAX_ITEMS)
    itemized: list[CodeUse] | None = Field(None, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _one_way(self) -> TreatmentCoding:
        if self.use is None:
            if self.session is None:
                raise ValueError("give session codes, or use: bundled|itemized with that list")
        elif getattr(self, self.use) is None:
            raise ValueError(f"use: {self.use} needs a '{self.use}' list of codes")
        return self


class Billing(Strict):
    codes: dict[CodeId, BillingCode] = Field(max_length=MAX_ENTRIES)
    diagnoses: dict[IcdCode, Diagnosis] = Field({}, max_length=MAX_ENTRIES)
    coding: dict[TreatmentId, TreatmentCoding] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Billing:
        for tid, coding in self.coding.items():
            lists = [("intake", coding.intake), ("session", coding.session)]
            lists += [("bundled", coding.bundled), ("itemized", coding.itemized)]
            for name, uses in lists:
                for use in uses or []:
                    for code in (use.code, use.before):
                        if code is not None and code not in self.codes:
                            raise ValueError(
                                f"coding.{tid}.{name}: code {code} is not in billing.codes"
                            )
            for name, uses in lists[1:]:
                for dose in (None, 56, 84):
                    problem = double_coding(self.codes, uses or [], dose)
                    if problem:
                        raise ValueError(f"coding.{tid}.{name}: {problem}")
        return self


class PriceBook(Strict):
    title: Text
    currency: Literal["USD"]
    region: Text
    as_of: dt.date
    notes: list[Text] = Field([], max_length=MAX_ENTRIES)
    treatments: dict[TreatmentId, Treatment]
    discounts: dict[Id, Discount] = Field({}, max_length=MAX_ENTRIES)
    financial_help: dict[Id, FinancialHelp] = Field({}, max_length=MAX_ENTRIES)
    plan_templates: dict[Id, PlanTemplate] = Field({}, max_length=MAX_ENTRIES)
    insurance: Insurance
    tax: Tax | None = None
    financing: dict[Id, FinancePreset] = Field({}, max_length=MAX_ENTRIES)
    indirect: Indirect | None = None
    billing: Billing | None = None  # billing codes for the Good Faith Estimate
    # Set by the loader for a clinic book that `extends: national`: the paths it overrode.
    overridden: list[str] = []

    @model_validator(mode="after")
    def _cross(self) -> PriceBook:
        missing = [t for t in TREATMENT_IDS if t not in self.treatments]
        if missing:
            raise ValueError(f"treatments is missing: {', '.join(missing)}")
        if self.treatments["spravato"].drug is None:
            raise ValueError("treatments.spravato needs a drug section")
        seen: dict[str, str] = {}
        for tid, t in self.treatments.items():
            for name in (tid, *t.aliases):
                if name in seen and seen[name] != tid:
                    raise ValueError(f"alias '{name}' is used by both {seen[name]} and {tid}")
                seen[name] = tid
        for did, d in self.discounts.items():
            for tid in d.applies_to:
                known = {p.id for p in self.treatments[tid].phases}
                bad = [p for p in d.phases or [] if p not in known]
                if bad:
                    raise ValueError(
                        f"discounts.{did}.phases: {', '.join(bad)} is not a phase of {tid}"
                    )
        return self
