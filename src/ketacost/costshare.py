"""Claim-by-claim cost sharing, in date order, the way a plan adjudicates claims.

For each claim line: coverage; allowed amount; deductible remaining; copay (after the
deductible) or coinsurance; out-of-pocket maximum remaining; the plan pays the rest.
Then, outside the plan's accumulators: the balance bill out of network, a Medicare
supplement's share, and a manufacturer program's assistance on drug lines.

Pure functions over values: no CLI, no rich, no price book.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketacost.amounts import ZERO, cents

HUNDRED = Decimal(100)
Network = Literal["in", "out"]
Medigap = Literal["none", "G", "N"]
MEDIGAP_N_VISIT_COPAY = Decimal("20.00")


@dataclass(frozen=True)
class PlanTerms:
    """Cost-sharing terms. `deductible` and `oop_max` are what *remains* in the plan year
    containing `as_of`; the `annual_*` figures apply from each plan-year reset on."""

    deductible: Decimal
    coinsurance: Decimal  # percent, 0-100, after the deductible
    # Per visit after the deductible, replacing coinsurance; None: coinsurance applies.
    # A $0 copay is a copay: the visit costs nothing once the deductible is met.
    copay: Decimal | None
    oop_max: Decimal | None  # None: no cap (Original Medicare)
    annual_deductible: Decimal
    annual_oop_max: Decimal | None
    year_start: tuple[int, int] = (1, 1)  # month, day
    as_of: dt.date = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Program:
    """A manufacturer savings program: the patient pays at least `floor` of a drug line's
    cost share; the program pays the rest up to `annual_cap` per calendar year."""

    floor: Decimal
    annual_cap: Decimal | None  # None: a yearly limit exists but is not published


@dataclass(frozen=True)
class Claim:
    date: dt.date
    charge: Decimal  # the clinic's price for this line
    allowed: Decimal  # the plan's allowed amount for this line
    covered: bool
    drug: bool = False  # a drug line: the manufacturer program may apply
    observation: bool = False  # an administration/observation line: a rebate may apply
    visit: bool = True  # the visit line itself: it carries the visit's copay (and Medigap N's)
    tag: str = ""  # the caller's label (phase id); one visit = one (date, tag)


@dataclass(frozen=True)
class Line:
    """One adjudicated claim line. patient + insurer + assistance == billed."""

    claim: Claim
    billed: Decimal  # in network: the allowed amount, accepted in full; else the charge
    deductible: Decimal  # part of the cost share applied to the deductible
    cost_share: Decimal  # deductible + copay/coinsurance, capped by the OOP max
    plan_pays: Decimal
    supplement: Decimal  # Medigap's payment of the coinsurance
    balance_bill: Decimal  # out of network: charge - allowed; never counts to the OOP max
    not_covered: Decimal  # the charge, when the plan does not cover the line
    assistance: Decimal
    patient: Decimal
    upfront: Decimal  # paid to the clinic on the day
    reimbursed: Decimal  # paid back by the plan later (superbill)
    plan_year_reset: bool  # first claim after the deductible and OOP max reset

    @property
    def insurer(self) -> Decimal:
        return self.plan_pays + self.supplement


def plan_year_of(day: dt.date, start: tuple[int, int]) -> int:
    """The calendar year in which the plan year containing `day` began."""
    month, dom = start
    return day.year if (day.month, day.day) >= (month, dom) else day.year - 1


def adjudicate(
    claims: Iterable[Claim],
    terms: PlanTerms,
    *,
    network: Network = "in",
    medigap: Medigap = "none",
    program: Program | None = None,
    rebate: Program | None = None,
) -> list[Line]:
    """Adjudicate claims in date order (stable for the same day). `program` lowers the
    patient's share of drug lines, `rebate` that of observation lines."""
    ded_left = terms.deductible
    oop_left = terms.oop_max
    year = plan_year_of(terms.as_of, terms.year_start)
    program_year: int | None = None
    program_left = ZERO
    out: list[Line] = []

    ordered = sorted(claims, key=lambda c: c.date)
    for visit in _visits(ordered):
        first = visit[0]
        reset = False
        claim_year = plan_year_of(first.date, terms.year_start)
        if claim_year != year:
            year, reset = claim_year, True
            ded_left, oop_left = terms.annual_deductible, terms.annual_oop_max
        if program is not None and first.date.year != program_year:
            program_year, program_left = first.date.year, program.annual_cap or ZERO

        # The visit's lines in claim order: the deductible first, line by line ...
        allowed_of: list[Decimal] = []
        ded_parts: list[Decimal] = []
        left = ded_left
        for claim in visit:
            allowed = min(claim.allowed, claim.charge) if network == "out" else claim.allowed
            part = min(allowed, left) if claim.covered else ZERO
            left -= part
            allowed_of.append(allowed)
            ded_parts.append(part)
        # ... then one copay for the whole visit (on the visit line first), or coinsurance.
        afters = _after_deductible(visit, allowed_of, ded_parts, terms)

        for i, claim in enumerate(visit):
            if not claim.covered:
                out.append(_uncovered(claim, reset and i == 0))
                continue
            allowed = allowed_of[i]
            share = ded_parts[i] + afters[i]
            if oop_left is not None:
                share = min(share, oop_left)
                oop_left -= share
            applied = min(ded_parts[i], share)
            ded_left -= applied
            plan_pays = allowed - share

            supplement = ZERO
            if medigap != "none":
                coins = share - applied
                visit_copay = min(coins, MEDIGAP_N_VISIT_COPAY) if claim.visit else ZERO
                supplement = coins - visit_copay if medigap == "N" else coins

            assistance = ZERO
            if program is not None and claim.drug:
                assistance = max(ZERO, share - supplement - program.floor)
                if program.annual_cap is not None:
                    assistance = min(assistance, program_left)
                    program_left -= assistance
            elif rebate is not None and claim.observation:
                assistance = max(ZERO, share - supplement - rebate.floor)

            if network == "out":
                balance = claim.charge - allowed
                billed = claim.charge
                upfront, reimbursed = claim.charge, plan_pays + supplement
            else:
                balance = ZERO
                billed = allowed
                upfront, reimbursed = share - supplement - assistance, ZERO
            patient = share - supplement - assistance + balance
            out.append(
                Line(
                    claim=claim,
                    billed=billed,
                    deductible=applied,
                    cost_share=share,
                    plan_pays=plan_pays,
                    supplement=supplement,
                    balance_bill=balance,
                    not_covered=ZERO,
                    assistance=assistance,
                    patient=patient,
                    upfront=upfront,
                    reimbursed=reimbursed,
                    plan_year_reset=reset and i == 0,
                )
            )
    return out


