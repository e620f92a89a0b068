"""Self-pay batch rows in integer cents, with everything but the start date worked out once.

`batch_figures` prices a self-pay row (or one whose plan does not cover the treatment)
phase by phase in `Decimal`s: for every row it lays out the protocol for each case,
counts the sessions that fall before the horizon's end, and multiplies. In a batch, rows
differ mostly in their start date, so `self_pay_plan` keeps what does not depend on it
(each case's pacing, consultation fee, and each phase's first and regular session price
after discounts, in cents) and `figures` does the rest for one start date: the session
counts (`fastcounts.sessions_before`, as `schedule.counts` has them, business-day moves
included) and the sums, in integers. `tests/test_fastselfpay.py` checks it against `batch_figures`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from ketacost.amounts import Triple, cents
from ketacost.book.pricebook import CASES, PriceBook, Treatment
from ketacost.engine.estimate import combined_discount, schedule_options, session_price
from ketacost.engine.fastclaims import eligible
from ketacost.engine.fastcounts import Step, options_key, pacing, sessions_before
from ketacost.engine.fastpaths import self_pay_applies
from ketacost.engine.results import BatchCents, BatchFigures
from ketacost.engine.schedule import ScheduleOptions, add_months
from ketacost.paying.pretax import TaxTerms, saved_cents, tax_savings_of, tax_terms_cents
from ketacost.scenario import Scenario


class _Case(NamedTuple):
    steps: tuple[Step, ...]
    consult: int


class SelfPayPlan(NamedTuple):
    """What a self-pay row's figures depend on, but its start date."""

    cases: tuple[_Case, _Case, _Case]  # low, typical, high
    months: int
    clinic_days: bool
    pre_tax: bool  # paid from an HSA or FSA: `pre_tax_figures`, not `figures`
    # ... and then the saving's terms in cents (None: not whole cents, Decimal decides)
    tax: TaxTerms | None


def _covered(t: Treatment, sc: Scenario) -> bool:
    """Whether a plan covers the treatment (as `fastpaths.self_pay_applies` decides)."""
    if sc.insurance == "none":
        return False
    return bool(t.coverage_for(sc.insurance).value if sc.covered is None else sc.covered)


def _cents(x: Decimal) -> int | None:
    n = x * 100
    i = int(n)
    return i if i == n else None


def self_pay_plan(
    book: PriceBook, sc: Scenario, memo: dict[object, Any] | None = None
) -> SelfPayPlan | None:
    """The start-free part of `batch_figures` for a row where the patient pays every
    session in full (no plan, or one that does not cover the treatment), or None.
    With pre-tax money (`pre_tax_figures`) as without (`figures`). Pass the same `memo`
    dict for many scenarios on one book to reuse the protocols' pacing."""
    t = book.treatments[sc.treatment]  # type: ignore[index]
    if sc.rates is not None:
        return None
    if sc.hsa or sc.fsa:
        if not eligible(sc) or _covered(t, sc):
            return None
    elif not self_pay_applies(t, sc):
        return None
    opts = schedule_options(t, sc)
    # Rows that differ in months alone share their cases.
    key = (
        "self-pay cases",
        sc.treatment,
        sc.price,
        sc.consult,
        sc.dose,
        sc.discounts,
        *options_key(opts),
    )
    if memo is not None and key in memo:
        cases: tuple[_Case, _Case, _Case] | None = memo[key]
    else:
        cases = _cases(book, t, sc, opts, memo)
        if memo is not None:
            memo[key] = cases
    if cases is None:
        return None
    pre_tax = sc.hsa or sc.fsa
    tax = tax_terms_cents(book, sc) if pre_tax else None
    return SelfPayPlan(cases, sc.months, opts.clinic_days, pre_tax, tax)


def _cases(
    book: PriceBook,
    t: Treatment,
    sc: Scenario,
    opts: ScheduleOptions,
    memo: dict[object, Any] | None,
) -> tuple[_Case, _Case, _Case] | None:
    cases: list[_Case] = []
    for case in CASES:
        consult = sc.consult if sc.consult is not None else cents(t.consult_fee.cost_pick(case))
        if sc.price is not None:
            regular = opening = sc.price
        else:
            regular = session_price(t, case, sc.dose, False)
            opening = session_price(t, case, sc.dose, True)
        paced = pacing(t, case, opts, memo)
        if paced is None:
            return None
        steps: list[Step] = []
        for phase_id, st in paced:
            frac = combined_discount(book, sc.discounts, phase_id, case) if sc.discounts else 0
            if frac:
                one, other = opening - cents(opening * frac), regular - cents(regular * frac)
            else:
                one, other = opening, regular
            c_one, c_other = _cents(one), _cents(other)
            if c_one is None or c_other is None:
                return None
            steps.append(st._replace(first=c_one, regular=c_other))
        c_consult = _cents(consult)
        if c_consult is None:
            return None
        cases.append(_Case(tuple(steps), c_consult))
    return cases[0], cases[1], cases[2]


def _total(case: _Case, start: int, end: int, clinic: bool) -> tuple[int, int]:
    """(what the case bills, what its first phase with sessions bills)."""
    total = case.consult
    series = -1
    for st in case.steps:
        n = sessions_before(st, start, end, clinic)
        if n == 0:
            continue
        if series < 0:
            series = st.first + (n - 1) * st.regular
            total += series
        else:
            total += n * st.regular
    return total, max(series, 0)


