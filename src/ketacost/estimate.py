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

from ketacost.amounts import ZERO, Triple, cents, fmt_money, zero_money
from ketacost.pricebook import CASES, Case, Figure, PriceBook, Referenced, Source, Treatment
from ketacost.scenario import Scenario
from ketacost.schedule import PhaseDates, ScheduleOptions, add_months, expand

STALE_AFTER_DAYS = 365
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PhaseLine:
    id: str
    label: str
    sessions: Triple[int]
    unit_price: Triple[Decimal]  # list price of a regular session, before discounts
    discount: Triple[Decimal]  # money taken off the whole phase
    billed: Triple[Decimal]
    first: dt.date | None  # typical case
    last: dt.date | None
    interval_weeks: Triple[int] | None
    refs: tuple[int, ...]


@dataclass(frozen=True)
class FeeLine:
    id: str
    label: str
    billed: Triple[Decimal]
    refs: tuple[int, ...]


@dataclass(frozen=True)
class Totals:
    sessions: Triple[int]
    billed: Triple[Decimal]
    insurer: Triple[Decimal]
    assistance: Triple[Decimal]
    patient: Triple[Decimal]
    tax_savings: Triple[Decimal]
    net: Triple[Decimal]


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
    phases: tuple[PhaseLine, ...]
    fees: tuple[FeeLine, ...]
    totals: Totals
    practical: Practical
    assumptions: tuple[str, ...]
    sources: tuple[Source, ...]
    warnings: tuple[str, ...] = ()
    tips: tuple[dict[str, object], ...] = field(default=())

    @property
    def stale(self) -> bool:
        return self.book_age_days > STALE_AFTER_DAYS

    def per_month(self) -> Triple[Decimal]:
        m = Decimal(self.scenario.months)
        return Triple(*(cents(x / m) for x in self.totals.patient))


class _Refs:
    """Numbers sources in order of first use, so a row can cite [1, 3]."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self._index: dict[tuple[str, str], int] = {}

    def cite(self, nodes: Iterable[Referenced | None]) -> tuple[int, ...]:
        nums: list[int] = []
        for node in nodes:
            if node is None:
                continue
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
    total = sum((item.cost_pick(case) for item in t.session_items.values()), ZERO)
    if t.drug is not None:
        mg = int(t.drug.first_session_dose_mg.get(case)) if first else dose
        if mg is None:
            mg = int(t.drug.dose_mg.cost_pick(case))
        devices = t.drug.devices_per_dose[mg].get(case)  # type: ignore[index]
        total += devices * t.drug.device_price.cost_pick(case)
    return cents(total)


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


def build(
    book: PriceBook,
    scenario: Scenario,
    *,
    today: dt.date | None = None,
    book_path: str | None = None,
) -> Estimate:
    """The self-pay estimate for one scenario. `scenario` must be `resolved` first."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    opts = ScheduleOptions(sc.sessions, sc.maintenance_weeks, sc.maintenance)
    refs = _Refs()

    per_case: dict[Case, list[PhaseDates]] = {
        c: expand(t.phases, sc.start, end, c, opts) for c in CASES
    }
    phase_ids = [pd.phase.id for pd in per_case["typical"]]

    lines: list[PhaseLine] = []
    first_session_seen: dict[Case, bool] = dict.fromkeys(CASES, False)
    for pos, pid in enumerate(phase_ids):
        counts, unit, disc, billed, gaps = {}, {}, {}, {}, {}
        for c in CASES:
            pd = per_case[c][pos]
            frac = combined_discount(book, sc.discounts, pid, c)
            total_disc = ZERO
            total = ZERO
            regular = sc.price if sc.price is not None else session_price(t, c, sc.dose, False)
            for _ in pd.dates:
                first = not first_session_seen[c]
                first_session_seen[c] = True
                price = sc.price if sc.price is not None else session_price(t, c, sc.dose, first)
                off = cents(price * frac)
                total_disc += off
                total += price - off
            counts[c], unit[c], disc[c], billed[c] = len(pd.dates), regular, total_disc, total
            gaps[c] = pd.interval_weeks
        typical_dates = per_case["typical"][pos].dates
        pd0 = per_case["typical"][pos]
        used: list[Referenced | None] = [pd0.phase.sessions, pd0.phase.span_weeks]
        if sc.maintenance_weeks is None:
            used.append(pd0.phase.interval_weeks)
        if sc.price is None:
            used.extend(t.session_items.values())
            if t.drug is not None:
                used.extend([t.drug.device_price, *t.drug.devices_per_dose.values()])
        used.extend(book.discounts[d].percent_off for d in sc.discounts)
        interval = Triple(*(int(gaps[c] or 0) for c in CASES)) if pd0.phase.recurring else None
        lines.append(
            PhaseLine(
                id=pid,
                label=pd0.phase.label,
                sessions=Triple(*(counts[c] for c in CASES)),
                unit_price=Triple(*(unit[c] for c in CASES)),
                discount=Triple(*(disc[c] for c in CASES)),
                billed=Triple(*(billed[c] for c in CASES)),
                first=typical_dates[0] if typical_dates else None,
                last=typical_dates[-1] if typical_dates else None,
                interval_weeks=interval,
                refs=refs.cite(used),
            )
        )

    fees: list[FeeLine] = []
    if sc.consult is not None:
        consult = Triple(sc.consult, sc.consult, sc.consult)
        consult_refs: tuple[int, ...] = ()
    else:
        consult = Triple(*(cents(t.consult_fee.cost_pick(c)) for c in CASES))
        consult_refs = refs.cite([t.consult_fee])
    if any(consult):
        fees.append(FeeLine("consultation", "Consultation / intake", consult, consult_refs))

    billed_total = sum((ln.billed for ln in lines), zero_money())
    billed_total = sum((f.billed for f in fees), billed_total)
    sessions_total = Triple(*(sum(getattr(ln.sessions, c) for ln in lines) for c in CASES))
    totals = Totals(
        sessions=sessions_total,
        billed=billed_total,
        insurer=zero_money(),
        assistance=zero_money(),
        patient=billed_total,  # self-pay: the patient pays what is billed
        tax_savings=zero_money(),
        net=billed_total,
    )

    today = today or dt.date.today()
    age = book.age_days(today)
    warnings = []
    if age > STALE_AFTER_DAYS:
        warnings.append(
            f"The price book is {age // 30} months old (as of {book.as_of}); "
            "prices may have changed. Check with the clinic."
        )
    return Estimate(
        treatment=sc.treatment,
        treatment_name=t.name,
        session_label=t.session_label,
        setting=t.setting,
        scenario=sc,
        end=end,
        as_of=book.as_of,
        book_age_days=age,
        book_path=book_path,
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
        assumptions=tuple(_assumptions(book, t, sc, end, lines)),
        sources=tuple(refs.sources),
        warnings=tuple(warnings),
    )


