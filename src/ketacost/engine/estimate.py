"""The estimate: low / typical / high cost per phase and in total, from book + scenario.

Low combines the cheapest plausible value of every figure (fewest sessions, longest
gaps, lowest prices, largest discounts), high the dearest, typical the typical ones.
Each session's price is one line, rounded half-up to cents; totals are sums of lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ketacost.amounts import ZERO, Triple, cents, fmt_money, zero_money
from ketacost.book.pricebook import CASES, Case, Figure, PriceBook, Referenced, Source, Treatment
from ketacost.engine.costshare import Line, adjudicate, coordinate
from ketacost.engine.insurance import Charge, Plan, claims_for, resolve_plan, secondary_terms
from ketacost.engine.schedule import PhaseDates, ScheduleOptions, add_months, counts, expand
from ketacost.i18n import N_, _, fmt_date, language
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.paying.indirect import around_visits
from ketacost.paying.payment import parse_finance_spec, plan_from_options
from ketacost.paying.pretax import ELIGIBILITY, Account, PreTax
from ketacost.paying.pretax import savings as pretax_savings
from ketacost.scenario import Scenario

if TYPE_CHECKING:  # savings builds estimates, so it imports this module, not the reverse
    from ketacost.whatif.savings import Tip

STALE_AFTER_DAYS = 365
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Split:
    """Who pays what, as low / typical / high. patient + insurer + assistance == billed."""

    billed: Triple[Decimal]
    insurer: Triple[Decimal]
    assistance: Triple[Decimal]
    patient: Triple[Decimal]
    upfront: Triple[Decimal]  # paid to the clinic on the day
    reimbursed: Triple[Decimal]  # paid back later (out-of-network superbill)

    def __add__(self, other: Split) -> Split:
        return Split(*(a + b for a, b in zip(self.parts(), other.parts(), strict=True)))

    def parts(self) -> tuple[Triple[Decimal], ...]:
        return (
            self.billed,
            self.insurer,
            self.assistance,
            self.patient,
            self.upfront,
            self.reimbursed,
        )


def _empty_split() -> Split:
    return Split(*(zero_money() for _ in range(6)))


@dataclass(frozen=True)
class PhaseLine:
    id: str
    label: str
    sessions: Triple[int]
    unit_price: Triple[Decimal]  # list price of a regular session, before discounts
    discount: Triple[Decimal]  # money taken off the whole phase
    split: Split
    first: dt.date | None  # typical case
    last: dt.date | None
    interval_weeks: Triple[int] | None
    refs: tuple[int, ...]

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed


@dataclass(frozen=True)
class FeeLine:
    id: str
    label: str
    split: Split
    refs: tuple[int, ...]

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed


@dataclass(frozen=True)
class Totals:
    sessions: Triple[int]
    split: Split
    tax_savings: Triple[Decimal]

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed

    @property
    def insurer(self) -> Triple[Decimal]:
        return self.split.insurer

    @property
    def assistance(self) -> Triple[Decimal]:
        return self.split.assistance

    @property
    def patient(self) -> Triple[Decimal]:
        return self.split.patient

    @property
    def net(self) -> Triple[Decimal]:
        return Triple(*(p - t for p, t in zip(self.patient, self.tax_savings, strict=True)))


@dataclass(frozen=True)
class AroundTotals:
    """Costs around each visit, per case. Added to the total only when `included`."""

    visits: Triple[int]
    rides: Triple[Decimal]
    travel: Triple[Decimal]
    time_off: Triple[Decimal]
    included: bool

    @property
    def total(self) -> Triple[Decimal]:
        return self.rides + self.travel + self.time_off


@dataclass(frozen=True)
class FinanceSummary:
    """The patient's total financed, per case."""

    label: str
    months: int
    apr: Decimal
    deferred: bool
    monthly_payment: Triple[Decimal]
    total_interest: Triple[Decimal]
    total_paid: Triple[Decimal]
    triggered: tuple[bool, bool, bool]


@dataclass(frozen=True)
class MonthLine:
    """One calendar month of the typical scenario: what falls due in it."""

    month: str  # YYYY-MM
    sessions: int
    billed: Decimal
    insurer: Decimal
    assistance: Decimal
    patient: Decimal


@dataclass(frozen=True)
class Practical:
    """What a visit takes, beyond money (typical minutes, ride home)."""

    visit_minutes: Triple[int]
    observation_minutes: Triple[int]
    needs_ride: bool
    ride_note: str | None


