"""The batch's HSA/FSA tax saving in integer cents (`pretax.tax_savings_cents`) equals
the report's (`pretax.tax_savings_of`), to the cent, for any payments, balance, rate
and account; and it declines (None) rather than round differently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacost.amounts import Triple
from ketacost.book import pricebook
from ketacost.book.pricebook import CASES
from ketacost.paying.pretax import tax_savings_cents, tax_savings_of
from ketacost.scenario import Scenario

BOOK = pricebook.load()

years = st.dictionaries(st.integers(2026, 2031), st.integers(0, 2_000_000), max_size=4)


@settings(deadline=None)
@given(
    by_year=st.tuples(years, years, years),
    account=st.sampled_from(["hsa", "fsa"]),
    family=st.booleans(),
    payroll=st.booleans(),
    insured=st.booleans(),
    tax_rate=st.one_of(
        st.none(),
        st.decimals("0", "100", places=2, allow_nan=False, allow_infinity=False),
        st.decimals("0", "100", places=14, allow_nan=False, allow_infinity=False),
    ),
    balance=st.one_of(
        st.none(), st.decimals("0", "50000", places=2, allow_nan=False, allow_infinity=False)
    ),
)
def test_equal_to_tax_savings_of(
    by_year: tuple[dict[int, int], dict[int, int], dict[int, int]],
    account: str,
    family: bool,
    payroll: bool,
    insured: bool,
    tax_rate: Decimal | None,
    balance: Decimal | None,
) -> None:
    sc = Scenario(
        treatment="iv",
        start=dt.date(2026, 3, 1),
        hsa=account == "hsa",
        fsa=account == "fsa",
        family=family,
        hsa_payroll=payroll and account == "hsa",
        insurance="commercial" if insured else "none",
        tax_rate=tax_rate,
        account_balance=balance,
    )
    patient = tuple(sum(y.values()) for y in by_year)
    fast = tax_savings_cents(BOOK, sc, patient, by_year)  # type: ignore[arg-type]
    payments = {
        c: [(dt.date(y, 1, 1), Decimal(v).scaleb(-2)) for y, v in sorted(by_year[i].items())]
        for i, c in enumerate(CASES)
    }
    totals = Triple(*(Decimal(x).scaleb(-2) for x in patient))
    slow = tax_savings_of(BOOK, sc, totals, payments)[0]
    if fast is None:  # only a rate of more digits than Decimal multiplies exactly
        assert tax_rate is not None and len(tax_rate.as_tuple().digits) > 12
        return
    assert fast == slow
    assert [str(x) for x in fast] == [str(x) for x in slow]
