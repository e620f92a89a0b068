"""Savings tips: each lever applied to the patient's own scenario, the estimate
recomputed, and the tips ranked by the money they save.

A tip is printed only when it applies and saves money in the typical scenario. Tips
that point to another treatment never recommend it: they say what it would cost and
that whether it suits the patient is for their prescriber to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ketacost import records
from ketacost.amounts import Triple, fmt_money
from ketacost.book.pricebook import CASES, PriceBook, Referenced, Source, Treatment
from ketacost.engine.costshare import plan_year_of
from ketacost.engine.fastclaims import fast_claim_totals
from ketacost.engine.fastpaths import claim_totals
from ketacost.engine.results import Estimate, Totals
from ketacost.errors import KetacostError
from ketacost.i18n import _, book, fmt_date, fmt_day_month, t
from ketacost.options import PER_TREATMENT
from ketacost.scenario import Scenario
from ketacost.whatif.tip import Evidence, Tip

_BASIS_ORDER = ("sourced", "derived", "assumption")


def evidence(*nodes: Referenced | None) -> Evidence:
    """The evidence behind the figures a tip rests on."""
    used = [n for n in nodes if n is not None]
    kinds = {n.basis for n in used}
    return Evidence(tuple(b for b in _BASIS_ORDER if b in kinds), len(_sources(*used)))


def saving(base: Estimate, alt: Totals) -> Triple[Decimal]:
    """What the patient saves: base net minus the alternative's net in each scenario,
    given as a range (the smallest, the typical scenario's, the largest). A lever can
    save more in the cheap scenario than in the dear one (a percentage off a larger
    discount), so the range is sorted rather than read column by column."""
    diffs = [b - a for b, a in zip(base.totals.net, alt.net, strict=True)]
    return Triple(min(diffs), diffs[1], max(diffs))


def _sources(*nodes: Referenced | None) -> tuple[Source, ...]:
    seen: list[Source] = []
    for node in nodes:
        if node is None:
            continue
        for src in node.sources:
            if src not in seen:
                seen.append(src)
    return tuple(seen)


MAX_DELAY = dt.timedelta(weeks=8)


def totals_of(book: PriceBook, sc: Scenario, memo: dict[object, Any]) -> Totals:
    """`claim_totals(book, sc)`: through the integer-cents claim loop where it covers the
    plan (equal to the cent: tests/test_fastclaims.py, tests/test_tips_fast.py), else claim
    by claim. A tip needs only the totals, and a run of tips several of them (~4x faster
    this way). `memo` carries the claim lines and pacing from one scenario to the next."""
    fast = fast_claim_totals(book, sc, memo)
    return fast if fast is not None else claim_totals(book, sc)


class _Context:
    def __init__(self, book: PriceBook, sc: Scenario, base: Estimate, today: dt.date) -> None:
        self.book, self.sc, self.base, self.today = book, sc, base, today
        self.t = book.treatments[sc.treatment]  # type: ignore[index]
        self.memo: dict[object, Any] = {}

    def run(self, **changes: object) -> tuple[Scenario, Totals]:
        alt = self.sc.model_copy(update=changes)
        # Only the totals matter to a tip: skip the report's words and sources.
        return alt, totals_of(self.book, alt, self.memo)


Lever = Callable[[_Context], Iterator[Tip]]


def _discounts(ctx: _Context) -> Iterator[Tip]:
    for did, d in ctx.book.discounts.items():
        if ctx.sc.treatment not in d.applies_to or did in ctx.sc.discounts:
            continue
        alt, est = ctx.run(discounts=(*ctx.sc.discounts, did))
        yield Tip(
            f"discount-{did}",
            "discount",
            book(d.name),
            book(d.how),
            saving(ctx.base, est),
            _sources(d.percent_off),
            alt,
            evidence(d.percent_off),
        )


def _program(ctx: _Context) -> Iterator[Tip]:
    prog = ctx.book.insurance.spravato_savings
    sc = ctx.sc
    if ctx.t.drug is None or sc.assistance or sc.insurance not in prog.eligible_payers:
        return
    alt, est = ctx.run(assistance=True)
    yield Tip(
        "spravato-savings-program",
        "program",
        t("Enroll in the {name}", name=book(prog.name)),
        t(
            "Commercially insured patients pay as little as {floor} per treatment for the "
            "drug, up to {cap} a year; no income limit. Enroll through the program's site "
            "or ask the treatment center.",
            floor=fmt_money(prog.per_treatment_floor.get("typical")),
            cap=fmt_money(prog.annual_cap.get("typical")),
        ),
        saving(ctx.base, est),
        _sources(prog.per_treatment_floor, prog.annual_cap),
        alt,
        evidence(prog.per_treatment_floor, prog.annual_cap),
    )


def _accumulator(ctx: _Context) -> Iterator[Tip]:
    """Under a copay accumulator the program's help counts toward nothing: what it costs
    the patient, and what to ask."""
    sc, base = ctx.sc, ctx.base
    node = ctx.book.insurance.copay_accumulators
    if not sc.accumulator or base.plan.program is None or node is None:
        return
    alt, est = ctx.run(accumulator=False)
    when = (
        f" In this estimate the program's cap runs out on {base.program_runs_out.isoformat()}."
        if base.program_runs_out
        else ""
    )
    yield Tip(
        "copay-accumulator",
        "program",
        "Ask whether your plan must count the savings program's payments",
        "Your plan runs a copay accumulator: the savings program's payments do not count "
        "toward your deductible or maximum, so you meet them again from your own pocket "
        f"once the program's yearly cap is spent.{when} Some states require state-regulated "
        "plans to count this help; ask your plan (or HR, for an employer plan) whether the "
        "accumulator applies to you, and the program whether it can pay differently.",
        saving(base, est),
        _sources(node),
        alt,
        evidence(node),
    )


def _observation(ctx: _Context) -> Iterator[Tip]:
    sc = ctx.sc
    obs = ctx.book.insurance.spravato_observation_rebate
    if (
        ctx.t.drug is None
        or obs is None
        or sc.observation_rebate
        or sc.insurance != "commercial"
        or not ctx.base.plan.covered
        or sc.state in obs.excluded_states
    ):
        return
    alt, est = ctx.run(observation_rebate=True)
    where = (
        ""
        if sc.state
        else t(" Not valid for residents of {states}.", states=", ".join(obs.excluded_states))
    )
    yield Tip(
        "spravato-observation-rebate",
        "program",
        t("Ask about the {name}", name=book(obs.name)),
        t(
            "Commercially insured patients can get their cost share for each treatment's "
            "observation rebated, to as little as {floor}; the program has a yearly limit "
            "it does not publish, so the saving may be smaller.",
            floor=fmt_money(obs.patient_floor.get("typical")),
        )
        + where,
        saving(ctx.base, est),
        _sources(obs.patient_floor),
        alt,
        evidence(obs.patient_floor),
    )


def _superbill(ctx: _Context) -> Iterator[Tip]:
    sc = ctx.sc
    oon = ctx.book.insurance.out_of_network
    if sc.insurance != "commercial" or sc.network == "out" or ctx.base.plan.covered:
        return
    if oon is None:
        return
    alt, est = ctx.run(network="out", covered=True)
    yield Tip(
        "superbill",
        "superbill",
        _("Claim out of network with a superbill"),
        _(
            "If your plan is a PPO or POS with out-of-network benefits, ask the clinic for a "
            "superbill (with the visit, procedure and diagnosis codes) and send it to your "
            "insurer; many plans still deny off-label ketamine, so ask your insurer first."
        ),
        saving(ctx.base, est),
        _sources(ctx.t.coverage["commercial"], oon.allowed_percent, oon.coinsurance),
        alt,
        evidence(ctx.t.coverage["commercial"], oon.allowed_percent, oon.coinsurance),
    )


def _pretax(ctx: _Context) -> Iterator[Tip]:
    sc, tax = ctx.sc, ctx.book.tax
    if sc.hsa or sc.fsa or tax is None:
        return
    fsa = fmt_money(tax.fsa_limit.get("typical"))
    hsa_allowed = sc.insurance not in ("medicare", "medicare-advantage")
    if hsa_allowed:
        try:  # an HSA needs a high-deductible plan
            sc.model_copy(update={"hsa": True}).resolved(ctx.book)
        except KetacostError:
            hsa_allowed = False
    if not hsa_allowed:
        # Nobody enrolled in Medicare can put money into an HSA (IRS Pub 969).
        alt, est = ctx.run(fsa=True)
        title = _("Pay through a health FSA")
        why = (
            _("People enrolled in Medicare cannot contribute to an HSA")
            if sc.insurance in ("medicare", "medicare-advantage")
            else _("Your plan's deductible is below the IRS minimum for an HSA")
        )
        how = t(
            "If you or a working spouse has an employer's health flexible spending account, "
            "paying with its pre-tax money saves your marginal tax rate (up to {fsa} in "
            "{year}). {why}; confirm eligibility with the plan administrator.",
            fsa=fsa,
            year=tax.year,
            why=why,
        )
        nodes: tuple[Referenced | None, ...] = (tax.fsa_limit, tax.default_tax_rate)
    else:
        alt, est = ctx.run(hsa=True)
        hsa = fmt_money(tax.hsa_limit_self.get("typical"))
        title = _("Pay through an HSA or FSA")
        how = t(
            "Paying with pre-tax money from a health savings account or flexible spending "
            "account saves your marginal tax rate (up to {hsa} a year from an HSA, {fsa} "
            "from an FSA in {year}); the saving shown is income tax only, more if the "
            "money goes in through payroll. An HSA needs a high-deductible plan; confirm "
            "eligibility with your plan administrator.",
            hsa=hsa,
            fsa=fsa,
            year=tax.year,
        )
        nodes = (tax.hsa_limit_self, tax.fsa_limit, tax.default_tax_rate)
    yield Tip(
        "pay-pretax",
        "pretax",
        title,
        how,
        saving(ctx.base, est),
        _sources(*nodes),
        alt,
        evidence(*nodes),
    )


def _help(ctx: _Context) -> Iterator[Tip]:
    """Financial help for self-pay patients (and those whose plan does not cover the
    treatment): grants, sliding scales, free-medicine programs."""
    sc, base = ctx.sc, ctx.base
    if sc.insurance != "none" and base.plan.covered:
        return
    for hid, h in ctx.book.financial_help.items():
        if sc.treatment not in h.applies_to:
            continue
        net = base.totals.net
        if h.award is not None:
            award = h.award
            saves = Triple(*(min(award.get(c), n) for c, n in zip(CASES, net, strict=True)))
            worth = t(
                "The saving shown is one {amount} grant; many applicants get none.",
                amount=fmt_money(award.get("typical")),
            )
            nodes: tuple[Referenced | None, ...] = (award, h.evidence)
        else:
            drug = drug_share(ctx.t, base)
            saves = Triple(drug, drug, drug)
            worth = _("The saving shown is the medicine's part of the typical course.")
            nodes = (h.evidence,)
        yield Tip(
            f"help-{hid}",
            "help",
            book(h.name),
            f"{book(h.how)} {worth}",
            Triple(min(saves), saves.typical, max(saves)),
            _sources(*nodes),
            None,
            evidence(*nodes),
        )


def drug_share(t: Treatment, base: Estimate) -> Decimal:
    """The drug's part of what the typical course charges (Spravato), split from each
    session as the claim engine splits it; the first session is the label's first dose."""
    from ketacost.engine.insurance import Charge, split_session

    if t.drug is None:
        return Decimal("0.00")
    sc = base.scenario
    regular = sc.dose if sc.dose is not None else int(t.drug.dose_mg.get("typical"))
    dose = int(t.drug.first_session_dose_mg.get("typical"))
    total = Decimal("0.00")
    for ln in base.lines:
        if ln.claim.tag == "consultation" or not ln.claim.visit:
            continue
        charge = Charge(ln.claim.date, ln.claim.tag, ln.claim.charge, dose)
        total += split_session(t, "typical", charge, fixed=sc.price is not None)[0]
        dose = regular
    return total


def _timing(ctx: _Context) -> Iterator[Tip]:
    sc, base = ctx.sc, ctx.base
    if sc.insurance == "none" or not any(ln.plan_year_reset for ln in base.lines):
        return
    month, day = base.plan.terms.year_start
    reset = dt.date(plan_year_of(sc.start, (month, day)) + 1, month, day)
    first = ctx.t.phases[0]
    span = (
        dt.timedelta(weeks=int(first.span_weeks.get("typical")))
        if first.span_weeks
        else dt.timedelta(0)
    )
    # A later start delays treatment: never suggest more than 8 weeks later.
    later = reset
    if not ctx.t.at_home:  # a clinic opens on business days (Jan 1 is a holiday)
        from ketacost.engine.schedule import business_day

        later = business_day(reset)
    candidates: list[tuple[str, dt.date]] = (
        [("later", later)] if later - sc.start <= MAX_DELAY else []
    )
    earlier = reset - span - dt.timedelta(days=7)
    if not ctx.t.at_home:
        from ketacost.engine.schedule import business_day

        earlier = business_day(earlier)
    if ctx.today <= earlier < sc.start:
        candidates.append(("earlier", earlier))
    best: tuple[Triple[Decimal], dt.date, Scenario] | None = None
    for _direction, when in candidates:
        # After the reset a new plan year starts in full: the annual figures apply.
        changes: dict[str, object] = {"start": when}
        if when >= reset:
            changes["deductible"] = base.plan.terms.annual_deductible
            changes["oop_max"] = base.plan.terms.annual_oop_max
        alt, est = ctx.run(**changes)
        saved = saving(base, est)
        if best is None or saved.typical > best[0].typical:
            best = (saved, when, alt)
    if best is None:
        return
    saved, when, alt = best
    reset_text = fmt_day_month(reset.month, reset.day)
    assumed = ""
    if sc.annual_deductible is None and sc.deductible is not None:
        assumed = " " + t(
            "This assumes your full deductible after the reset is {amount}; give "
            "--annual-deductible for yours, since the saving depends on it.",
            amount=fmt_money(base.plan.terms.annual_deductible),
        )
    wait = (
        " "
        + _(
            "Starting later means waiting longer for treatment: check with your prescriber "
            "that a later start is safe for you before changing anything."
        )
        if when > sc.start
        else ""
    )
    yield Tip(
        "timing",
        "timing",
        t("Start on {when} instead of {start}", when=fmt_date(when), start=fmt_date(sc.start)),
        t(
            "Your course straddles the plan-year reset on {reset}, so the deductible "
            "applies twice. Starting on this date keeps more of the treatment in one plan "
            "year; ask the clinic whether the schedule can move.",
            reset=reset_text,
        )
        + wait
        + assumed,
        saved,
        _sources(ctx.book.insurance.typical_plan.deductible),
        alt,
        evidence(ctx.book.insurance.typical_plan.deductible),
    )


def _financing(ctx: _Context) -> Iterator[Tip]:
    fin = ctx.base.financing
    if fin is None:
        return
    zero = ctx.book.financing.get("zero_percent_plan")
    if fin.total_interest.typical > 0 and zero is not None:
        yield Tip(
            "financing-zero-percent",
            "financing",
            _("Use a true 0% payment plan"),
            book(zero.how)
            + " "
            + _(
                "The monthly payment is higher over a shorter term, but no interest is ever "
                "charged back."
            ),
            fin.total_interest,
            _sources(zero.apr, zero.months),
            None,
            evidence(zero.apr, zero.months),
        )
    if fin.deferred and not fin.triggered[1]:
        # What the promotion would charge back if only the card's minimum were paid.
        from ketacost.paying.financing import back_interest, parse_finance_spec

        preset, _months, _apr = parse_finance_spec(ctx.sc.finance or "", ctx.book)
        if preset is None:
            return
        p = ctx.book.financing[preset]
        minimum = p.min_payment.get("typical") if p.min_payment else None
        if minimum is None:
            return
        back = [
            back_interest(amount, int(p.months.get("typical")), p.apr.get("typical"), minimum)
            for amount in ctx.base.totals.patient
        ]
        if back[1] > 0:
            yield Tip(
                "financing-pay-in-full",
                "financing",
                t(
                    "Pay {amount} a month, not the minimum",
                    amount=fmt_money(fin.monthly_payment.typical),
                ),
                t(
                    "{name}: paying only the {minimum} minimum leaves a balance when the "
                    "promotion ends, and all the interest since the purchase is charged back "
                    "at once. Set up an automatic payment that clears it in time.",
                    name=book(p.name),
                    minimum=fmt_money(minimum),
                ),
                Triple(*back),
                _sources(p.apr, p.min_payment),
                None,
                evidence(p.apr, p.min_payment),
            )


# What belongs to one treatment (its price, sessions, dose, discounts, allowed amount)
# or is not part of the medical comparison (financing, costs around visits).
NOT_CARRIED = PER_TREATMENT
ROUTE_KEEP = tuple(f for f in Scenario.model_fields if f not in NOT_CARRIED)


def route_scenario(sc: Scenario, treatment: str) -> Scenario:
    """The same situation for another treatment: the patient's plan and payment choices
    stay; what belongs to one treatment (its price, sessions, dose, discounts) goes."""
    keep = {k: getattr(sc, k) for k in ROUTE_KEEP}
    if treatment not in ("spravato", "esketamine"):
        # How the plan pays for a dispensed drug means nothing for a clinic's session.
        keep.update(DRUG_ONLY)
    return Scenario(treatment=treatment, **keep)


DRUG_ONLY: dict[str, object] = {
    "drug_benefit": "medical",
    "drug_network": None,
    "rx_copay": None,
    "rx_coinsurance": None,
    "rx_deductible": None,
    "annual_rx_deductible": None,
}


def _routes(ctx: _Context) -> Iterator[Tip]:
    """The one other treatment that would cost the patient least, if any costs less.
    (`ketacost compare` shows them all.)"""
    best: tuple[Triple[Decimal], str, Totals, Scenario] | None = None
    for tid in ctx.book.treatments:
        if tid == ctx.sc.treatment:
            continue
        try:
            alt = route_scenario(ctx.sc, tid).resolved(ctx.book)
        except KetacostError:
            continue
        est = totals_of(ctx.book, alt, ctx.memo)
        saved = saving(ctx.base, est)
        if best is None or saved.typical > best[0].typical:
            best = (saved, tid, est, alt)
    if best is None:
        return
    saved, best_id, est, alt = best
    other = ctx.book.treatments[alt.treatment]  # type: ignore[index]
    coverage = other.coverage_for(ctx.sc.insurance) if ctx.sc.insurance != "none" else None
    nodes = route_nodes(other, coverage)
    ev = evidence(*nodes)
    yield Tip(
        f"route-{best_id}",
        "route",
        t("Ask your prescriber whether {name} suits you", name=book(other.name)),
        t(
            "In the same situation it would cost you about {amount} (given at: {where}). "
            "That estimate rests on {n} source(s) for the prices and schedule of {name}",
            amount=fmt_money(est.net.typical),
            where=book(other.setting),
            n=ev.sources,
            name=book(other.name),
        )
        + (_(", partly on assumptions") if "assumption" in ev.basis else "")
        + ". "
        + _(
            "Whether it suits you is a clinical question: discuss it with your prescriber "
            "before changing anything. 'ketacost compare' shows every treatment."
        ),
        saved,
        _sources(*nodes),
        alt,
        ev,
    )


def route_nodes(t: Treatment, coverage: Referenced | None) -> list[Referenced | None]:
    """The figures another treatment's estimate rests on: prices, schedule, coverage."""
    nodes: list[Referenced | None] = [*t.session_items.values(), t.consult_fee, coverage]
    for ph in t.phases:
        nodes.extend([ph.sessions, ph.span_weeks, ph.interval_weeks])
    if t.drug is not None:
        nodes.append(t.drug.device_price)
    return nodes


LEVERS: tuple[Lever, ...] = (
    _discounts,
    _program,
    _accumulator,
    _observation,
    _superbill,
    _pretax,
    _timing,
    _financing,
    _help,
    _routes,
)


def tips(
    book: PriceBook, sc: Scenario, base: Estimate, *, today: dt.date | None = None
) -> list[Tip]:
    """Every tip that saves money in the typical scenario, largest saving first; a tip
    on weak evidence (an assumption, or one source) ranks as if it saved
    WEAK_RANK_WEIGHT of its amount, and its text says so."""
    ctx = _Context(book, sc, base, today or dt.date.today())
    found = [tip for lever in LEVERS for tip in lever(ctx) if tip.saves.typical > 0]
    found = [records.replace(t, how=f"{t.how} {t.evidence.words()}") for t in found]
    return sorted(found, key=lambda tip: (-tip.rank_value, tip.id))


def with_tips(
    book: PriceBook, sc: Scenario, base: Estimate, *, today: dt.date | None = None
) -> Estimate:
    """The estimate with its tips attached."""
    return records.replace(base, tips=tuple(tips(book, sc, base, today=today)))
