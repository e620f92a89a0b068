"""The estimate: low / typical / high cost per phase and in total, from book + scenario.

Low combines the cheapest plausible value of every figure (fewest sessions, longest
gaps, lowest prices, largest discounts), high the dearest, typical the typical ones.
Each session's price is one line, rounded half-up to cents; totals are sums of lines.

`build` is the engine: schedule, prices, claims and cost sharing, case by case. What it
returns is in `results`, the words it says it assumed in `assumptions`, and the totals
alone, for batch rows and tips, in `fastpaths`. How the patient then pays (pre-tax
money, financing, costs around the visits) is applied afterwards by `paying.money`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from ketacost.amounts import HUNDRED, ZERO, Triple, cents, fmt_money, zero_money
from ketacost.book.pricebook import CASES, Case, PriceBook, Referenced, Source, Treatment
from ketacost.engine.assumptions import assumptions_of, swap_note
from ketacost.engine.costshare import Line, adjudicate, coordinate
from ketacost.engine.insurance import (
    Charge,
    ResolvedPlan,
    claims_for,
    resolve_plan,
    secondary_terms,
)
from ketacost.engine.results import (
    STALE_AFTER_DAYS,
    Estimate,
    FeeLine,
    MonthLine,
    PhaseLine,
    Practical,
    Split,
    Totals,
    empty_split,
)
from ketacost.engine.schedule import PhaseDates, ScheduleOptions, add_months, expand
from ketacost.i18n import _, fmt_date
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.records import record
from ketacost.scenario import Scenario


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


@record(frozen=False)
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


@record
class CaseRun:
    schedule: list[PhaseDates]
    sums: dict[str, _Sums]
    lines: list[Line]
    plan: ResolvedPlan


CONSULT = "consultation"


def run_case(book: PriceBook, t: Treatment, sc: Scenario, case: Case, end: dt.date) -> CaseRun:
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
    return CaseRun(schedule, sums, lines, plan)


_ORDERED_PARTS = ("billed", "insurer", "assistance", "patient", "upfront", "reimbursed")


def _run_totals(run: CaseRun) -> tuple[Decimal, ...]:
    """Each money total of one run, in `_ORDERED_PARTS` order."""
    sums = [ZERO] * len(_ORDERED_PARTS)
    for ln in run.lines:
        for i, v in enumerate(
            (ln.billed, ln.insurer, ln.assistance, ln.patient, ln.upfront, ln.reimbursed)
        ):
            sums[i] += v
    return tuple(sums)


def ordered_runs(raw: dict[Case, CaseRun]) -> tuple[dict[Case, CaseRun], list[Case]]:
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


def split_of(runs: dict[Case, CaseRun], tag: str) -> Split:
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
    raw = {c: run_case(book, t, sc, c, end) for c in CASES}
    runs, swapped = ordered_runs(raw)

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
                split=split_of(runs, pid),
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
            FeeLine(CONSULT, _("Consultation / intake"), split_of(runs, CONSULT), refs.cite(cited))
        )

    split = empty_split()
    for part in [*(p.split for p in lines), *(f.split for f in fees)]:
        split = split + part
    scenario_notes = assumptions_of(book, t, sc, end, lines, runs["typical"].plan)
    scenario_notes += [swap_note(c) for c in swapped]
    if book.overridden:
        shown = ", ".join(book.overridden[:6]) + (", ..." if len(book.overridden) > 6 else "")
        scenario_notes.append(
            tr(
                "Clinic price book ({path}): {n} figure(s) are the clinic's own ({shown}); "
                "everything else is from the national book.",
                path=book_path,
                n=len(book.overridden),
                shown=shown,
            )
        )
    # Pre-tax money is a later step (paying.money): no tax saving yet.
    totals = Totals(
        sessions=Triple(*(sum(runs[c].sums[p.id].sessions for p in lines) for c in CASES)),
        split=split,
        tax_savings=zero_money(),
    )

    today = today or dt.date.today()
    age = book.age_days(today)
    typical_lines = runs["typical"].lines
    runs_out = next((ln.claim.date for ln in typical_lines if ln.program_capped), None)
    after_program = sum(
        (ln.patient for ln in typical_lines if runs_out and ln.claim.date >= runs_out), ZERO
    )
    closing_notes: list[str] = []
    if runs_out is not None:
        closing_notes.append(
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
    book_warnings: list[str] = []
    if age > STALE_AFTER_DAYS:
        book_warnings.append(
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
        scenario_notes=tuple(scenario_notes),
        closing_notes=(*closing_notes, *fresh[1]),
        sources=tuple(refs.sources),
        plan_warnings=runs["typical"].plan.warnings,
        book_warnings=tuple(book_warnings),
        plan=runs["typical"].plan,
        payments=tuple(tuple((ln.claim.date, ln.patient) for ln in runs[c].lines) for c in CASES),
        visit_days=Triple(*(len({ln.claim.date for ln in runs[c].lines}) for c in CASES)),
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
