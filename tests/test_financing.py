"""Payment plans: amortization to the cent, deferred interest, and the finance command."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacost.cli.app import app
from ketacost.errors import InputError
from ketacost.paying.financing import amortize, deferred_plan, level_payment

D = Decimal


@pytest.mark.parametrize(
    ("amount", "months", "apr", "payment"),
    [
        ("3000", 24, "14.90", "145.32"),  # research note's check
        ("10000", 36, "5", "299.71"),
        ("20000", 60, "6", "386.66"),
        ("1000", 12, "12", "88.85"),
        ("200000", 360, "6.5", "1264.14"),
        ("1200", 12, "0", "100.00"),
    ],
)
def test_level_payment_matches_the_standard_formula(
    amount: str, months: int, apr: str, payment: str
) -> None:
    assert level_payment(D(amount), months, D(apr)) == D(payment)


def test_amortized_plan_clears_in_its_term_and_adds_up() -> None:
    plan = amortize(D("3000"), 24, D("14.90"))
    assert plan.months_to_pay == 24
    assert plan.schedule[-1].balance == 0
    assert plan.total_paid == D("3000") + plan.total_interest
    assert sum(m.principal for m in plan.schedule) == D("3000")
    assert abs(plan.schedule[-1].payment - D("145.32")) < D("1.00")


def test_zero_apr_has_no_interest_and_no_division_by_zero() -> None:
    plan = amortize(D("1000"), 3, D("0"))
    assert [m.payment for m in plan.schedule] == [D("333.34"), D("333.34"), D("333.32")]
    assert plan.total_interest == 0


def test_deferred_promo_paid_in_time_costs_nothing() -> None:
    plan = deferred_plan(D("1200"), 12, D("26.99"))
    assert plan.monthly_payment == D("100.00")
    assert not plan.deferred_interest_triggered
    assert plan.total_interest == 0 and plan.total_paid == D("1200")


def test_deferred_promo_short_by_a_cent_charges_interest_back() -> None:
    plan = deferred_plan(D("1200.01"), 12, D("26.99"), payment=D("100.00"))
    assert plan.deferred_interest_triggered
    # interest on every month's opening balance since the purchase, at 26.99% / 12
    rate = D("26.99") / 1200
    expected = sum((((D("1200.01") - 100 * m) * rate).quantize(D("0.01")) for m in range(12)), D(0))
    assert plan.back_interest == expected == D("175.44")
    assert plan.total_paid == D("1200.01") + plan.total_interest


def test_deferred_minimum_payment_applies() -> None:
    plan = deferred_plan(D("250"), 12, D("26.99"), min_payment=D("30.00"))
    assert plan.monthly_payment == D("30.00")
    assert not plan.deferred_interest_triggered


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: amortize(D("-1"), 12, D("5")), "AMOUNT"),
        (lambda: amortize(D("100"), 0, D("5")), "--months"),
        (lambda: amortize(D("100"), 12, D("101")), "--apr"),
        (lambda: amortize(D("10000"), 12, D("24"), payment=D("150")), "interest"),
        (lambda: amortize(D("100"), 12, D("5"), payment=D("0")), "--payment"),
    ],
)
def test_bad_plans_are_refused(call, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        call()


@given(
    amount=st.decimals(0, 100000, places=2),
    months=st.integers(1, 120),
    apr=st.decimals(0, 40, places=2),
    promo=st.booleans(),
    short=st.decimals(0, 50, places=2),
)
def test_total_paid_covers_the_principal(
    amount: Decimal, months: int, apr: Decimal, promo: bool, short: Decimal
) -> None:
    if promo:
        needed = (amount / months).quantize(D("0.01"))
        pay = max(needed - short, D("0.01"))
        try:
            plan = deferred_plan(amount, months, apr, payment=pay)
        except InputError:
            return  # a payment that cannot outpace the interest is refused, by design
    else:
        plan = amortize(amount, months, apr)
        assert plan.months_to_pay <= months
    assert plan.total_paid >= amount
    assert plan.total_paid == amount + plan.total_interest
    assert all(m.payment >= 0 for m in plan.schedule)
    assert not plan.schedule or plan.schedule[-1].balance == 0


# ------------------------------------------------------------------------ the command


def run(runner, *args: str):
    return runner.invoke(app, ["finance", *args])


def test_finance_json_zero_apr(runner) -> None:
    result = run(runner, "1200", "--months", "12", "--apr", "0", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["monthly_payment"] == "100.00"
    assert doc["total_interest"] == "0.00"
    assert doc["total_paid"] == "1200.00"
    assert doc["deferred_interest_triggered"] is False
    assert len(doc["schedule"]) == 12


def test_finance_deferred_warning(runner) -> None:
    result = run(
        runner, "2400", "--months", "12", "--apr", "32.99", "--deferred", "--payment", "150"
    )
    assert result.exit_code == 0, result.output
    assert "interest" in result.stdout.lower()
    assert "charged back" in result.stderr
    doc = json.loads(
        run(
            runner,
            "2400",
            "--months",
            "12",
            "--apr",
            "32.99",
            "--deferred",
            "--payment",
            "150",
            "--format",
            "json",
        ).stdout
    )
    assert doc["deferred_interest_triggered"] is True
    assert D(doc["total_interest"]) > 0


def test_finance_preset(runner) -> None:
    doc = json.loads(run(runner, "3000", "--preset", "carecredit_12", "--format", "json").stdout)
    assert doc["deferred"] is True and doc["months"] == 12
    assert doc["monthly_payment"] == "250.00"
    doc = json.loads(run(runner, "3000", "--preset", "clinic_in_house", "--format", "json").stdout)
    assert D(doc["monthly_payment"]) >= D("375.00")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-5", "--months", "12"], "AMOUNT"),
        (["abc", "--months", "12"], "AMOUNT"),
        (["1000", "--months", "0"], "--months"),
        (["1000", "--months", "12", "--apr", "150"], "--apr"),
        (["1000", "--months", "12", "--apr", "-1"], "--apr"),
        (["10000", "--months", "12", "--apr", "24", "--payment", "100"], "interest"),
        (["1000", "--preset", "nope"], "unknown preset 'nope'"),
        (["1000"], "--months"),
    ],
)
def test_finance_bad_input(runner, args: list[str], needle: str) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_a_chosen_payment_that_changes_the_term_is_said() -> None:
    """`--months 12 --payment 100` on $3,000 at 9.9% runs 35 months: the header's 12
    months must not stand alone."""
    from ketacost.paying.financing import plan_warnings

    longer = amortize(Decimal("3000"), 12, Decimal("9.9"), Decimal("100"))
    assert longer.months_to_pay == 35
    assert plan_warnings(longer, payment_given=True) == [
        "at $100.00 a month this plan takes 35 months to pay off, not the 12 asked for."
    ]
    level = amortize(Decimal("3000"), 12, Decimal("9.9"))
    assert plan_warnings(level, payment_given=False) == []
    exact = amortize(Decimal("1200"), 12, Decimal("0"), Decimal("100"))
    assert plan_warnings(exact, payment_given=True) == []
