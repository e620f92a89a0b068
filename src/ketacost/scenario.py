"""Validated inputs: what the patient asked about, checked against the price book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ketacost import options
from ketacost.amounts import parse_money, parse_percent
from ketacost.book.pricebook import Figure, PriceBook, resolve_treatment
from ketacost.errors import InputError, PriceBookError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from ketacost.planfile import PlanFile

MAX_MONTHS = 60
MIN_YEAR, MAX_YEAR = 2000, 2100  # a start date outside is a typo

# Field name -> the option a user typed, so errors name what the user can change.
OPTION = options.SAYS
MONEY_FIELDS = options.MONEY_FIELDS
# Plan figures that mean nothing without an insurer.
PLAN_FIELDS = options.NEEDS_INSURER
# What each plan field means when a plan file sets it and the command line does not:
# the CLI's own defaults for these are "not given".
UNSET_DEFAULTS: dict[str, object] = {
    "insurance": "none",
    "accumulator": False,
    "family_kind": "embedded",
    "drug_benefit": "medical",
}
Insurance = Literal["none", "commercial", "medicare", "medicare-advantage", "medicaid"]
Network = Literal["in", "out"]
Medigap = Literal["none", "G", "N"]
DrugBenefit = Literal["medical", "pharmacy"]
FamilyKind = Literal["embedded", "aggregate"]
MONEY = "money"  # a finite Decimal, at least 0
PERCENT = "percent"  # a finite Decimal from 0 to 100
FLAG = "flag"
TEXT = "text"
# Each field: its default (REQUIRED: none) and what the plain checks accept; the rules
# are pydantic's in scenario_model.py, which decides whatever these do not accept.
REQUIRED = object()
TODAY = object()
FIELDS: dict[str, tuple[object, object]] = {
    "treatment": (REQUIRED, TEXT),
    "months": (12, range(1, MAX_MONTHS + 1)),
    "start": (TODAY, "date"),
    "sessions": (None, range(1, 101)),
    "maintenance_weeks": (None, range(1, 53)),
    "maintenance": (True, FLAG),
    "price": (None, MONEY),
    "consult": (None, MONEY),
    "dose": (None, (56, 84)),
    "discounts": ((), "texts"),
    "insurance": ("none", ("none", "commercial", "medicare", "medicare-advantage", "medicaid")),
    "covered": (None, FLAG),  # None: the price book's default for the payer
    "network": ("in", ("in", "out")),
    "allowed": (None, MONEY),
    "deductible": (None, MONEY),
    "coinsurance": (None, PERCENT),
    "copay": (None, MONEY),
    "oop_max": (None, MONEY),
    "medigap": ("none", ("none", "G", "N")),
    "plan_year_start": (None, "month-day"),  # (month, day)
    "annual_deductible": (None, MONEY),
    "annual_oop_max": (None, MONEY),
    "assistance": (True, FLAG),
    "hsa": (False, FLAG),
    # HSA contributions through an employer's payroll (no FICA)
    "hsa_payroll": (False, FLAG),
    "fsa": (False, FLAG),
    "family": (False, FLAG),  # family HSA coverage: the higher contribution limit
    "tax_rate": (None, PERCENT),
    "account_balance": (None, MONEY),
    "finance": (None, TEXT),  # a preset id or MONTHS@APR
    "include_indirect": (False, FLAG),
    "hourly_wage": (None, MONEY),
    "state": (None, "state"),  # two-letter US state, where a rule or program depends on it
    "observation_rebate": (False, FLAG),  # the Spravato observation rebate (commercial plans)
    "plan": (None, TEXT),  # the plan file the plan fields came from
    "drug_benefit": ("medical", ("medical", "pharmacy")),
    "drug_network": (None, ("in", "out")),  # None: as --network
    "rx_copay": (None, MONEY),
    "rx_coinsurance": (None, PERCENT),
    "rx_deductible": (None, MONEY),  # remaining; None: integrated with the medical one
    "annual_rx_deductible": (None, MONEY),
    "accumulator": (False, FLAG),
    "family_deductible": (None, MONEY),  # remaining this plan year
    "family_oop_max": (None, MONEY),
    "annual_family_deductible": (None, MONEY),
    "annual_family_oop_max": (None, MONEY),
    "family_kind": ("embedded", ("embedded", "aggregate")),
    "secondary": (None, TEXT),  # the secondary plan's file
    "secondary_plan": (None, "plan-file"),  # read from `secondary`
    "rates": (None, TEXT),  # a rate book (ketacost rates extract): real allowed amounts
}
_HUNDRED = Decimal(100)


def _plain(value: object, rule: object) -> tuple[bool, object]:
    """(True, the field's value) when the plain checks vouch for `value` under `rule`
    exactly as pydantic would take it; (False, None) leaves the decision to pydantic."""
    kind = type(value)
    if rule is MONEY or rule is PERCENT:
        if not isinstance(value, Decimal) or kind is not Decimal:
            return False, None
        ok = value.is_finite() and value >= 0 and (rule is MONEY or value <= _HUNDRED)
        return ok, value
    if rule is FLAG:
        return kind is bool, value
    if rule is TEXT:
        return kind is str, value
    if isinstance(rule, range):
        return kind is int and value in rule, value
    if isinstance(rule, tuple):
        return kind is type(rule[0]) and value in rule, value
    if rule == "date":
        if not isinstance(value, dt.date) or kind is not dt.date:  # a datetime: converted
            return False, None
        return MIN_YEAR <= value.year <= MAX_YEAR, value
    if rule == "texts":
        if not isinstance(value, tuple) or kind is not tuple:  # a named tuple: converted
            return False, None
        return all(type(x) is str for x in value), value
    if rule == "month-day":
        if not isinstance(value, tuple) or kind is not tuple or len(value) != 2:
            return False, None
        return all(type(x) is int for x in value), value
    if rule == "state" and isinstance(value, str) and kind is str:
        from ketacost.usstates import US_STATES

        code = value.strip().upper()
        return code in US_STATES, code
    return False, None  # a plan file (pydantic's own model), or a type pydantic converts


def plain_fields(values: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a scenario made of `values` when the plain checks accept every value
    (what pydantic would make of them), else None: pydantic must decide."""
    if not values.keys() <= FIELDS.keys() or not values.keys() >= _REQUIRED:
        return None
    # The defaults first, in the fields' order, then only the given values checked: a
    # row gives a handful of the fifty fields.
    fields = dict(_DEFAULTS)
    for name in _TODAY:
        if name not in values:
            fields[name] = dt.date.today()
    for name, value in values.items():
        default, rule = FIELDS[name]
        if value is None and default is None:
            fields[name] = None
            continue
        ok, fields[name] = _plain(value, rule)
        if not ok:
            return None
    return fields


_DEFAULTS = {name: default for name, (default, _rule) in FIELDS.items()}
_REQUIRED = frozenset(name for name, default in _DEFAULTS.items() if default is REQUIRED)
_TODAY = tuple(name for name, default in _DEFAULTS.items() if default is TODAY)


def _rebuilt(values: tuple[object, ...]) -> Scenario:
    return _from_values(values)


# A batch builds and copies a scenario for most rows: the fields are read at once
# (one attrgetter) and written through their slots' own setters, which costs a third
# of a generic getattr/setattr loop over fifty names.
_READ = attrgetter(*FIELDS)
_INDEX = {name: i for i, name in enumerate(FIELDS)}


class Scenario:
    """One patient's situation. Build it with `Scenario.from_options` or directly
    (`Scenario(treatment="iv", months=6)`): the fields and their rules are those of
    `scenario_model.ScenarioModel`, and a value they refuse raises pydantic's
    ValidationError as before. Read-only; `model_copy(update=...)` makes a changed copy."""

    __slots__ = tuple(FIELDS)
    model_fields: ClassVar[tuple[str, ...]] = tuple(FIELDS)

    treatment: str
    months: int
    start: dt.date
    sessions: int | None
    maintenance_weeks: int | None
    maintenance: bool
    price: Decimal | None
    consult: Decimal | None
    dose: Literal[56, 84] | None
    discounts: tuple[str, ...]
    insurance: Insurance
    covered: bool | None
    network: Network
    allowed: Decimal | None
    deductible: Decimal | None
    coinsurance: Decimal | None
    copay: Decimal | None
    oop_max: Decimal | None
    medigap: Medigap
    plan_year_start: tuple[int, int] | None
    annual_deductible: Decimal | None
    annual_oop_max: Decimal | None
    assistance: bool
    hsa: bool
    hsa_payroll: bool
    fsa: bool
    family: bool
    tax_rate: Decimal | None
    account_balance: Decimal | None
    finance: str | None
    include_indirect: bool
    hourly_wage: Decimal | None
    state: str | None
    observation_rebate: bool
    plan: str | None
    drug_benefit: DrugBenefit
    drug_network: Network | None
    rx_copay: Decimal | None
    rx_coinsurance: Decimal | None
    rx_deductible: Decimal | None
    annual_rx_deductible: Decimal | None
    accumulator: bool
    family_deductible: Decimal | None
    family_oop_max: Decimal | None
    annual_family_deductible: Decimal | None
    annual_family_oop_max: Decimal | None
    family_kind: FamilyKind
    secondary: str | None
    secondary_plan: PlanFile | None
    rates: str | None

    def __init__(self, **values: Any) -> None:
        fields = plain_fields(values)
        if fields is None:
            from ketacost.scenario_model import validated

            fields = validated(values)
        _write(self, fields)

    @classmethod
    def _of(cls, fields: dict[str, Any]) -> Scenario:
        """A scenario of fields already checked (a copy's), without checking them again."""
        scenario = object.__new__(cls)
        _write(scenario, fields)
        return scenario

    def _values(self) -> tuple[object, ...]:
        return _READ(self)

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Scenario:
        """A copy with `update`'s fields changed, unchecked (as pydantic's model_copy)."""
        values = list(_READ(self))
        for name, value in (update or {}).items():
            at = _INDEX.get(name)
            if at is None:  # not a field: refused as setting it always was
                object.__setattr__(object.__new__(Scenario), name, value)
            values[at] = value  # type: ignore[index]
        return _from_values(values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Scenario is read-only: use model_copy(update={{{name!r}: ...}})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Scenario is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Scenario:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(FIELDS, self._values(), strict=True)
        )
        return f"Scenario({shown})"

    def __reduce__(self) -> tuple[Any, tuple[tuple[object, ...]]]:
        return _rebuilt, (self._values(),)

    @classmethod
    def from_options(cls, **raw: Any) -> Scenario:
        """Build from CLI-style text values (money like '$1,200', dates as YYYY-MM-DD),
        keyed by option name (`no_maintenance`, `discount`) or field name."""
        raw = options.scenario_values(raw)
        values = {k: v for k, v in raw.items() if v is not None}
        if values.get("plan"):
            from pathlib import Path

            from ketacost.planfile import load_plan

            network = str(values.get("network", "in")).strip().lower()
            from_file = load_plan(Path(str(values["plan"])), "--plan").scenario_fields(network)
            for key, value in from_file.items():
                if key not in values or values[key] == UNSET_DEFAULTS.get(key, object()):
                    values[key] = value
            # A copay or coinsurance on the command line replaces the file's choice.
            given_copay, given_coins = raw.get("copay"), raw.get("coinsurance")
            if given_copay is not None and given_coins is None:
                values.pop("coinsurance", None)
            if given_coins is not None and given_copay is None:
                values.pop("copay", None)
        if values.get("secondary"):
            from pathlib import Path

            from ketacost.planfile import load_plan

            values["secondary_plan"] = load_plan(Path(str(values["secondary"])), "--secondary")
        # (only the given fields, in the order their errors take precedence)
        for key in _given_in(values, MONEY_FIELDS):
            text = values.get(key)
            if isinstance(text, str):
                try:
                    values[key] = parse_money(text, OPTION[key])
                except ValueError as exc:
                    raise InputError(str(exc), param=OPTION[key]) from None
        for key in _given_in(values, options.PERCENT_FIELDS):
            if isinstance(values.get(key), str):
                try:
                    values[key] = parse_rate(values[key], OPTION[key])
                except ValueError as exc:
                    raise InputError(str(exc), param=OPTION[key]) from None
        if isinstance(values.get("dose"), str) and values["dose"].strip().isdigit():
            values["dose"] = int(values["dose"])
        for key in _given_in(values, _CHOICE_FIELDS):
            if isinstance(values.get(key), str):
                values[key] = _choice(values[key], key)
        if isinstance(values.get("plan_year_start"), str):
            values["plan_year_start"] = parse_month_day(values["plan_year_start"])
        start = values.get("start")
        if isinstance(start, str):
            values["start"] = parse_date(start, "--start")
        if values.get("start") is None:
            values.pop("start", None)
        if values.get("maintenance_weeks") is not None and values.get("maintenance") is False:
            raise InputError(
                "--maintenance-weeks and --no-maintenance contradict each other; give one",
                param="--maintenance-weeks",
            )
        fields = plain_fields(values)
        if fields is None:
            from pydantic import ValidationError

            from ketacost.scenario_model import validated

            try:
                scenario = cls._of(validated(values))
            except ValidationError as exc:
                raise input_error(exc) from None
        else:  # (every field, in FIELDS' order)
            scenario = _from_values(tuple(fields.values()))
        scenario.check_plan()
        scenario.check_payment()
        return scenario

    def check_payment(self) -> None:
        """Pre-tax account options that need an account, or contradict each other."""
        for key in options.PERCENT_FIELDS:
            value = getattr(self, key)
            if value is not None:
                try:
                    check_rate(value, OPTION[key])
                except ValueError as exc:
                    raise InputError(str(exc), param=OPTION[key]) from None
        if self.hsa and self.fsa:
            raise InputError("--hsa and --fsa: choose one account to pay from", param="--hsa")
        if self.hsa and self.insurance == "medicaid":
            raise InputError(
                "--hsa: Medicaid coverage is not a high-deductible health plan, so nobody "
                "covered by it can contribute to an HSA (IRS Publication 969)",
                param="--hsa",
            )
        if self.hsa and self.insurance in ("medicare", "medicare-advantage"):
            raise InputError(
                "--hsa: nobody enrolled in Medicare can contribute to an HSA (IRS Publication "
                "969); use --fsa if an employer offers one",
                param="--hsa",
            )
        if self.hsa_payroll and not self.hsa:
            raise InputError("--hsa-payroll needs --hsa", param="--hsa-payroll")
        if not (self.hsa or self.fsa):
            for field in ("tax_rate", "account_balance"):
                if getattr(self, field) is not None:
                    raise InputError(f"{OPTION[field]} needs --hsa or --fsa", param=OPTION[field])
            if self.family:
                raise InputError("--family needs --hsa", param="--family")
        if self.family and self.fsa:
            raise InputError("--family applies to an HSA, not an FSA", param="--family")

    def check_plan(self) -> None:
        """Plan options that contradict each other or the chosen insurer."""
        if self.insurance == "none":
            given = [OPTION[f] for f in PLAN_FIELDS if _given(getattr(self, f), f)]
            if self.network == "out":
                given.insert(0, "--network out")
            if self.medigap != "none":
                given.insert(0, "--medigap")
            if given:
                payers = (
                    "medicare"
                    if given[0] == "--medigap"
                    else "commercial, medicare, medicare-advantage or medicaid"
                )
                raise InputError(
                    f"{given[0]} needs --insurance {payers} (the default is none: self-pay)",
                    param=given[0].split()[0],
                )
            return
        if self.medigap != "none" and self.insurance != "medicare":
            extra = (
                " (a Medicare Advantage plan replaces a supplement: Medigap cannot pay with it)"
                if self.insurance == "medicare-advantage"
                else ""
            )
            raise InputError(
                f"--medigap applies only with --insurance medicare{extra}", param="--medigap"
            )
        if self.insurance not in ("commercial", "medicare-advantage"):
            for f in ("family_deductible", "family_oop_max", "annual_family_deductible"):
                if getattr(self, f) is not None:
                    raise InputError(
                        f"{OPTION[f]} applies to a commercial or Medicare Advantage plan",
                        param=OPTION[f],
                    )
        if self.insurance != "commercial":
            for f, bad in (
                ("accumulator", self.accumulator),
                ("drug_network", self.drug_network is not None),
                ("drug_benefit", self.drug_benefit != "medical"),
            ):
                if bad:
                    raise InputError(
                        f"{OPTION[f]} applies only with --insurance commercial", param=OPTION[f]
                    )
        if self.drug_benefit != "pharmacy":
            for f in ("rx_copay", "rx_coinsurance", "rx_deductible", "annual_rx_deductible"):
                if getattr(self, f) is not None:
                    raise InputError(f"{OPTION[f]} needs --drug-benefit pharmacy", param=OPTION[f])
        if self.rx_copay is not None and self.rx_coinsurance is not None:
            raise InputError("--rx-copay and --rx-coinsurance: give one", param="--rx-copay")
        fam_pairs = [
            ("--deductible", self.deductible, "--family-deductible", self.family_deductible),
            ("--oop-max", self.oop_max, "--family-oop-max", self.family_oop_max),
            (
                "--annual-family-deductible",
                self.annual_family_deductible,
                "--annual-family-oop-max",
                self.annual_family_oop_max,
            ),
            (
                "--family-deductible",
                self.family_deductible,
                "--annual-family-deductible",
                self.annual_family_deductible,
            ),
            (
                "--family-oop-max",
                self.family_oop_max,
                "--annual-family-oop-max",
                self.annual_family_oop_max,
            ),
        ]
        del fam_pairs[:2]  # a family remainder below the individual one is real (others spent)
        for low_opt, low, high_opt, high in fam_pairs:
            if low is not None and high is not None and high < low:
                raise InputError(f"{high_opt} ({high}) is below {low_opt} ({low})", param=high_opt)
        if self.network == "out" and self.insurance != "commercial":
            raise InputError(
                "--network out (superbill) applies only with --insurance commercial",
                param="--network",
            )
        if self.insurance == "medicare" and self.plan_year_start not in (None, (1, 1)):
            raise InputError(
                "--plan-year-start: Medicare's deductible resets on January 1 (01-01)",
                param="--plan-year-start",
            )
        if self.copay is not None and self.coinsurance is not None:
            raise InputError(
                "--copay and --coinsurance: give one; a plan charges a copay or coinsurance "
                "for a visit, not both",
                param="--copay",
            )
        pairs = [
            ("--deductible", self.deductible, "--oop-max", self.oop_max),
            (
                "--annual-deductible",
                self.annual_deductible,
                "--annual-oop-max",
                self.annual_oop_max,
            ),
        ]
        for ded_opt, ded, oop_opt, oop in pairs:
            if ded is not None and oop is not None and oop < ded:
                raise InputError(
                    f"{oop_opt} ({oop}) is below {ded_opt} ({ded}); the deductible counts "
                    "toward the out-of-pocket maximum, so the maximum is at least as large",
                    param=oop_opt,
                )
        for rem_opt, rem, ann_opt, ann in [
            ("--deductible", self.deductible, "--annual-deductible", self.annual_deductible),
            ("--oop-max", self.oop_max, "--annual-oop-max", self.annual_oop_max),
        ]:
            if rem is not None and ann is not None and rem > ann:
                raise InputError(
                    f"{rem_opt} ({rem}) is what remains this plan year, so it cannot exceed "
                    f"{ann_opt} ({ann})",
                    param=rem_opt,
                )

    def _check_hdhp(self, book: PriceBook) -> None:
        """Only someone covered by a high-deductible health plan can contribute to an
        HSA: refuse a plan whose annual deductible is below the IRS minimum."""
        tax = book.tax
        if tax is None or self.insurance != "commercial":
            return
        checks: list[tuple[str, Decimal | None, Figure | None, str]] = []
        # What remains this year is not the annual figure: without --annual-deductible
        # the estimate takes the book's typical one (or more, if more remains), and so
        # does this check; a family's full deductible is checked only when given.
        typical = book.insurance.typical_plan
        ind_opt, ind = "--annual-deductible", self.annual_deductible
        if ind is None and self.deductible is not None:
            ind_opt, ind = "--deductible", max(self.deductible, typical.deductible.get("typical"))
        fam_opt, fam = "--annual-family-deductible", self.annual_family_deductible
        if fam is None and self.family_deductible is not None:
            # at least what remains: below the minimum only if even that is (never)
            fam_opt, fam = "--family-deductible", None
        family = self.family or self.family_deductible is not None or fam is not None
        if family:
            fam_min = tax.hdhp_min_deductible_family
            checks.append((fam_opt, fam, fam_min, "family"))
            if self.family_kind == "embedded":
                checks.append(
                    ("--annual-deductible", self.annual_deductible, fam_min, "embedded individual")
                )
        else:
            checks.append((ind_opt, ind, tax.hdhp_min_deductible_self, "self-only"))
        oop = self.annual_oop_max if self.annual_oop_max is not None else self.oop_max
        # (what remains of a maximum is at most the maximum: above the limit is above it)
        fam_oop = (
            self.annual_family_oop_max
            if self.annual_family_oop_max is not None
            else self.family_oop_max
        )
        most = tax.hdhp_max_oop_family if family else tax.hdhp_max_oop_self
        limit = fam_oop if family and fam_oop is not None else oop
        if most is not None and limit is not None and limit > most.get("typical"):
            raise InputError(
                f"--hsa needs a high-deductible health plan: an out-of-pocket maximum of "
                f"{limit:,.2f} is above the IRS limit of {most.get('typical'):,.2f} for "
                f"{tax.year}, so the plan is not HSA-eligible (use --fsa if you have one)",
                param="--hsa",
            )
        for option, deductible, minimum, what in checks:
            if deductible is None or minimum is None:
                continue
            floor = minimum.get("typical")
            if deductible < floor:
                raise InputError(
                    f"--hsa needs a high-deductible health plan: {_a(what)} {what} deductible of "
                    f"{deductible:,.2f} ({option}) is below the IRS minimum of {floor:,.2f} "
                    f"for {tax.year}, so the plan is not HSA-eligible (use --fsa if you have "
                    "one)",
                    param="--hsa",
                )

    def resolved(self, book: PriceBook) -> Scenario:
        """Check the scenario against the book: known treatment, discounts that apply."""
        tid = resolve_treatment(book, self.treatment)
        if self.dose is not None and tid != "spravato":
            raise InputError("--dose applies only to spravato (56 or 84 mg)", param="--dose")
        if (
            tid == "spravato"
            and self.maintenance_weeks is not None
            and self.maintenance_weeks not in (1, 2)
        ):
            raise InputError(
                "--maintenance-weeks for spravato must be 1 or 2: the label doses weekly "
                "or every 2 weeks from week 9",
                param="--maintenance-weeks",
            )
        seen: list[str] = []
        for did in self.discounts:
            key = did.strip().lower()
            if key not in book.discounts:
                raise InputError(
                    f"--discount: unknown discount '{did}'. Choose from: "
                    f"{', '.join(book.discounts) or '(none in this price book)'}",
                    param="--discount",
                )
            if tid not in book.discounts[key].applies_to:
                applies = ", ".join(book.discounts[key].applies_to)
                raise InputError(
                    f"--discount {key} does not apply to {tid}; it applies to: {applies}",
                    param="--discount",
                )
            if key not in seen:
                seen.append(key)
        if self.finance is not None:
            from ketacost.paying.financing import parse_finance_spec

            parse_finance_spec(self.finance, book)
        if (self.hsa or self.fsa) and book.tax is None:
            raise PriceBookError("this price book has no tax section for --hsa/--fsa")
        if self.hsa:
            self._check_hdhp(book)
        if (
            self.insurance == "medicare-advantage"
            and tid == "spravato"
            and self.coinsurance is not None
            and self.coinsurance > 20
        ):
            raise InputError(
                "--coinsurance: a Medicare Advantage plan may not charge more than Original "
                "Medicare's 20% for a Part B drug such as Spravato",
                param="--coinsurance",
            )
        if self.drug_benefit == "pharmacy" and tid != "spravato":
            raise InputError(
                "--drug-benefit pharmacy applies to spravato (the drug a pharmacy dispenses)",
                param="--drug-benefit",
            )
        if self.observation_rebate:
            rebate = book.insurance.spravato_observation_rebate
            if tid != "spravato" or self.insurance != "commercial":
                raise InputError(
                    "--observation-rebate applies to spravato with --insurance commercial",
                    param="--observation-rebate",
                )
            if rebate is None:
                raise PriceBookError("this price book has no spravato_observation_rebate")
            if self.state in rebate.excluded_states:
                raise InputError(
                    f"--observation-rebate is not valid for residents of "
                    f"{self.state} ({', '.join(rebate.excluded_states)} are "
                    "excluded)",
                    param="--observation-rebate",
                )
        if (self.include_indirect or self.hourly_wage is not None) and book.indirect is None:
            raise PriceBookError(
                "this price book has no indirect section for --include-indirect/--hourly-wage"
            )
        discounts = tuple(seen)
        if self.rates is None and tid == self.treatment and discounts == self.discounts:
            return self  # already as checked (read-only: no copy needed)
        update: dict[str, Any] = {"treatment": tid, "discounts": discounts}
        if self.rates is not None:  # checked now; self-pay at a hospital: its cash price
            from ketacost.rates.apply import self_pay_price

            update.update(self_pay_price(book, tid, self))
        return self.model_copy(update=update)


_SETTERS = tuple(Scenario.__dict__[name].__set__ for name in FIELDS)
_SETTER = dict(zip(FIELDS, _SETTERS, strict=True))


def _write(scenario: Scenario, fields: dict[str, Any]) -> None:
    """Set each of `fields` on a new scenario (a name that is not a field is refused
    with the AttributeError of any unknown attribute)."""
    for name, value in fields.items():
        setter = _SETTER.get(name)
        if setter is None:
            object.__setattr__(scenario, name, value)
        else:
            setter(scenario, value)


def _from_values(values: tuple[object, ...] | list[object]) -> Scenario:
    """A scenario of every field's value in FIELDS' order, unchecked."""
    scenario = object.__new__(Scenario)
    for setter, value in zip(_SETTERS, values, strict=True):
        setter(scenario, value)
    return scenario


_CHOICE_FIELDS = tuple(options.CHOICES)
_ORDER = {name: i for i, name in enumerate((*MONEY_FIELDS, *options.PERCENT_FIELDS))}
_ORDER.update({name: i for i, name in enumerate(_CHOICE_FIELDS)})


def _given_in(values: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """Those of `names` that `values` holds, in the order of `names`."""
    return sorted(values.keys() & names, key=_ORDER.__getitem__)


# Words people use for a choice: "self-pay" and "uninsured" both mean no insurance.
ALIASES = options.ALIASES


def _choice(text: str, field: str) -> str:
    allowed = options.CHOICES[field]
    word = " ".join(text.strip().lower().split())
    word = ALIASES.get(field, {}).get(word, word)
    for option in allowed:
        if word == option.lower():
            return option
    raise InputError(
        f"{OPTION[field]}: '{text}' is not one of: {', '.join(allowed)}", param=OPTION[field]
    )


def parse_rate(text: str, option: str) -> Decimal:
    """A percentage typed by a person: '20' or '20%'. A value strictly between 0 and 1
    is refused: 0.2 is far likelier to mean 20% than 0.2%."""
    value = parse_percent(text, option)
    check_rate(value, option)
    return value


def check_rate(value: Decimal, option: str) -> None:
    if 0 < value < 1:
        meant = (value * 100).normalize()
        raise ValueError(
            f"{option}: {value.normalize():f} is ambiguous; give a percentage from 1 to 100 "
            f"(did you mean {meant:f}%?), or 0 for none"
        )


def parse_month_day(text: str) -> tuple[int, int]:
    """'07-01' -> (7, 1). February 29 is refused: a plan year cannot start on it."""
    try:
        month, day = (int(part) for part in text.strip().split("-"))
        dt.date(2025, month, day)  # a non-leap year: refuses 02-29 and 04-31
    except ValueError:
        raise InputError(
            f"--plan-year-start: '{text}' is not a month and day; use MM-DD, e.g. 07-01",
            param="--plan-year-start",
        ) from None
    return month, day


def parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option}: '{text}' is not a real date; use YYYY-MM-DD, e.g. 2026-12-01",
            param=option,
        ) from None


def input_error(exc: ValidationError) -> InputError:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    option = OPTION.get(field, field)
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind in ("less_than_equal", "less_than"):
        msg = f"must be at most {ctx.get('le', ctx.get('lt'))}"
    elif kind in ("greater_than_equal", "greater_than"):
        msg = f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    elif kind == "literal_error" and field == "dose":
        msg = "must be 56 or 84 (mg)"
    elif kind.startswith("int_"):
        msg = "must be a whole number"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        msg = msg[:1].lower() + msg[1:]
    got = err.get("input")
    shown = got.isoformat() if isinstance(got, dt.date) else got
    suffix = f" (got {shown})" if isinstance(shown, (str, int, Decimal)) else ""
    return InputError(f"{option}: {msg}{suffix}", param=option)


def _given(value: object, field: str) -> bool:
    """Whether a plan field was set: None is unset, and so is an off flag (accumulator);
    --not-covered (covered=False) is a choice the user made."""
    return value is not None and not (field == "accumulator" and value is False)


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
