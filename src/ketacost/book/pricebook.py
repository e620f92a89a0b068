"""The price book: plain records of data/pricing.yaml, and its strict loader.

Every number the tool uses comes from a `Figure` here, and every Figure carries its
unit, its basis and its sources, so a reader finds where a number comes from in one hop.

The records are plain read-only classes, not pydantic models: a run that reads its book
from the cache (book/cache.py) never imports pydantic's model machinery, which cost more
than the rest of an estimate's start-up. A book from YAML is validated by the pydantic
models of book/schema.py (same class names, so the same messages) and turned into these
records; `validate` and `load` only ever return records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ketacost.book.files import bundled_path, read_book_text
from ketacost.errors import PriceBookError

if TYPE_CHECKING:
    from pydantic import ValidationError

Case = Literal["low", "typical", "high"]
CASES: tuple[Case, Case, Case] = ("low", "typical", "high")
Basis = Literal["sourced", "derived", "assumption"]
Payer = Literal["none", "commercial", "medicare", "medicaid"]
PAYERS: tuple[Payer, ...] = ("none", "commercial", "medicare", "medicaid")
TreatmentId = Literal["iv", "im", "kap", "spravato", "oral", "nasal"]
TREATMENT_IDS: tuple[str, ...] = ("iv", "im", "kap", "spravato", "oral", "nasal")

# Refuse absurd files before YAML sees them: the bundled book is a few dozen KiB.
CENT = Decimal("0.01")

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


# ------------------------------------------------------------ rules records and schema share
# The schema's validators and the records answer these the same way, so they live here
# once (schema.py imports them; this module never imports schema.py at start-up).


def pick(fig: Any, case: Case) -> Decimal:
    """A figure's value in a case: its single value, or its low/typical/high."""
    if fig.value is not None:
        value: Decimal = fig.value
        return value
    v: Decimal | None = getattr(fig, case)
    assert v is not None  # guaranteed by the schema's Figure._shape
    return v


def fits(use: Any, dose_mg: int | None) -> bool:
    """Whether a code use (CodeUse) applies to a session at `dose_mg`."""
    if dose_mg is None:
        return use.min_mg is None and use.max_mg is None
    if use.min_mg is not None and dose_mg < use.min_mg:
        return False
    return use.max_mg is None or dose_mg <= use.max_mg


def double_coding(codes: Mapping[str, Any], uses: list[Any], dose: int | None) -> str | None:
    """Why a session's codes would bill a service twice, or None."""
    kinds = [codes[u.code].kind for u in uses if fits(u, dose) and u.code in codes]
    at = f" at {dose} mg" if dose else ""
    if kinds.count("bundle") > 1:
        return f"two bundled codes{at} for one session"
    if "bundle" in kinds and ("drug" in kinds or "prolonged" in kinds):
        return (
            f"a bundled code{at} already includes the drug and the observation; "
            "do not add a drug or prolonged-service code"
        )
    return None


# ---------------------------------------------------------------------------- records


class _RecordType(type):
    """Gives each record class `__slots__` for the fields it annotates, and `_fields`:
    every field, its bases' first, in the schema's order."""

    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> _RecordType:
        own = tuple(f for f in ns.get("__annotations__", {}) if not f.startswith("_"))
        ns["__slots__"] = own
        cls = super().__new__(mcs, name, bases, ns)
        inherited = tuple(f for base in bases for f in getattr(base, "_fields", ()))
        cls._fields = inherited + own  # type: ignore[attr-defined]
        return cls


def _rebuild(cls: type[Record], values: tuple[Any, ...]) -> Any:
    return cls._make(dict(zip(cls._fields, values, strict=True)))


class Record(metaclass=_RecordType):
    """A validated node of a price book: read-only, equal by value, cheap to build."""

    _fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **fields: Any) -> None:
        if set(fields) != set(self._fields):
            raise TypeError(f"{type(self).__name__} takes exactly: {', '.join(self._fields)}")
        for name in self._fields:
            object.__setattr__(self, name, fields[name])

    @classmethod
    def _make(cls, fields: dict[str, Any]) -> Any:
        """A record from every field's value, with no checks: for values that passed
        the schema (or the cache entry that holds them)."""
        obj = object.__new__(cls)
        setter = object.__setattr__
        for name, value in fields.items():
            setter(obj, name, value)
        return obj

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self._values()))


