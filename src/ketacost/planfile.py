"""A health plan as its Summary of Benefits and Coverage states it, read from YAML.

A plan file is the counselor's per-patient record: the plan's type, its plan year,
individual and family deductibles and out-of-pocket maximums (in and out of network),
coinsurance, the copays an SBC lists, the pharmacy benefit, whether the plan runs a
copay accumulator, and what the patient has already met this plan year. It turns into
the same scenario fields the CLI's plan options set; every option given on the command
line overrides the file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketacost.errors import InputError

PlanType = Literal[
    "commercial-ppo",
    "commercial-hmo",
    "commercial-epo",
    "hdhp",
    "medicare",
    "medicare-advantage",
    "medicaid",
]
Money = Annotated[Decimal, Field(ge=0, le=10_000_000, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Strict):
    """One network tier's yearly limits, as the SBC lists them."""

    deductible: Money = Decimal(0)
    family_deductible: Money | None = None
    oop_max: Money | None = None  # None: no out-of-pocket maximum
    family_oop_max: Money | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Limits:
        if self.oop_max is not None and self.oop_max < self.deductible:
            raise ValueError("oop_max must be at least the deductible")
        if self.family_deductible is not None and self.family_deductible < self.deductible:
            raise ValueError("family_deductible must be at least the individual deductible")
        fam_oop, fam_ded = self.family_oop_max, self.family_deductible
        if fam_oop is not None and fam_ded is not None and fam_oop < fam_ded:
            raise ValueError("family_oop_max must be at least family_deductible")
        return self


class Pharmacy(_Strict):
    """The pharmacy benefit, for a drug dispensed by a (specialty) pharmacy."""

    deductible: Money | Literal["integrated"] = "integrated"
    copay: Money | None = None  # per fill (per Spravato treatment here)
    coinsurance: Percent | None = None
    separate_oop: bool = False

    @model_validator(mode="after")
    def _one_share(self) -> Pharmacy:
        if self.copay is not None and self.coinsurance is not None:
            raise ValueError("give copay or coinsurance for the pharmacy tier, not both")
        return self


class Met(_Strict):
    """What the patient (and family) has already paid toward the limits this plan year."""

    deductible: Money = Decimal(0)
    oop: Money = Decimal(0)
    family_deductible: Money = Decimal(0)
    family_oop: Money = Decimal(0)
    rx_deductible: Money = Decimal(0)