@dataclass(frozen=True)
class Estimate:
    treatment: str
    treatment_name: str
    session_label: str
    setting: str
    scenario: Scenario
    end: dt.date  # horizon end, exclusive
    as_of: dt.date
    book_age_days: int
    book_path: str | None
    overrides: tuple[str, ...]  # figures a clinic book gave; the rest is national
    phases: tuple[PhaseLine, ...]
    fees: tuple[FeeLine, ...]
    totals: Totals
    practical: Practical
    assumptions: tuple[str, ...]
    sources: tuple[Source, ...]
    plan: Plan  # the typical case's plan terms and coverage
    around: AroundTotals | None = None  # rides, travel, time off (when asked for)
    financing: FinanceSummary | None = None
    warnings: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()  # the typical case's adjudicated claim lines, in date order
    # The typical scenario month by month, every month of the horizon; sums to the totals.
    by_month: tuple[MonthLine, ...] = ()
    secondary_paid: Triple[Decimal] = field(default_factory=zero_money)
    # Typical scenario: the day the savings program's yearly cap ran out, and what the
    # patient pays from that day to the end of the horizon.
    program_runs_out: dt.date | None = None
    patient_after_program: Decimal = ZERO
    tips: tuple[Tip, ...] = field(default=())
    # The oldest figure the estimate used: (path, date, age in words), and the figures
    # older than freshness.STALE_AFTER_MONTHS (also named in the assumptions).
    oldest_figure: tuple[str, dt.date, str] | None = None
    stale_figures: tuple[str, ...] = ()

    @property
    def stale(self) -> bool:
        return self.book_age_days > STALE_AFTER_DAYS or bool(self.stale_figures)

    def per_month(self) -> Triple[Decimal]:
        """The average month: what you pay (after any tax saving) spread evenly over the
        horizon's months. Not a bill: see `first_month` and `highest_month`."""
        m = Decimal(self.scenario.months)
        return Triple(*(cents(x / m) for x in self.totals.net))

    @property
    def primary_paid(self) -> Triple[Decimal]:
        """What the primary plan (and any Medigap) paid: the insurer total less what a
        secondary plan paid."""
        return Triple(
            *(i - s for i, s in zip(self.totals.insurer, self.secondary_paid, strict=True))
        )

    @property
    def first_month(self) -> MonthLine | None:
        return self.by_month[0] if self.by_month else None

    @property
    def first_month_patient(self) -> Decimal:
        """What you pay in the first calendar month (typical scenario)."""
        return self.by_month[0].patient if self.by_month else ZERO

    @property
    def highest_month(self) -> MonthLine | None:
        """The month you pay most in (the earliest of equals), typical scenario."""
        if not self.by_month:
            return None
        return max(self.by_month, key=lambda m: (m.patient, -self.by_month.index(m)))


class _Refs:
    """Numbers sources in order of first use, so a row can cite [1, 3]."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self.nodes: list[Referenced] = []  # every figure cited, for the freshness check
        self._index: dict[tuple[str, str], int] = {}

    def cite(self, nodes: Iterable[Referenced | None]) -> tuple[int, ...]:
        nums: list[int] = []
        for node in nodes:
            if node is None:
                continue
            self.nodes.append(node)
            for src in node.sources:
                key = (src.url, src.title)
                if key not in self._index:
                    self.sources.append(src)
                    self._index[key] = len(self.sources)
                n = self._index[key]
                if n not in nums:
                    nums.append(n)
        return tuple(sorted(nums))


def session_price(t: Treatment, case: Case, dose: int | None, first: bool) -> Decimal:
    """List price of one session in the given case: its items plus any drug."""
    mg = _dose(t, case, dose, first)
    return cents(t.items_price(case) + t.drug_price(case, mg))


def _dose(t: Treatment, case: Case, dose: int | None, first: bool) -> int | None:
    if t.drug is None:
        return None
    if first:
        return int(t.drug.first_session_dose_mg.get(case))
    return dose if dose is not None else int(t.drug.dose_mg.cost_pick(case))


def schedule_options(t: Treatment, sc: Scenario) -> ScheduleOptions:
    return ScheduleOptions(sc.sessions, sc.maintenance_weeks, sc.maintenance, not t.at_home)


def combined_discount(book: PriceBook, ids: Iterable[str], phase_id: str, case: Case) -> Decimal:
    """Fraction off after applying each discount in turn (they multiply, not add)."""
    keep = Decimal(1)
    for did in ids:
        d = book.discounts[did]
        if d.phases is not None and phase_id not in d.phases:
            continue
        pct = d.percent_off.cost_pick(case, cheaper_when_larger=True)
        keep *= 1 - pct / HUNDRED
    return 1 - keep


@dataclass
class _Sums:
    """Running sums for one phase (or fee) in one case."""

    sessions: int = 0
    unit_price: Decimal = ZERO
    discount: Decimal = ZERO
    billed: Decimal = ZERO
    insurer: Decimal = ZERO
    assistance: Decimal = ZERO
    patient: Decimal = ZERO
    upfront: Decimal = ZERO
    reimbursed: Decimal = ZERO

    def add(self, line: Line) -> None:
        self.billed += line.billed
        self.insurer += line.insurer
        self.assistance += line.assistance
        self.patient += line.patient
        self.upfront += line.upfront
        self.reimbursed += line.reimbursed


@dataclass(frozen=True)
class _CaseRun:
    schedule: list[PhaseDates]
    sums: dict[str, _Sums]
    lines: list[Line]
    plan: Plan


CONSULT = "consultation"


def _run_case(book: PriceBook, t: Treatment, sc: Scenario, case: Case, end: dt.date) -> _CaseRun:
    """One case, end to end: schedule, prices, claims, adjudication, sums per phase."""
    opts = schedule_options(t, sc)
    schedule = expand(t.phases, sc.start, end, case, opts)
    sums: dict[str, _Sums] = {}
    charges: list[Charge] = []
    consult = sc.consult if sc.consult is not None else cents(t.consult_fee.cost_pick(case))
    if consult > 0:
        sums[CONSULT] = _Sums()
        charges.append(Charge(sc.start, CONSULT, consult))
    first = True
    # A session's price depends only on whether it is the course's first one.
    regular = sc.price if sc.price is not None else session_price(t, case, sc.dose, False)
    opening = sc.price if sc.price is not None else session_price(t, case, sc.dose, True)
    # A quoted all-in price is for one dose: without --dose, the typical one in every
    # column, so a fixed price splits into drug and administration the same way in each.
    dose_case: Case = "typical" if sc.price is not None else case
    dose_regular = _dose(t, dose_case, sc.dose, False)
    dose_first = _dose(t, dose_case, sc.dose, True)
    for pd in schedule:
        acc = sums.setdefault(pd.phase.id, _Sums())
        frac = combined_discount(book, sc.discounts, pd.phase.id, case)
        acc.unit_price = regular
        for day in pd.dates:
            price = opening if first else regular
            off = cents(price * frac) if frac else ZERO
            acc.sessions += 1
            acc.discount += off
            charges.append(
                Charge(day, pd.phase.id, price - off, dose_first if first else dose_regular)
            )
            first = False
    plan = resolve_plan(book, t, sc, case)
    claims = [c for ch in charges for c in claims_for(book, t, sc, case, plan, ch)]
    lines = adjudicate(
        claims,
        plan.terms,
        network=sc.network,
        medigap=sc.medigap,
        program=plan.program,
        rebate=plan.rebate,
    )
    if sc.secondary_plan is not None and plan.covered:
        lines = coordinate(lines, secondary_terms(sc.secondary_plan, sc.start))
    for line in lines:
        sums[line.claim.tag].add(line)
    return _CaseRun(schedule, sums, lines, plan)


def _self_pay_case(
    book: PriceBook,
    t: Treatment,
    sc: Scenario,
    case: Case,
    end: dt.date,
    memo: dict[object, Any],
    series: list[Decimal] | None = None,
) -> Decimal:
    """What a self-pay patient is billed in one case, phase by phase: the same numbers
    as `_run_case`, without a claim object per session. `memo` keeps what depends only
    on the treatment and the case (prices, pacing) across many scenarios. With a
    `series` list, the first phase that has sessions (no consultation) is appended to it."""
    opts = schedule_options(t, sc)
    total = sc.consult if sc.consult is not None else cents(t.consult_fee.cost_pick(case))
    first = True
    for phase, n in counts(t.phases, sc.start, end, case, opts, memo):
        if n == 0:
            continue
        frac = combined_discount(book, sc.discounts, phase.id, case) if sc.discounts else 0
        if sc.price is not None:
            regular = first_price = sc.price
        else:
            key = (sc.treatment, case, sc.dose)
            prices = memo.get(key)
            if prices is None:
                prices = memo[key] = (
                    session_price(t, case, sc.dose, False),
                    session_price(t, case, sc.dose, True),
                )
            regular, first_one = prices
            first_price = first_one if first else regular
        if frac:
            part = first_price - cents(first_price * frac)
            part += (n - 1) * (regular - cents(regular * frac))
        else:
            part = first_price + (n - 1) * regular
        total += part
        if first and series is not None:
            series.append(part)
        first = False
    if first and series is not None:
        series.append(ZERO)
    return total


def _quick_applies(t: Treatment, sc: Scenario) -> bool:
    """Self-pay arithmetic gives the totals: no pre-tax money, and no plan that covers
    the treatment (not covered, every claim is paid in full by the patient and nothing
    accumulates, which is exactly self-pay)."""
    if sc.hsa or sc.fsa:
        return False
    if sc.insurance != "none":
        covered = t.coverage_for(sc.insurance).value if sc.covered is None else sc.covered
        if covered:
            return False
    return True


def quick_totals(
    book: PriceBook, scenario: Scenario, memo: dict[object, Any] | None = None
) -> Split | None:
    """Totals alone for a self-pay scenario, or an insured one whose plan does not cover
    the treatment (what batch quoting needs); None when the scenario needs the full
    claim-by-claim path (covered claims, pre-tax money).
    Pass the same `memo` dict for many scenarios on one book to reuse prices."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    if not _quick_applies(t, sc):
        return None
    end = add_months(sc.start, sc.months)
    memo = {} if memo is None else memo
    billed = Triple(*(_self_pay_case(book, t, sc, c, end, memo) for c in CASES))
    zero = zero_money()
    return Split(billed, zero, zero, billed, billed, zero)


