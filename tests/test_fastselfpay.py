"""The batch's self-pay rows in integer cents (ketacost.engine.fastselfpay) give what
`batch_figures` gives, to the cent, on random rows and start dates; the business-day
bound they rely on holds for the whole holiday table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ketacost.batch import scenario_from_cells
from ketacost.book import pricebook
from ketacost.book.pricebook import CASES
from ketacost.engine import fastcounts, fastselfpay
from ketacost.engine.fastpaths import batch_figures
from ketacost.engine.federal_holidays import FIRST_YEAR, LAST_YEAR, is_holiday
from ketacost.engine.schedule import ScheduleOptions, add_months, business_day, counts, expand
from ketacost.errors import KetacostError

BOOK = pricebook.load()
MEMO: dict[object, Any] = {}  # shared across examples, as a batch shares it across rows

days = st.dates(dt.date(2026, 1, 1), dt.date(2029, 12, 31))


@st.composite
def self_pay_rows(draw: st.DrawFn) -> dict[str, str]:
    """Self-pay rows, and insured rows whose plan does not cover the treatment."""
    treatment = draw(st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"]))
    cells = {
        "treatment": treatment,
        "months": draw(st.sampled_from(["", "1", "2", "3", "6", "12", "18", "60"])),
        "sessions": draw(st.sampled_from(["", "", "1", "2", "4", "6", "8", "12", "100"])),
        "price": draw(
            st.one_of(
                st.just(""),
                st.integers(0, 3000).map(str),
                st.decimals("0", "3000", places=2, allow_nan=False, allow_infinity=False).map(str),
            )
        ),
        "consult": draw(st.sampled_from(["", "", "0", "150", "399.99"])),
    }
    if treatment == "spravato":
        cells["dose"] = draw(st.sampled_from(["", "56", "84"]))
    if treatment == "iv":
        cells["discount"] = draw(
            st.sampled_from(["", "package", "prompt_pay", "package;prompt_pay"])
        )
    if draw(st.booleans()):
        cells["no_maintenance"] = draw(st.sampled_from(["", "yes", "no"]))
    else:
        cells["maintenance_weeks"] = draw(st.sampled_from(["", "1", "2", "4", "8"]))
    if draw(st.booleans()):
        cells["insurance"] = draw(st.sampled_from(["commercial", "medicare", "medicaid"]))
        cells["covered"] = "no"
    return {k: v for k, v in cells.items() if v}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cells=self_pay_rows(), start=days)
def test_equal_to_batch_figures_to_the_cent(cells: dict[str, str], start: dt.date) -> None:
    try:
        sc = scenario_from_cells({**cells, "start": start.isoformat()}).resolved(BOOK)
        expected = batch_figures(BOOK, sc)
    except KetacostError:
        assume(False)
    plan = fastselfpay.self_pay_plan(BOOK, sc, MEMO)
    assert plan is not None, "every self-pay row is on the fast path"
    got = fastselfpay.figures(plan, start)
    assert got.billed == tuple(int(x * 100) for x in expected.split.patient)
    assert expected.split.billed == expected.split.patient
    assert not any(expected.split.insurer) and not any(expected.split.assistance)
    assert not any(expected.tax_savings)
    assert got.first_series == tuple(int(x * 100) for x in expected.first_series)
    assert got.first_month == expected.first_month
    assert got.first_month_patient == int(expected.first_month_patient * 100)
    assert got.per_month == tuple(int(x * 100) for x in expected.per_month())


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    cells=self_pay_rows(),
    start=days,
    account=st.sampled_from(["hsa", "fsa"]),
    extra=st.fixed_dictionaries(
        {
            "tax_rate": st.sampled_from(["", "22", "32.5"]),
            "account_balance": st.sampled_from(["", "0", "500", "2500.50"]),
        }
    ),
)
def test_pre_tax_rows_equal_to_batch_figures_to_the_cent(
    cells: dict[str, str], start: dt.date, account: str, extra: dict[str, str]
) -> None:
    """Paid in full from an HSA or FSA: totals, first series, first month and the tax
    saving, which depends on how the payments fall in calendar years."""
    row = {**cells, account: "yes", "start": start.isoformat()}
    row |= {k: v for k, v in extra.items() if v}
    if account == "hsa" and row.get("insurance") in ("medicare", "medicaid"):
        row.pop("insurance")
        row.pop("covered")
    try:
        sc = scenario_from_cells(row).resolved(BOOK)
        expected = batch_figures(BOOK, sc)
    except KetacostError:
        assume(False)
    plan = fastselfpay.self_pay_plan(BOOK, sc, MEMO)
    assert plan is not None and plan.pre_tax
    assert fastselfpay.pre_tax_figures(BOOK, sc, plan) == expected
    # as a batch has it: the scenario of a row with another start, and this row's start
    other = sc.model_copy(update={"start": dt.date(2030, 6, 15)})
    assert fastselfpay.pre_tax_cents(BOOK, other, plan, start).figures() == expected


def test_covered_rows_are_not_self_pay() -> None:
    for cells in (
        {"treatment": "spravato", "insurance": "commercial"},
        {"treatment": "spravato", "insurance": "commercial", "fsa": "yes"},
    ):
        sc = scenario_from_cells({**cells, "start": "2027-03-01"}).resolved(BOOK)
        assert fastselfpay.self_pay_plan(BOOK, sc) is None


def test_no_visit_moves_further_than_max_shift() -> None:
    """The bound behind skipping the business-day roll: over the holiday table (and a
    year either side), no date is more than MAX_SHIFT days before a business day."""
    day, last = dt.date(FIRST_YEAR - 1, 1, 1), dt.date(LAST_YEAR + 1, 12, 31)
    longest = 0
    while day <= last:
        longest = max(longest, (business_day(day) - day).days)
        # the next day that could start a longer run: a weekend day or a holiday
        day += dt.timedelta(days=1)
        while day <= last and day.weekday() < 5 and not is_holiday(day):
            day += dt.timedelta(days=1)
    assert longest <= fastcounts.MAX_SHIFT


@settings(deadline=None)
@given(day=st.dates(dt.date(2000, 1, 1), dt.date(2110, 12, 31)))
def test_business_days_agree_with_the_schedule(day: dt.date) -> None:
    assert fastcounts._business(day.toordinal()) == business_day(day).toordinal()


def _counts_agree_with_expand(first: dt.date, last: dt.date, months: tuple[int, ...]) -> None:
    """What `pre_tax_figures` and the first month rest on: the session count before each
    January 1 and the first month's end (`schedule.counts`, which rolls only the tail of
    a phase to business days) is the count of `schedule.expand`'s dates before it."""
    for t in BOOK.treatments.values():
        for sessions, weeks, maintenance in ((None, None, True), (None, None, False), (4, 1, True)):
            opts = ScheduleOptions(sessions, weeks, maintenance, not t.at_home)
            for case in CASES:
                for n in months:
                    day = first
                    while day <= last:
                        end = add_months(day, n)
                        laid = expand(t.phases, day, end, case, opts)
                        month_end = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
                        cuts = {dt.date(y, 1, 1) for y in range(day.year + 1, end.year + 1)}
                        for cut in sorted({c for c in (*cuts, month_end) if c < end} | {end}):
                            want = [sum(1 for d in pd.dates if d < cut) for pd in laid]
                            got = [k for _, k in counts(t.phases, day, cut, case, opts)]
                            assert got == want, (t.name, opts, case, n, day, cut)
                        day += dt.timedelta(days=1)


