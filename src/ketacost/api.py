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
        k: (v if k in COUNT_FIELDS else _text(v))
        for k, v in _checked(options).items()
        if v is not None
    }
    return Scenario.from_options(treatment=treatment, **values).resolved(book)


# What the API takes in place of a command-line option that is not the scenario's.
_INSTEAD = {
    "pricing": "pass book=ketacost.load_book(PATH)",
    "tips": "pass with_tips=False",
}


def _checked(options: dict[str, Any]) -> dict[str, Any]:
    """Refuse what the API cannot honour rather than drop it: an output option of the
    command line (`fmt`, `output`, `patient`, ...), an option given together with the
    field it inverts, a single text where a list is wanted would be read letter by
    letter."""
    from ketacost.errors import InputError
    from ketacost.options import BY_NAME

    out = dict(options)
    for key, value in options.items():
        option = BY_NAME.get(key)
        if option is None:
            continue
        if option.field is None:
            instead = _INSTEAD.get(key, "format and write the result object instead")
            raise InputError(
                f"{key}: the Python API takes the scenario's options, not the command "
                f"line's {option.flags[0]} ({instead})"
            )
        if option.inverted and option.field in options:
            raise InputError(
                f"{key} and {option.field}: give one ({key}=True is {option.field}=False)"
            )
        if option.kind == "list" and isinstance(value, str):
            out[key] = (value,)
    return out


def estimate(
    treatment: str,
    *,
    book: PriceBook | None = None,
    today: dt.date | None = None,
    with_tips: bool = True,
    **options: Any,
) -> Estimate:
    """The estimate for one treatment: cost per phase, who pays what, tips."""
    book = book or load_book()
    return quote(book, scenario(treatment, book, **options), today=today, with_tips=with_tips)


def quote(
    book: PriceBook,
    sc: Scenario,
    *,
    book_path: str | None = None,
    today: dt.date | None = None,
    with_tips: bool = True,
) -> Estimate:
    """The whole flow for a checked scenario: the engine builds the estimate, the money
    steps (pre-tax, indirect costs, financing) are applied to it, then the tips."""
    from ketacost.engine.estimate import build
    from ketacost.paying.money import apply as apply_money
    from ketacost.whatif.savings import with_tips as attach

    est = apply_money(book, build(book, sc, book_path=book_path, today=today))
    return attach(book, sc, est, today=today) if with_tips else est


def tips(
    treatment: str, *, book: PriceBook | None = None, today: dt.date | None = None, **options: Any
) -> list[Tip]:
    """The savings tips for one treatment, largest saving first."""
    return list(estimate(treatment, book=book, today=today, **options).tips)


def compare(
    *,
    treatments: list[str] | str | None = None,
    book: PriceBook | None = None,
    today: dt.date | None = None,
    **options: Any,
) -> list[Row]:
    """Every treatment (or `treatments`) for the same situation, cheapest first."""
    from ketacost.whatif.compare import compare as rows

    book = book or load_book()
    situation = scenario("iv", book, **options)
    if isinstance(treatments, str):  # "iv,spravato", as the command line takes it
        treatments = [x.strip() for x in treatments.split(",") if x.strip()]
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
