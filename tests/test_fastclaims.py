"""The batch's integer-cents claim loop (ketacost.engine.fastclaims) gives the claim engine's
totals (fastpaths.claim_totals) to the cent, on random rows of every plan kind it
covers; for the plan kinds it does not cover it steps aside (returns None)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ketacost.batch import scenario_from_cells
from ketacost.book import pricebook
from ketacost.engine.costshare import plan_year_of
from ketacost.engine.fastclaims import (
    _PLAN_FIELD_NAMES,
    _alike,
    _plan,
    eligible,
    fast_batch_figures,
    fast_claim_totals,
)
from ketacost.engine.fastpaths import batch_figures, claim_totals, self_pay_applies
from ketacost.engine.insurance import resolve_plan
from ketacost.errors import KetacostError

BOOK = pricebook.load()
MEMO: dict[object, Any] = {}  # shared across examples, as a batch shares it across rows

money = st.one_of(
    st.integers(0, 9000).map(str),
    st.decimals("0", "6000", places=2, allow_nan=False, allow_infinity=False).map(str),
)
optional = st.one_of(st.just(""), money)
percent = st.sampled_from(["", "0", "10", "20", "30", "12.5", "33.33", "100"])
flag = st.sampled_from(["", "yes", "no"])


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """Random rows that mostly pass the cross-field checks, so the examples are spent
    on arithmetic: plan fields only with a plan, Medigap only with Medicare, one of
    copay or coinsurance, one of maintenance weeks or none."""
    insurance = draw(st.sampled_from(["", "none", "commercial", "medicare", "medicaid"]))
    insured = insurance in ("commercial", "medicare", "medicaid")
    cells = {
        "treatment": draw(st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"])),
        "months": draw(st.sampled_from(["", "1", "3", "6", "12", "18", "30"])),
        "start": f"{draw(st.integers(2026, 2028))}-{draw(st.integers(1, 12)):02d}-"
        f"{draw(st.integers(1, 28)):02d}",
        "sessions": draw(st.sampled_from(["", "1", "4", "6", "8", "12"])),
        "price": draw(st.one_of(st.just(""), st.just(""), money)),
        "consult": draw(st.sampled_from(["", "", "0", "150", "399.99"])),
        "insurance": insurance,
        "assistance": draw(flag),
        "state": draw(st.sampled_from(["", "", "CA", "NY", "TX", "MA"])),
    }
    if cells["treatment"] == "spravato":
        cells["dose"] = draw(st.sampled_from(["", "", "56", "84"]))
        if insurance == "commercial":
            cells["observation_rebate"] = draw(flag)
    if cells["treatment"] == "iv":
        cells["discount"] = draw(st.sampled_from(["", "", "package", "prompt_pay"]))
    if draw(st.booleans()):
        cells["no_maintenance"] = draw(flag)
    else:
        cells["maintenance_weeks"] = draw(st.sampled_from(["", "", "1", "2", "4"]))
    if insured:
        networks = ["", "in", "out"] if insurance == "commercial" else ["", "in"]
        cells |= {
            "covered": draw(flag),
            "network": draw(st.sampled_from(networks)),
            "allowed": draw(st.one_of(st.just(""), st.just(""), money)),
            "deductible": draw(optional),
            "oop_max": draw(optional),
            "annual_deductible": draw(optional),
            "annual_oop_max": draw(optional),
        }
        if draw(st.booleans()):
            cells["coinsurance"] = draw(percent)
        else:
            cells["copay"] = draw(st.sampled_from(["", "", "", "0", "25", "40.50"]))
    if insurance == "commercial":
        cells["plan_year_start"] = draw(st.sampled_from(["", "", "07-01", "10-15", "03-31"]))
    if insurance == "medicare":
        cells["medigap"] = draw(st.sampled_from(["", "none", "G", "N"]))
    accounts = ["", "fsa"] if insurance in ("medicare", "medicaid") else ["", "hsa", "fsa"]
    account = draw(st.sampled_from(accounts))
    if account:
        cells[account] = "yes"
        cells["tax_rate"] = draw(st.sampled_from(["", "", "22", "32.5"]))
        cells["account_balance"] = draw(st.sampled_from(["", "", "0", "500", "2500.50"]))
        if account == "hsa":
            cells["hsa_payroll"] = draw(flag)
            cells["family"] = draw(flag)
    return {k: v for k, v in cells.items() if v}


def _scenario(cells: dict[str, str]) -> Any:
    try:
        return scenario_from_cells(cells).resolved(BOOK)
    except KetacostError:
        assume(False)


# Many random rows are refused by the cross-field checks (an HSA with Medicare, say);
# those are filtered, and the valid rest still covers every plan kind.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cells=rows())
def test_equal_to_the_claim_engine_to_the_cent(cells: dict[str, str]) -> None:
    sc = _scenario(cells)
    try:
        expected = claim_totals(BOOK, sc)
    except KetacostError:
        assume(False)
    fast = fast_claim_totals(BOOK, sc, MEMO)
    assert fast is not None, "every plan kind these rows use is on the fast path"
    assert fast == expected


@pytest.mark.parametrize(
    "extra",
    [
        {"insurance": "medicare-advantage"},
        {"insurance": "commercial", "treatment": "spravato", "drug_benefit": "pharmacy"},
        {"insurance": "commercial", "treatment": "spravato", "drug_network": "out"},
        {"insurance": "commercial", "treatment": "spravato", "accumulator": "yes"},
        {"insurance": "commercial", "family_deductible": "3000"},
    ],
)
def test_other_plans_go_to_the_claim_engine(extra: dict[str, str]) -> None:
    cells = {"treatment": "iv", "start": "2027-03-01", **extra}
    sc = scenario_from_cells(cells).resolved(BOOK)
    assert not eligible(sc)
    assert fast_claim_totals(BOOK, sc) is None


def test_a_fraction_of_a_cent_goes_to_the_claim_engine() -> None:
    sc = scenario_from_cells(
        {"treatment": "spravato", "start": "2027-03-01", "insurance": "commercial"}
    ).resolved(BOOK)
    sc = sc.model_copy(update={"deductible": Decimal("100.005")})
    assert fast_claim_totals(BOOK, sc) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=rows())
def test_batch_figures_equal_to_the_claim_engine(cells: dict[str, str]) -> None:
    """What a batch row reports (totals, first series, first month, tax) is the same."""
    sc = _scenario(cells)
    try:
        expected = batch_figures(BOOK, sc)
    except KetacostError:
        assume(False)
    fast = fast_batch_figures(BOOK, sc, MEMO)
    if fast is None:  # self-pay arithmetic: batch_figures' own fast path
        assert self_pay_applies(BOOK.treatments[sc.treatment], sc)
        return
    assert fast == expected


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=rows(), other=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
def test_plans_shared_across_start_dates(cells: dict[str, str], other: dt.date) -> None:
    """A batch resolves each case's plan once for rows that differ in their start date
    alone: figures from the first row's plans are the second row's own."""
    sc = _scenario(cells)
    plans: dict[Any, Any] = {}
    if fast_batch_figures(BOOK, sc, MEMO, plans) is None:
        return
    moved = sc.model_copy(update={"start": other})
    try:
        expected = batch_figures(BOOK, moved)
    except KetacostError:
        assume(False)
    assert fast_batch_figures(BOOK, moved, MEMO, plans) == expected


def _runs_by_hand(
    visits: list[tuple[dt.date, str, tuple[Any, ...]]], year_start: tuple[int, int], start: dt.date
) -> list[list[Any]]:
    """`_alike` spelled out: join the services of one day and phase, then run together
    consecutive visits of the same lines and tag in one plan year, year and month."""
    joined: list[tuple[dt.date, str, tuple[Any, ...]]] = []
    for v in visits:
        if joined and joined[-1][:2] == v[:2]:
            joined[-1] = (v[0], v[1], joined[-1][2] + v[2])
        else:
            joined.append(v)

    def where(day: dt.date) -> tuple[object, ...]:
        first_month = (day.year, day.month) == (start.year, start.month)
        return (plan_year_of(day, year_start), day.year, first_month)

    out: list[list[Any]] = []
    for day, tag, lines in joined:
        if out and out[-1][1] == tag and out[-1][2] is lines and where(out[-1][0]) == where(day):
            out[-1][3] += 1
        else:
            out.append([day, tag, lines, 1])
    return out


@given(
    steps=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["a", "b"]), st.sampled_from([0, 1, 2])),
        max_size=60,
    ),
    year_start=st.sampled_from([(1, 1), (7, 1), (3, 31)]),
)
def test_visits_run_together_as_by_hand(
    steps: list[tuple[int, str, int]], year_start: tuple[int, int]
) -> None:
    """Runs of alike visits, with same-day services of one phase joined (which the book's
    protocols never lay out, but a protocol could)."""
    start = dt.date(2026, 12, 20)
    kinds = [((100, 100, False, False, True),), ((5, 5, True, False, False),), ()]
    visits, day = [], start
    for gap, tag, kind in steps:
        day += dt.timedelta(days=gap)
        visits.append((day, tag, kinds[kind]))
    got = _alike(visits, year_start, start)
    want = _runs_by_hand(visits, year_start, start)
    assert [(d, t, lines, n) for d, t, lines, n, _limit in got] == [tuple(r) for r in want]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    cells=rows(),
    other=st.fixed_dictionaries(
        {
            "months": st.sampled_from(["1", "6", "18"]),
            "start": st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)).map(str),
            "sessions": st.sampled_from(["", "4", "12"]),
            "price": st.sampled_from(["", "250", "999.99"]),
            "consult": st.sampled_from(["", "0", "150"]),
        }
    ),
)
def test_a_kept_plan_is_the_rows_own(cells: dict[str, str], other: dict[str, str]) -> None:
    """A covered row's plan is kept for the rows of the same plan fields (`_plan`): a
    row of another price, sessions, months, consultation and start gets what resolving
    its own plan gives, but for the date the terms are as of (which the claim loop
    does not read)."""
    sc = _scenario(cells)
    moved = _scenario({**cells, **{k: v for k, v in other.items() if v}})
    t = BOOK.treatments[sc.treatment]
    memo: dict[object, Any] = {}
    for case in ("low", "typical", "high"):
        _plan(BOOK, t, sc, case, memo)
        kept = _plan(BOOK, t, moved, case, memo)
        assert kept is _plan(BOOK, t, sc, case, memo)  # the first row's, kept
        dated = moved.model_copy(update={"start": kept.terms.as_of})
        assert kept == resolve_plan(BOOK, t, dated, case, wording=False)


class _Reads:
    """A scenario that notes which of its fields are read."""

    def __init__(self, sc: Any) -> None:
        self.scenario = sc
        self.names: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.names.add(name)
        return getattr(self.scenario, name)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cells=rows())
def test_a_plan_is_kept_by_every_field_it_reads(cells: dict[str, str]) -> None:
    """`_plan`'s key holds every scenario field `resolve_plan` reads (but the start,
    which dates the terms): no two rows that differ in one share a plan."""
    sc = _scenario(cells)
    t = BOOK.treatments[sc.treatment]
    for case in ("low", "typical", "high"):
        reads = _Reads(sc)
        resolve_plan(BOOK, t, reads, case, wording=False)  # type: ignore[arg-type]
        assert reads.names - {"start"} <= set(_PLAN_FIELD_NAMES)