def _assumptions(
    book: PriceBook, t: Treatment, sc: Scenario, end: dt.date, lines: list[PhaseLine]
) -> list[str]:
    last_day = end - dt.timedelta(days=1)
    out = [
        f"Horizon: {sc.months} months, {sc.start.isoformat()} to {last_day.isoformat()}.",
        "Self-pay: the patient pays the clinic's price; no insurance is applied.",
        "Low combines the cheapest plausible values (fewest sessions, longest gaps, lowest "
        "prices, largest discounts); high combines the dearest; typical uses typical values.",
    ]
    if sc.price is not None:
        out.append(
            f"Price per {t.session_label}: {fmt_money(sc.price)} as quoted "
            "(replaces the price book's range)."
        )
    if sc.consult is not None:
        out.append(f"Consultation fee: {fmt_money(sc.consult)} as given.")
    if sc.sessions is not None:
        out.append(
            f"{lines[0].label}: {sc.sessions} sessions as given, at the protocol's usual pace."
        )
    if not sc.maintenance:
        out.append("No maintenance sessions (--no-maintenance).")
    elif sc.maintenance_weeks is not None:
        out.append(f"Maintenance every {sc.maintenance_weeks} week(s) as given.")
    if t.drug is not None and sc.price is None:
        dose = (
            f"{sc.dose} mg"
            if sc.dose
            else (
                f"{t.drug.dose_mg.get('low')}-{t.drug.dose_mg.get('high')} mg "
                f"(typical {t.drug.dose_mg.get('typical')} mg)"
            )
        )
        out.append(
            f"Dose: {dose}; the first treatment is {t.drug.first_session_dose_mg.get('typical')}"
            " mg per the label. Drug and administration/observation are priced separately."
        )
    if len(sc.discounts) > 1:
        out.append("Discounts are applied one after another; clinics may not combine them.")
    for did in sc.discounts:
        d = book.discounts[did]
        out.append(f"Discount '{d.name}': {_pct_range(d.percent_off)} off.")
    for label, fig in _assumed_figures(t, sc):
        out.append(f"{label} is an assumption: {fig.note}")
    return out


def _pct_range(fig: Figure) -> str:
    if not fig.is_range:
        return f"{fig.get('typical')}%"
    return f"{fig.get('low')}-{fig.get('high')}% (typical {fig.get('typical')}%)"


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
                found.append((f"{ph.label} {name}", fig))
    if sc.price is None:
        for item_id, fig in t.session_items.items():
            if fig.basis == "assumption":
                found.append((f"Price item '{item_id}'", fig))
    if sc.consult is None and t.consult_fee.basis == "assumption":
        found.append(("Consultation fee", t.consult_fee))
    return found