@dataclass(frozen=True)
class BatchFigures:
    """What one batch row reports beyond the totals: the first series (the first phase
    with sessions, e.g. induction) and the first calendar month (typical), as the
    estimate's phases and `first_month` have them, and the average month."""

    split: Split
    tax_savings: Triple[Decimal]
    months: int
    first_series: Triple[Decimal]  # what the patient pays for it
    first_month: str  # YYYY-MM
    first_month_patient: Decimal

    @property
    def net(self) -> Triple[Decimal]:
        return Triple(*(p - t for p, t in zip(self.split.patient, self.tax_savings, strict=True)))

    def per_month(self) -> Triple[Decimal]:
        """As `Estimate.per_month`: the net spread evenly over the horizon."""
        m = Decimal(self.months)
        return Triple(*(cents(x / m) for x in self.net))


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def batch_figures(
    book: PriceBook, scenario: Scenario, memo: dict[object, Any] | None = None
) -> BatchFigures:
    """Totals, first series and first month for a batch row: the self-pay fast path of
    `quick_totals` where it applies, else claim by claim as `build` does."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    month = f"{sc.start.year:04d}-{sc.start.month:02d}"
    memo = {} if memo is None else memo
    if _quick_applies(t, sc):
        parts: list[Decimal] = []
        billed = Triple(*(_self_pay_case(book, t, sc, c, end, memo, parts) for c in CASES))
        zero = zero_money()
        quick = Split(billed, zero, zero, billed, billed, zero)
        first = _self_pay_case(book, t, sc, "typical", min(end, _month_after(sc.start)), memo)
        return BatchFigures(quick, zero, sc.months, Triple(*parts), month, first)
    runs, _swapped = _ordered({c: _run_case(book, t, sc, c, end) for c in CASES})
    split = _empty_split()
    for each in {tag for run in runs.values() for tag in run.sums}:
        split = split + _split(runs, each)
    tax = _tax_savings(book, sc, runs, [])
    lead = next((p.id for p in t.phases if p.id in runs["typical"].sums), None)
    series = _split(runs, lead).patient if lead is not None else zero_money()
    months = month_lines(runs["typical"].lines, sc.start, end)
    first_patient = months[0].patient if months else ZERO
    return BatchFigures(split, tax, sc.months, series, month, first_patient)


def claim_totals(book: PriceBook, scenario: Scenario) -> Totals:
    """The totals of `build`, claim by claim, without the report's words and sources
    (what batch quoting needs for covered claims)."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    runs, _swapped = _ordered({c: _run_case(book, t, sc, c, end) for c in CASES})
    tags = {tag for run in runs.values() for tag in run.sums}
    split = _empty_split()
    for tag in tags:
        split = split + _split(runs, tag)
    sessions = Triple(*(sum(s.sessions for s in runs[c].sums.values()) for c in CASES))
    return Totals(sessions=sessions, split=split, tax_savings=_tax_savings(book, sc, runs, []))


