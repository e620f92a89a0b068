"""Dated sessions from a protocol."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacost.book import pricebook
from ketacost.book.pricebook import PriceBook
from ketacost.engine.schedule import ScheduleOptions, add_months, counts, expand

import bookfactory

D = dt.date


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return pricebook.validate(bookfactory.book(), "test")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 11, 27), 12, D(2027, 11, 27)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 3, 31), 11, D(2027, 2, 28)),
        (D(2026, 1, 1), 60, D(2031, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_spravato_label_schedule(book: PriceBook) -> None:
    phases = book.treatments["spravato"].phases
    start = D(2026, 12, 1)
    out = expand(phases, start, add_months(start, 12), "typical")
    induction, optimization, maintenance = out
    days = [(d - start).days for d in induction.dates]
    assert days == [0, 3, 7, 10, 14, 17, 21, 24]  # twice weekly in weeks 1-4
    assert [(d - start).days for d in optimization.dates] == [28, 35, 42, 49]  # weekly 5-8
    gaps = {(b - a).days for a, b in zip(maintenance.dates, maintenance.dates[1:], strict=False)}
    assert maintenance.dates[0] == start + dt.timedelta(weeks=8)  # week 9
    assert gaps == {14}
    weekly = expand(phases, start, add_months(start, 12), "high")[2]
    assert {(b - a).days for a, b in zip(weekly.dates, weekly.dates[1:], strict=False)} == {7}


def test_series_then_boosters_after_one_interval(book: PriceBook) -> None:
    phases = book.treatments["iv"].phases  # 6 over 3 weeks, then every 4 weeks
    start = D(2026, 12, 1)
    induction, maintenance = expand(phases, start, add_months(start, 12), "typical")
    assert len(induction.dates) == 6
    # the first booster comes one interval after the series' last infusion
    assert maintenance.dates[0] == induction.dates[-1] + dt.timedelta(weeks=4)
    assert all(d < add_months(start, 12) for d in maintenance.dates)
    assert maintenance.interval_weeks == 4


def test_cheap_case_has_fewest_sessions(book: PriceBook) -> None:
    phases = book.treatments["iv"].phases
    start, end = D(2026, 12, 1), D(2027, 12, 1)
    counts = {
        c: sum(len(p.dates) for p in expand(phases, start, end, c))
        for c in ("low", "typical", "high")
    }
    assert counts["low"] < counts["typical"] < counts["high"]


def test_options_change_the_protocol(book: PriceBook) -> None:
    phases = book.treatments["iv"].phases
    start, end = D(2026, 12, 1), D(2027, 12, 1)
    only = expand(phases, start, end, "typical", ScheduleOptions(sessions=10, maintenance=False))
    assert len(only) == 1 and len(only[0].dates) == 10
    # the protocol's pace is kept: 6 in 21 days -> 10 in 35 days
    assert (only[0].dates[-1] - start).days < 35
    gap = expand(phases, start, end, "low", ScheduleOptions(maintenance_weeks=6))[1]
    assert gap.interval_weeks == 6


def test_horizon_cuts_a_series_short(book: PriceBook) -> None:
    phases = book.treatments["spravato"].phases
    start = D(2026, 12, 1)
    out = expand(phases, start, add_months(start, 1), "typical")
    assert [len(p.dates) for p in out] == [8, 1, 0]


@settings(deadline=None)
@given(
    treatment=st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"]),
    case=st.sampled_from(["low", "typical", "high"]),
    start=st.dates(D(2025, 1, 1), D(2030, 12, 31)),
    months=st.integers(1, 60),
    sessions=st.one_of(st.none(), st.integers(1, 60)),
    weeks=st.one_of(st.none(), st.integers(1, 2)),
    maintenance=st.booleans(),
)
def test_counts_agree_with_the_dates(
    treatment: str,
    case: str,
    start: dt.date,
    months: int,
    sessions: int | None,
    weeks: int | None,
    maintenance: bool,
) -> None:
    phases = pricebook.load().treatments[treatment].phases  # type: ignore[index]
    opts = ScheduleOptions(sessions, weeks if maintenance else None, maintenance)
    end = add_months(start, months)
    dated = expand(phases, start, end, case, opts)  # type: ignore[arg-type]
    counted = counts(phases, start, end, case, opts)  # type: ignore[arg-type]
    assert [(p.phase.id, len(p.dates)) for p in dated] == [(p.id, n) for p, n in counted]
