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
from decimal import Decimal
from typing import Literal

from ketacost.amounts import HUNDRED, ZERO, cents
from ketacost.records import record

Network = Literal["in", "out"]
Medigap = Literal["none", "G", "N"]
MEDIGAP_N_VISIT_COPAY = Decimal("20.00")


@record
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
    family: Family | None = None  # family limits this patient's claims also count toward
    pharmacy: Rx | None = None  # terms for drug lines under the pharmacy benefit
    out_of_network: PlanTerms | None = None  # terms for lines out of network (own pools)
    accumulator: bool = False  # manufacturer assistance does not count toward the limits


@record
class Family:
    """Family limits, remaining this plan year and after each reset. Embedded: the
    individual limits apply inside the family ones; aggregate: only the family ones.
    What others in the family spend is not modeled (the caller states it)."""

    deductible: Decimal
    oop_max: Decimal | None
    annual_deductible: Decimal
    annual_oop_max: Decimal | None
    kind: Literal["embedded", "aggregate"] = "embedded"


@record
class Rx:
    """The pharmacy benefit for drug lines. `deductible` None: integrated with the
    medical deductible. The out-of-pocket maximum is shared unless `oop_max` is set."""

    copay: Decimal | None
    coinsurance: Decimal
    deductible: Decimal | None = None
    annual_deductible: Decimal | None = None
    oop_max: Decimal | None = None
    annual_oop_max: Decimal | None = None


@record
class Program:
    """A manufacturer savings program: the patient pays at least `floor` of a drug line's
    cost share; the program pays the rest up to `annual_cap` per calendar year."""

    floor: Decimal
    annual_cap: Decimal | None  # None: a yearly limit exists but is not published


@record
class Claim:
    date: dt.date
    charge: Decimal  # the clinic's price for this line
    allowed: Decimal  # the plan's allowed amount for this line
    covered: bool
    drug: bool = False  # a drug line: the manufacturer program may apply
    observation: bool = False  # an administration/observation line: a rebate may apply
    visit: bool = True  # the visit line itself: it carries the visit's copay (and Medigap N's)
    tag: str = ""  # the caller's label (phase id); one visit = one (date, tag)
    network: Network | None = None  # None: the adjudication's network


@record
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
    secondary: Decimal = ZERO  # a secondary plan's payment (coordination of benefits)
    program_capped: bool = False  # the program's yearly cap ran out on this line

    @property
    def insurer(self) -> Decimal:
        return self.plan_pays + self.supplement + self.secondary


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
    pools = _Pools(terms)
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
            pools.reset()
        if program is not None and first.date.year != program_year:
            program_year, program_left = first.date.year, program.annual_cap or ZERO

        nets = [claim.network or network for claim in visit]
        kinds = [pools.kind(claim, net) for claim, net in zip(visit, nets, strict=True)]
        allowed_of = [
            min(c.allowed, c.charge) if net == "out" else c.allowed
            for c, net in zip(visit, nets, strict=True)
        ]
        # The visit's lines in claim order: the deductible first, line by line, then one
        # copay per visit and benefit (on the visit line first) or coinsurance. What a
        # line credits to the deductible can depend on a program's payment (a copay
        # accumulator credits only the patient's own money), and the copay's place on
        # what the deductible leaves: settle the visit until its deductible parts agree.
        guess = _first_guess(visit, allowed_of, kinds, pools)
        for _ in range(len(visit) + 2):
            trial = pools.copy()
            settled = _settle(
                visit,
                nets,
                kinds,
                allowed_of,
                guess,
                trial,
                terms,
                medigap,
                program,
                program_left,
                rebate,
                reset,
            )
            if settled.deductible_parts == guess:
                break
            guess = settled.deductible_parts
        pools = trial
        program_left = settled.program_left
        out.extend(settled.lines)
    return out


@record(frozen=False)
class _Settled:
    lines: list[Line]
    deductible_parts: list[Decimal]
    program_left: Decimal


def _first_guess(
    visit: list[Claim], allowed: list[Decimal], kinds: list[str], pools: _Pools
) -> list[Decimal]:
    """Deductible parts if every line credited its whole part (no accumulator)."""
    held: dict[str, Decimal] = {}
    parts = []
    for claim, amount, kind in zip(visit, allowed, kinds, strict=True):
        part = ZERO
        if claim.covered:
            left = pools.deductible_left(kind) - held.get(kind, ZERO)
            part = min(amount, max(ZERO, left))
            held[kind] = held.get(kind, ZERO) + part
        parts.append(part)
    return parts