def _patient_total(run: _CaseRun) -> Decimal:
    return sum((ln.patient for ln in run.lines), ZERO)


_ORDERED_PARTS = ("billed", "insurer", "assistance", "patient", "upfront", "reimbursed")


def _run_totals(run: _CaseRun) -> tuple[Decimal, ...]:
    """Each money total of one run, in `_ORDERED_PARTS` order."""
    sums = [ZERO] * len(_ORDERED_PARTS)
    for ln in run.lines:
        for i, v in enumerate(
            (ln.billed, ln.insurer, ln.assistance, ln.patient, ln.upfront, ln.reimbursed)
        ):
            sums[i] += v
    return tuple(sums)


def _ordered(raw: dict[Case, _CaseRun]) -> tuple[dict[Case, _CaseRun], list[Case]]:
    """Keep every money total ordered low <= typical <= high.

    With a deductible, an out-of-pocket maximum and a savings program, a dearer course
    can cost the patient less (it reaches the maximum sooner, with the program paying
    much of the way), or a cheaper one draw more from a program. Then the cheap
    scenario is not the low column: the typical scenario stands in for it (and likewise
    for high), whole, so every column is still one coherent scenario whose lines add up."""
    runs = dict(raw)
    swapped: list[Case] = []
    typical = _run_totals(raw["typical"])
    low, high = _run_totals(raw["low"]), _run_totals(raw["high"])
    if any(a > b for a, b in zip(low, typical, strict=True)):
        runs["low"] = raw["typical"]
        swapped.append("low")
    if any(a < b for a, b in zip(high, typical, strict=True)):
        runs["high"] = raw["typical"]
        swapped.append("high")
    return runs, swapped


def _split(runs: dict[Case, _CaseRun], tag: str) -> Split:
    def tri(attr: str) -> Triple[Decimal]:
        return Triple(*(getattr(runs[c].sums.get(tag, _Sums()), attr) for c in CASES))

    return Split(
        tri("billed"),
        tri("insurer"),
        tri("assistance"),
        tri("patient"),
        tri("upfront"),
        tri("reimbursed"),
    )


