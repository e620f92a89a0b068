"""Payment plans: an amortized loan at an APR, or a deferred-interest promotion, from
the `finance` options or a preset in the price book.

Interest is computed monthly on the balance at the start of the month (APR / 12), and
rounded half-up to cents each month. Issuers of deferred-interest cards use daily
balances; the monthly figure is a close, stated approximation.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from ketacost.amounts import CENT, ZERO, cents, fmt_money, parse_money, parse_percent
from ketacost.errors import InputError
from ketacost.records import record

if TYPE_CHECKING:
    from ketacost.book.pricebook import PriceBook

TWELVE_HUNDRED = Decimal(1200)  # APR in percent -> monthly rate
MAX_MONTHS = 600  # 50 years: beyond this a payment plan is not a plan


@record
class Month:
    month: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal  # after this month's payment


@record
class FinancePlan:
    amount: Decimal
    months: int  # the term asked for (the promotion's length when deferred)
    apr: Decimal
    deferred: bool
    monthly_payment: Decimal
    schedule: tuple[Month, ...]
    deferred_interest_triggered: bool
    back_interest: Decimal  # interest charged back to the purchase date

    @property
    def total_interest(self) -> Decimal:
        return sum((m.interest for m in self.schedule), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((m.payment for m in self.schedule), ZERO)

    @property
    def months_to_pay(self) -> int:
        return len(self.schedule)


def level_payment(amount: Decimal, months: int, apr: Decimal) -> Decimal:
    """The standard amortized payment, rounded half-up to the cent; P / n at 0% APR."""
    if amount <= 0:
        return ZERO
    if apr == 0:
        return (amount / months).quantize(CENT, rounding=ROUND_CEILING)
    r = apr / TWELVE_HUNDRED
    growth = (1 + r) ** months
    # For a few cents over many months the formula rounds below a cent of progress;
    # a payment must always cover the month's interest plus at least a cent.
    return max(cents(amount * r * growth / (growth - 1)), cents(amount * r) + CENT)


def _check(amount: Decimal, months: int, apr: Decimal, payment: Decimal | None) -> None:
    if amount < 0:
        raise InputError("AMOUNT must not be negative", param="AMOUNT")
    if not 1 <= months <= MAX_MONTHS:
        raise InputError(f"--months must be between 1 and {MAX_MONTHS}", param="--months")
    if not 0 <= apr <= 100:
        raise InputError("--apr must be between 0 and 100 (percent a year)", param="--apr")
    if payment is not None and payment <= 0:
        raise InputError("--payment must be more than 0", param="--payment")


def amortize(
    amount: Decimal, months: int, apr: Decimal, payment: Decimal | None = None
) -> FinancePlan:
    """An installment plan. Without `payment`, the level payment that clears it in
    `months`; the last payment is whatever is left."""
    _check(amount, months, apr, payment)
    pay = payment if payment is not None else level_payment(amount, months, apr)
    r = apr / TWELVE_HUNDRED
    first_interest = cents(amount * r)
    if amount > 0 and pay <= first_interest:
        raise InputError(
            f"--payment {pay} does not cover the first month's interest ({first_interest}); "
            "the balance would never go down",
            param="--payment",
        )
    rows = _run(amount, r, pay, months if payment is None else MAX_MONTHS)
    return FinancePlan(amount, months, apr, False, pay, tuple(rows), False, ZERO)


def _run(
    balance: Decimal, r: Decimal, pay: Decimal, limit: int, start_month: int = 1
) -> list[Month]:
    rows: list[Month] = []
    month = start_month
    while balance > 0:
        interest = cents(balance * r)
        due = balance + interest
        last = month - start_month + 1 >= limit
        this = due if (pay >= due or last) else pay
        balance = due - this
        rows.append(Month(month, this, interest, this - interest, balance))
        month += 1
        if balance > 0 and month - start_month >= MAX_MONTHS:
            raise InputError(
                "the payment plan would run for more than 50 years; raise --payment",
                param="--payment",
            )
    return rows


def back_interest(amount: Decimal, months: int, apr: Decimal, payment: Decimal) -> Decimal:
    """The interest a deferred-interest promotion charges back at its end when `payment`
    a month does not clear `amount` in `months` (zero when it does)."""
    r = apr / TWELVE_HUNDRED
    balance, accrued = amount, ZERO
    for _ in range(months):
        if balance <= 0:
            return ZERO
        accrued += cents(balance * r)
        balance -= min(payment, balance)
    return accrued if balance > 0 else ZERO


def deferred_plan(
    amount: Decimal,
    months: int,
    apr: Decimal,
    payment: Decimal | None = None,
    min_payment: Decimal = ZERO,
) -> FinancePlan:
    """A "no interest if paid in full" promotion of `months` months.

    Paid in full in time: no interest at all. Otherwise the interest on every month's
    balance since the purchase is charged back when the promotion ends, and the rest is
    repaid at the APR with the same payment."""
    _check(amount, months, apr, payment)
    needed = (amount / months).quantize(CENT, rounding=ROUND_CEILING) if amount else ZERO
    pay = payment if payment is not None else max(needed, min_payment)
    r = apr / TWELVE_HUNDRED
    rows: list[Month] = []
    balance = amount
    for month in range(1, months + 1):
        if balance <= 0:
            break
        this = min(pay, balance)
        balance -= this
        rows.append(Month(month, this, ZERO, this, balance))
    if balance <= 0:
        return FinancePlan(amount, months, apr, True, pay, tuple(rows), False, ZERO)
    # Missed the deadline: the interest the card tracked in the background since the
    # purchase lands on the balance at once.
    accrued = back_interest(amount, months, apr, pay)
    last = rows[-1]
    rows[-1] = Month(last.month, last.payment, accrued, last.payment - accrued, balance + accrued)
    balance += accrued
    if pay <= cents(balance * r):
        raise InputError(
            f"--payment {pay} does not cover the interest after the promotion ends; "
            "the balance would never go down",
            param="--payment",
        )
    rows.extend(_run(balance, r, pay, MAX_MONTHS, start_month=months + 1))
    return FinancePlan(amount, months, apr, True, pay, tuple(rows), True, accrued)


_SPEC = re.compile(r"^\s*(\d+)\s*@\s*(\d+(\.\d+)?)\s*%?\s*$")


def _money(text: str, what: str) -> Decimal:
    try:
        return parse_money(text, what)
    except ValueError as exc:
        raise InputError(str(exc), param=what) from None


def _percent(text: str, what: str) -> Decimal:
    try:
        return parse_percent(text, what)
    except ValueError as exc:
        raise InputError(str(exc), param=what) from None


def plan_from_options(
    book: PriceBook | None,
    *,
    amount: str | Decimal,
    months: int | None = None,
    apr: str | None = None,
    deferred: bool = False,
    payment: str | None = None,
    preset: str | None = None,
) -> tuple[FinancePlan, list[str]]:
    """A plan from `finance` options; a preset fills what the options leave out."""
    principal = amount if isinstance(amount, Decimal) else _money(amount, "AMOUNT")
    notes: list[str] = []
    rate = _percent(apr, "--apr") if apr is not None else None
    pay = _money(payment, "--payment") if payment is not None else None
    minimum = ZERO
    is_deferred = deferred
    if preset is not None:
        assert book is not None
        key = preset.strip().lower()
        if key not in book.financing:
            known = ", ".join(book.financing) or "(none in this price book)"
            raise InputError(
                f"--preset: unknown preset '{preset}'. Choose from: {known}", param="--preset"
            )
        p = book.financing[key]
        months = months if months is not None else int(p.months.get("typical"))
        rate = rate if rate is not None else p.apr.get("typical")
        is_deferred = is_deferred or p.kind == "deferred"
        if p.min_payment is not None:
            minimum = p.min_payment.get("typical")
        notes.append(f"{p.name}: {p.how}")
        if p.min_purchase is not None and principal < p.min_purchase.get("typical"):
            notes.append(
                f"This promotion needs a purchase of at least "
                f"${p.min_purchase.get('typical'):,.2f}."
            )
    if months is None:
        raise InputError("--months is required (or choose a --preset)", param="--months")
    rate = rate if rate is not None else ZERO
    if is_deferred:
        plan = deferred_plan(principal, months, rate, pay, minimum)
    else:
        if pay is None and minimum:
            pay = max(level_payment(principal, months, rate), minimum)
        plan = amortize(principal, months, rate, pay)
    if is_deferred and not plan.deferred_interest_triggered:
        notes.append(f"Paid in full within {months} months: no interest.")
    return plan, notes


def parse_finance_spec(spec: str, book: PriceBook) -> tuple[str | None, int | None, Decimal | None]:
    """'carecredit_12' (a preset) or '12@9.9' (months at APR) for `estimate --finance`."""
    m = _SPEC.match(spec)
    if m:
        months, apr = int(m.group(1)), Decimal(m.group(2))
        if not 1 <= months <= 600 or apr > 100:
            raise InputError(
                f"--finance: '{spec}' needs 1-600 months and an APR of 0-100", param="--finance"
            )
        return None, months, apr
    key = spec.strip().lower()
    if key in book.financing:
        return key, None, None
    known = ", ".join(book.financing)
    raise InputError(
        f"--finance: '{spec}' is neither a preset ({known}) nor MONTHS@APR like 12@9.9",
        param="--finance",
    )


def plan_warnings(plan: FinancePlan, *, payment_given: bool) -> list[str]:
    """What a patient must not miss about a plan: a promotion that charges interest back,
    or a chosen payment that makes the plan longer or shorter than the term asked for."""
    from ketacost.i18n import t

    if plan.deferred_interest_triggered:
        return [
            f"this promotion is not paid off in {plan.months} months: "
            f"{fmt_money(plan.back_interest)} of interest is charged back to the purchase date."
        ]
    if payment_given and not plan.deferred and plan.months_to_pay != plan.months:
        return [
            t(
                "at {payment} a month this plan takes {n} months to pay off, not the "
                "{months} asked for.",
                payment=fmt_money(plan.monthly_payment),
                n=plan.months_to_pay,
                months=plan.months,
            )
        ]
    return []