class PlanFile(_Strict):
    name: str | None = Field(None, max_length=200)
    type: PlanType
    plan_year_start: str = Field("01-01", pattern=r"^\d{2}-\d{2}$")
    family_kind: Literal["embedded", "aggregate"] = "embedded"
    in_network: Limits = Limits()
    out_of_network: Limits | None = None
    coinsurance: Percent = Decimal(20)
    out_of_network_coinsurance: Percent | None = None
    specialist_copay: Money | None = None  # per visit; replaces coinsurance when given
    drug_benefit: Literal["medical", "pharmacy"] = "medical"
    pharmacy: Pharmacy | None = None
    accumulator: bool = False
    met: Met = Met()
    as_of: dt.date | None = None  # when `met` was read off the plan's statement

    @model_validator(mode="after")
    def _coherent(self) -> PlanFile:
        month, day = (int(x) for x in self.plan_year_start.split("-"))
        try:
            dt.date(2025, month, day)
        except ValueError:
            raise ValueError("plan_year_start must be a month and day, MM-DD") from None
        lim = self.in_network
        if self.met.deductible > lim.deductible:
            raise ValueError("met.deductible is more than in_network.deductible")
        if lim.oop_max is not None and self.met.oop > lim.oop_max:
            raise ValueError("met.oop is more than in_network.oop_max")
        if self.drug_benefit == "pharmacy" and self.pharmacy is None:
            raise ValueError("drug_benefit: pharmacy needs a pharmacy section")
        if self.type in ("medicare", "medicare-advantage") and self.plan_year_start != "01-01":
            raise ValueError("a Medicare plan year starts on 01-01")
        if {"coinsurance", "specialist_copay"} <= self.model_fields_set:
            raise ValueError(
                "give coinsurance or specialist_copay, not both: a plan charges one for a visit"
            )
        for name in ("coinsurance", "out_of_network_coinsurance"):
            _rate(getattr(self, name), name)
        if self.pharmacy is not None:
            _rate(self.pharmacy.coinsurance, "pharmacy.coinsurance")
        return self

    def scenario_fields(self, network: str = "in") -> dict[str, Any]:
        """The scenario fields this plan sets (remaining amounts from what is met). Out
        of network (a superbill), the out-of-network tier's limits and coinsurance."""
        lim, met = self.in_network, self.met
        if network == "out" and self.out_of_network is not None:
            lim, met = self.out_of_network, Met()
        out: dict[str, Any] = {
            "insurance": {
                "medicare": "medicare",
                "medicare-advantage": "medicare-advantage",
                "medicaid": "medicaid",
            }.get(self.type, "commercial"),
            "plan_year_start": tuple(int(x) for x in self.plan_year_start.split("-")),
            "annual_deductible": lim.deductible,
            "deductible": lim.deductible - met.deductible,
            "family_kind": self.family_kind,
            "accumulator": self.accumulator,
            "drug_benefit": self.drug_benefit,
        }
        if self.type in ("medicare",):
            out.pop("plan_year_start")
        if lim.oop_max is not None:
            out["annual_oop_max"] = lim.oop_max
            out["oop_max"] = lim.oop_max - met.oop
        if lim.family_deductible is not None:
            out["annual_family_deductible"] = lim.family_deductible
            out["family_deductible"] = max(
                Decimal(0), lim.family_deductible - met.family_deductible
            )
        if lim.family_oop_max is not None:
            out["annual_family_oop_max"] = lim.family_oop_max
            out["family_oop_max"] = max(Decimal(0), lim.family_oop_max - met.family_oop)
        if network == "out" and self.out_of_network is not None:
            out["coinsurance"] = (
                self.out_of_network_coinsurance
                if self.out_of_network_coinsurance is not None
                else self.coinsurance
            )
        elif self.specialist_copay is not None:
            out["copay"] = self.specialist_copay
        else:
            out["coinsurance"] = self.coinsurance
        rx = self.pharmacy
        if rx is not None and self.drug_benefit == "pharmacy":
            if rx.copay is not None:
                out["rx_copay"] = rx.copay
            if rx.coinsurance is not None:
                out["rx_coinsurance"] = rx.coinsurance
            if rx.deductible != "integrated":
                out["rx_deductible"] = max(Decimal(0), rx.deductible - met.rx_deductible)
                out["annual_rx_deductible"] = rx.deductible
        return out


def _rate(value: Decimal | None, name: str) -> None:
    """0.2 is far likelier to mean 20% than 0.2%: refuse it, as the CLI does."""
    if value is not None and 0 < value < 1:
        raise ValueError(
            f"{name}: {value.normalize():f} is ambiguous; give a percentage from 1 to 100 "
            f"(did you mean {(value * 100).normalize():f}?), or 0 for none"
        )


def load_plan(path: Path, option: str = "--plan") -> PlanFile:
    """Read and validate a plan file; any problem is an error naming the file (exit 2).
    It is read like a price book: a regular UTF-8 file, size-capped, strict YAML."""
    from ketacost.book.files import read_book_text
    from ketacost.book.yamlsafe import parse
    from ketacost.errors import KetacostError

    try:
        data = parse(read_book_text(path), str(path))
    except KetacostError as exc:
        raise InputError(f"{option} {exc.message}", param=option) from None
    if not isinstance(data, dict):
        raise InputError(f"{option} {path}: must be a mapping of plan fields", param=option)
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key; allowed here: {_allowed(err['loc'])}"
        raise InputError(f"{option} {path}: {where}: {msg}", param=option) from None