def build(
    book: PriceBook,
    scenario: Scenario,
    *,
    today: dt.date | None = None,
    book_path: str | None = None,
) -> Estimate:
    """The estimate for one scenario. `scenario` must be `resolved` against the book."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    refs = _Refs()
    raw = {c: _run_case(book, t, sc, c, end) for c in CASES}
    runs, swapped = _ordered(raw)

    lines: list[PhaseLine] = []
    for pos, pd0 in enumerate(runs["typical"].schedule):
        pid = pd0.phase.id

        def tri(attr: str, pid: str = pid) -> Triple[Decimal]:
            return Triple(*(getattr(runs[c].sums[pid], attr) for c in CASES))

        used: list[Referenced | None] = [pd0.phase.sessions, pd0.phase.span_weeks]
        if sc.maintenance_weeks is None:
            used.append(pd0.phase.interval_weeks)
        if sc.price is None:
            used.extend(t.session_items.values())
            if t.drug is not None:
                used.extend([t.drug.device_price, *t.drug.devices_per_dose.values()])
        used.extend(book.discounts[d].percent_off for d in sc.discounts)
        used.extend(_insurance_refs(book, t, sc))
        gaps = [runs[c].schedule[pos].interval_weeks for c in CASES]
        dates = pd0.dates
        lines.append(
            PhaseLine(
                id=pid,
                label=book_text(pd0.phase.label),
                sessions=Triple(*(runs[c].sums[pid].sessions for c in CASES)),
                unit_price=tri("unit_price"),
                discount=tri("discount"),
                split=_split(runs, pid),
                first=dates[0] if dates else None,
                last=dates[-1] if dates else None,
                interval_weeks=Triple(*(g or 0 for g in gaps)) if pd0.phase.recurring else None,
                refs=refs.cite(used),
            )
        )

    fees: list[FeeLine] = []
    if any(CONSULT in runs[c].sums for c in CASES):
        cited: list[Referenced | None] = [] if sc.consult is not None else [t.consult_fee]
        cited.extend(_insurance_refs(book, t, sc))
        fees.append(
            FeeLine(CONSULT, _("Consultation / intake"), _split(runs, CONSULT), refs.cite(cited))
        )

    split = _empty_split()
    for part in [*(p.split for p in lines), *(f.split for f in fees)]:
        split = split + part
    extra_notes: list[str] = []
    if book.overridden:
        shown = ", ".join(book.overridden[:6]) + (", ..." if len(book.overridden) > 6 else "")
        extra_notes.append(
            tr(
                "Clinic price book ({path}): {n} figure(s) are the clinic's own ({shown}); "
                "everything else is from the national book.",
                path=book_path,
                n=len(book.overridden),
                shown=shown,
            )
        )
    tax = _tax_savings(book, sc, runs, extra_notes)
    totals = Totals(
        sessions=Triple(*(sum(runs[c].sums[p.id].sessions for p in lines) for c in CASES)),
        split=split,
        tax_savings=tax,
    )
    around = _around(book, t, sc, runs, extra_notes)
    financing = _financing(book, sc, totals.patient, extra_notes)

    today = today or dt.date.today()
    age = book.age_days(today)
    warnings = list(runs["typical"].plan.warnings)
    typical_lines = runs["typical"].lines
    runs_out = next((ln.claim.date for ln in typical_lines if ln.program_capped), None)
    after_program = sum(
        (ln.patient for ln in typical_lines if runs_out and ln.claim.date >= runs_out), ZERO
    )
    if runs_out is not None:
        extra_notes.append(
            tr(
                "The savings program's {year} cap runs out on {date} (typical scenario); "
                "from then to the end of the horizon you pay {amount}",
                year=runs_out.year,
                date=fmt_date(runs_out),
                amount=fmt_money(after_program),
            )
            + (
                _(
                    ", and the deductible again, since the program's payments did not count "
                    "toward it (copay accumulator)."
                )
                if sc.accumulator
                else "."
            )
        )
    if financing is not None and financing.triggered[1]:
        warnings.append(
            tr(
                "{label}: at the planned payment the promotion is not paid off in {months} "
                "months, so interest would be charged back to the purchase date.",
                label=financing.label,
                months=financing.months,
            )
        )
    if age > STALE_AFTER_DAYS:
        warnings.append(
            tr(
                "The price book is {months} months old (as of {as_of}); prices may have "
                "changed. Check with the clinic.",
                months=age // 30,
                as_of=fmt_date(book.as_of),
            )
        )
    driving = refs.nodes
    if t.drug is not None and sc.insurance == "medicare" and runs["typical"].plan.covered:
        # Medicare pays the bundled G-code rate: the clinic's own drug and administration
        # prices drive none of the totals, so their age is not the patient's concern.
        own = {id(n) for n in (*t.session_items.values(), t.drug.device_price)}
        driving = [n for n in refs.nodes if id(n) not in own]
    fresh = _freshness(book, driving, today)
    return Estimate(
        oldest_figure=fresh[0],
        stale_figures=fresh[1],
        treatment=sc.treatment,
        treatment_name=book_text(t.name),
        session_label=book_text(t.session_label),
        setting=t.setting,  # English: renderers show it through i18n.book
        scenario=sc,
        end=end,
        as_of=book.as_of,
        book_age_days=age,
        book_path=book_path,
        overrides=tuple(book.overridden),
        phases=tuple(lines),
        fees=tuple(fees),
        totals=totals,
        practical=Practical(
            visit_minutes=Triple(*(int(t.practical.visit_minutes.get(c)) for c in CASES)),
            observation_minutes=Triple(
                *(int(t.practical.observation_minutes.get(c)) for c in CASES)
            ),
            needs_ride=t.practical.needs_ride.value,
            ride_note=t.practical.needs_ride.note,
        ),
        assumptions=tuple(
            _assumptions(book, t, sc, end, lines, runs["typical"].plan)
            + [_swap_note(c) for c in swapped]
            + extra_notes
            + list(fresh[1])
        ),
        sources=tuple(refs.sources),
        warnings=tuple(warnings),
        plan=runs["typical"].plan,
        around=around,
        financing=financing,
        lines=tuple(runs["typical"].lines),
        by_month=month_lines(runs["typical"].lines, sc.start, end),
        secondary_paid=Triple(*(sum((ln.secondary for ln in runs[c].lines), ZERO) for c in CASES)),
        program_runs_out=runs_out,
        patient_after_program=after_program,
    )


def _freshness(
    book: PriceBook, nodes: list[Referenced], today: dt.date
) -> tuple[tuple[str, dt.date, str] | None, tuple[str, ...]]:
    """The oldest figure used, and a note for each one too old to use quietly."""
    from ketacost.book.freshness import Dates, age_text, is_stale, stale_note

    used = Dates(book).used(nodes)
    if not used:
        return None, ()
    first = used[0]
    oldest = (first.path, first.date, age_text(first.date, today))
    return oldest, tuple(stale_note(d, today) for d in used if is_stale(d, today))


def month_lines(lines: Iterable[Line], start: dt.date, end: dt.date) -> tuple[MonthLine, ...]:
    """Claim lines summed by calendar month, for every month from `start` to `end`
    (exclusive), so a month with nothing due shows as zero."""
    keys: list[str] = []
    y, m = start.year, start.month
    last = end - dt.timedelta(days=1)
    while (y, m) <= (last.year, last.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    sums = {k: [ZERO, ZERO, ZERO, ZERO] for k in keys}
    visits: dict[str, set[tuple[dt.date, str]]] = {k: set() for k in keys}
    for ln in lines:
        key = f"{ln.claim.date.year:04d}-{ln.claim.date.month:02d}"
        acc = sums[key]
        acc[0] += ln.billed
        acc[1] += ln.insurer
        acc[2] += ln.assistance
        acc[3] += ln.patient
        if ln.claim.tag != CONSULT:
            visits[key].add((ln.claim.date, ln.claim.tag))
    return tuple(MonthLine(k, len(visits[k]), *sums[k]) for k in keys)


def _tax_savings(
    book: PriceBook, sc: Scenario, runs: dict[Case, _CaseRun], notes: list[str]
) -> Triple[Decimal]:
    if not (sc.hsa or sc.fsa) or book.tax is None:
        return zero_money()
    patient = Triple(*(_patient_total(runs[c]) for c in CASES))
    payments = {c: [(ln.claim.date, ln.patient) for ln in runs[c].lines] for c in CASES}
    return tax_savings_of(book, sc, patient, payments, notes)


def tax_savings_of(
    book: PriceBook,
    sc: Scenario,
    patient: Triple[Decimal],
    payments: dict[Case, list[tuple[dt.date, Decimal]]],
    notes: list[str],
) -> Triple[Decimal]:
    """What paying with pre-tax money saves, per case, from what the patient pays in
    total and when (`payments`: dated amounts; only their calendar years matter)."""
    if not (sc.hsa or sc.fsa) or book.tax is None:
        return zero_money()
    tax = book.tax
    # Payroll tax is saved only on money that goes in through an employer's payroll: an
    # FSA always, an HSA when contributions are payroll deductions (--hsa-payroll).
    payroll = sc.fsa or sc.hsa_payroll
    if sc.tax_rate is not None:
        rate = sc.tax_rate
        rate_note = tr("{rate} combined marginal rate, as given", rate=_pct(rate))
    else:
        base, fica = tax.default_tax_rate.get("typical"), tax.fica_rate.get("typical")
        if payroll:
            rate = base + fica
            rate_note = tr(
                "{rate}: an assumed {base} income-tax rate plus {fica} payroll tax, saved "
                "because the money goes in through payroll (give yours with --tax-rate)",
                rate=_pct(rate),
                base=_pct(base),
                fica=_pct(fica),
            )
        else:
            rate = base
            rate_note = tr(
                "{rate}: an assumed income-tax rate; no payroll tax, since money put into an "
                "HSA directly (not through payroll) still pays it (--hsa-payroll if yours "
                "goes through payroll; give your rate with --tax-rate)",
                rate=_pct(rate),
            )
    if sc.hsa:
        account: Account = "hsa"
        limit = (tax.hsa_limit_family if sc.family else tax.hsa_limit_self).get("typical")
        who = _("family") if sc.family else _("self-only")
        limit_note = tr(
            "the {year} HSA limit of {limit} ({who}) a year",
            year=tax.year,
            limit=fmt_money(limit),
            who=who,
        )
    else:
        account = "fsa"
        limit = tax.fsa_limit.get("typical")
        limit_note = tr(
            "the {year} health FSA limit of {limit} a year", year=tax.year, limit=fmt_money(limit)
        )
    pot = PreTax(account, rate, limit, sc.account_balance)
    where = (
        tr("the {amount} in the account", amount=fmt_money(sc.account_balance))
        if sc.account_balance is not None
        else limit_note
    )
    notes.append(
        tr(
            "Paid from your {account} at {rate}, up to {where}.",
            account=account.upper(),
            rate=rate_note,
            where=where,
        )
    )
    if sc.hsa and sc.insurance == "none":
        notes.append(_(HSA_NEEDS_HDHP))
    notes.append(_(ELIGIBILITY))
    drawn = Triple(*(pretax_savings(payments[c], pot).paid_pretax for c in CASES))
    kept = ordered_draws(patient, drawn)
    if kept != drawn:
        notes.append(
            _(
                "Pre-tax money: the low and high columns save no more tax than the typical "
                "one plus the rate on what they pay beyond it (and no less than the typical "
                "one less the rate on what they pay below it), so the totals after tax stay "
                "in order even where a column's payments fall into a second calendar year's "
                "limit."
            )
        )
    return Triple(*(cents(x * rate / HUNDRED) for x in kept))


HSA_NEEDS_HDHP = N_(
    "An HSA needs coverage by a high-deductible health plan: with no insurance applied "
    "to this treatment, this assumes you have such a plan and it does not cover the "
    "treatment."
)


def ordered_draws(patient: Triple[Decimal], drawn: Triple[Decimal]) -> Triple[Decimal]:
    """The pre-tax draws kept within the typical one's, so that both the draw (and so
    the tax saving) and what is paid after tax (patient - draw) are ordered
    low <= typical <= high whenever `patient` is. The typical draw is never changed."""
    t = drawn.typical
    low = min(max(drawn.low, t - (patient.typical - patient.low)), t)
    high = min(max(drawn.high, t), t + (patient.high - patient.typical))
    return Triple(low, t, high)


def _pct(x: Decimal) -> str:
    return f"{x.normalize():f}%"


def _around(
    book: PriceBook, t: Treatment, sc: Scenario, runs: dict[Case, _CaseRun], notes: list[str]
) -> AroundTotals | None:
    if not (sc.include_indirect or sc.hourly_wage is not None) or book.indirect is None:
        return None
    parts = {
        c: around_visits(
            t,
            book.indirect,
            sc.treatment,
            len({ln.claim.date for ln in runs[c].lines}),
            c,
            sc.hourly_wage,
        )
        for c in CASES
    }
    if t.practical.needs_ride.value and "home" not in t.setting.lower():
        notes.append(
            _(
                "Rides: you may not drive yourself home, so a rideshare both ways is "
                "priced for each visit."
            )
        )
    if sc.hourly_wage is None:
        notes.append(_("Time off work is not priced; give --hourly-wage to add it."))
    if not sc.include_indirect:
        notes.append(
            _("Costs around each visit are shown apart; --include-indirect adds them to the total.")
        )
    return AroundTotals(
        visits=Triple(*(parts[c].visits for c in CASES)),
        rides=Triple(*(parts[c].rides for c in CASES)),
        travel=Triple(*(parts[c].travel for c in CASES)),
        time_off=Triple(*(parts[c].time_off for c in CASES)),
        included=sc.include_indirect,
    )


def _financing(
    book: PriceBook, sc: Scenario, patient: Triple[Decimal], notes: list[str]
) -> FinanceSummary | None:
    if sc.finance is None:
        return None
    preset, months, apr = parse_finance_spec(sc.finance, book)
    plans = [
        plan_from_options(
            book, amount=amount, months=months, apr=None if apr is None else f"{apr}", preset=preset
        )[0]
        for amount in patient
    ]
    first = plans[1]
    label = (
        book_text(book.financing[preset].name)
        if preset
        else tr("{months} months at {apr} APR", months=first.months, apr=_pct(first.apr))
    )
    notes.append(
        tr("Financing: the whole amount you pay, financed on day one ({label}).", label=label)
    )
    return FinanceSummary(
        label=label,
        months=first.months,
        apr=first.apr,
        deferred=first.deferred,
        monthly_payment=Triple(*(p.monthly_payment for p in plans)),
        total_interest=Triple(*(p.total_interest for p in plans)),
        total_paid=Triple(*(p.total_paid for p in plans)),
        triggered=(
            plans[0].deferred_interest_triggered,
            plans[1].deferred_interest_triggered,
            plans[2].deferred_interest_triggered,
        ),
    )


def _swap_note(case: Case) -> str:
    if case == "low":
        return _(
            "Low shows the typical scenario: in the cheaper scenario some total would come "
            "out above the typical one (you, the plan or a savings program paying more), "
            "because a dearer course reaches the deductible and maximum sooner."
        )
    return _(
        "High shows the typical scenario: in the dearer scenario some total would come "
        "out below the typical one (often what you pay, because a dearer course reaches "
        "your out-of-pocket maximum sooner)."
    )


def _insurance_refs(book: PriceBook, t: Treatment, sc: Scenario) -> list[Referenced | None]:
    """The book's figures an insured estimate leans on, so the report can cite them."""
    if sc.insurance == "none":
        return []
    ins = book.insurance
    out: list[Referenced | None] = [t.coverage_for(sc.insurance)]
    if sc.insurance == "commercial" and sc.network == "in":
        out.extend(
            [ins.typical_plan.deductible, ins.typical_plan.coinsurance, ins.typical_plan.oop_max]
        )
    elif sc.insurance == "commercial" and ins.out_of_network is not None:
        oon = ins.out_of_network
        out.extend([oon.deductible, oon.coinsurance, oon.oop_max, oon.allowed_percent])
    elif sc.insurance == "medicare":
        out.extend([ins.medicare.part_b_deductible, ins.medicare.part_b_coinsurance])
        if t.drug is not None:
            out.extend([ins.medicare.g2082_rate, ins.medicare.g2083_rate])
    elif sc.insurance == "medicaid" and ins.medicaid is not None:
        out.append(ins.medicaid.copay)
    if t.drug is not None and sc.insurance in ins.spravato_savings.eligible_payers:
        out.extend([ins.spravato_savings.per_treatment_floor, ins.spravato_savings.annual_cap])
    if sc.observation_rebate and ins.spravato_observation_rebate is not None:
        out.append(ins.spravato_observation_rebate.patient_floor)
    return out


