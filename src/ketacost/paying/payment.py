"""Paying for it: payment-plan options resolved against the book's presets."""

from __future__ import annotations

import re
from decimal import Decimal

from ketacost.amounts import ZERO, Triple, fmt_pct, parse_money, parse_percent
from ketacost.book.pricebook import PriceBook
from ketacost.engine.results import FinanceSummary
from ketacost.errors import InputError
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.paying import financing
from ketacost.paying.financing import Plan
from ketacost.scenario import Scenario

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
) -> tuple[Plan, list[str]]:
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
        plan = financing.deferred(principal, months, rate, pay, minimum)
    else:
        if pay is None and minimum:
            pay = max(financing.level_payment(principal, months, rate), minimum)
        plan = financing.amortize(principal, months, rate, pay)
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


def finance_summary(
    book: PriceBook, sc: Scenario, patient: Triple[Decimal], notes: list[str]
) -> FinanceSummary | None:
    if sc.finance is None:
        return None
    preset, months, apr = parse_finance_spec(sc.finance, book)
    plans = [
        plan_from_options(
            book, amount=amount, months=months, apr=None if apr is None else f"{apr}", preset=preset
        )[0]
        for amount in patient
    ]
    first = plans[1]
    label = (
        book_text(book.financing[preset].name)
        if preset
        else tr("{months} months at {apr} APR", months=first.months, apr=fmt_pct(first.apr))
    )
    notes.append(
        tr("Financing: the whole amount you pay, financed on day one ({label}).", label=label)
    )
    return FinanceSummary(
        label=label,
        months=first.months,
        apr=first.apr,
        deferred=first.deferred,
        monthly_payment=Triple(*(p.monthly_payment for p in plans)),
        total_interest=Triple(*(p.total_interest for p in plans)),
        total_paid=Triple(*(p.total_paid for p in plans)),
        triggered=(
            plans[0].deferred_interest_triggered,
            plans[1].deferred_interest_triggered,
            plans[2].deferred_interest_triggered,
        ),
    )