def _settle(
    visit: list[Claim],
    nets: list[Network],
    kinds: list[str],
    allowed_of: list[Decimal],
    guess: list[Decimal],
    pools: _Pools,
    terms: PlanTerms,
    medigap: Medigap,
    program: Program | None,
    program_left: Decimal,
    rebate: Program | None,
    reset: bool,
) -> _Settled:
    """One visit's lines adjudicated in order against `pools` (changed in place), with
    the copay placed on the remainders `guess` leaves."""
    afters = _after_deductible(visit, allowed_of, guess, kinds, pools)
    lines: list[Line] = []
    parts: list[Decimal] = []
    for i, claim in enumerate(visit):
        if not claim.covered:
            lines.append(_uncovered(claim, reset and i == 0))
            parts.append(ZERO)
            continue
        net, kind = nets[i], kinds[i]
        allowed = allowed_of[i]
        part = min(allowed, pools.deductible_left(kind))
        parts.append(part)
        copay, coinsurance = pools.sharing(kind)
        if copay is None:
            after = cents((allowed - part) * coinsurance / HUNDRED)
        else:
            after = min(afters[i], allowed - part)
        share = part + after
        oop_left = pools.oop_left(kind)
        if oop_left is not None:
            share = min(share, oop_left)
        applied = min(part, share)
        plan_pays = allowed - share

        supplement = ZERO
        if medigap != "none":
            coins = share - applied
            visit_copay = min(coins, MEDIGAP_N_VISIT_COPAY) if claim.visit else ZERO
            supplement = coins - visit_copay if medigap == "N" else coins

        assistance = ZERO
        capped = False
        if program is not None and claim.drug:
            assistance = max(ZERO, share - supplement - program.floor)
            if program.annual_cap is not None:
                capped = assistance > program_left
                assistance = min(assistance, program_left)
                program_left -= assistance
        elif rebate is not None and claim.observation:
            assistance = max(ZERO, share - supplement - rebate.floor)

        # What counts toward the limits: the whole cost share, except that under a
        # copay accumulator the manufacturer's payments count toward nothing.
        # The patient's own money counts toward the deductible first.
        counted = share - assistance if terms.accumulator else share
        own = share - supplement - assistance
        ded_credit = min(applied, own) if terms.accumulator else applied
        pools.credit(kind, ded_credit, counted)

        if net == "out":
            balance = claim.charge - allowed
            billed = claim.charge
            upfront, reimbursed = claim.charge, plan_pays + supplement
        else:
            balance = ZERO
            billed = allowed
            upfront, reimbursed = share - supplement - assistance, ZERO
        lines.append(
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
                patient=share - supplement - assistance + balance,
                upfront=upfront,
                reimbursed=reimbursed,
                plan_year_reset=reset and i == 0,
                program_capped=capped,
            )
        )
    return _Settled(lines, parts, program_left)