class Source(Record):
    """A page a figure rests on. `published` is the date the page states (None when it
    states none: never guessed); `accessed` is when it was read."""

    title: str
    url: str
    published: dt.date | None
    accessed: dt.date

    @property
    def when(self) -> str:
        """The page's date as a reader wants it: its publication date, else when it
        was read."""
        if self.published is not None:
            return self.published.isoformat()
        return f"no date; read {self.accessed.isoformat()}"


class Referenced(Record):
    """Anything that carries a basis and sources."""

    description: str
    basis: Basis
    note: str | None
    # When the value was last confirmed against its sources.
    checked: dt.date
    # For a derived figure: the dotted paths of the book's figures it is computed from.
    derived_from: list[str]
    sources: list[Source]

    @property
    def newest_published(self) -> dt.date | None:
        dates = [s.published for s in self.sources if s.published is not None]
        return max(dates) if dates else None


class Figure(Referenced):
    """One number with its range: low <= typical <= high, or a single value."""

    unit: str
    low: Decimal | None
    typical: Decimal | None
    high: Decimal | None
    value: Decimal | None

    def get(self, case: Case) -> Decimal:
        return pick(self, case)

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


class Phase(Record):
    """One phase of a protocol.

    A *series* phase has a session count spread evenly over a span of weeks; a
    *recurring* phase repeats every `interval_weeks` until the horizon ends."""

    id: str
    label: str
    sessions: Figure | None
    span_weeks: Figure | None
    interval_weeks: Figure | None
    first_after_interval: bool
    # A series that belongs to maintenance (Spravato weeks 5-8): --no-maintenance drops it.
    maintenance: bool

    @property
    def recurring(self) -> bool:
        return self.interval_weeks is not None

    @property
    def is_maintenance(self) -> bool:
        return self.recurring or self.maintenance


class Practical(Record):
    visit_minutes: Figure
    observation_minutes: Figure
    needs_ride: Flag


class EsketamineDrug(Record):
    """Spravato is priced per 28 mg device; a dose is 2 (56 mg) or 3 (84 mg) devices."""

    device_price: Figure
    devices_per_dose: dict[Literal[56, 84], Figure]
    dose_mg: Figure
    first_session_dose_mg: Figure


class Treatment(Record):
    name: str
    aliases: list[str]
    setting: str
    summary: str
    session_label: str
    session_items: dict[str, Figure]
    consult_fee: Figure
    phases: list[Phase]
    practical: Practical
    coverage: dict[Payer, Flag]
    drug: EsketamineDrug | None
    service_codes: list[ServiceCode]

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


class Discount(Record):
    name: str
    how: str
    applies_to: list[TreatmentId]
    phases: list[str] | None  # None: every phase
    percent_off: Figure


class FinancialHelp(Record):
    """A way to get help paying (a grant, a sliding scale, a free-medicine program) that
    is not a fixed percentage off: the tip names it and shows what it can be worth."""

    name: str
    how: str
    applies_to: list[TreatmentId]
    # What one award is worth, in USD; None: the program covers the drug itself.
    award: Figure | None
    covers_drug: bool
    evidence: Referenced  # the pages that show the program exists and what it gives


class PlanTemplate(Referenced):
    """A typical plan a counselor can start a plan file from, with where it comes from."""

    # The plan file's fields as the book gives them; `planfile.template_from_book`
    # validates them into a PlanFile when a counselor asks for the template.
    plan: dict[str, Any]


class TypicalPlan(Record):
    """The commercial plan assumed where the user gives no plan figures."""

    description: str
    deductible: Figure
    coinsurance: Figure
    copay: Figure
    oop_max: Figure


class Rvus(Record):
    """A fee-schedule code's relative value units, one Figure per component."""

    work: Figure
    pe: Figure
    mp: Figure


class Locality(Record):
    """One Medicare payment locality and its cost indices (CMS Addendum E)."""

    mac: str
    state: str
    locality: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal


class GpciTable(Referenced):
    """The year's geographic practice cost indices: one sourced node for the whole table."""

    year: int
    localities: list[Locality]