def _visits(claims: list[Claim]) -> Iterator[list[Claim]]:
    """Consecutive claims of one visit (same day, same service), in claim order."""
    group: list[Claim] = []
    for claim in claims:
        if group and (claim.date, claim.tag) != (group[0].date, group[0].tag):
            yield group
            group = []
        group.append(claim)
    if group:
        yield group


def _after_deductible(
    visit: list[Claim], allowed: list[Decimal], ded: list[Decimal], terms: PlanTerms
) -> list[Decimal]:
    """What each covered line costs after its deductible part, before the OOP max.

    Coinsurance is a share of each line. A copay is one per visit (the convention this
    tool uses, see the README): it is charged on the visit line (the administration and
    observation, or the session itself) and, if that line's remainder after the
    deductible is smaller, what is left of the copay falls on the visit's other lines."""
    rest = [(a - d) if c.covered else ZERO for c, a, d in zip(visit, allowed, ded, strict=True)]
    if terms.copay is None:
        return [cents(r * terms.coinsurance / HUNDRED) for r in rest]
    due = min(terms.copay, sum(rest, ZERO))
    out = [ZERO] * len(visit)
    order = sorted(range(len(visit)), key=lambda i: not visit[i].visit)  # visit line first
    for i in order:
        take = min(due, rest[i])
        out[i] = take
        due -= take
    return out


def _uncovered(claim: Claim, reset: bool) -> Line:
    """Not covered: the patient pays the charge and nothing accumulates."""
    return Line(
        claim=claim,
        billed=claim.charge,
        deductible=ZERO,
        cost_share=ZERO,
        plan_pays=ZERO,
        supplement=ZERO,
        balance_bill=ZERO,
        not_covered=claim.charge,
        assistance=ZERO,
        patient=claim.charge,
        upfront=claim.charge,
        reimbursed=ZERO,
        plan_year_reset=reset,
    )
