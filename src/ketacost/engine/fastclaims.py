"""The claim engine's totals in integer cents, for batch quoting.

`claim_totals` (fastpaths.py) adjudicates every claim line as `Decimal`s and line
objects: right, and slow for a batch (a year of Spravato is ~45 visits of two lines, in
three cases). `fast_claim_totals` gives the same `Totals`, to the cent, by

- working out, once per treatment, case and price, the claim lines of a session (the
  insurance module's own `claims_for`, so drug/administration splits, G-codes and
  out-of-network allowed amounts are its own) and keeping them as integer cents;
- counting each phase's sessions (`fastcounts.sessions_before`, as `schedule.counts`
  counts them) between the days where the arithmetic can change: plan-year resets,
  January 1 and the first month's end; a protocol whose sessions could share a day is
  laid out date by date instead (`schedule._steps`' pacing, shifted to each start);
- adjudicating a run of alike visits at once where the result cannot change within it:
  once the deductible is met, as many as the out-of-pocket maximum and the program's
  cap let through, and every one once the maximum is met;
- running the adjudication rules of `costshare.adjudicate` (deductible, copay per visit
  or coinsurance, out-of-pocket maximum, plan-year resets, Medigap G/N, the
  manufacturer program with its calendar-year cap, the observation rebate, network in
  or out with the superbill) over plain integers.

It covers the common plan kinds: self-pay with an HSA/FSA, commercial in or out of
network, Medicare (with or without Medigap), Medicaid, the savings program and the
observation rebate, and pre-tax money (HSA/FSA) with any of them. It returns None (the
caller then uses `claim_totals`) for family limits, a pharmacy benefit, a drug network
that differs from the visit's, a copay accumulator, a secondary plan, Medicare
Advantage, a rate book (`rates`), and any figure that is not a whole number of cents.
`tests/test_fastclaims.py` checks it against `claim_totals` on random rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from ketacost.amounts import Triple, cents, zero_money
from ketacost.book.pricebook import CASES, Case, PriceBook
from ketacost.engine.costshare import MEDIGAP_N_VISIT_COPAY, plan_year_of
from ketacost.engine.estimate import (
    CONSULT,
    _dose,
    combined_discount,
    schedule_options,
    session_price,
)
from ketacost.engine.fastcounts import Step, options_key, pacing, same_day_sessions, sessions_before
from ketacost.engine.fastpaths import self_pay_applies
from ketacost.engine.insurance import Charge, ResolvedPlan, claims_for, resolve_plan
from ketacost.engine.results import BatchCents, BatchFigures, Cents3, Split, Totals
from ketacost.engine.schedule import _EPOCH, _steps, add_months, business_day
from ketacost.paying.pretax import tax_savings_cents, tax_savings_of
from ketacost.scenario import Scenario

_KINDS = ("none", "commercial", "medicare", "medicaid")
_MEDIGAP_N = int(MEDIGAP_N_VISIT_COPAY * 100)
# Memo entries kept at most (prices, claim lines, pacing): a batch of any
# length stays within a bounded memory.
_MEMO_LIMIT = 20_000


class _NotCents(Exception):
    """A figure with a fraction of a cent: the claim engine's Decimals decide."""


def _c(x: Decimal) -> int:
    n = x * 100
    i = int(n)
    if i != n:
        raise _NotCents
    return i


def _c_opt(x: Decimal | None) -> int | None:
    return None if x is None else _c(x)


def eligible(sc: Scenario) -> bool:
    """Whether `fast_claim_totals` handles this scenario's plan (see the module doc)."""
    return (
        sc.insurance in _KINDS
        and sc.drug_benefit == "medical"
        and (sc.drug_network is None or sc.drug_network == sc.network)
        and not sc.accumulator
        and sc.secondary_plan is None
        and sc.rates is None
        and sc.family_deductible is None
        and sc.family_oop_max is None
        and sc.annual_family_deductible is None
        and sc.annual_family_oop_max is None
    )


def _put(memo: dict[object, Any], key: object, value: Any) -> Any:
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


