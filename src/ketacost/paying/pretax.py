"""HSA/FSA: what paying with pre-tax money saves, within the year's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal, NamedTuple

from ketacost.amounts import HUNDRED, ZERO, Triple, cents, fmt_money, fmt_pct, zero_money
from ketacost.book.pricebook import CASES, Case, PriceBook
from ketacost.i18n import N_, _
from ketacost.i18n import t as tr
from ketacost.records import record
from ketacost.scenario import Scenario

Account = Literal["hsa", "fsa"]

ELIGIBILITY = N_(
    "HSA/FSA eligibility rests on IRS Publication 502's definition of medical care "
    "(diagnosis, cure, mitigation or treatment of disease, mental illness included); "
    "confirm with your plan administrator."
)


@record
class PreTax:
    account: Account
    rate: Decimal  # combined marginal rate saved, percent
    yearly_limit: Decimal  # contribution limit per calendar year
    balance: Decimal | None  # money already in the account, if the patient said


@record
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
    got = _rate_and_limit(book, sc)
    if got is None or book.tax is None:
        return zero_money(), notes
    rate, limit = got
    tax = book.tax
    # Payroll tax is saved only on money that goes in through an employer's payroll: an
    # FSA always, an HSA when contributions are payroll deductions (--hsa-payroll).
    if sc.tax_rate is not None:
        rate_note = tr("{rate} combined marginal rate, as given", rate=fmt_pct(rate))
    elif sc.fsa or sc.hsa_payroll:
        rate_note = tr(
            "{rate}: an assumed {base} income-tax rate plus {fica} payroll tax, saved "
            "because the money goes in through payroll (give yours with --tax-rate)",
            rate=fmt_pct(rate),
            base=fmt_pct(tax.default_tax_rate.get("typical")),
            fica=fmt_pct(tax.fica_rate.get("typical")),
        )
    else:
        rate_note = tr(
            "{rate}: an assumed income-tax rate; no payroll tax, since money put into an "
            "HSA directly (not through payroll) still pays it (--hsa-payroll if yours "
            "goes through payroll; give your rate with --tax-rate)",
            rate=fmt_pct(rate),
        )
    account: Account = "hsa" if sc.hsa else "fsa"
    if sc.hsa:
        limit_note = tr(
            "the {year} HSA limit of {limit} ({who}) a year",
            year=tax.year,
            limit=fmt_money(limit),
            who=_("family") if sc.family else _("self-only"),
        )
    else:
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


def _rate_and_limit(book: PriceBook, sc: Scenario) -> tuple[Decimal, Decimal] | None:
    """The combined rate saved and the yearly limit (the one rule both `tax_savings_of`
    and `tax_savings_cents` use), or None when no pre-tax money is used."""
    if not (sc.hsa or sc.fsa) or book.tax is None:
        return None
    tax = book.tax
    if sc.tax_rate is not None:
        rate = sc.tax_rate
    else:
        rate = tax.default_tax_rate.get("typical")
        if sc.fsa or sc.hsa_payroll:
            rate = rate + tax.fica_rate.get("typical")
    if sc.hsa:
        limit = (tax.hsa_limit_family if sc.family else tax.hsa_limit_self).get("typical")
    else:
        limit = tax.fsa_limit.get("typical")
    return rate, limit


def _in_cents(x: Decimal) -> int | None:
    c = x * HUNDRED
    return int(c) if c == c.to_integral_value() else None


def _half_up(num: int, den: int) -> int:
    """num / den rounded half away from zero (Decimal's ROUND_HALF_UP), den > 0."""
    if num < 0:
        return -((2 * -num + den) // (2 * den))
    return (2 * num + den) // (2 * den)


class TaxTerms(NamedTuple):
    """What the saving in cents takes from a scenario, worked out once for the rows of
    one: whether pre-tax money is used at all, the rate as num / den, the yearly limit
    and the account's balance (when given), in cents."""

    saves: bool
    num: int
    den: int
    limit: int
    pool: int | None


_NO_SAVING = TaxTerms(False, 0, 1, 0, None)


def tax_terms_cents(book: PriceBook, sc: Scenario) -> TaxTerms | None:
    """`sc`'s terms for `saved_cents`, or None when a figure is not whole cents or the
    rate has more digits than Decimal multiplies exactly (then use `tax_savings_of`)."""
    got = _rate_and_limit(book, sc)
    if got is None:
        return _NO_SAVING
    rate, limit = got
    if len(rate.as_tuple().digits) > 12:  # x * rate might round in Decimal's 28 digits
        return None
    limit_c = _in_cents(limit)
    pool0 = _in_cents(sc.account_balance) if sc.account_balance is not None else None
    if limit_c is None or (sc.account_balance is not None and pool0 is None):
        return None
    num, den = rate.as_integer_ratio()
    return TaxTerms(True, num, den, limit_c, pool0)


def saved_cents(
    terms: TaxTerms, patient: tuple[int, int, int], by_year: Sequence[Mapping[int, int]]
) -> Triple[Decimal]:
    """`tax_savings_of(...)[0]` from `terms` (`tax_terms_cents`), `patient` per case and
    `by_year` (per case, what the patient pays in each calendar year), in cents."""
    if not terms.saves:
        return zero_money()
    limit_c, pool0 = terms.limit, terms.pool
    drawn: list[int] = []
    for years in by_year:
        total = 0
        pool = pool0
        for year in sorted(years):
            take = min(years[year], pool if pool is not None else limit_c)
            total += take
            if pool is not None:
                pool -= take
        drawn.append(total)
    low, t, high = drawn
    low = min(max(low, t - (patient[1] - patient[0])), t)
    high = min(max(high, t), t + (patient[2] - patient[1]))
    num, den = terms.num, terms.den
    return Triple(_saved(low, num, den), _saved(t, num, den), _saved(high, num, den))


def tax_savings_cents(
    book: PriceBook,
    sc: Scenario,
    patient: tuple[int, int, int],
    by_year: Sequence[Mapping[int, int]],
) -> Triple[Decimal] | None:
    """`tax_savings_of(...)[0]` in integer cents, without its wording, for the batch:
    `patient` per case and `by_year` (per case, what the patient pays in each calendar
    year), in cents. None when a figure is not whole cents (then use `tax_savings_of`)."""
    terms = tax_terms_cents(book, sc)
    return None if terms is None else saved_cents(terms, patient, by_year)


def _saved(drawn: int, num: int, den: int) -> Decimal:
    """cents(drawn x rate / 100) for drawn in cents and rate = num / den >= 0, sign
    and all: a negative draw (patient totals out of order) that rounds to nothing is
    -0.00 in Decimal, and the batch prints what `tax_savings_of` would."""
    got = Decimal(_half_up(drawn * num, 100 * den)).scaleb(-2)
    return got.copy_negate() if drawn < 0 and not got else got


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
