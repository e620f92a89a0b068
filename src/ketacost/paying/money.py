"""The money steps, applied to an estimate after the engine has built it.

The engine prices the care and splits it between payers; how the patient then pays
(pre-tax money, a payment plan) and what the visits cost around them (rides, travel,
time off) depend only on its result, so they come after it: estimate -> paying -> whatif.
"""

from __future__ import annotations

from decimal import Decimal

from ketacost import records
from ketacost.amounts import Triple, fmt_pct
from ketacost.book.pricebook import PriceBook
from ketacost.engine.results import Estimate, FinanceSummary
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.paying.financing import parse_finance_spec, plan_from_options
from ketacost.paying.indirect import indirect_totals
from ketacost.paying.pretax import tax_savings_of
from ketacost.scenario import Scenario


def apply(book: PriceBook, est: Estimate) -> Estimate:
    """`est` with its tax saving, the costs around its visits and its financing, each
    when the scenario asks for it, and the notes and warnings they bring."""
    sc = est.scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    warnings: list[str] = []
    tax, notes = tax_savings_of(book, sc, est.totals.patient, est.payments_by_case)
    indirect, indirect_notes = indirect_totals(book, t, sc, est.visit_days)
    financing = finance_summary(book, sc, est.totals.patient)
    notes += indirect_notes
    if financing is not None:
        notes.append(
            tr(
                "Financing: the whole amount you pay, financed on day one ({label}).",
                label=financing.label,
            )
        )
    if financing is not None and financing.triggered[1]:
        warnings.append(
            tr(
                "{label}: at the planned payment the promotion is not paid off in {months} "
                "months, so interest would be charged back to the purchase date.",
                label=financing.label,
                months=financing.months,
            )
        )
    return records.replace(
        est,
        totals=records.replace(est.totals, tax_savings=tax),
        indirect=indirect,
        financing=financing,
        money_notes=tuple(notes),
        money_warnings=tuple(warnings),
    )


def finance_summary(
    book: PriceBook, sc: Scenario, patient: Triple[Decimal]
) -> FinanceSummary | None:
    """What paying each case's `patient` total with the scenario's `--finance` plan
    costs a month and in all, or None without one."""
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
