"""Exact money: Decimal parsing, half-up rounding to cents, and the low/typical/high triple."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Generic, TypeVar

from ketacost.records import record

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# No ketamine quote comes near this; beyond it a typo is far likelier than a real price.
MAX_MONEY = Decimal("10000000")

T = TypeVar("T", int, Decimal)
_KEYS = ("low", "typical", "high")


def cents(x: Decimal) -> Decimal:
    """Round half-up to cents: the one rounding rule, applied once per line item."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


_MONEY_RE = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$")


def parse_money(text: str, what: str) -> Decimal:
    """Parse '500', '$1,200.50' into Decimal. Raises ValueError naming `what`."""
    raw = text.strip()
    if raw.startswith("-"):
        raise ValueError(f"{what} must not be negative (got '{text}')")
    if not _MONEY_RE.match(raw):
        raise ValueError(f"{what} must be an amount in dollars like 500 or 1250.50 (got '{text}')")
    try:
        value = Decimal(raw.replace("$", "").replace(",", "").strip())
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise ValueError(f"{what} must be an amount in dollars (got '{text}')") from None
    # The bound comes first: quantizing a 30-digit number overflows the decimal context.
    if value > MAX_MONEY:
        raise ValueError(f"{what} must be at most {MAX_MONEY:,} (got '{text}')")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"{what} must have at most 2 decimal places (got '{text}')")
    return cents(value)


_PERCENT_RE = re.compile(r"^(\d+(\.\d+)?|\.\d+)\s*%?$")


def parse_percent(text: str, what: str) -> Decimal:
    """Parse '20' or '20%' into Decimal('20'); must lie in [0, 100]."""
    raw = text.strip()
    if raw.startswith("-"):
        raise ValueError(f"{what} must not be negative (got '{text}')")
    if not _PERCENT_RE.match(raw):
        raise ValueError(f"{what} must be a percentage like 20 or 20% (got '{text}')")
    value = Decimal(raw.rstrip("%").strip())
    if value > 100:
        raise ValueError(f"{what} must be at most 100% (got '{text}')")
    return value


def pct_str(x: Decimal) -> str:
    """A percentage's number as the plan states it, for JSON: "20", "4.5", never "20.00"."""
    return f"{x.normalize():f}"


def fmt_pct(x: Decimal) -> str:
    """A percentage as the plan states it: 20%, 4.5%, never 20.00%."""
    return f"{pct_str(x)}%"


def fmt_money(x: Decimal) -> str:
    """$1,234.56 (negative as -$1,234.56)."""
    sign = "-" if x < 0 else ""
    return f"{sign}${abs(cents(x)):,.2f}"


def price_str(x: Decimal) -> str:
    """A book figure at the precision it has, never less than cents: 0.205 -> '0.205',
    590 -> '590.00'. (Amounts the tool computes are rounded to cents; a rate such as
    20.5 cents a mile is not an amount and keeps its digits.)"""
    exp = x.normalize().as_tuple().exponent
    if isinstance(exp, int) and exp < -2:
        return f"{x.normalize():f}"
    return f"{cents(x):.2f}"


def fmt_price(x: Decimal) -> str:
    """$1,234.56, or $0.205 for a figure finer than cents."""
    text = price_str(abs(x))
    whole, _, frac = text.partition(".")
    return f"{'-' if x < 0 else ''}${int(whole):,}.{frac}"


def money_str(x: Decimal) -> str:
    """JSON money: a string with exactly two decimals."""
    if x.as_tuple().exponent == -2:  # already in cents: most amounts are
        return f"{x:f}"
    return f"{cents(x):.2f}"


@record
class Triple(Generic[T]):
    """A low / typical / high range of one quantity."""

    low: T
    typical: T
    high: T

    def __iter__(self) -> Iterator[T]:
        return iter((self.low, self.typical, self.high))

    def __add__(self, other: Triple[T]) -> Triple[T]:
        return Triple(self.low + other.low, self.typical + other.typical, self.high + other.high)

    @property
    def is_point(self) -> bool:
        return self.low == self.typical == self.high

    def json_money(self) -> dict[str, str]:
        return {k: money_str(Decimal(v)) for k, v in zip(_KEYS, self, strict=True)}

    def json_count(self) -> dict[str, int]:
        return {k: int(v) for k, v in zip(_KEYS, self, strict=True)}


def zero_money() -> Triple[Decimal]:
    return Triple(ZERO, ZERO, ZERO)
