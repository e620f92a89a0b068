"""The price book: pydantic models for data/pricing.yaml and its strict loader.

Every number the tool uses comes from a `Figure` here, and every Figure carries its
unit, its basis and its sources, so a reader finds where a number comes from in one hop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ketacost.book.files import bundled_path, read_book_text
from ketacost.errors import PriceBookError
from ketacost.planfile import PlanFile

Case = Literal["low", "typical", "high"]
CASES: tuple[Case, Case, Case] = ("low", "typical", "high")
Basis = Literal["sourced", "derived", "assumption"]
Payer = Literal["none", "commercial", "medicare", "medicaid"]
PAYERS: tuple[Payer, ...] = ("none", "commercial", "medicare", "medicaid")
TreatmentId = Literal["iv", "im", "kap", "spravato", "oral", "nasal"]
TREATMENT_IDS: tuple[str, ...] = ("iv", "im", "kap", "spravato", "oral", "nasal")

# Refuse absurd files before YAML sees them: the bundled book is a few dozen KiB.
CENT = Decimal("0.01")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$")]
# Money and counts are exact decimals; YAML floats are refused (see _no_float).
Number = Annotated[Decimal, Field(allow_inf_nan=False)]

# No price, count or rate in this domain comes near a billion; beyond it is a typo or an
# attack (a 10**400 would also make the arithmetic crawl).
MAX_FIGURE = Decimal(1_000_000_000)
# The units a figure may have: a fixed list, so a typo ("USD/sesion") is caught.
UNITS = frozenset(
    {
        "USD",
        "USD/device",
        "USD/mile",
        "USD/month",
        "USD/session",
        "USD/treatment",
        "USD/trip",
        "USD/year",
        "USD/RVU",
        "RVU",
        "devices",
        "hours",
        "mg",
        "miles",
        "minutes",
        "months",
        "percent",
        "sessions",
        "weeks",
    }
)
# Units whose figures are percentages and must lie in [0, 100].
PERCENT_UNITS = frozenset({"percent"})
# Units whose figures must be whole numbers.
WHOLE_UNITS = frozenset({"sessions", "devices", "weeks", "mg", "minutes", "months"})
# The most a count or a span may be, by unit: what `estimate` can lay out at once and a
# real protocol never exceeds. A book that passes `validate` must estimate quickly, so
# 1,000,000 sessions or a 1e9-week span is refused here, not found out there (issue 15).
UNIT_MAX = {
    "sessions": Decimal(100),  # as --sessions allows
    "weeks": Decimal(261),  # 60 months, the longest horizon
    "devices": Decimal(10),
    "mg": Decimal(1000),
    "minutes": Decimal(24 * 60),
    "hours": Decimal(24),
    "months": Decimal(600),  # the longest payment plan `finance` takes
}
# How many entries a list or a table in a book may have: far more than any real book.
MAX_PHASES = 10
MAX_ITEMS = 50
MAX_ENTRIES = 200


class Strict(BaseModel):
    # defer_build: a book read from the cache is rebuilt with model_construct, never
    # validated, so the validators need not be built at start-up (that alone cost ~20 ms).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    """A page a figure rests on. `published` is the date the page states (None when it
    states none: never guessed); `accessed` is when it was read."""

    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    published: dt.date | None
    accessed: dt.date

    @property
    def when(self) -> str:
        """The page's date as a reader wants it: its publication date, else when it
        was read."""
        if self.published is not None:
            return self.published.isoformat()
        return f"no date; read {self.accessed.isoformat()}"

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

    @property
    def newest_published(self) -> dt.date | None:
        dates = [s.published for s in self.sources if s.published is not None]
        return max(dates) if dates else None

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

    def get(self, case: Case) -> Decimal:
        if self.value is not None:
            return self.value
        v: Decimal | None = getattr(self, case)
        assert v is not None  # guaranteed by _shape
        return v

    def cost_pick(self, case: Case, *, cheaper_when_larger: bool = False) -> Decimal:
        """The value that belongs in the cheap/typical/dear scenario.

        For a price or a count the low value is the cheap one. For a gap between
        sessions or a discount the high value is (fewer sessions, more off)."""
        if cheaper_when_larger and case != "typical":
            return self.get("high" if case == "low" else "low")
        return self.get(case)

    @property
    def is_range(self) -> bool:
        return self.value is None


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
            if name != "sessions" and fig.get("low") < 1:
                raise ValueError(f"{name} must be at least 1 week")
        return self

    @property
    def recurring(self) -> bool:
        return self.interval_weeks is not None

    @property
    def is_maintenance(self) -> bool:
        return self.recurring or self.maintenance


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
            if int(self.dose_mg.get(case)) not in (56, 84):
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

    def coverage_for(self, payer: str) -> Flag:
        """Whether `payer` usually covers this treatment. A Medicare Advantage plan must
        cover what Original Medicare covers, so it takes Medicare's entry."""
        key = "medicare" if payer == "medicare-advantage" else payer
        return self.coverage[key]  # type: ignore[index]

    @property
    def at_home(self) -> bool:
        """Taken at home: sessions keep their dates (clinic visits move to business days)."""
        return "home" in self.setting.lower()

    def items_price(self, case: Case) -> Decimal:
        """The session items (for Spravato, administration and observation) in a case."""
        return sum((item.cost_pick(case) for item in self.session_items.values()), Decimal(0))

    def drug_price(self, case: Case, dose_mg: int | None) -> Decimal:
        """Spravato's drug for one treatment: devices for the dose x price per device.
        `dose_mg` None takes the book's dose for the case."""
        if self.drug is None:
            return Decimal(0)
        mg = dose_mg if dose_mg is not None else int(self.drug.dose_mg.cost_pick(case))
        devices = self.drug.devices_per_dose[mg].get(case)  # type: ignore[index]
        return devices * self.drug.device_price.cost_pick(case)

    @model_validator(mode="after")
    def _check(self) -> Treatment:
        missing = [p for p in PAYERS if p != "none" and p not in self.coverage]
        if missing:
            raise ValueError(f"coverage is missing payer(s): {', '.join(missing)}")
        if self.phases[0].recurring:
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

    def billable_on(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


class Diagnosis(Checked):
    descriptor: Text


class CodeUse(Strict):
    """One code on a session or intake: how many units, and for which doses."""

    code: CodeId
    units: Annotated[int, Field(ge=1, le=999)] | Literal["dose_mg"] = 1
    min_mg: Annotated[int, Field(ge=1)] | None = None
    max_mg: Annotated[int, Field(ge=1)] | None = None
    before: CodeId | None = None  # the code billed instead on days before `code` is billable

    def fits(self, dose_mg: int | None) -> bool:
        if dose_mg is None:
            return self.min_mg is None and self.max_mg is None
        if self.min_mg is not None and dose_mg < self.min_mg:
            return False
        return self.max_mg is None or dose_mg <= self.max_mg


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

    @property
    def scheme(self) -> str:
        return self.use or "session"

    def session_codes(self) -> list[CodeUse]:
        chosen = self.session if self.use is None else getattr(self, self.use)
        return list(chosen or [])


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
                    problem = self.double_coding(uses or [], dose)
                    if problem:
                        raise ValueError(f"coding.{tid}.{name}: {problem}")
        return self

    def double_coding(self, uses: list[CodeUse], dose: int | None) -> str | None:
        """Why a session's codes would bill a service twice, or None."""
        kinds = [self.codes[u.code].kind for u in uses if u.fits(dose) and u.code in self.codes]
        at = f" at {dose} mg" if dose else ""
        if kinds.count("bundle") > 1:
            return f"two bundled codes{at} for one session"
        if "bundle" in kinds and ("drug" in kinds or "prolonged" in kinds):
            return (
                f"a bundled code{at} already includes the drug and the observation; "
                "do not add a drug or prolonged-service code"
            )
        return None


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

    def __repr__(self) -> str:  # the full book is far too long for a log or a test report
        return f"PriceBook(title={self.title!r}, as_of={self.as_of})"

    def age_days(self, today: dt.date) -> int:
        return (today - self.as_of).days


# --------------------------------------------------------------------------- loading


def load(path: str | Path | None = None, *, all_errors: bool = False) -> PriceBook:
    """Read, parse and validate a price book. Raises PriceBookError with file and field.

    A clinic book may say `extends: national` and give only what differs (its own
    prices and fees); the rest comes from the bundled national book."""
    p = Path(path) if path is not None else bundled_path()
    text = read_book_text(p)
    key = None if all_errors else _cache_key(text)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    from ketacost.book.yamlsafe import parse  # local: only loading needs YAML

    data = parse(text, str(p))
    if isinstance(data, dict) and "extends" in data:
        from ketacost.book.clinic import extend

        data = extend(data, str(p), parse(read_book_text(bundled_path()), "the national book"))
    book = validate(data, str(p), limit=None if all_errors else 5)
    _cache_put(key, book)
    return book


# A validated book is cached as plain JSON (bookcache.py: never a pickle), keyed by a
# hash of its text, the national book's text and this module's source, so an edit to
# any of them misses the cache.


def _cache_key(text: str) -> str:
    import hashlib

    from ketacost import __version__

    h = hashlib.sha256()
    for part in (
        text.encode("utf-8"),
        bundled_path().read_bytes(),
        Path(__file__).read_bytes(),
        __version__.encode(),
    ):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()[:32]


def _cache_get(key: str | None) -> PriceBook | None:
    from ketacost.book import cache as bookcache

    book = bookcache.get(key)
    return book if isinstance(book, PriceBook) else None


def _cache_put(key: str | None, book: PriceBook) -> None:
    from ketacost.book import cache as bookcache

    bookcache.put(key, book)


def validate(data: Any, where: str, limit: int | None = 5) -> PriceBook:
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PriceBookError(f"{where}: the price book must be a mapping, but it is {kind}")
    try:
        return PriceBook.model_validate(data)
    except ValidationError as exc:
        raise PriceBookError(_describe(exc, where, limit)) from None


def _describe(exc: ValidationError, where: str, limit: int | None = 5) -> str:
    lines = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(part) for part in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the price book format)"
        lines.append(f"{where}: {loc}: {msg}")
    more = exc.error_count() - (limit if limit is not None else exc.error_count())
    if more > 0:
        lines.append(f"{where}: ... and {more} more problem(s)")
    return "\n".join(lines)