def _assumptions(
    book: PriceBook,
    t: Treatment,
    sc: Scenario,
    end: dt.date,
    lines: list[PhaseLine],
    plan: Plan,
) -> list[str]:
    last_day = end - dt.timedelta(days=1)
    out = [
        tr(
            "Horizon: {months} months, {start} to {last}.",
            months=sc.months,
            start=fmt_date(sc.start),
            last=fmt_date(last_day),
        ),
        *plan.assumptions,
        _(
            "Low combines the cheapest plausible values (fewest sessions, longest gaps, lowest "
            "prices, largest discounts); high combines the dearest; typical uses typical "
            "values. Each series keeps its typical pace in all three."
        ),
    ]
    if t.at_home:
        out.append(_("Home sessions and fills keep their dates, weekends included."))
    else:
        out.append(
            _(
                "Clinic visits fall on weekdays: a visit due on a weekend or a US federal "
                "holiday moves to the next business day (holidays from the maintained "
                "'holidays' calendar)."
            )
        )
    if sc.insurance != "none":
        out.append(_(CLAIM_CONVENTIONS) if t.drug is not None else _(VISIT_CONVENTION))
        out.append(
            _(
                "Each column is one scenario followed claim by claim; a dearer scenario can "
                "reach the deductible or the out-of-pocket maximum sooner, so a later phase "
                "can cost you less in it."
            )
        )
    if sc.price is not None:
        out.append(
            tr(
                "Price per {per}: {price} as quoted (replaces the price book's range).",
                per=book_text(t.session_label),
                price=fmt_money(sc.price),
            )
        )
        if t.drug is not None and sc.insurance not in ("none", "medicare"):
            quoted_mg = sc.dose or int(t.drug.dose_mg.get("typical"))
            out.append(
                tr(
                    "The quoted price is split into the drug at the book's list price for "
                    "{mg} mg (typical devices x price per device) and the rest for "
                    "administration and observation, the same in every column; a price "
                    "below the drug's cost is all drug. Give --dose if yours differs.",
                    mg=quoted_mg,
                )
            )
    if sc.consult is not None:
        out.append(tr("Consultation fee: {fee} as given.", fee=fmt_money(sc.consult)))
    if sc.sessions is not None:
        out.append(
            tr(
                "{phase}: {n} sessions as given, at the protocol's usual pace.",
                phase=lines[0].label,
                n=sc.sessions,
            )
        )
    if not sc.maintenance:
        out.append(_("No maintenance sessions (--no-maintenance)."))
    elif sc.maintenance_weeks is not None:
        out.append(tr("Maintenance every {n} week(s) as given.", n=sc.maintenance_weeks))
    if t.drug is not None and sc.insurance == "medicare" and sc.allowed is None:
        from ketacost.book.locality import note as locality_note

        out.append(locality_note(book.insurance.medicare, sc.state))
    if t.drug is not None and sc.price is None:
        dose = (
            f"{sc.dose} mg"
            if sc.dose
            else tr(
                "{low}-{high} mg (typical {typical} mg)",
                low=t.drug.dose_mg.get("low"),
                high=t.drug.dose_mg.get("high"),
                typical=t.drug.dose_mg.get("typical"),
            )
        )
        out.append(
            tr(
                "Dose: {dose}; the first treatment is {first} mg per the label. Drug and "
                "administration/observation are priced separately.",
                dose=dose,
                first=t.drug.first_session_dose_mg.get("typical"),
            )
        )
        out.append(_per_treatment_note(t, sc.dose))
    if len(sc.discounts) > 1:
        out.append(_("Discounts are applied one after another; clinics may not combine them."))
    for did in sc.discounts:
        d = book.discounts[did]
        out.append(
            tr(
                "Discount '{name}': {pct} off.",
                name=book_text(d.name),
                pct=_pct_range(d.percent_off),
            )
        )
    for label, fig in _assumed_figures(t, sc):
        note = " ".join((fig.note or "").split())
        if language() != "en" and book_text(note) == note:
            # No translation of this price-book note: say so rather than print English.
            out.append(tr("{label} is an assumption (its note: 'ketacost prices').", label=label))
        else:
            out.append(tr("{label} is an assumption: {note}", label=label, note=book_text(note)))
    return out