class Medicare(Record):
    part_b_deductible: Figure
    part_b_coinsurance: Figure
    # Optional parts that let a rate follow the patient's locality (--state).
    conversion_factor: Figure | None
    g2082_rvus: Rvus | None
    g2083_rvus: Rvus | None
    g2082_rate: Figure
    g2083_rate: Figure
    gpci: GpciTable | None


class MedicareAdvantage(Record):
    """A typical Medicare Advantage plan's in-network cost sharing."""

    description: str
    deductible: Figure
    coinsurance: Figure  # for a Part B drug visit: at most Original Medicare's 20%
    oop_max: Figure  # the year's CMS limit on in-network out-of-pocket costs


class AssistanceProgram(Record):
    name: str
    eligible_payers: list[Payer]
    per_treatment_floor: Figure
    annual_cap: Figure


class OutOfNetwork(Record):
    """What a typical PPO pays out of network, where the patient files a superbill."""

    description: str
    deductible: Figure
    coinsurance: Figure
    oop_max: Figure
    allowed_percent: Figure  # the plan's allowed amount as a share of the clinic's charge


class Medicaid(Record):
    """Medicaid varies by state; these are the federal bounds the tool can honestly use."""

    description: str
    copay: Figure


class ObservationRebate(Record):
    """A rebate of the patient's cost share for observation, where the state allows."""

    name: str
    excluded_states: list[str]
    patient_floor: Figure


class Insurance(Record):
    typical_plan: TypicalPlan
    out_of_network: OutOfNetwork | None
    medicare: Medicare
    medicaid: Medicaid | None
    medicare_advantage: MedicareAdvantage | None
    # What copay accumulators are and where state law limits them (for the tip).
    copay_accumulators: Referenced | None
    spravato_savings: AssistanceProgram
    spravato_observation_rebate: ObservationRebate | None


class Tax(Record):
    """Pre-tax accounts: the year's limits and the payroll-tax rate a cafeteria plan saves."""

    year: int
    hsa_limit_self: Figure
    hsa_limit_family: Figure
    # An HSA needs a high-deductible plan: its deductible at least these (None: unchecked).
    hdhp_min_deductible_self: Figure | None
    hdhp_min_deductible_family: Figure | None
    hdhp_max_oop_self: Figure | None
    hdhp_max_oop_family: Figure | None
    fsa_limit: Figure
    fica_rate: Figure
    default_tax_rate: Figure


class FinancePreset(Record):
    name: str
    kind: Literal["deferred", "amortized"]
    how: str
    months: Figure
    apr: Figure  # for a deferred promo: the rate charged back if not paid in time
    min_payment: Figure | None
    min_purchase: Figure | None


class Indirect(Record):
    """Costs around each visit, kept apart from the medical total."""

    ride_round_trip: Figure  # a rideshare or taxi home and back
    travel_round_trip_miles: Figure
    mileage_rate: Figure  # USD per mile
    hours_off_per_visit: dict[TreatmentId, Figure]


class ServiceCode(Referenced):
    """A billing code expected on a claim or a Good Faith Estimate."""

    code: str
    applies_to: Literal["session", "consult", "drug"]


# ----------------------------------------------------------------- billing codes (GFE)
# The `billing` block: codes with descriptors and the dates they are billable, ICD-10-CM
# descriptors for the diagnoses a GFE names, and how each treatment is coded. Its nodes
# carry sources in the {title, url, published, accessed} shape and a `checked` date.

CodeKind = Literal["evaluation", "procedure", "drug", "bundle", "prolonged"]


class DatedSource(Record):
    title: str
    url: str
    published: dt.date | None
    accessed: dt.date


class Checked(Record):
    """A billing node: its basis, a note where needed, sources and when it was checked."""

    basis: Basis
    note: str | None
    checked: dt.date
    sources: list[DatedSource]