def test_counts_at_year_and_month_ends_agree_with_expand() -> None:
    _counts_agree_with_expand(dt.date(2026, 12, 1), dt.date(2027, 1, 31), (1, 12))


def test_counts_before_any_day_agree_with_expand() -> None:
    """What the claim loop's runs rest on: counted before any day (a plan-year reset can
    fall on any), each phase has the sessions `expand` lays out before it."""
    for t in BOOK.treatments.values():
        for sessions, weeks in ((None, None), (4, 1)):
            opts = ScheduleOptions(sessions, weeks, True, not t.at_home)
            for case in CASES:
                for day in (dt.date(2026, 12, 24), dt.date(2027, 6, 28), dt.date(2027, 11, 20)):
                    end = add_months(day, 14)
                    laid = expand(t.phases, day, end, case, opts)
                    cut = day
                    while cut <= end:
                        want = [sum(1 for d in pd.dates if d < cut) for pd in laid]
                        got = [k for _, k in counts(t.phases, day, cut, case, opts)]
                        assert got == want, (t.name, opts, case, day, cut)
                        cut += dt.timedelta(days=1)


@pytest.mark.slow
def test_counts_agree_with_expand_for_three_years_of_starts() -> None:
    _counts_agree_with_expand(dt.date(2026, 1, 1), dt.date(2028, 12, 31), (1, 2, 6, 12, 18))