def _per_treatment_note(t: Treatment, dose: int | None) -> str:
    """The typical treatment's price in parts, so the drug visibly matches the dose."""
    assert t.drug is not None
    parts = []
    first = int(t.drug.first_session_dose_mg.get("typical"))
    regular = dose if dose is not None else int(t.drug.dose_mg.cost_pick("typical"))
    device = t.drug.device_price.cost_pick("typical")
    admin = t.items_price("typical")
    for label, mg in ((_("each later treatment"), regular), (_("the first"), first)):
        n = t.drug.devices_per_dose[mg].get("typical")  # type: ignore[index]
        drug = n * device
        parts.append(
            tr(
                "{label} at {mg} mg: drug {n} x {device} = {drug} + administration and "
                "observation {admin} = {total}",
                label=label,
                mg=mg,
                n=n,
                device=fmt_money(device),
                drug=fmt_money(drug),
                admin=fmt_money(admin),
                total=fmt_money(cents(drug + admin)),
            )
        )
        if mg == first:
            break
    return tr("Typical price per treatment: {parts}.", parts="; ".join(parts))


VISIT_CONVENTION = N_(
    "Claim conventions (ours, not a published rule): a copay is charged once per visit, "
    "after the deductible, instead of coinsurance; a $0 copay means the visit costs "
    "nothing once the deductible is met."
)
CLAIM_CONVENTIONS = N_(
    "Claim conventions (ours, not a published rule): a Spravato visit is billed as a drug "
    "line then an administration/observation line (Medicare, or a rate book's bundled "
    "G2082/G2083 rate: one G-code line, which no manufacturer program pays), and the "
    "deductible is applied to them in that order; a copay is charged once per visit, on "
    "the administration/observation line (on the drug line only for what that line "
    "cannot hold); the manufacturer program pays the drug line only."
)


