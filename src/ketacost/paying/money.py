"""The money steps, applied to an estimate after the engine has built it.

The engine prices the care and splits it between payers; how the patient then pays
(pre-tax money, a payment plan) and what the visits cost around them (rides, travel,
time off) depend only on its result, so they come after it: estimate -> paying -> whatif.
"""

from __future__ import annotations

import dataclasses

from ketacost.book.pricebook import PriceBook
from ketacost.engine.results import Estimate
from ketacost.i18n import t as tr
from ketacost.paying.indirect import indirect_totals
from ketacost.paying.payment import finance_summary
from ketacost.paying.pretax import tax_savings_of


def apply(book: PriceBook, est: Estimate) -> Estimate:
    """`est` with its tax saving, the costs around its visits and its financing, each
    when the scenario asks for it, and the notes and warnings they bring."""
    sc = est.scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    notes: list[str] = []
    warnings: list[str] = []
    tax = tax_savings_of(book, sc, est.totals.patient, est.payments, notes)
    around = indirect_totals(book, t, sc, est.visit_days, notes)
    financing = finance_summary(book, sc, est.totals.patient, notes)
    if financing is not None and financing.triggered[1]:
        warnings.append(
            tr(
                "{label}: at the planned payment the promotion is not paid off in {months} "
                "months, so interest would be charged back to the purchase date.",
                label=financing.label,
                months=financing.months,
            )
        )
    return dataclasses.replace(
        est,
        totals=dataclasses.replace(est.totals, tax_savings=tax),
        around=around,
        financing=financing,
        money_notes=tuple(notes),
        money_warnings=tuple(warnings),
    )