def _dates(
    book: PriceBook, sc: Scenario, t: Any, case: Case, end: dt.date, memo: dict[object, Any]
) -> list[tuple[str, list[dt.date]]]:
    """Each phase's session dates, as `schedule.expand` lays them out."""
    opts = schedule_options(t, sc)
    key = ("steps", id(t.phases), case, *options_key(opts))
    hit = memo.get(key)
    if hit is None or hit[0] is not t.phases:
        hit = _put(memo, key, (t.phases, _steps(t.phases, _EPOCH, case, opts)))
    shift = sc.start - _EPOCH
    out: list[tuple[str, list[dt.date]]] = []
    after: dt.date | None = None
    one = dt.timedelta(days=1)
    for st in hit[1]:
        days = st.nominal(end, shift)
        if opts.clinic_days:
            rolled: list[dt.date] = []
            for day in days:
                if after is not None and day <= after:
                    day = after + one
                after = business_day(day)
                if after >= end:
                    break
                rolled.append(after)
            days = rolled
        out.append((st.phase.id, days))
    return out


# One claim line, in cents: (charge, allowed, drug, observation, visit)
_LineC = tuple[int, int, bool, bool, bool]


def _lines_memo(sc: Scenario, case: Case, plan: Any, memo: dict[object, Any]) -> dict[object, Any]:
    """The memo of one case's claim lines, found once per case by what they depend on
    but the service itself (its price, dose and whether it is the consultation)."""
    key: tuple[object, ...] = (
        "lines",
        sc.insurance,
        sc.network,
        sc.allowed,
        sc.state,
        sc.price is None,
        sc.treatment,
        case,
        plan.covered,
        plan.allowed_percent,
    )
    got = memo.get(key)
    if got is None:
        got = _put(memo, key, {})
    return got  # type: ignore[no-any-return]


def _lines_of(
    book: PriceBook,
    t: Any,
    sc: Scenario,
    case: Case,
    plan: Any,
    tag: str,
    amount: Decimal,
    dose: int | None,
    memo: dict[object, Any],
) -> tuple[_LineC, ...]:
    """The claim lines of one priced service, from `claims_for`, in cents; `memo` is the
    case's (`_lines_memo`)."""
    key = (tag == CONSULT, amount, dose)
    hit = memo.get(key)
    if hit is None:
        claims = claims_for(book, t, sc, case, plan, Charge(sc.start, tag, amount, dose))
        hit = _put(
            memo,
            key,
            tuple((_c(c.charge), _c(c.allowed), c.drug, c.observation, c.visit) for c in claims),
        )
    return hit  # type: ignore[no-any-return]


def _alike(
    visits: list[tuple[dt.date, str, tuple[_LineC, ...]]],
    year_start: tuple[int, int],
    start: dt.date,
) -> list[list[Any]]:
    """The visits (services of one phase on one day are one visit: their lines joined)
    as runs of consecutive visits with the same lines and tag, within one plan year,
    one calendar year and (the first) one month: [first day, tag, lines, how many, the
    day it cannot reach]."""
    out: list[list[Any]] = []  # [first day, tag, lines, how many, where the run must end]
    month, dom = year_start
    month_end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    last_day: dt.date | None = None
    last_tag = ""
    last_lines: tuple[_LineC, ...] = ()
    for day, tag, lines in visits:
        if day == last_day and tag == last_tag:  # the same visit: take it out, join it
            if out[-1][3] == 1:
                out.pop()
            else:
                out[-1][3] -= 1
            lines = last_lines + lines
        last_day, last_tag, last_lines = day, tag, lines
        if out:
            run = out[-1]
            if day < run[4] and run[2] is lines and run[1] == tag:
                run[3] += 1
                continue
        # the run ends at the next plan-year reset, January 1, or the first month's end
        reset = dt.date(day.year, month, dom)
        if reset <= day:
            reset = dt.date(day.year + 1, month, dom)
        limit = min(reset, dt.date(day.year + 1, 1, 1))
        if day < month_end:
            limit = min(limit, month_end)
        out.append([day, tag, lines, 1, limit])
    return out


def _cuts(start: dt.date, end: dt.date, year_start: tuple[int, int]) -> list[int]:
    """The days (ordinals) after `start` where a run of visits must end: each plan-year
    reset, January 1 and the first month's end before `end`, and `end`."""
    month, dom = year_start
    days = {dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)}
    for y in range(start.year, end.year + 1):
        days.add(dt.date(y, month, dom))
        days.add(dt.date(y + 1, 1, 1))
    return sorted({d.toordinal() for d in days if start < d < end} | {end.toordinal()})