def _pct_range(fig: Figure) -> str:
    if not fig.is_range:
        return f"{fig.get('typical')}%"
    return tr(
        "{low}-{high}% (typical {typical}%)",
        low=fig.get("low"),
        high=fig.get("high"),
        typical=fig.get("typical"),
    )


def _assumed_figures(t: Treatment, sc: Scenario) -> list[tuple[str, Figure]]:
    """Figures the estimate used whose basis is an assumption, with a short label."""
    found: list[tuple[str, Figure]] = []
    for ph in t.phases:
        if ph.recurring and (not sc.maintenance or sc.maintenance_weeks is not None):
            continue
        for name, fig in (
            ("sessions", ph.sessions),
            ("span", ph.span_weeks),
            ("interval", ph.interval_weeks),
        ):
            if name == "sessions" and sc.sessions is not None and ph is t.phases[0]:
                continue
            if fig is not None and fig.basis == "assumption":
                what = {
                    "sessions": N_("{phase} sessions"),
                    "span": N_("{phase} span"),
                    "interval": N_("{phase} interval"),
                }[name]
                found.append((tr(what, phase=book_text(ph.label)), fig))
    if sc.price is None:
        for item_id, fig in t.session_items.items():
            if fig.basis == "assumption":
                found.append((tr("Price item '{item}'", item=item_id), fig))
    if sc.consult is None and t.consult_fee.basis == "assumption":
        found.append((_("Consultation fee"), t.consult_fee))
    return found
