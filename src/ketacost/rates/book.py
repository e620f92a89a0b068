"""The rate book: one provider's rates from price-transparency files, with provenance.

A small YAML file that `ketacost rates extract` writes and `--rates` reads. Every
value names the file it came from (`source`), and `sources` says which plan, issuer or
hospital published that file and on what date (`last_updated_on`). Validated as
strictly as a price book: unknown keys, floats for money, negative amounts, dates that
are not dates and values whose source is not listed are refused, with the file and the
field path.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ketacost.errors import KetacostError

FORMAT = "ketacost.rates/1"


class RatesError(KetacostError):
    """A rate book or a price-transparency file that cannot be used. Exit code 2."""


def _amount(value: Any) -> Any:
    """Money is written as a quoted decimal string; a YAML float would lose cents."""
    if isinstance(value, (bool, float)):
        raise ValueError("write amounts as quoted decimal strings, e.g. '912.37'")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            out = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"'{value}' is not an amount") from None
        if not out.is_finite():
            raise ValueError(f"'{value}' is not an amount")
        return out
    raise ValueError("must be an amount such as '912.37'")


Amount = Annotated[Decimal, BeforeValidator(_amount), Field(ge=0, le=Decimal("100000000"))]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,7}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Setting = Literal["inpatient", "outpatient", "both"]
SourceKind = Literal[
    "tic-in-network",
    "tic-allowed-amounts",
    "hospital-csv-tall",
    "hospital-csv-wide",
    "hospital-json",
]
NegotiatedType = Literal["negotiated", "derived", "fee schedule", "percentage", "per diem"]
# Types whose rate is a dollar amount for the service (a percentage is of the charge).
DOLLAR_TYPES = ("negotiated", "fee schedule", "derived")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """One price-transparency file the book was extracted from."""

    file: Name  # the file's name as given to `rates extract`
    kind: SourceKind
    entity: Name  # reporting entity (insurer, TPA) or hospital
    plan: Name | None = None
    issuer: Name | None = None
    plan_id: Name | None = None
    market: Name | None = None
    last_updated_on: dt.date
    version: Name  # the CMS schema version the file declares


class Negotiated(Strict):
    """An in-network negotiated price (TiC in-network-rates file)."""

    code: Code
    code_type: Name
    modifiers: tuple[Name, ...] = ()
    rate: Amount  # dollars, or a percentage of billed charges for "percentage"
    negotiated_type: NegotiatedType
    setting: Setting
    billing_class: Literal["professional", "institutional", "both"]
    service_codes: tuple[Name, ...] = ()
    expiration_date: dt.date
    arrangement: Literal["ffs", "bundle", "capitation"]
    tin: Name | None = None
    network: tuple[Name, ...] = ()
    source: Name

    @property
    def dollars(self) -> bool:
        return self.negotiated_type in DOLLAR_TYPES


class AllowedAmount(Strict):
    """An out-of-network allowed amount the plan paid (TiC allowed-amounts file), with
    how many provider records in the file show it for this NPI."""

    code: Code
    code_type: Name
    modifiers: tuple[Name, ...] = ()
    billing_class: Literal["professional", "institutional", "both"]
    service_codes: tuple[Name, ...] = ()
    setting: Setting | None = None
    tin: Name | None = None
    amount: Amount
    count: Annotated[int, Field(ge=1)]
    billed_charges: tuple[Amount, ...] = ()
    source: Name


class HospitalPayer(Strict):
    """A payer-specific negotiated charge and, from v3, the allowed-amount percentiles."""

    payer: Name
    plan: Name | None = None
    dollar: Amount | None = None
    percentage: Amount | None = None
    algorithm: Name | None = None
    methodology: Name | None = None
    median: Amount | None = None
    p10: Amount | None = None
    p90: Amount | None = None
    count: Name | None = None  # v3 writes counts as text, e.g. "1 through 10"
    notes: Name | None = None


class HospitalCharge(Strict):
    """A hospital's standard charges for one code and setting (CMS HPT v3)."""

    code: Code
    code_type: Name
    description: Name | None = None
    setting: Setting
    modifiers: tuple[Name, ...] = ()
    gross: Amount | None = None
    discounted_cash: Amount | None = None
    minimum: Amount | None = None
    maximum: Amount | None = None
    payers: tuple[HospitalPayer, ...] = ()
    source: Name


class RateBook(Strict):
    rate_book: Literal["ketacost.rates/1"]
    created: dt.date
    npi: Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
    tin: Name | None = None
    codes: tuple[Code, ...] = Field(min_length=1)
    sources: tuple[Source, ...] = Field(min_length=1)
    negotiated: tuple[Negotiated, ...] = ()
    allowed_amounts: tuple[AllowedAmount, ...] = ()
    hospital: tuple[HospitalCharge, ...] = ()
    notes: tuple[Name, ...] = ()

    @model_validator(mode="after")
    def _provenance(self) -> RateBook:
        files = [s.file for s in self.sources]
        if len(set(files)) != len(files):
            raise ValueError("sources: two sources have the same file name")
        for group in ("negotiated", "allowed_amounts", "hospital"):
            for i, item in enumerate(getattr(self, group)):
                if item.source not in files:
                    raise ValueError(f"{group}.{i}.source: '{item.source}' is not in sources")
        return self

    def source(self, file: str) -> Source:
        return next(s for s in self.sources if s.file == file)


def validate(data: Any, where: str) -> RateBook:
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise RatesError(f"{where}: a rate book must be a mapping, but it is {kind}")
    if "rate_book" not in data:
        raise RatesError(
            f"{where}: not a rate book (no 'rate_book: {FORMAT}' line); make one with "
            "'ketacost rates extract'"
        )
    try:
        return RateBook.model_validate(data)
    except ValidationError as exc:
        from ketacost.book.pricebook import _describe

        text = _describe(exc, where, 5).replace("part of the price book format", "rate-book key")
        raise RatesError(text) from None


def load(path: str | Path) -> RateBook:
    """Read and validate a rate book (cached per file, size and modification time)."""
    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        stat = None
    key = (str(p.resolve()) if stat else str(p), stat.st_mtime_ns if stat else 0)
    return _load(key[0], key[1], str(path))


@functools.lru_cache(maxsize=8)
def _load(resolved: str, mtime: int, shown: str) -> RateBook:
    from ketacost.book.files import read_book_text
    from ketacost.book.yamlsafe import parse
    from ketacost.errors import PriceBookError

    try:
        text = read_book_text(Path(shown))
        data = parse(text, f"--rates {shown}")
    except PriceBookError as exc:
        message = exc.message if exc.message.startswith("--rates") else f"--rates {exc.message}"
        raise RatesError(message.replace("price book", "rate book"), param="--rates") from None
    return validate(data, f"--rates {shown}")


def dump(book: RateBook) -> str:
    """The rate book as YAML: amounts as quoted strings, dates as ISO dates."""
    import yaml

    data = book.model_dump(mode="json", exclude_defaults=False)
    header = (
        "# ketacost rate book: one provider's rates from public price-transparency files.\n"
        "# Written by 'ketacost rates extract'; use with 'ketacost estimate ... --rates FILE'.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