def resolve_treatment(book: PriceBook, name: str) -> str:
    """Map an id or alias (any case) to a treatment id, or suggest close ones."""
    key = name.strip().lower()
    for tid, t in book.treatments.items():
        if key == tid or key in t.aliases:
            return tid
    import difflib

    names = [n for tid, t in book.treatments.items() for n in (tid, *t.aliases)]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    from ketacost.errors import InputError

    raise InputError(
        f"unknown treatment '{name}'. Choose one of: {', '.join(book.treatments)}.{hint}",
        param="TREATMENT",
    )


Node = Figure | Flag | ServiceCode | GpciTable


def spravato_all_in(book: PriceBook, mg: int) -> dict[Case, Decimal]:
    """One Spravato treatment at `mg`, all in (drug + administration and observation),
    in each case: what `prices` shows so nobody has to add it up."""
    t = book.treatments["spravato"]
    return {
        c: (t.items_price(c) + t.drug_price(c, mg)).quantize(CENT, ROUND_HALF_UP) for c in CASES
    }


def iter_figures(book: PriceBook) -> Iterator[tuple[str, Node]]:
    """Every sourced node (figure, yes/no fact, billing code) with its dotted path."""

    def walk(node: Any, path: str) -> Iterator[tuple[str, Node]]:
        if isinstance(node, (Figure, Flag, ServiceCode, GpciTable)):
            yield path, node
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                yield from walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                key = getattr(value, "id", None) or getattr(value, "code", None) or i
                yield from walk(value, f"{path}.{key}")

    yield from walk(book, "")
