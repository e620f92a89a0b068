"""From a scenario and the price book to plan terms and claim lines.

This is where the payer's rules meet the book: which plan figures apply (the patient's
or the book's typical plan), whether the treatment is covered, what the plan allows
per line (Medicare's G-codes for Spravato, a share of the charge out of network), and
how a Spravato session splits into a drug line and an administration line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from ketacost import records
from ketacost.amounts import HUNDRED, ZERO, cents, fmt_money, fmt_pct
from ketacost.book.pricebook import Case, PriceBook, Treatment
from ketacost.engine.costshare import Claim, Family, PlanTerms, Program, Rx
from ketacost.i18n import _, fmt_day_month
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.records import record

if TYPE_CHECKING:
    from ketacost.planfile import PlanFile
from ketacost.scenario import Scenario

SELF_PAY = PlanTerms(ZERO, ZERO, None, ZERO, ZERO, ZERO)


@record
class ResolvedPlan:
    """Everything the claim engine needs for one scenario case."""

    terms: PlanTerms
    covered: bool
    program: Program | None
    allowed_percent: Decimal | None  # out of network: allowed = charge x this / 100
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]
    rebate: Program | None = None  # on administration/observation lines
    # With --drug-network: the share of the charge the out-of-network benefit allows.
    split_allowed_percent: Decimal | None = None


@record
class Charge:
    """One priced service before insurance: a session or the consultation."""

    date: dt.date
    tag: str  # phase id or "consultation"
    amount: Decimal  # what the clinic charges, after discounts
    dose_mg: int | None = None  # Spravato sessions


def resolve_plan(
    book: PriceBook, t: Treatment, sc: Scenario, case: Case, *, wording: bool = True
) -> ResolvedPlan:
    """Plan terms for a case. Figures the patient did not give come from the book.
    `wording=False` leaves out the notes a report shows (a batch shows none and resolves
    a plan for every new row): the same terms, with no assumptions or warnings."""
    if sc.insurance == "none":
        from_rates: tuple[list[str], list[str]] = ([], [])
        terms = records.replace(SELF_PAY, as_of=sc.start)
        if not wording:
            return ResolvedPlan(terms, False, None, None, (), ())
        if sc.rates is not None:  # a hospital's discounted cash price (ketacost.rates)
            from ketacost.rates.apply import rate_notes

            from_rates = rate_notes(book, t, sc)
        return ResolvedPlan(
            terms,
            False,
            None,
            None,
            (
                _("Self-pay: the patient pays the clinic's price; no insurance is applied."),
                *from_rates[0],
            ),
            tuple(from_rates[1]),
        )
    ins = book.insurance
    notes: list[str] = []
    warnings: list[str] = []
    year_start = sc.plan_year_start or (1, 1)
    default_covered = t.coverage_for(sc.insurance).value
    covered = default_covered if sc.covered is None else sc.covered
    coverage_note = t.coverage_for(sc.insurance).description
    if wording:
        if sc.covered is None:
            notes.append(
                tr(
                    "Coverage: {covered} by default for {payer} ({why}); --covered or "
                    "--not-covered overrides.",
                    covered=_("covered") if covered else _("not covered"),
                    payer=_(sc.insurance),
                    why=book_text(coverage_note.rstrip(".")),
                )
            )
        else:
            notes.append(
                tr(
                    "Coverage: {covered}, as given.",
                    covered=_("covered") if covered else _("not covered"),
                )
            )

    allowed_percent: Decimal | None = None
    oop_cap: Decimal | None
    copay: Decimal | None
    split = sc.drug_network is not None and sc.drug_network != sc.network
    if sc.insurance == "commercial" and (sc.network == "in" or split):
        # With the visit and the drug in different networks, the plan's in-network terms
        # are the main ones and out-of-network lines get their own (see _drug_network).
        plan = ins.typical_plan
        ded = plan.deductible.cost_pick(case)
        coins = plan.coinsurance.cost_pick(case)
        # The book writes "no copay" as 0.00: its typical plan charges coinsurance.
        book_copay = plan.copay.cost_pick(case)
        copay = book_copay if book_copay > 0 else None
        oop_cap = plan.oop_max.cost_pick(case)
        source = _("the price book's typical plan")
    elif sc.insurance == "commercial":
        oon = ins.out_of_network
        if oon is None:
            from ketacost.errors import PriceBookError

            raise PriceBookError("this price book has no insurance.out_of_network section")
        ded = oon.deductible.cost_pick(case)
        coins = oon.coinsurance.cost_pick(case)
        copay = None
        oop_cap = oon.oop_max.cost_pick(case)
        allowed_percent = oon.allowed_percent.cost_pick(case, cheaper_when_larger=True)
        source = _("the price book's typical out-of-network benefit")
    elif sc.insurance == "medicare":
        ded = ins.medicare.part_b_deductible.get(case)
        coins = ins.medicare.part_b_coinsurance.get(case)
        copay, oop_cap = None, None
        source = _("Original Medicare Part B")
    elif sc.insurance == "medicare-advantage":
        ma = ins.medicare_advantage
        if ma is None:
            from ketacost.errors import PriceBookError

            raise PriceBookError("this price book has no insurance.medicare_advantage section")
        ded = ma.deductible.cost_pick(case)
        coins = ma.coinsurance.cost_pick(case)
        copay, oop_cap = None, ma.oop_max.get(case)
        source = _("a typical Medicare Advantage plan (the year's CMS in-network limit)")
    else:  # medicaid
        # Medicaid's cost sharing is a nominal copay per visit (often $0), no coinsurance.
        copay = ins.medicaid.copay.cost_pick(case) if ins.medicaid else ZERO
        ded, coins, oop_cap = ZERO, ZERO, None
        source = _("an assumed Medicaid plan")
        if wording:
            warnings.append(
                tr(
                    "Medicaid coverage and cost sharing vary by state: this estimate assumes "
                    "{coverage} and at most a nominal copay. Check with your state's "
                    "Medicaid plan.",
                    coverage=_("coverage") if covered else _("no coverage"),
                )
            )

    given_any = any(v is not None for v in (sc.deductible, sc.coinsurance, sc.copay, sc.oop_max))
    # A copay the patient gives (even $0) replaces coinsurance; coinsurance replaces
    # the book's copay. Giving both is refused in Scenario.check_plan.
    if sc.copay is not None:
        copay, coins = sc.copay, ZERO
    if sc.coinsurance is not None:
        coins, copay = sc.coinsurance, None
    ded_remaining = sc.deductible if sc.deductible is not None else ded
    oop_remaining = sc.oop_max if sc.oop_max is not None else oop_cap
    # What remains this year is not the plan's full figure: after the reset, the full
    # deductible and maximum are the patient's annual ones if given, else the book's
    # (never less than what the patient said remains).
    annual_ded = sc.annual_deductible
    annual_from_book = annual_ded is None and sc.deductible is not None and ded > ded_remaining
    if annual_ded is None:
        annual_ded = max(ded, ded_remaining) if sc.deductible is not None else ded_remaining
    annual_oop = sc.annual_oop_max
    if annual_oop is None:
        annual_oop = oop_remaining
        if sc.oop_max is not None and oop_cap is not None and oop_remaining is not None:
            annual_oop = max(oop_cap, oop_remaining)
            annual_from_book = annual_from_book or oop_cap > oop_remaining
    if oop_remaining is not None and oop_remaining < ded_remaining:
        # the book's figures with one of the patient's: keep the plan coherent
        oop_remaining = ded_remaining
    if annual_oop is not None and annual_oop < annual_ded:
        annual_oop = annual_ded

    family = _family(sc, notes)
    rx = _pharmacy(sc, coins, copay, notes) if t.drug is not None else None
    oon_terms, drug_allowed_percent = _drug_network(book, sc, case, year_start, notes)
    if split and sc.network == "out":
        allowed_percent = drug_allowed_percent
    if wording and sc.accumulator:
        notes.append(
            _(
                "Copay accumulator: the manufacturer program's payments do not count toward "
                "your deductible or out-of-pocket maximum, so once its yearly cap is spent "
                "you meet the deductible again from your own pocket."
            )
        )

    if wording:
        share = (
            tr("a {amount} copay per visit", amount=fmt_money(copay))
            if copay is not None
            else tr("{pct} coinsurance", pct=fmt_pct(coins))
        )
        cap = (
            tr("out-of-pocket maximum remaining {amount}", amount=fmt_money(oop_remaining))
            if oop_remaining is not None
            else _("no out-of-pocket maximum")
        )
        label = (
            tr("{payer}, in network", payer=_(sc.insurance))
            if sc.network == "in"
            else tr("{payer}, out of network", payer=_(sc.insurance))
        )
        origin = (
            _("as given")
            if given_any
            else tr(
                "{source}; give yours with --deductible, --coinsurance or --copay, and --oop-max",
                source=source,
            )
        )
        notes.append(
            tr(
                "Plan ({label}): deductible remaining {deductible}, then {share}; "
                "{cap} ({origin}).",
                label=label,
                deductible=fmt_money(ded_remaining),
                share=share,
                cap=cap,
                origin=origin,
            )
        )
        month, day = year_start
        reset = fmt_day_month(month, day)
        after = tr("deductible {amount}", amount=fmt_money(annual_ded))
        if annual_oop is not None:
            after += tr(" and out-of-pocket maximum {amount}", amount=fmt_money(annual_oop))
        taken = (
            _(
                " (the price book's typical figures for the full year; give --annual-deductible "
                "and --annual-oop-max for yours)"
            )
            if annual_from_book
            else ""
        )
        notes.append(
            tr(
                "The plan year starts {reset}; after each reset the full {after} "
                "apply again{taken}.",
                reset=reset,
                after=after,
                taken=taken,
            )
            if annual_oop is not None
            else tr(
                "The plan year starts {reset}; after each reset the full {after} "
                "applies again{taken}.",
                reset=reset,
                after=after,
                taken=taken,
            )
        )
        if sc.insurance == "medicare-advantage":
            notes.append(
                _(
                    "Medicare Advantage: the plan's own deductible and cost sharing (at most 20% "
                    "for a Part B drug such as Spravato), capped by its in-network out-of-pocket "
                    "maximum; Spravato is billed as one G2082/G2083 line; no Medigap and no "
                    "manufacturer program."
                )
            )
        if sc.insurance == "medicare":
            notes.append(
                _(
                    "Medicare: Part B deductible, then 20% coinsurance with no out-of-pocket cap; "
                    "Spravato is paid as one G2082 (up to 56 mg) or G2083 (over 56 mg) line."
                )
            )
            if sc.medigap == "G":
                notes.append(
                    _("Medigap Plan G pays the 20% coinsurance, not the Part B deductible.")
                )
            elif sc.medigap == "N":
                notes.append(
                    _("Medigap Plan N pays the 20% coinsurance less up to $20 per office visit.")
                )
        if sc.network == "out":
            assert allowed_percent is not None
            notes.append(
                tr(
                    "Out of network: you pay the clinic's price on the day and claim back with a "
                    "superbill; the plan allows {pct} of the charge and the rest (the balance "
                    "bill) stays with you and does not count toward the maximum.",
                    pct=fmt_pct(allowed_percent),
                )
            )
    if sc.rates is not None:  # real rates from a rate book (ketacost.rates)
        from ketacost.rates.apply import rate_notes

        rate_assumptions, rate_warnings = rate_notes(book, t, sc)
        notes.extend(rate_assumptions)
        warnings.extend(rate_warnings)
    in_network = sc.insurance == "commercial" and sc.network == "in"
    if wording and in_network and sc.allowed is None and not sc.rates:
        notes.append(
            _(
                "In network, the clinic accepts the plan's allowed amount, assumed to "
                "equal its price (give --allowed if the plan allows less)."
            )
        )

    program = None
    prog = ins.spravato_savings
    if t.drug is not None:
        if sc.insurance in prog.eligible_payers and sc.assistance and covered:
            # A larger cap is the cheaper case for the patient.
            program_cap = prog.annual_cap.cost_pick(case, cheaper_when_larger=True)
            program = Program(floor=prog.per_treatment_floor.get(case), annual_cap=program_cap)
            if wording:
                notes.append(
                    tr(
                        "{name}: you pay {floor} per treatment for the drug, the program pays the "
                        "rest of the drug's cost share up to {cap} a calendar year; it does not "
                        "pay for administration or observation.",
                        name=book_text(prog.name),
                        floor=fmt_money(program.floor),
                        cap=fmt_money(program_cap),
                    )
                    + " "
                    + (
                        _(
                            "Under your copay accumulator these payments do not count toward your "
                            "deductible or maximum."
                        )
                        if sc.accumulator
                        else _(
                            "Assumes your plan credits these payments to your deductible and "
                            "maximum (a copay-accumulator plan would not: --accumulator)."
                        )
                    )
                )
        elif wording and sc.insurance not in prog.eligible_payers:
            notes.append(
                tr(
                    "{name}: not available with {payer} (commercial plans only).",
                    name=book_text(prog.name),
                    payer=_(sc.insurance),
                )
            )
        elif wording and not sc.assistance:
            notes.append(tr("{name}: not used (--no-assistance).", name=book_text(prog.name)))

    rebate = None
    obs = ins.spravato_observation_rebate
    if t.drug is not None and sc.observation_rebate and obs is not None and covered:
        rebate = Program(floor=obs.patient_floor.get(case), annual_cap=None)
        if wording:
            notes.append(
                tr(
                    "{name}: you pay as little as {floor} for observation after the rebate. The "
                    "program has a yearly limit it does not publish; this assumes the limit is "
                    "not reached.",
                    name=book_text(obs.name),
                    floor=fmt_money(rebate.floor),
                )
                + (
                    ""
                    if sc.state
                    else tr(" Not valid in {states}.", states=", ".join(obs.excluded_states))
                )
            )

    terms = PlanTerms(
        deductible=ded_remaining,
        coinsurance=coins,
        copay=copay,
        oop_max=oop_remaining,
        annual_deductible=annual_ded,
        annual_oop_max=annual_oop,
        year_start=year_start,
        as_of=sc.start,
        family=family,
        pharmacy=rx,
        out_of_network=oon_terms,
        accumulator=sc.accumulator,
    )
    return ResolvedPlan(
        terms,
        covered,
        program,
        allowed_percent,
        tuple(notes) if wording else (),  # (the helpers above still add theirs)
        tuple(warnings) if wording else (),
        rebate,
        drug_allowed_percent,
    )


def _family(sc: Scenario, notes: list[str]) -> Family | None:
    """Family limits, when the patient gave any: what remains this plan year (default:
    the annual figure) and the annual figure (default: what remains)."""
    rem_ded, ann_ded = sc.family_deductible, sc.annual_family_deductible
    rem_oop, ann_oop = sc.family_oop_max, sc.annual_family_oop_max
    if all(v is None for v in (rem_ded, ann_ded, rem_oop, ann_oop)):
        return None
    ded = rem_ded if rem_ded is not None else ann_ded
    oop = rem_oop if rem_oop is not None else ann_oop
    assert ded is not None or oop is not None
    family = Family(
        deductible=ded if ded is not None else ZERO,
        oop_max=oop,
        annual_deductible=ann_ded if ann_ded is not None else (ded or ZERO),
        annual_oop_max=ann_oop if ann_oop is not None else oop,
        kind=sc.family_kind,
    )
    how = (
        _(
            "your own deductible and maximum apply inside the family ones (embedded): the "
            "plan starts paying for you when you meet yours or the family meets its"
        )
        if sc.family_kind == "embedded"
        else _(
            "only the family deductible applies (aggregate): the plan pays once the family meets it"
        )
    )
    oop_text = (
        tr(", out-of-pocket maximum {amount}", amount=fmt_money(oop)) if oop is not None else ""
    )
    notes.append(
        tr(
            "Family plan: family deductible remaining {deductible}{oop}; {how}. Only this "
            "patient's claims are counted; what others in the family spend later this year "
            "is not known and not included (it could only lower your costs).",
            deductible=fmt_money(family.deductible),
            oop=oop_text,
            how=how,
        )
    )
    return family


def _pharmacy(sc: Scenario, coins: Decimal, copay: Decimal | None, notes: list[str]) -> Rx | None:
    """Pharmacy-benefit terms for the drug line (Spravato dispensed by a pharmacy)."""
    if sc.drug_benefit != "pharmacy":
        return None
    if sc.rx_copay is not None:
        rx_copay, rx_coins = sc.rx_copay, ZERO
    elif sc.rx_coinsurance is not None:
        rx_copay, rx_coins = None, sc.rx_coinsurance
    else:
        rx_copay, rx_coins = copay, coins
    annual = sc.annual_rx_deductible if sc.annual_rx_deductible is not None else sc.rx_deductible
    rx = Rx(
        copay=rx_copay,
        coinsurance=rx_coins,
        deductible=sc.rx_deductible if sc.rx_deductible is not None else annual,
        annual_deductible=annual,
    )
    share = (
        tr("a {amount} copay per fill", amount=fmt_money(rx_copay))
        if rx_copay is not None
        else f"{fmt_pct(rx_coins)}"
    )
    ded = (
        tr("its own deductible ({amount} remaining)", amount=fmt_money(rx.deductible))
        if rx.deductible is not None
        else _("the medical deductible (integrated)")
    )
    given = sc.rx_copay is not None or sc.rx_coinsurance is not None
    notes.append(
        tr(
            "Pharmacy benefit: the drug is dispensed by a pharmacy and paid under your "
            "pharmacy terms ({share}{medical}) after {deductible}; the administration and "
            "observation visit is paid under your medical terms; both count toward one "
            "out-of-pocket maximum.",
            share=share,
            medical="" if given else _(", the medical terms since none were given"),
            deductible=ded,
        )
    )
    return rx


def _drug_network(
    book: PriceBook, sc: Scenario, case: Case, year_start: tuple[int, int], notes: list[str]
) -> tuple[PlanTerms | None, Decimal | None]:
    """When the drug's network status differs from the visit's (--drug-network), the
    out-of-network lines are paid under the book's out-of-network benefit, with their
    own deductible and maximum. Returns those terms and the share of the charge that
    benefit allows."""
    if sc.drug_network is None or sc.drug_network == sc.network:
        return None, None
    oon = book.insurance.out_of_network
    if oon is None:
        from ketacost.errors import PriceBookError

        raise PriceBookError("this price book has no insurance.out_of_network section")
    ded, oop = oon.deductible.cost_pick(case), oon.oop_max.cost_pick(case)
    pct = oon.allowed_percent.cost_pick(case, cheaper_when_larger=True)
    terms = PlanTerms(
        deductible=ded,
        coinsurance=oon.coinsurance.cost_pick(case),
        copay=None,
        oop_max=oop,
        annual_deductible=ded,
        annual_oop_max=oop,
        year_start=year_start,
        as_of=sc.start,
    )
    out_part = _("drug") if sc.drug_network == "out" else _("administration and observation visit")
    notes.append(
        tr(
            "Network: the {part} is out of network: paid under the book's typical "
            "out-of-network benefit (its own deductible {deductible} and maximum {oop}, "
            "{coins} of an allowed amount of {pct} of the charge); the rest of that charge "
            "is billed to you and counts toward nothing.",
            part=out_part,
            deductible=fmt_money(ded),
            oop=fmt_money(oop),
            coins=fmt_pct(terms.coinsurance),
            pct=fmt_pct(pct),
        )
    )
    return terms, pct


def claims_for(
    book: PriceBook, t: Treatment, sc: Scenario, case: Case, plan: ResolvedPlan, charge: Charge
) -> list[Claim]:
    """The claim line(s) for one priced service."""
    if sc.insurance == "none":
        return [Claim(charge.date, charge.amount, charge.amount, False, tag=charge.tag)]
    if sc.rates is not None:  # the rate book's allowed amounts, where it has the codes
        from ketacost.rates.apply import claims_from_rates

        from_rates = claims_from_rates(book, t, sc, case, plan, charge)
        if from_rates is not None:
            return from_rates

    drug_net = sc.drug_network if sc.drug_network not in (None, sc.network) else None
    visit_net = sc.network if drug_net is not None else None

    def allowed_for(amount: Decimal, given: Decimal | None, net: str | None = None) -> Decimal:
        if given is not None:
            return given
        line_net = net or sc.network
        pct = (plan.allowed_percent or plan.split_allowed_percent) if line_net == "out" else None
        if pct is not None:
            return cents(amount * pct / HUNDRED)
        return amount

    is_session = charge.tag != "consultation"
    if t.drug is not None and is_session and sc.insurance in ("medicare", "medicare-advantage"):
        from ketacost.book.locality import allowed as medicare_allowed

        code = "G2082" if (charge.dose_mg or 56) <= 56 else "G2083"
        allowed = (
            sc.allowed
            if sc.allowed is not None
            else medicare_allowed(book.insurance.medicare, code, sc.state, case)
        )
        return [Claim(charge.date, charge.amount, allowed, plan.covered, tag=charge.tag)]
    if t.drug is not None and is_session:
        # Commercial plans see the drug and the administration as separate lines.
        drug_charge, admin_charge = split_session(t, case, charge, fixed=sc.price is not None)
        drug_allowed: Decimal | None = None
        admin_allowed: Decimal | None = None
        if sc.allowed is not None:
            drug_allowed, admin_allowed = split_all_in(t, charge.dose_mg, sc.allowed)
        if drug_net == "out":
            drug_allowed = None  # the out-of-network benefit's own allowed amount
        return [
            Claim(
                charge.date,
                drug_charge,
                allowed_for(drug_charge, drug_allowed, drug_net),
                plan.covered,
                drug=True,
                visit=False,
                tag=charge.tag,
                network=drug_net,
            ),
            Claim(
                charge.date,
                admin_charge,
                allowed_for(admin_charge, admin_allowed, visit_net),
                plan.covered,
                observation=True,
                tag=charge.tag,
                network=visit_net,
            ),
        ]
    all_in = sc.allowed if (sc.allowed is not None and is_session) else None
    return [
        Claim(
            charge.date,
            charge.amount,
            allowed_for(charge.amount, all_in),
            plan.covered,
            tag=charge.tag,
        )
    ]


def split_all_in(t: Treatment, dose_mg: int | None, amount: Decimal) -> tuple[Decimal, Decimal]:
    """An all-in Spravato amount the patient gave (--price, --allowed) as drug and
    administration parts: the drug at the book's typical devices x unit price for the
    dose, the rest on administration and observation; an amount below the drug cost is
    all drug. The same in every column, so fixed inputs give one number."""
    drug = min(amount, cents(t.drug_price("typical", dose_mg)))
    return drug, amount - drug


def split_session(
    t: Treatment, case: Case, charge: Charge, *, fixed: bool
) -> tuple[Decimal, Decimal]:
    """One Spravato session's charge as (drug, administration). A quoted price is split
    by `split_all_in`; a book price in the book's proportions for this case and dose (so
    a discount comes off both parts alike)."""
    if fixed:
        return split_all_in(t, charge.dose_mg, charge.amount)
    drug_price = t.drug_price(case, charge.dose_mg)
    whole = drug_price + t.items_price(case)
    drug = cents(charge.amount * drug_price / whole) if whole else ZERO
    return drug, charge.amount - drug


def secondary_terms(pf: PlanFile, start: dt.date) -> PlanTerms:
    """A secondary plan's terms from its plan file, as if it were the primary."""
    f = pf.scenario_fields()
    copay = f.get("copay")
    family = None
    if "family_deductible" in f or "family_oop_max" in f:
        family = Family(
            deductible=f.get("family_deductible", ZERO),
            oop_max=f.get("family_oop_max"),
            annual_deductible=f.get("annual_family_deductible", ZERO),
            annual_oop_max=f.get("annual_family_oop_max"),
            kind=pf.family_kind,
        )
    return PlanTerms(
        deductible=f["deductible"],
        coinsurance=ZERO if copay is not None else f["coinsurance"],
        copay=copay,
        oop_max=f.get("oop_max"),
        annual_deductible=f["annual_deductible"],
        annual_oop_max=f.get("annual_oop_max"),
        year_start=f.get("plan_year_start", (1, 1)),
        as_of=start,
        family=family,
    )