def _cuts_kept(
    start: dt.date, end: dt.date, year_start: tuple[int, int], memo: dict[object, Any]
) -> list[int]:
    """`_cuts`, kept (a few thousand at most): rows of one start and horizon share them."""
    kept = memo.get("cuts")
    if kept is None:
        kept = _put(memo, "cuts", {})
    key = (start, end, year_start)
    hit = kept.get(key)
    if hit is None:
        hit = _cuts(start, end, year_start)
        if len(kept) >= _CUTS_KEPT:
            kept.clear()
        kept[key] = hit
    return hit  # type: ignore[no-any-return]


_CUTS_KEPT = 4096


def _coins_share(rest: int, num: int, den: int) -> int:
    """cents(rest x coinsurance / 100), half up, for rest >= 0 and coinsurance num/den."""
    return (2 * rest * num + 100 * den) // (200 * den)


class _Run(NamedTuple):
    """One case's figures in cents."""

    totals: tuple[int, ...]  # billed, insurer, assistance, patient, upfront, reimbursed
    sessions: int
    by_year: dict[int, int]  # what the patient pays per calendar year
    by_tag: dict[str, int]  # ... per phase (and consultation)
    first_month: int  # ... in the calendar month of the start
    lead: str | None  # the first phase laid out (batch's "first series")


class _Setup(NamedTuple):
    """What one case of a row works out before its visits, none of it from the start
    date: kept per case (`plans`) for rows that differ in their start alone."""

    plan: ResolvedPlan
    lines_memo: dict[object, Any]  # the case's claim lines (`_lines_memo`)
    consult: tuple[_LineC, ...] | None  # the consultation's lines, when one is charged
    prices: tuple[Any, ...]  # regular and opening session price, regular and first dose
    # Counted, not laid out (see `_case`): each phase's id, pacing, and the lines of its
    # session that opens the course and of any other; else None.
    paced: tuple[tuple[str, Step, tuple[_LineC, ...], tuple[_LineC, ...]], ...] | None
    lead: str | None  # ... and the first phase (None: see `_dates`)
    # The terms in cents: deductible and maximum left, their annual figures, the plan
    # year's first day, the program's cap, and what `_one_visit` takes
    pools: tuple[int, int | None, int, int | None]
    year_start: tuple[int, int]
    cap: int | None
    terms_key: tuple[Any, ...]
    # Visits adjudicated by the state of the pools they find, and what each visit's
    # lines allow, by the lines' id: shared by every row of these terms (see `_case`).
    alike: tuple[dict[object, Any], dict[object, Any]]


# Every field of a scenario that `resolve_plan` (with its helpers `_family`, `_pharmacy`
# and `_drug_network`) reads, but the start, which only dates the terms (`as_of`, which
# the claim loop does not read) and a rate book's (a rate book is not on this path).
_PLAN_FIELD_NAMES = (
    "insurance",
    "network",
    "drug_network",
    "deductible",
    "oop_max",
    "annual_deductible",
    "annual_oop_max",
    "coinsurance",
    "copay",
    "covered",
    "allowed",
    "state",
    "plan_year_start",
    "medigap",
    "assistance",
    "observation_rebate",
    "accumulator",
    "drug_benefit",
    "rx_deductible",
    "rx_copay",
    "rx_coinsurance",
    "annual_rx_deductible",
    "family_kind",
    "family_deductible",
    "family_oop_max",
    "annual_family_deductible",
    "annual_family_oop_max",
    "rates",
)
_PLAN_FIELDS = attrgetter(*_PLAN_FIELD_NAMES)
_PLANS_KEPT = 4096  # resolved plans kept (a few kilobytes each)


def _plan(book: PriceBook, t: Any, sc: Scenario, case: Case, memo: dict[object, Any]) -> Any:
    """`resolve_plan(book, t, sc, case, wording=False)`, kept for every row of the same
    plan fields: rows of other prices, sessions, months or starts share it."""
    kept = memo.get("plans")
    if kept is None:
        kept = _put(memo, "plans", {})
    key = (id(t), case, _PLAN_FIELDS(sc))
    hit = kept.get(key)
    if hit is not None and hit[0] is t:
        return hit[1]
    # a batch shows no wording, and resolves a plan for every new row
    plan = resolve_plan(book, t, sc, case, wording=False)
    if len(kept) >= _PLANS_KEPT:
        kept.clear()
    kept[key] = (t, plan)
    return plan