class Figures(NamedTuple):
    """A self-pay row's figures in cents (nobody else pays and no tax is saved)."""

    billed: tuple[int, int, int]
    first_series: tuple[int, int, int]
    first_month: str  # YYYY-MM
    first_month_patient: int
    per_month: tuple[int, int, int]


def figures(plan: SelfPayPlan, start: dt.date) -> Figures:
    """`batch_figures` for a row of this plan starting on `start`, in cents."""
    end_date = add_months(start, plan.months)
    day, end = start.toordinal(), end_date.toordinal()
    clinic = plan.clinic_days
    low, low_series = _total(plan.cases[0], day, end, clinic)
    typ, typ_series = _total(plan.cases[1], day, end, clinic)
    high, high_series = _total(plan.cases[2], day, end, clinic)
    y, m = start.year, start.month
    month_end = dt.date(y + m // 12, m % 12 + 1, 1).toordinal()
    first, _ = _total(plan.cases[1], day, min(end, month_end), clinic)
    months = plan.months
    return Figures(
        (low, typ, high),
        (low_series, typ_series, high_series),
        f"{y:04d}-{m:02d}",
        first,
        (per_month(low, months), per_month(typ, months), per_month(high, months)),
    )


def per_month(total: int, months: int) -> int:
    """cents(total / months), half up (away from zero), as `Decimal` rounds it."""
    q = (abs(total) * 2 + months) // (2 * months)
    return q if total >= 0 else -q


def _sessions(case: _Case, start: int, end: int, clinic: bool) -> tuple[int, int, int]:
    """(what the sessions before `end` bill, how many there are, what the first phase's
    bill), without the consultation."""
    total = count = lead = 0
    first = True
    for i, st in enumerate(case.steps):
        n = sessions_before(st, start, end, clinic)
        if n == 0:
            continue
        part = st.first + (n - 1) * st.regular if first else n * st.regular
        first = False
        total += part
        count += n
        if i == 0:
            lead = part
    return total, count, lead


def _money(cents_: int) -> Decimal:
    return Decimal(cents_).scaleb(-2)


def pre_tax_figures(book: PriceBook, sc: Scenario, plan: SelfPayPlan) -> BatchFigures:
    """`pre_tax_cents` as `BatchFigures`."""
    return pre_tax_cents(book, sc, plan).figures()


def pre_tax_cents(
    book: PriceBook, sc: Scenario, plan: SelfPayPlan, start: dt.date | None = None
) -> BatchCents:
    """`batch_figures` in cents for a row that pays every session in full from an HSA or FSA:
    the self-pay sums, split by calendar year (what the tax saving depends on) at each
    January 1 in the horizon, as the claim loop (`fastclaims`) lays them out. `start`,
    when given, stands for the scenario's (rows that share a scenario but their start:
    the tax saving does not depend on it). The saving's terms are the plan's (`sc`'s
    own, worked out once in `self_pay_plan`)."""
    start = sc.start if start is None else start
    day = start.toordinal()
    end_date = add_months(start, plan.months)
    end = end_date.toordinal()
    clinic = plan.clinic_days
    bounds = [dt.date(y, 1, 1).toordinal() for y in range(start.year + 1, end_date.year + 1)] + [
        end
    ]
    raw: list[tuple[int, int, dict[int, int]]] = []  # (paid, lead phase, by year) per case
    for case in plan.cases:
        by_year: dict[int, int] = {}
        if case.consult > 0:
            by_year[start.year] = case.consult
        paid_before = count_before = 0
        year = start.year
        lead = 0
        for bound in bounds:
            if bound > end:
                bound = end
            paid, count, lead = _sessions(case, day, bound, clinic)
            if count > count_before:
                by_year[year] = by_year.get(year, 0) + paid - paid_before
            paid_before, count_before = paid, count
            year += 1
            if bound == end:
                break
        raw.append((case.consult + paid_before, lead, by_year))
    typical = raw[1]
    runs = list(raw)
    # As the claim engine orders a column that would cost more than the typical one.
    if raw[0][0] > typical[0]:
        runs[0] = typical
    if raw[2][0] < typical[0]:
        runs[2] = typical
    paid3 = (runs[0][0], runs[1][0], runs[2][0])
    zero = (0, 0, 0)
    fast = None if plan.tax is None else saved_cents(plan.tax, paid3, [r[2] for r in runs])
    if fast is None:
        payments = {
            c: [(dt.date(y, 1, 1), _money(v)) for y, v in sorted(r[2].items())]
            for c, r in zip(CASES, runs, strict=True)
        }
        fast = tax_savings_of(book, sc, Triple(*map(_money, paid3)), payments)[0]
    tax = fast
    month_end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1).toordinal()
    first, _count_first, _lead_first = _sessions(plan.cases[1], day, min(end, month_end), clinic)
    return BatchCents(
        (paid3, zero, zero, paid3, paid3, zero),
        tax,
        plan.months,
        (runs[0][1], runs[1][1], runs[2][1]),
        f"{start.year:04d}-{start.month:02d}",
        plan.cases[1].consult + first,
    )
