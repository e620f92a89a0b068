"""HSA/FSA: what paying with pre-tax money saves, within the year's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketacost.amounts import ZERO, cents
from ketacost.i18n import N_

Account = Literal["hsa", "fsa"]
HUNDRED = Decimal(100)

ELIGIBILITY = N_(
    "HSA/FSA eligibility rests on IRS Publication 502's definition of medical care "
    "(diagnosis, cure, mitigation or treatment of disease, mental illness included); "
    "confirm with your plan administrator."
)


@dataclass(frozen=True)
class PreTax:
    account: Account
    rate: Decimal  # combined marginal rate saved, percent
    yearly_limit: Decimal  # contribution limit per calendar year
    balance: Decimal | None  # money already in the account, if the patient said


@dataclass(frozen=True)
class Savings:
    paid_pretax: Decimal
    tax_savings: Decimal


def savings(payments: Iterable[tuple[dt.date, Decimal]], account: PreTax) -> Savings:
    """Payments (date, amount the patient pays) drawn from the account until its money
    runs out: the balance given, or else each calendar year's contribution limit."""
    by_year: dict[int, Decimal] = {}
    for day, amount in payments:
        by_year[day.year] = by_year.get(day.year, ZERO) + amount
    drawn = ZERO
    pool = account.balance
    for year in sorted(by_year):
        available = pool if pool is not None else account.yearly_limit
        take = min(by_year[year], available)
        drawn += take
        if pool is not None:
            pool -= take
    return Savings(drawn, cents(drawn * account.rate / HUNDRED))