def _setup(book: PriceBook, t: Any, sc: Scenario, case: Case, memo: dict[object, Any]) -> _Setup:
    plan = _plan(book, t, sc, case, memo)
    terms = plan.terms
    covered = plan.covered
    lines_memo = _lines_memo(sc, case, plan, memo)
    consult = sc.consult if sc.consult is not None else cents(t.consult_fee.cost_pick(case))
    consult_lines = None
    if consult > 0:
        consult_lines = _lines_of(book, t, sc, case, plan, CONSULT, consult, None, lines_memo)
    pkey = ("prices", sc.treatment, case, sc.dose, sc.price)
    prices = memo.get(pkey)
    if prices is None:
        dose_case: Case = "typical" if sc.price is not None else case
        prices = _put(
            memo,
            pkey,
            (
                sc.price if sc.price is not None else session_price(t, case, sc.dose, False),
                sc.price if sc.price is not None else session_price(t, case, sc.dose, True),
                _dose(t, dose_case, sc.dose, False),
                _dose(t, dose_case, sc.dose, True),
            ),
        )
    regular, opening, dose_regular, dose_first = prices
    paced = pacing(t, case, schedule_options(t, sc), memo) if covered else None
    phases = None
    lead = None
    if paced is not None and not same_day_sessions(paced, not t.at_home):
        lead = paced[0][0] if paced else None
        each = []
        for tag, st in paced:
            frac = combined_discount(book, sc.discounts, tag, case) if sc.discounts else 0
            off = cents(opening * frac) if frac else 0
            one = _lines_of(book, t, sc, case, plan, tag, opening - off, dose_first, lines_memo)
            off = cents(regular * frac) if frac else 0
            rest = _lines_of(book, t, sc, case, plan, tag, regular - off, dose_regular, lines_memo)
            each.append((tag, st, one, rest))
        phases = tuple(each)
    num, den = terms.coinsurance.as_integer_ratio()  # the percent, as num/den
    medigap = sc.medigap if covered else "none"
    program, rebate = plan.program, plan.rebate
    terms_key = (
        sc.network == "out",
        _c_opt(terms.copay),
        num,
        den,
        medigap,
        program is not None,
        _c(program.floor) if program is not None else 0,
        _c_opt(program.annual_cap) if program is not None else None,
        rebate is not None,
        _c(rebate.floor) if rebate is not None else 0,
    )
    pools = (
        _c(terms.deductible),
        _c_opt(terms.oop_max),
        _c(terms.annual_deductible),
        _c_opt(terms.annual_oop_max),
    )
    shared = memo.get(("alike", terms_key))
    if shared is None:
        shared = _put(memo, ("alike", terms_key), ({}, {}))
    return _Setup(
        plan,
        lines_memo,
        consult_lines,
        prices,
        phases,
        lead,
        pools,
        terms.year_start,
        terms_key[7],
        terms_key,
        shared,
    )