class BillingCode(Checked):
    system: Literal["CPT", "HCPCS"]
    kind: CodeKind
    descriptor: str
    unit: str
    effective_from: dt.date | None
    effective_to: dt.date | None  # the last day it is billable

    def billable_on(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


class Diagnosis(Checked):
    descriptor: str


class CodeUse(Record):
    """One code on a session or intake: how many units, and for which doses."""

    code: str
    units: int | Literal["dose_mg"]
    min_mg: int | None
    max_mg: int | None
    before: str | None  # the code billed instead on days before `code` is billable

    def fits(self, dose_mg: int | None) -> bool:
        return fits(self, dose_mg)


class TreatmentCoding(Checked):
    """A treatment's intake and session codes. A treatment with two ways of coding a
    session (Spravato: bundled G-code, or drug + visit + observation) names them
    `bundled` and `itemized` and says which one it `use`s."""

    intake: list[CodeUse]
    session: list[CodeUse] | None
    use: Literal["bundled", "itemized"] | None
    bundled: list[CodeUse] | None
    itemized: list[CodeUse] | None

    @property
    def scheme(self) -> str:
        return self.use or "session"

    def session_codes(self) -> list[CodeUse]:
        chosen = self.session if self.use is None else getattr(self, self.use)
        return list(chosen or [])


class Billing(Record):
    codes: dict[str, BillingCode]
    diagnoses: dict[str, Diagnosis]
    coding: dict[TreatmentId, TreatmentCoding]

    def double_coding(self, uses: list[CodeUse], dose: int | None) -> str | None:
        """Why a session's codes would bill a service twice, or None."""
        return double_coding(self.codes, uses, dose)


class PriceBook(Record):
    title: str
    currency: Literal["USD"]
    region: str
    as_of: dt.date
    notes: list[str]
    treatments: dict[TreatmentId, Treatment]
    discounts: dict[str, Discount]
    financial_help: dict[str, FinancialHelp]
    plan_templates: dict[str, PlanTemplate]
    insurance: Insurance
    tax: Tax | None
    financing: dict[str, FinancePreset]
    indirect: Indirect | None
    billing: Billing | None  # billing codes for the Good Faith Estimate
    # Set by the loader for a clinic book that `extends: national`: the paths it overrode.
    overridden: list[str]

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


# A validated book is cached as plain JSON (cache.py: never a pickle), keyed by a hash
# of its text, the national book's text and the source of this module and the schema,
# so an edit to any of them misses the cache.


def _cache_key(text: str) -> str:
    try:
        # hashlib's own blake2b, without loading OpenSSL for hashlib (~2.5 ms a run).
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b

    from ketacost import __version__

    h = blake2b(digest_size=16)
    for part in (
        text.encode("utf-8"),
        bundled_path().read_bytes(),
        Path(__file__).read_bytes(),
        Path(__file__).with_name("schema.py").read_bytes(),
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
    """A book's data checked against the schema (book/schema.py), as records."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PriceBookError(f"{where}: the price book must be a mapping, but it is {kind}")
    from pydantic import ValidationError

    from ketacost.book import schema

    try:
        model = schema.PriceBook.model_validate(data)
    except ValidationError as exc:
        raise PriceBookError(_describe(exc, where, limit)) from None
    book = records_of(model)
    assert isinstance(book, PriceBook)
    return book


def records_of(value: Any) -> Any:
    """A validated schema model as records: each model by the record class of its name,
    a plan file (a plan template's plan) as the fields it was given."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        cls = RECORDS.get(type(value).__name__)
        if cls is None or type(value).__module__ != "ketacost.book.schema":
            return records_of(value.model_dump(exclude_unset=True))
        return cls._make({name: records_of(getattr(value, name)) for name in cls._fields})
    if isinstance(value, dict):
        return {k: records_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [records_of(v) for v in value]
    return value


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

    owner = {n: tid for tid, t in book.treatments.items() for n in (tid, *t.aliases)}
    close = difflib.get_close_matches(key, list(owner), n=3, cutoff=0.5)
    # An alias is shown with the id it stands for ("spravato (esketamine)"): the ids
    # are what the message just listed.
    shown = dict.fromkeys(n if owner[n] == n else f"{owner[n]} ({n})" for n in close)
    hint = f" Did you mean: {', '.join(shown)}?" if close else ""
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
        elif isinstance(node, Record):
            for name in node._fields:
                yield from walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                key = getattr(value, "id", None) or getattr(value, "code", None) or i
                yield from walk(value, f"{path}.{key}")

    yield from walk(book, "")


def _records() -> dict[str, type[Record]]:
    found: dict[str, type[Record]] = {}
    todo: list[type[Record]] = [Record]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    del found["Record"]
    return found


# Every record class by name: what a validated model or a cache entry may become.
RECORDS = _records()