class _Pools:
    """The plan's accumulators: what remains of each deductible and out-of-pocket
    maximum this plan year. A line counts toward every pool of its kind: medical in
    network (the individual and family limits), pharmacy (its own deductible, if any,
    and its own maximum, if separate), or out of network (that tier's own limits)."""

    def __init__(self, terms: PlanTerms) -> None:
        self.terms = terms
        self.left: dict[str, Decimal | None] = {}
        self._fill(annual=False)

    def _fill(self, *, annual: bool) -> None:
        t, fam, rx, oon = (
            self.terms,
            self.terms.family,
            self.terms.pharmacy,
            self.terms.out_of_network,
        )

        def pick(now: Decimal | None, yearly: Decimal | None) -> Decimal | None:
            return yearly if annual else now

        left: dict[str, Decimal | None] = {
            "ded": pick(t.deductible, t.annual_deductible),
            "oop": pick(t.oop_max, t.annual_oop_max),
        }
        if fam is not None:
            left["fam_ded"] = pick(fam.deductible, fam.annual_deductible)
            left["fam_oop"] = pick(fam.oop_max, fam.annual_oop_max)
        if rx is not None:
            if rx.deductible is not None:
                left["rx_ded"] = pick(rx.deductible, rx.annual_deductible)
            if rx.oop_max is not None:
                left["rx_oop"] = pick(rx.oop_max, rx.annual_oop_max)
        if oon is not None:
            left["oon_ded"] = pick(oon.deductible, oon.annual_deductible)
            left["oon_oop"] = pick(oon.oop_max, oon.annual_oop_max)
        self.left = left

    def reset(self) -> None:
        self._fill(annual=True)

    def copy(self) -> _Pools:
        twin = _Pools.__new__(_Pools)
        twin.terms, twin.left = self.terms, dict(self.left)
        return twin

    def kind(self, claim: Claim, net: Network) -> str:
        if net == "out" and self.terms.out_of_network is not None:
            return "oon"
        if claim.drug and self.terms.pharmacy is not None:
            return "rx"
        return "med"

    def _names(self, kind: str, what: str) -> list[str]:
        """The pools a line of `kind` draws on for `what` ('ded' or 'oop')."""
        if kind == "oon":
            return [f"oon_{what}"]
        if kind == "rx" and f"rx_{what}" in self.left:
            return [f"rx_{what}"]
        fam = self.terms.family
        if fam is None:
            return [what]
        if fam.kind == "aggregate" and what == "ded":
            return [f"fam_{what}"]
        return [what, f"fam_{what}"]

    def _min(self, names: list[str]) -> Decimal | None:
        vals = [v for n in names if (v := self.left[n]) is not None]
        return min(vals) if vals else None

    def deductible_left(self, kind: str) -> Decimal:
        return self._min(self._names(kind, "ded")) or ZERO

    def oop_left(self, kind: str) -> Decimal | None:
        return self._min(self._names(kind, "oop"))

    def credit(self, kind: str, deductible: Decimal, counted: Decimal) -> None:
        for name in self._names(kind, "ded"):
            v = self.left[name]
            if v is not None:
                self.left[name] = max(ZERO, v - deductible)
        for name in self._names(kind, "oop"):
            v = self.left[name]
            if v is not None:
                self.left[name] = max(ZERO, v - counted)

    def sharing(self, kind: str) -> tuple[Decimal | None, Decimal]:
        """(copay or None, coinsurance) for a line of `kind`."""
        if kind == "oon":
            oon = self.terms.out_of_network
            assert oon is not None
            return oon.copay, oon.coinsurance
        if kind == "rx":
            rx = self.terms.pharmacy
            assert rx is not None
            return rx.copay, rx.coinsurance
        return self.terms.copay, self.terms.coinsurance


def coordinate(lines: list[Line], secondary: PlanTerms) -> list[Line]:
    """A secondary plan pays after the primary (standard coordination of benefits): on
    each line, what it would have paid as the primary plan (its own deductible,
    coinsurance or copay, and maximum, run over the same claims), never more than the
    patient still owes on that line. The balance bill of an out-of-network line is
    left to the patient. What it pays does not count toward the primary's limits."""
    from ketacost.records import replace

    as_primary = adjudicate([ln.claim for ln in lines], secondary)
    by_id = {id(ln.claim): ln for ln in as_primary}
    out: list[Line] = []
    for ln in lines:
        normal = by_id[id(ln.claim)]
        owes = ln.patient - ln.balance_bill
        pays = max(ZERO, min(normal.plan_pays, owes))
        if pays == 0:
            out.append(ln)
            continue
        if ln.reimbursed == 0 and ln.balance_bill == 0:  # in network: billed by the clinic
            upfront, reimbursed = ln.upfront - pays, ln.reimbursed
        else:  # paid on the day, claimed back
            upfront, reimbursed = ln.upfront, ln.reimbursed + pays
        out.append(
            replace(
                ln,
                secondary=pays,
                patient=ln.patient - pays,
                upfront=upfront,
                reimbursed=reimbursed,
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
    visit: list[Claim],
    allowed: list[Decimal],
    ded: list[Decimal],
    kinds: list[str],
    pools: _Pools,
) -> list[Decimal]:
    """What each covered line costs after its deductible part, before the OOP max.

    Coinsurance is a share of each line. A copay is one per visit and benefit (the
    convention this tool uses, see the README): it is charged on the visit line (the
    administration and observation, or the session itself) and, if that line's
    remainder after the deductible is smaller, what is left of the copay falls on the
    visit's other lines of the same benefit. A pharmacy copay is one per fill."""
    rest = [(a - d) if c.covered else ZERO for c, a, d in zip(visit, allowed, ded, strict=True)]
    out = [ZERO] * len(visit)
    for kind in dict.fromkeys(kinds):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        copay, coinsurance = pools.sharing(kind)
        if copay is None:
            for i in idx:
                out[i] = cents(rest[i] * coinsurance / HUNDRED)
            continue
        due = min(copay, sum((rest[i] for i in idx), ZERO))
        for i in sorted(idx, key=lambda i: not visit[i].visit):  # visit line first
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