def _case(
    book: PriceBook,
    t: Any,
    sc: Scenario,
    case: Case,
    end: dt.date,
    memo: dict[object, Any],
    plans: dict[Case, _Setup] | None = None,
) -> _Run:
    """One case, as `estimate.run_case` adjudicates it."""
    setup = plans.get(case) if plans is not None else None
    if setup is None:
        setup = _setup(book, t, sc, case, memo)
        if plans is not None:
            plans[case] = setup
    plan = setup.plan
    covered = plan.covered
    year_start = setup.year_start
    # The services, in the order `run_case` charges them.
    visits: list[tuple[dt.date, str, tuple[_LineC, ...]]] = []
    if setup.consult is not None:
        visits.append((sc.start, CONSULT, setup.consult))
    runs: list[list[Any]]
    if setup.paced is not None:
        # Each phase's sessions counted between the days a run must end on (as
        # `schedule.counts` counts them), not laid out one by one.
        runs = []
        if visits:
            runs.append([sc.start, CONSULT, visits[0][2], 1, None])
        day0 = sc.start.toordinal()
        cuts = _cuts_kept(sc.start, end, year_start, memo)
        first = True
        sessions = 0
        clinic = not t.at_home
        for tag, st, one, rest in setup.paced:
            before, low = 0, day0
            for cut in cuts:
                n = sessions_before(st, day0, cut, clinic)
                k = n - before
                if k > 0:
                    seg = dt.date.fromordinal(low)
                    if before == 0:  # the phase's first session: the course's, maybe
                        runs.append([seg, tag, one if first else rest, 1, None])
                        first = False
                        k -= 1
                    if k:
                        runs.append([seg, tag, rest, k, None])
                before, low = n, cut
            sessions += before
        lead = setup.lead
    else:
        regular, opening, dose_regular, dose_first = setup.prices
        lines_memo = setup.lines_memo
        first = True
        sessions = 0
        laid_out = _dates(book, sc, t, case, end, memo)
        lead = laid_out[0][0] if laid_out else None
        for tag, days in laid_out:
            if not days:
                continue
            frac = combined_discount(book, sc.discounts, tag, case) if sc.discounts else 0
            for i, day in enumerate(days):
                price = opening if first else regular
                if i < 2 or first:
                    off = cents(price * frac) if frac else 0
                    lines = _lines_of(
                        book,
                        t,
                        sc,
                        case,
                        plan,
                        tag,
                        price - off,
                        dose_first if first else dose_regular,
                        lines_memo,
                    )
                visits.append((day, tag, lines))
                first = False
            sessions += len(days)
        visits.sort(key=itemgetter(0))  # adjudicate's order: by date, stable
    ded_left, oop_left, annual_ded, annual_oop = setup.pools
    year = plan_year_of(sc.start, year_start)  # (the plan's as_of: a shared plan's is not)
    program = plan.program
    cap = setup.cap
    program_year = 0
    program_left = 0
    terms_key = setup.terms_key
    out_net = terms_key[0]

    by_year: dict[int, int] = {}
    by_tag: dict[str, int] = {}
    first_month = 0
    start_month = (sc.start.year, sc.start.month)
    if not covered:  # every line paid in full by the patient; nothing accumulates
        paid_all = 0
        for day, tag, lines in visits:  # (services of one day and phase: one visit)
            paid = sum(line[0] for line in lines)
            paid_all += paid
            by_year[day.year] = by_year.get(day.year, 0) + paid
            by_tag[tag] = by_tag.get(tag, 0) + paid
            if (day.year, day.month) == start_month:
                first_month += paid
        totals = (paid_all, 0, 0, paid_all, paid_all, 0)
        return _Run(totals, sessions, by_year, by_tag, first_month, lead)
    tb = ti = ta = tp = tu = tr = 0  # billed, insurer, assistance, patient, upfront, reimbursed
    # A visit's figures depend on the pools it finds only through the state each is in:
    # the deductible nil, or at least what the visit's lines allow (the deductible takes
    # them whole); the out-of-pocket maximum met, or enough left for the visit's shares;
    # the program's yearly cap spent, or enough left for its help. Within one such state
    # the visits of the same lines cost the same, so a run of them is adjudicated once and
    # multiplied, for as many visits as the pools stay in it; and the entries hold for
    # every row of the same terms (`_Setup.alike`), whatever its deductible and maximum.
    alike, whole = setup.alike
    spent = False  # the program's cap used up (only with a cap)
    for day, tag, lines, count, _limit in runs:
        claim_year = plan_year_of(day, year_start)
        if claim_year != year:
            year = claim_year
            ded_left, oop_left = annual_ded, annual_oop
        if program is not None and day.year != program_year:
            program_year, program_left = day.year, cap or 0
        paid = 0  # by the patient, for these visits
        known = whole.get(id(lines))
        if known is not None and known[0] is lines:
            allows = known[1]
        else:
            allows = sum((min(c, a) if out_net else a) for c, a, _d, _o, _v in lines)
            _put(whole, id(lines), (lines, allows))
        while count:
            spent = cap is not None and program_left == 0
            if oop_left == 0:  # the maximum met: nothing is shared, whatever the rest
                state: tuple[int, int, bool] | None = (id(lines), 2, False)
            elif ded_left == 0:
                state = (id(lines), 0, spent)
            elif ded_left >= allows:
                state = (id(lines), 1, spent)
            else:
                state = None  # the visit that meets the deductible: on its own
            hit = alike.get(state) if state is not None else None
            if hit is not None and hit[0] is lines:
                k = count
                _lines, (vb, vi, va, vp, vu, vr), ded_used, added, helped = hit
                if ded_used:
                    k = min(k, ded_left // ded_used)
                if oop_left is not None and added:
                    k = min(k, oop_left // added)
                if cap is not None and helped:
                    k = min(k, program_left // helped)
                if k > 0:
                    tb += k * vb
                    ti += k * vi
                    ta += k * va
                    tp += k * vp
                    tu += k * vu
                    tr += k * vr
                    paid += k * vp
                    ded_left -= k * ded_used
                    if oop_left is not None:
                        oop_left -= k * added
                    program_left -= k * helped
                    count -= k
                    continue
            before = ded_left
            got = _one_visit(lines, ded_left, oop_left, program_left, terms_key)
            (vb, vi, va, vp, vu, vr, ded_left, oop_left, program_left) = got[:9]
            added, helped, held_by_max, held_by_cap = got[9:]
            if state is not None and (
                state[1] == 2 or not (held_by_max or (held_by_cap and not spent))
            ):
                _put(
                    alike,
                    state,
                    (lines, (vb, vi, va, vp, vu, vr), before - ded_left, added, helped),
                )
            tb += vb
            ti += vi
            ta += va
            tp += vp
            tu += vu
            tr += vr
            paid += vp
            count -= 1
        by_year[day.year] = by_year.get(day.year, 0) + paid
        by_tag[tag] = by_tag.get(tag, 0) + paid
        if (day.year, day.month) == start_month:
            first_month += paid
    return _Run((tb, ti, ta, tp, tu, tr), sessions, by_year, by_tag, first_month, lead)


def _one_visit(
    lines: tuple[_LineC, ...],
    ded_left: int,
    oop_left: int | None,
    program_left: int,
    terms_key: tuple[Any, ...],
) -> tuple[Any, ...]:
    """One visit adjudicated from the pools it finds: its totals (billed, insurer,
    assistance, patient, upfront, reimbursed), the pools it leaves, what it adds to the
    maximum and the program, whether the maximum held it back, and whether the
    program's cap did. (Kept for every row that reaches the same visit with the same pools, it saved
    nothing measurable: the key costs what the arithmetic does.)"""
    out_net, copay, num, den, medigap, has_program, floor, cap, has_rebate, rebate_floor = terms_key
    # As costshare.adjudicate: a first guess of the deductible parts (each line
    # takes what the ones before it leave), the copay placed on what they leave
    # (visit line first), then the lines in order against the pools, again
    # until the deductible parts agree with the guess.
    n = len(lines)
    allowed_of = [0] * n
    guess = [0] * n
    held = 0
    for i, (charge, allowed, _drug, _obs, _is_visit) in enumerate(lines):
        if out_net and charge < allowed:
            allowed = charge
        left = ded_left - held
        part = min(allowed, left) if left > 0 else 0
        held += part
        allowed_of[i] = allowed
        guess[i] = part
    for _ in range(n + 2):
        d_left, o_left, p_left = ded_left, oop_left, program_left
        afters = [0] * n
        if copay is not None:
            due = min(copay, sum(allowed_of[i] - guess[i] for i in range(n)))
            for i in sorted(range(n), key=lambda i: not lines[i][4]):
                take = min(due, allowed_of[i] - guess[i])
                afters[i] = take
                due -= take
        parts = [0] * n
        vb = vi = va = vp = vu = vr = 0
        added = helped_all = 0
        held_by_max = held_by_cap = False
        for i, (charge, _a, drug, obs, visit) in enumerate(lines):
            allowed = allowed_of[i]
            part = allowed if allowed < d_left else d_left
            parts[i] = part
            if copay is None:
                after = _coins_share(allowed - part, num, den)
            else:
                after = min(afters[i], allowed - part)
            share = part + after
            if o_left is not None and share > o_left:
                share = o_left
                held_by_max = True
            applied = part if part < share else share
            plan_pays = allowed - share
            supplement = 0
            if medigap != "none":
                coins = share - applied
                if medigap == "N":
                    supplement = coins - (min(coins, _MEDIGAP_N) if visit else 0)
                else:
                    supplement = coins
            helped = 0
            if has_program and drug:
                helped = max(0, share - supplement - floor)
                if cap is not None:
                    if helped > p_left:
                        helped = p_left
                        held_by_cap = True
                    p_left -= helped
                    helped_all += helped
            elif has_rebate and obs:
                helped = max(0, share - supplement - rebate_floor)
            d_left = max(0, d_left - applied)
            if o_left is not None:
                o_left = max(0, o_left - share)
            added += share
            if out_net:
                balance = charge - allowed
                vb += charge
                vu += charge
                vr += plan_pays + supplement
            else:
                balance = 0
                vb += allowed
                vu += share - supplement - helped
            vi += plan_pays + supplement
            va += helped
            vp += share - supplement - helped + balance
        if parts == guess:
            break
        guess = parts
    return (
        vb,
        vi,
        va,
        vp,
        vu,
        vr,
        d_left,
        o_left,
        p_left,
        added,
        helped_all,
        held_by_max,
        held_by_cap,
    )


def _money(x: int) -> Decimal:
    return Decimal(x).scaleb(-2)


def _runs(
    book: PriceBook,
    sc: Scenario,
    memo: dict[object, Any] | None,
    plans: dict[Case, Any] | None = None,
) -> tuple[dict[Case, _Run], _Run, tuple[Cents3, ...], Triple[Decimal]] | None:
    """Each case's run (the low and high columns swapped for the typical one as
    `estimate.ordered_runs` does), the typical run, the split in cents (Split's parts,
    each low / typical / high) and the tax saving."""
    if not eligible(sc):
        return None
    memo = {} if memo is None else memo
    t = book.treatments[sc.treatment]  # type: ignore[index]
    end = add_months(sc.start, sc.months)
    try:
        raw = {c: _case(book, t, sc, c, end, memo, plans) for c in CASES}
    except _NotCents:
        return None
    runs = dict(raw)
    typical = raw["typical"].totals
    if any(a > b for a, b in zip(raw["low"].totals, typical, strict=True)):
        runs["low"] = raw["typical"]
    if any(a < b for a, b in zip(raw["high"].totals, typical, strict=True)):
        runs["high"] = raw["typical"]
    low, typ, high = runs["low"].totals, runs["typical"].totals, runs["high"].totals
    split = tuple((low[k], typ[k], high[k]) for k in range(6))
    if sc.hsa or sc.fsa:
        patient = (low[3], typ[3], high[3])
        fast = tax_savings_cents(book, sc, patient, [runs[c].by_year for c in CASES])
        if fast is None:
            payments = {
                c: [(dt.date(y, 1, 1), _money(v)) for y, v in sorted(runs[c].by_year.items())]
                for c in CASES
            }
            fast = tax_savings_of(book, sc, Triple(*map(_money, patient)), payments)[0]
        tax = fast
    else:
        tax = zero_money()
    return runs, raw["typical"], split, tax


def fast_claim_totals(
    book: PriceBook,
    scenario: Scenario,
    memo: dict[object, Any] | None = None,
    plans: dict[Case, Any] | None = None,
) -> Totals | None:
    """`claim_totals(book, scenario)` in integer cents, or None for a plan this fast
    path does not cover. Pass the same `memo` dict for many scenarios on one book, and
    the same `plans` dict for scenarios that differ in their start date alone (each
    case's resolved plan, claim lines and terms in cents: `_Setup`)."""
    got = _runs(book, scenario, memo, plans)
    if got is None:
        return None
    runs, _typical, split, tax = got
    sessions = Triple(*(runs[c].sessions for c in CASES))
    parts = (Triple(*map(_money, part)) for part in split)
    return Totals(sessions=sessions, split=Split(*parts), tax_savings=tax)


def fast_batch_cents(
    book: PriceBook,
    scenario: Scenario,
    memo: dict[object, Any] | None = None,
    plans: dict[Case, Any] | None = None,
) -> BatchCents | None:
    """`batch_figures(book, scenario)` in integer cents for a row whose plan covers the
    treatment or that pays with pre-tax money (self-pay rows have their own arithmetic
    there), or None: the caller then uses `batch_figures`."""
    sc = scenario
    t = book.treatments[sc.treatment]  # type: ignore[index]
    if self_pay_applies(t, sc):
        return None
    got = _runs(book, sc, memo, plans)
    if got is None:
        return None
    runs, typical, split, tax = got
    lead = typical.lead
    series = (0, 0, 0)
    if lead is not None:
        series = tuple(runs[c].by_tag.get(lead, 0) for c in CASES)  # type: ignore[assignment]
    month = f"{sc.start.year:04d}-{sc.start.month:02d}"
    return BatchCents(split, tax, sc.months, series, month, typical.first_month)  # type: ignore[arg-type]


def fast_batch_figures(
    book: PriceBook,
    scenario: Scenario,
    memo: dict[object, Any] | None = None,
    plans: dict[Case, Any] | None = None,
) -> BatchFigures | None:
    """`fast_batch_cents` as `BatchFigures`."""
    got = fast_batch_cents(book, scenario, memo, plans)
    return None if got is None else got.figures()