def _allowed(loc: tuple[Any, ...]) -> str:
    model: type[BaseModel] = PlanFile
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        ann = getattr(field, "annotation", None)
        nested = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type)]
        nested = [a for a in nested if issubclass(a, BaseModel)]
        if not nested:
            break
        model = nested[0]
    return ", ".join(model.model_fields)


def template_from_book(book: Any, template_id: str) -> str:
    """One of the book's typical plans as a plan file, its sources in comments."""
    import yaml

    templates = book.plan_templates
    if template_id not in templates:
        raise InputError(
            f"--typical: unknown plan '{template_id}'. Choose from: "
            f"{', '.join(templates) or '(none in this price book)'}",
            param="--typical",
        )
    tpl = templates[template_id]
    head = [f"# {tpl.description}", f"# Basis: {tpl.basis}. {tpl.note or ''}".rstrip()]
    head += [f"# Source: {src.title} <{src.url}>" for src in tpl.sources]
    head.append("# Edit the numbers to match your plan's SBC; 'met' is what you have paid so far.")
    plan = PlanFile.model_validate(tpl.plan)  # the book keeps the fields it was given
    data = _plain(plan.model_dump(exclude_defaults=True))
    data.setdefault("coinsurance", int(plan.coinsurance))
    data["met"] = {"deductible": 0, "oop": 0}
    body = yaml.dump(data, Dumper=_decimal_dumper(yaml), sort_keys=False, allow_unicode=True)
    return "\n".join(head) + "\n" + body


def _decimal_dumper(yaml: Any) -> Any:
    """A safe dumper that writes a Decimal as the number it is (12.5), never through a
    float. Made on use: yaml is not imported on a CLI run that writes no template."""

    class Dumper(yaml.SafeDumper):  # type: ignore[misc]
        pass

    Dumper.add_representer(
        Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v))
    )
    return Dumper


def _plain(value: Any) -> Any:
    """Decimals as the numbers a person types (2000, 12.5), for YAML."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value


TEMPLATE = """\
# A health plan, copied from its Summary of Benefits and Coverage (SBC).
# Use: ketacost estimate spravato --plan this-file.yaml
# Every plan option on the command line (--deductible, --copay, ...) overrides this file.
name: Example employer PPO          # anything you like
type: commercial-ppo                # commercial-ppo|commercial-hmo|commercial-epo|hdhp|
                                    # medicare|medicare-advantage|medicaid
plan_year_start: "01-01"            # SBC: "Coverage period: 01/01/2027 - 12/31/2027"
family_kind: embedded               # embedded (an individual limit inside the family one)
                                    # or aggregate (the family deductible only)
in_network:                         # SBC: "What is the overall deductible?"
  deductible: 2000                  # individual
  family_deductible: 4000           # delete for self-only coverage
  oop_max: 6000                     # SBC: "What is the out-of-pocket limit for this plan?"
  family_oop_max: 12000
out_of_network:                     # delete for an HMO/EPO (no out-of-network benefit)
  deductible: 4000
  oop_max: 12000
coinsurance: 20                     # SBC: "Specialist visit ... 20% coinsurance"
out_of_network_coinsurance: 40
# specialist_copay: 50              # SBC: "$50 copay/visit" (use instead of coinsurance)
drug_benefit: medical               # medical: the clinic bills the drug;
                                    # pharmacy: a specialty pharmacy dispenses it
pharmacy:                           # SBC: "Specialty drugs" row
  deductible: integrated            # or an amount if the SBC lists a separate Rx deductible
  coinsurance: 25                   # or copay: 150
  separate_oop: false
accumulator: false                  # true if manufacturer coupons do not count toward
                                    # your deductible/maximum (a "copay accumulator")
met:                                # what you have paid toward the limits this plan year
  deductible: 0                     # (from your insurer's portal or last EOB)
  oop: 0
  family_deductible: 0
  family_oop: 0
"""
