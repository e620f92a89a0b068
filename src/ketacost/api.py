"""ketacost as a Python library: what the CLI does, as plain functions.

Keyword names are the CLI's options in snake_case (``--no-maintenance`` is
``maintenance=False``, ``--discount`` is ``discounts=(...)``); values may be text, as
the CLI takes them (``price="$1,200"``), or numbers (``Decimal``, ``int``). Every check
the CLI makes is made here too, and bad input raises a :class:`KetacostError` subclass
with the CLI's message. Results are typed objects with ``Decimal`` money. Nothing here
imports typer or rich.

>>> import ketacost
>>> est = ketacost.estimate("iv", price="500", sessions=6, maintenance=False, consult="0",
...                         start="2027-03-01")
>>> est.totals.patient.typical
Decimal('3000.00')
>>> ketacost.finance("1200", months=12, apr="0").monthly_payment
Decimal('100.00')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketacost.book.pricebook import PriceBook
    from ketacost.engine.results import Estimate
    from ketacost.engine.visits import Visit
    from ketacost.paying.financing import FinancePlan
    from ketacost.scenario import Scenario
    from ketacost.whatif.compare import Row
    from ketacost.whatif.tip import Tip


def load_book(path: str | Path | None = None) -> PriceBook:
    """The bundled national price book, or the price book (or clinic book) at `path`."""
    from ketacost.book import pricebook

    return pricebook.load(path)


def _text(value: Any) -> Any:
    """Numbers as the CLI's text, so one parser checks both (a float is refused: money
    is never a float)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        from ketacost.errors import InputError

        raise InputError("money and percentages must be text or Decimal, not float")
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def scenario(treatment: str, book: PriceBook | None = None, **options: Any) -> Scenario:
    """A validated scenario, checked against the book, from CLI-style options."""
    from ketacost.options import COUNT_FIELDS
    from ketacost.scenario import Scenario

    book = book or load_book()
    values = {
        k: (v if k in COUNT_FIELDS else _text(v)) for k, v in options.items() if v is not None
    }
    return Scenario.from_options(treatment=treatment, **values).resolved(book)


def estimate(
    treatment: str,
    *,
    book: PriceBook | None = None,
    today: dt.date | None = None,
    with_tips: bool = True,
    **options: Any,
) -> Estimate:
    """The estimate for one treatment: cost per phase, who pays what, tips."""
    from ketacost.engine.estimate import build
    from ketacost.paying.money import apply as apply_money
    from ketacost.whatif.savings import with_tips as attach

    book = book or load_book()
    sc = scenario(treatment, book, **options)
    est = apply_money(book, build(book, sc, today=today))
    return attach(book, sc, est, today=today) if with_tips else est


def tips(
    treatment: str, *, book: PriceBook | None = None, today: dt.date | None = None, **options: Any
) -> list[Tip]:
    """The savings tips for one treatment, largest saving first."""
    return list(estimate(treatment, book=book, today=today, **options).tips)


def compare(
    *,
    treatments: list[str] | None = None,
    book: PriceBook | None = None,
    today: dt.date | None = None,
    **options: Any,
) -> list[Row]:
    """Every treatment (or `treatments`) for the same situation, cheapest first."""
    from ketacost.whatif.compare import compare as rows

    book = book or load_book()
    situation = scenario("iv", book, **options)
    return rows(book, situation, treatments, today=today)


def schedule(
    treatment: str, *, book: PriceBook | None = None, today: dt.date | None = None, **options: Any
) -> list[Visit]:
    """The dated visits of the typical scenario, with what is paid at each."""
    from ketacost.engine.visits import visit_calendar

    return visit_calendar(estimate(treatment, book=book, today=today, with_tips=False, **options))


def finance(
    amount: str | Decimal | int,
    *,
    months: int | None = None,
    apr: str | Decimal | int | None = None,
    deferred: bool = False,
    payment: str | Decimal | int | None = None,
    preset: str | None = None,
    book: PriceBook | None = None,
) -> FinancePlan:
    """A payment plan: amortized at an APR, or a deferred-interest promotion."""
    from ketacost.paying.financing import plan_from_options

    plan, _ = plan_from_options(
        book or (load_book() if preset else None),
        amount=_text(amount),
        months=months,
        apr=_text(apr),
        deferred=deferred,
        payment=_text(payment),
        preset=preset,
    )
    return plan
