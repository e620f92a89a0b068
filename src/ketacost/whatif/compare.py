"""Every treatment side by side for the same patient situation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketacost.amounts import Triple
from ketacost.book.pricebook import PriceBook, resolve_treatment
from ketacost.engine.estimate import build
from ketacost.engine.results import Estimate
from ketacost.paying.money import apply as apply_money
from ketacost.records import record
from ketacost.scenario import Scenario
from ketacost.whatif.savings import route_scenario


@record
class Row:
    treatment: str
    estimate: Estimate
    coverage: str  # a short note on whether the payer covers it
    cheapest: bool

    @property
    def per_month(self) -> Triple[Decimal]:
        return self.estimate.per_month()


def compare(
    book: PriceBook,
    situation: Scenario,
    treatments: list[str] | None = None,
    *,
    today: dt.date | None = None,
) -> list[Row]:
    """One estimate per treatment, sorted by what the patient pays (typical, after any
    tax saving); the cheapest is marked. `situation.treatment` is ignored."""
    ids = [resolve_treatment(book, t) for t in treatments] if treatments else list(book.treatments)
    ids = list(dict.fromkeys(ids))
    estimates = []
    for tid in ids:
        sc = route_scenario(situation, tid).resolved(book)
        estimates.append((tid, apply_money(book, build(book, sc, today=today))))
    estimates.sort(key=lambda pair: (pair[1].totals.net.typical, pair[0]))
    rows = []
    for index, (tid, est) in enumerate(estimates):
        rows.append(Row(tid, est, _coverage(book, tid, situation), index == 0))
    return rows


def _coverage(book: PriceBook, tid: str, sc: Scenario) -> str:
    if sc.insurance == "none":
        return "self-pay"
    covered = book.treatments[tid].coverage_for(sc.insurance).value  # type: ignore[index]
    if sc.covered is not None:
        covered = sc.covered
    word = "usually covered" if covered else "usually not covered"
    if sc.covered is not None:
        word = "covered (as given)" if covered else "not covered (as given)"
    return f"{word} by {sc.insurance}"
