"""Fast paths: the engine's totals without the report's words and sources.

They include the pre-tax saving (`paying.pretax`), as `build` followed by
`paying.money.apply` has it: a batch row and a tip compare what the patient pays after tax.

`self_pay_totals` is self-pay arithmetic (no claim per session); `claim_totals` and
`batch_figures` run the claims as `build` does and keep only what a batch row needs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ketacost.amounts import ZERO, Triple, cents, zero_money
from ketacost.book.pricebook import CASES, Case, PriceBook, Treatment
from ketacost.engine.estimate import (
    CaseRun,
    combined_discount,
    month_lines,
    ordered_runs,
    run_case,
    schedule_options,
    session_price,
    split_of,
)
from ketacost.engine.results import BatchFigures, Split, Totals, empty_split
from ketacost.engine.schedule import add_months, counts
from ketacost.paying.pretax import tax_savings_of
from ketacost.scenario import Scenario


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
    as `run_case`, without a claim object per session. `memo` keeps what depends only
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


def self_pay_applies(t: Treatment, sc: Scenario) -> bool:
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


def self_pay_totals(
    book: PriceBook, scenario: Scenario, memo: dict[object, Any] | None = None
) -> Split | None:
    """Totals alone for a self-pay scenario, or an insured one whose plan does not cover
    the treatment (what batch quoting needs); None when the scenario needs the full
    claim-by-claim path (covered claims, pre-tax money).
    Pass the same `memo` dict for many scenarios on one book to reuse prices."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    if not self_pay_applies(t, sc):
        return None
    end = add_months(sc.start, sc.months)
    memo = {} if memo is None else memo
    billed = Triple(*(_self_pay_case(book, t, sc, c, end, memo) for c in CASES))
    zero = zero_money()
    return Split(billed, zero, zero, billed, billed, zero)


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def batch_figures(
    book: PriceBook, scenario: Scenario, memo: dict[object, Any] | None = None
) -> BatchFigures:
    """Totals, first series and first month for a batch row: the self-pay fast path of
    `self_pay_totals` where it applies, else claim by claim as `build` does."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    month = f"{sc.start.year:04d}-{sc.start.month:02d}"
    memo = {} if memo is None else memo
    if self_pay_applies(t, sc):
        parts: list[Decimal] = []
        billed = Triple(*(_self_pay_case(book, t, sc, c, end, memo, parts) for c in CASES))
        zero = zero_money()
        quick = Split(billed, zero, zero, billed, billed, zero)
        first = _self_pay_case(book, t, sc, "typical", min(end, _month_after(sc.start)), memo)
        return BatchFigures(quick, zero, sc.months, Triple(*parts), month, first)
    runs, _swapped = ordered_runs({c: run_case(book, t, sc, c, end) for c in CASES})
    split = empty_split()
    for each in {tag for run in runs.values() for tag in run.sums}:
        split = split + split_of(runs, each)
    tax = _tax_savings(book, sc, runs)
    lead = next((p.id for p in t.phases if p.id in runs["typical"].sums), None)
    series = split_of(runs, lead).patient if lead is not None else zero_money()
    months = month_lines(runs["typical"].lines, sc.start, end)
    first_patient = months[0].patient if months else ZERO
    return BatchFigures(split, tax, sc.months, series, month, first_patient)


def claim_totals(book: PriceBook, scenario: Scenario) -> Totals:
    """The totals of `build` and the money steps' tax saving, claim by claim, without
    the report's words and sources (what batch quoting needs for covered claims)."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    runs, _swapped = ordered_runs({c: run_case(book, t, sc, c, end) for c in CASES})
    tags = {tag for run in runs.values() for tag in run.sums}
    split = empty_split()
    for tag in tags:
        split = split + split_of(runs, tag)
    sessions = Triple(*(sum(s.sessions for s in runs[c].sums.values()) for c in CASES))
    return Totals(sessions=sessions, split=split, tax_savings=_tax_savings(book, sc, runs))


def _tax_savings(book: PriceBook, sc: Scenario, runs: dict[Case, CaseRun]) -> Triple[Decimal]:
    """The pre-tax saving of `paying.money.apply`, without its words."""
    if not (sc.hsa or sc.fsa) or book.tax is None:
        return zero_money()
    patient = Triple(*(_patient_total(runs[c]) for c in CASES))
    payments = {c: [(ln.claim.date, ln.patient) for ln in runs[c].lines] for c in CASES}
    return tax_savings_of(book, sc, patient, payments)[0]


def _patient_total(run: CaseRun) -> Decimal:
    return sum((ln.patient for ln in run.lines), ZERO)
