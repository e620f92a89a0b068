"""HSA/FSA: what paying with pre-tax money saves, within the year's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketacost.amounts import HUNDRED, ZERO, Triple, cents, fmt_money, fmt_pct, zero_money
from ketacost.book.pricebook import CASES, Case, PriceBook
from ketacost.i18n import N_, _
from ketacost.i18n import t as tr
from ketacost.scenario import Scenario

Account = Literal["hsa", "fsa"]

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


def tax_savings_of(
    book: PriceBook,
    sc: Scenario,
    patient: Triple[Decimal],
    payments: Mapping[Case, Sequence[tuple[dt.date, Decimal]]],
) -> tuple[Triple[Decimal], list[str]]:
    """What paying with pre-tax money saves, per case, from what the patient pays in
    total and when (`payments`: dated amounts; only their calendar years matter), and
    what the report should say about it."""
    notes: list[str] = []
    if not (sc.hsa or sc.fsa) or book.tax is None:
        return zero_money(), notes
    tax = book.tax
    # Payroll tax is saved only on money that goes in through an employer's payroll: an
    # FSA always, an HSA when contributions are payroll deductions (--hsa-payroll).
    payroll = sc.fsa or sc.hsa_payroll
    if sc.tax_rate is not None:
        rate = sc.tax_rate
        rate_note = tr("{rate} combined marginal rate, as given", rate=fmt_pct(rate))
    else:
        base, fica = tax.default_tax_rate.get("typical"), tax.fica_rate.get("typical")
        if payroll:
            rate = base + fica
            rate_note = tr(
                "{rate}: an assumed {base} income-tax rate plus {fica} payroll tax, saved "
                "because the money goes in through payroll (give yours with --tax-rate)",
                rate=fmt_pct(rate),
                base=fmt_pct(base),
                fica=fmt_pct(fica),
            )
        else:
            rate = base
            rate_note = tr(
                "{rate}: an assumed income-tax rate; no payroll tax, since money put into an "
                "HSA directly (not through payroll) still pays it (--hsa-payroll if yours "
                "goes through payroll; give your rate with --tax-rate)",
                rate=fmt_pct(rate),
            )
    if sc.hsa:
        account: Account = "hsa"
        limit = (tax.hsa_limit_family if sc.family else tax.hsa_limit_self).get("typical")
        who = _("family") if sc.family else _("self-only")
        limit_note = tr(
            "the {year} HSA limit of {limit} ({who}) a year",
            year=tax.year,
            limit=fmt_money(limit),
            who=who,
        )
    else:
        account = "fsa"
        limit = tax.fsa_limit.get("typical")
        limit_note = tr(
            "the {year} health FSA limit of {limit} a year", year=tax.year, limit=fmt_money(limit)
        )
    pot = PreTax(account, rate, limit, sc.account_balance)
    where = (
        tr("the {amount} in the account", amount=fmt_money(sc.account_balance))
        if sc.account_balance is not None
        else limit_note
    )
    notes.append(
        tr(
            "Paid from your {account} at {rate}, up to {where}.",
            account=account.upper(),
            rate=rate_note,
            where=where,
        )
    )
    if sc.hsa and sc.insurance == "none":
        notes.append(_(HSA_NEEDS_HDHP))
    notes.append(_(ELIGIBILITY))
    drawn = Triple(*(savings(payments[c], pot).paid_pretax for c in CASES))
    kept = ordered_draws(patient, drawn)
    if kept != drawn:
        notes.append(
            _(
                "Pre-tax money: the low and high columns save no more tax than the typical "
                "one plus the rate on what they pay beyond it (and no less than the typical "
                "one less the rate on what they pay below it), so the totals after tax stay "
                "in order even where a column's payments fall into a second calendar year's "
                "limit."
            )
        )
    return Triple(*(cents(x * rate / HUNDRED) for x in kept)), notes


HSA_NEEDS_HDHP = N_(
    "An HSA needs coverage by a high-deductible health plan: with no insurance applied "
    "to this treatment, this assumes you have such a plan and it does not cover the "
    "treatment."
)


def ordered_draws(patient: Triple[Decimal], drawn: Triple[Decimal]) -> Triple[Decimal]:
    """The pre-tax draws kept within the typical one's, so that both the draw (and so
    the tax saving) and what is paid after tax (patient - draw) are ordered
    low <= typical <= high whenever `patient` is. The typical draw is never changed."""
    t = drawn.typical
    low = min(max(drawn.low, t - (patient.typical - patient.low)), t)
    high = min(max(drawn.high, t), t + (patient.high - patient.typical))
    return Triple(low, t, high)
