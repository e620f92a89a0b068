"""The estimate engine as a plain Python API, and its arithmetic invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacost.amounts import Triple, cents, parse_money
from ketacost.book import pricebook
from ketacost.book.pricebook import PriceBook
from ketacost.engine.estimate import build
from ketacost.paying.money import apply as apply_money
from ketacost.scenario import Scenario

import bookfactory

START = dt.date(2026, 12, 1)
D0 = Decimal("0.00")
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return pricebook.validate(bookfactory.book(), "test")


def estimate(book: PriceBook, **kw):
    kw.setdefault("start", START)
    sc = Scenario(**kw).resolved(book)
    return apply_money(book, build(book, sc, today=TODAY))


def test_rounding_is_half_up_to_cents() -> None:
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("2.675")) == Decimal("2.68")
    assert cents(Decimal("-0.125")) == Decimal("-0.13")


@pytest.mark.parametrize(
    ("text", "value"),
    [("500", "500.00"), ("$1,250.50", "1250.50"), (" 0 ", "0.00"), ("12.5", "12.50")],
)
def test_money_parsing(text: str, value: str) -> None:
    assert parse_money(text, "--price") == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "-1",
        "1,00",
        "abc",
        "",
        "1.234",
        "nan",
        "1e3",
        "99999999",
        "100000000000000000000000000",
        "1" * 40 + ".5",
    ],  # found by the CLI fuzzer
)
def test_money_parsing_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="--price"):
        parse_money(text, "--price")


def test_typical_case_by_hand(book: PriceBook) -> None:
    # 6 induction + 12 boosters (every 4 weeks from week 7) at $500, consult $200
    est = estimate(book, treatment="iv")
    assert est.totals.sessions.typical == 18
    assert est.totals.billed.typical == Decimal("9200.00")
    assert est.totals.patient == est.totals.billed == est.totals.net
    assert est.totals.insurer.typical == Decimal("0.00")


def test_percent_discount_rounds_per_session(book: PriceBook) -> None:
    # 5% of $333.33 = 16.6665 -> 16.67 off each session, then summed
    est = estimate(
        book,
        treatment="iv",
        price=Decimal("333.33"),
        sessions=3,
        maintenance=False,
        consult=Decimal(0),
        discounts=("cash",),
    )
    assert est.phases[0].discount.typical == Decimal("50.01")
    assert est.totals.billed.typical == Decimal("949.98")


def test_package_discount_applies_to_its_phase_only(book: PriceBook) -> None:
    est = estimate(book, treatment="iv", price=Decimal("500"), discounts=("package",))
    induction, maintenance = est.phases
    assert induction.discount.typical == Decimal("300.00")  # 10% of 6 x 500
    assert maintenance.discount.typical == Decimal("0.00")
    # the cheap case takes the largest discount (20%)
    assert induction.discount.low == Decimal("100.00") * induction.sessions.low


def test_discounts_apply_in_turn(book: PriceBook) -> None:
    est = estimate(
        book,
        treatment="iv",
        price=Decimal("1000"),
        sessions=1,
        maintenance=False,
        consult=Decimal(0),
        discounts=("package", "cash"),
    )
    # 1 - 0.90 * 0.95 = 14.5% off
    assert est.totals.billed.typical == Decimal("855.00")


def test_spravato_first_dose_is_56mg(book: PriceBook) -> None:
    est = estimate(book, treatment="spravato", dose=84, maintenance=False)
    induction = est.phases[0]
    # 7 treatments at 3 devices + 1 at 2 devices, $295 each, plus $450 administration
    expected = 7 * (3 * Decimal(295) + 450) + (2 * Decimal(295) + 450)
    assert induction.billed.typical == expected
    assert induction.unit_price.typical == 3 * Decimal(295) + 450


def test_point_estimate_when_everything_is_fixed(book: PriceBook) -> None:
    est = estimate(
        book, treatment="iv", price=Decimal(500), sessions=6, maintenance=False, consult=Decimal(0)
    )
    assert est.totals.billed.is_point and est.totals.billed.typical == Decimal("3000.00")


def test_sources_are_numbered_and_cited(book: PriceBook) -> None:
    est = estimate(book, treatment="iv")
    assert est.sources and all(p.refs for p in est.phases)
    assert max(r for p in est.phases for r in p.refs) <= len(est.sources)


def test_assumed_figures_are_listed(book: PriceBook) -> None:
    data = bookfactory.book()
    data["treatments"]["im"]["phases"][0]["span_weeks"] = bookfactory.fig(
        2, 3, 6, unit="weeks", basis="assumption"
    )
    b = pricebook.validate(data, "test")
    est = estimate(b, treatment="im")
    assert any("Induction span is an assumption" in a for a in est.assumptions)


def test_bundled_book_estimates_every_treatment() -> None:
    b = pricebook.load()
    for tid in b.treatments:
        est = estimate(b, treatment=tid)
        assert est.totals.billed.low > 0
        assert est.totals.billed.low <= est.totals.billed.typical <= est.totals.billed.high


# -------------------------------------------------------------- property-based tests

money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
treatments = st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"])
scenarios = st.fixed_dictionaries(
    {"treatment": treatments},
    optional={
        "months": st.integers(1, 60),
        "start": st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
        "sessions": st.integers(1, 40),
        "maintenance": st.booleans(),
        "price": money,
        "consult": money,
    },
)


@pytest.fixture(scope="module")
def bundled() -> PriceBook:
    return pricebook.load()


@settings(deadline=None)
@given(kw=scenarios)
def test_ranges_are_ordered_and_totals_add_up(kw: dict, bundled: PriceBook) -> None:
    est = estimate(bundled, **kw)
    t = est.totals
    for triple in (t.sessions, t.billed, t.patient, t.net):
        assert triple.low <= triple.typical <= triple.high
    for case in ("low", "typical", "high"):
        lines = sum(getattr(p.billed, case) for p in est.phases)
        lines += sum(getattr(f.billed, case) for f in est.fees)
        assert lines == getattr(t.billed, case)
        assert getattr(t.billed, case) == cents(getattr(t.billed, case))
        billed = getattr(t.billed, case)
        parts = getattr(t.patient, case) + getattr(t.insurer, case) + getattr(t.assistance, case)
        assert parts == billed


@settings(deadline=None)
@given(kw=scenarios, extra=st.integers(1, 10), bump=money)
def test_more_sessions_or_a_higher_price_never_cost_less(
    kw: dict,
    extra: int,
    bump: Decimal,
    bundled: PriceBook,
) -> None:
    base = estimate(bundled, **kw).totals.billed
    more = estimate(bundled, **{**kw, "sessions": kw.get("sessions", 6) + extra}).totals.billed
    if "sessions" in kw:
        assert all(m >= b for m, b in zip(more, base, strict=True))
    if "price" in kw:
        dearer = estimate(bundled, **{**kw, "price": kw["price"] + bump}).totals.billed
        assert all(d >= b for d, b in zip(dearer, base, strict=True))


@settings(deadline=None)
@given(kw=scenarios, discount=st.sampled_from(["package", "group", "prompt_pay", "sliding_scale"]))
def test_a_discount_never_raises_the_cost(kw: dict, discount: str, bundled: PriceBook) -> None:
    if kw["treatment"] not in bundled.discounts[discount].applies_to:
        return
    base = estimate(bundled, **kw).totals.billed
    cut = estimate(bundled, **kw, discounts=(discount,)).totals.billed
    assert all(c <= b for c, b in zip(cut, base, strict=True))


MONEY_KEYS = {
    "billed",
    "insurer",
    "assistance",
    "patient",
    "tax_savings",
    "net",
    "per_month",
    "paid_up_front",
    "reimbursed",
    "price_per_session",
    "discount",
    "saves",
    "monthly_payment",
    "total_interest",
    "total_paid",
    "rides",
    "travel",
    "time_off",
    "total",
    "indirect",
    "with_indirect",
}


def _money_strings(node: object, key: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in MONEY_KEYS and isinstance(v, dict) and set(v) == {"low", "typical", "high"}:
                found.extend(str(x) for x in v.values())
            else:
                found.extend(_money_strings(v, k))
    elif isinstance(node, list):
        for v in node:
            found.extend(_money_strings(v, key))
    return found


@settings(deadline=None)
@given(
    kw=scenarios,
    insurance=st.sampled_from(["none", "commercial", "medicare"]),
    hsa=st.booleans(),
    indirect=st.booleans(),
)
def test_json_money_always_has_two_decimals(
    kw: dict, insurance: str, hsa: bool, indirect: bool, bundled: PriceBook
) -> None:
    import re

    from ketacost.report.jsonout import estimate_doc

    est = estimate(
        bundled, **kw, insurance=insurance, hsa=hsa, include_indirect=indirect, finance="12@9.9"
    )
    values = _money_strings(estimate_doc(est))
    assert values
    bad = [v for v in values if not re.fullmatch(r"-?\d+\.\d{2}", v)]
    assert not bad, bad


@settings(deadline=None)
@given(
    kw=scenarios,
    discount=st.sampled_from([(), ("package",), ("prompt_pay", "group")]),
    dose=st.sampled_from([None, 56, 84]),
)
def test_quick_self_pay_totals_equal_the_full_path(
    kw: dict, discount: tuple[str, ...], dose: int | None, bundled: PriceBook
) -> None:
    from ketacost.engine.fastpaths import self_pay_totals

    kw = dict(kw)
    kw.setdefault("start", START)
    if dose is not None and kw["treatment"] == "spravato":
        kw["dose"] = dose
    usable = tuple(d for d in discount if kw["treatment"] in bundled.discounts[d].applies_to)
    sc = Scenario(**kw, discounts=usable).resolved(bundled)
    quick = self_pay_totals(bundled, sc)
    assert quick is not None
    full = apply_money(bundled, build(bundled, sc, today=TODAY)).totals
    assert quick.billed == full.billed and quick.patient == full.patient
    covered = sc.model_copy(update={"insurance": "commercial", "covered": True})
    assert self_pay_totals(bundled, covered) is None
    refused = sc.model_copy(update={"insurance": "medicare", "covered": False})
    quick_refused = self_pay_totals(bundled, refused)
    assert quick_refused is not None
    full_refused = apply_money(bundled, build(bundled, refused, today=TODAY)).totals
    assert quick_refused.patient == full_refused.patient == full.patient
    assert full_refused.insurer == Triple(D0, D0, D0)


@settings(deadline=None)
@given(
    kw=scenarios,
    insurance=st.sampled_from(["commercial", "medicare", "medicaid"]),
    hsa=st.booleans(),
)
def test_claim_totals_equal_the_full_estimate(
    kw: dict, insurance: str, hsa: bool, bundled: PriceBook
) -> None:
    from ketacost.engine.fastpaths import claim_totals

    kw = {**kw, "insurance": insurance, "hsa": hsa}
    kw.setdefault("start", START)
    sc = Scenario(**kw).resolved(bundled)
    full = apply_money(bundled, build(bundled, sc, today=TODAY)).totals
    lean = claim_totals(bundled, sc)
    assert lean.split == full.split
    assert lean.tax_savings == full.tax_savings and lean.sessions == full.sessions


@settings(deadline=None, max_examples=120)
@given(
    kw=scenarios,
    insurance=st.sampled_from(["none", "commercial", "medicare", "medicaid"]),
    hsa=st.booleans(),
    discount=st.sampled_from([(), ("package",)]),
)
def test_batch_figures_equal_the_full_estimate(
    kw: dict, insurance: str, hsa: bool, discount: tuple[str, ...], bundled: PriceBook
) -> None:
    """Batch's first series, first month, average month and tax saving are the
    estimate's own (its first phase, first_month, per_month(), tax_savings)."""
    from ketacost.engine.fastpaths import batch_figures

    kw = {**kw, "insurance": insurance, "hsa": hsa and insurance != "medicare"}
    kw.setdefault("start", START)
    usable = tuple(d for d in discount if kw["treatment"] in bundled.discounts[d].applies_to)
    sc = Scenario(**kw, discounts=usable).resolved(bundled)
    full = apply_money(bundled, build(bundled, sc, today=TODAY))
    got = batch_figures(bundled, sc, {})
    assert got.split == full.totals.split and got.tax_savings == full.totals.tax_savings
    assert got.per_month() == full.per_month()
    first = next((p for p in full.phases if p.sessions.typical or p.sessions.high), None)
    if first is not None:
        assert got.first_series == first.split.patient
    assert full.first_month is not None
    assert (got.first_month, got.first_month_patient) == (
        full.first_month.month,
        full.first_month.patient,
    )
