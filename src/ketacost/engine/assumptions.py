"""The estimate's assumption wording: what each report says it assumed, and why."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ketacost.amounts import cents, fmt_money
from ketacost.book.pricebook import Case, Figure, PriceBook, Treatment
from ketacost.engine.insurance import ResolvedPlan
from ketacost.i18n import N_, _, fmt_date, language
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.scenario import Scenario

if TYPE_CHECKING:
    from ketacost.engine.results import PhaseLine


def swap_note(case: Case) -> str:
    if case == "low":
        return _(
            "Low shows the typical scenario: in the cheaper scenario some total would come "
            "out above the typical one (you, the plan or a savings program paying more), "
            "because a dearer course reaches the deductible and maximum sooner."
        )
    return _(
        "High shows the typical scenario: in the dearer scenario some total would come "
        "out below the typical one (often what you pay, because a dearer course reaches "
        "your out-of-pocket maximum sooner)."
    )


def assumptions_of(
    book: PriceBook,
    t: Treatment,
    sc: Scenario,
    end: dt.date,
    lines: list[PhaseLine],
    plan: ResolvedPlan,
) -> list[str]:
    last_day = end - dt.timedelta(days=1)
    out = [
        tr(
            "Horizon: {months} months, {start} to {last}.",
            months=sc.months,
            start=fmt_date(sc.start),
            last=fmt_date(last_day),
        ),
        *plan.assumptions,
        _(
            "Low combines the cheapest plausible values (fewest sessions, longest gaps, lowest "
            "prices, largest discounts); high combines the dearest; typical uses typical "
            "values. Each series keeps its typical pace in all three."
        ),
    ]
    if t.at_home:
        out.append(_("Home sessions and fills keep their dates, weekends included."))
    else:
        out.append(
            _(
                "Clinic visits fall on weekdays: a visit due on a weekend or a US federal "
                "holiday moves to the next business day (holidays from the maintained "
                "'holidays' calendar)."
            )
        )
    if sc.insurance != "none":
        out.append(_(CLAIM_CONVENTIONS) if t.drug is not None else _(VISIT_CONVENTION))
        out.append(
            _(
                "Each column is one scenario followed claim by claim; a dearer scenario can "
                "reach the deductible or the out-of-pocket maximum sooner, so a later phase "
                "can cost you less in it."
            )
        )
    if sc.price is not None:
        out.append(
            tr(
                "Price per {per}: {price} as quoted (replaces the price book's range).",
                per=book_text(t.session_label),
                price=fmt_money(sc.price),
            )
        )
        if t.drug is not None and sc.insurance not in ("none", "medicare"):
            quoted_mg = sc.dose or int(t.drug.dose_mg.get("typical"))
            out.append(
                tr(
                    "The quoted price is split into the drug at the book's list price for "
                    "{mg} mg (typical devices x price per device) and the rest for "
                    "administration and observation, the same in every column; a price "
                    "below the drug's cost is all drug. Give --dose if yours differs.",
                    mg=quoted_mg,
                )
            )
    if sc.consult is not None:
        out.append(tr("Consultation fee: {fee} as given.", fee=fmt_money(sc.consult)))
    if sc.sessions is not None:
        out.append(
            tr(
                "{phase}: {n} sessions as given, at the protocol's usual pace.",
                phase=lines[0].label,
                n=sc.sessions,
            )
        )
    if not sc.maintenance:
        out.append(_("No maintenance sessions (--no-maintenance)."))
    elif sc.maintenance_weeks is not None:
        out.append(tr("Maintenance every {n} week(s) as given.", n=sc.maintenance_weeks))
    if t.drug is not None and sc.insurance == "medicare" and sc.allowed is None:
        from ketacost.book.locality import note as locality_note

        out.append(locality_note(book.insurance.medicare, sc.state))
    if t.drug is not None and sc.price is None:
        dose = (
            f"{sc.dose} mg"
            if sc.dose
            else tr(
                "{low}-{high} mg (typical {typical} mg)",
                low=t.drug.dose_mg.get("low"),
                high=t.drug.dose_mg.get("high"),
                typical=t.drug.dose_mg.get("typical"),
            )
        )
        out.append(
            tr(
                "Dose: {dose}; the first treatment is {first} mg per the label. Drug and "
                "administration/observation are priced separately.",
                dose=dose,
                first=t.drug.first_session_dose_mg.get("typical"),
            )
        )
        out.append(_per_treatment_note(t, sc.dose))
    if len(sc.discounts) > 1:
        out.append(_("Discounts are applied one after another; clinics may not combine them."))
    for did in sc.discounts:
        d = book.discounts[did]
        out.append(
            tr(
                "Discount '{name}': {pct} off.",
                name=book_text(d.name),
                pct=_pct_range(d.percent_off),
            )
        )
    for label, fig in _assumed_figures(t, sc):
        note = " ".join((fig.note or "").split())
        if language() != "en" and book_text(note) == note:
            # No translation of this price-book note: say so rather than print English.
            out.append(tr("{label} is an assumption (its note: 'ketacost prices').", label=label))
        else:
            out.append(tr("{label} is an assumption: {note}", label=label, note=book_text(note)))
    return out


def _per_treatment_note(t: Treatment, dose: int | None) -> str:
    """The typical treatment's price in parts, so the drug visibly matches the dose."""
    assert t.drug is not None
    parts = []
    first = int(t.drug.first_session_dose_mg.get("typical"))
    regular = dose if dose is not None else int(t.drug.dose_mg.cost_pick("typical"))
    device = t.drug.device_price.cost_pick("typical")
    admin = t.items_price("typical")
    for label, mg in ((_("each later treatment"), regular), (_("the first"), first)):
        n = t.drug.devices_per_dose[mg].get("typical")  # type: ignore[index]
        drug = n * device
        parts.append(
            tr(
                "{label} at {mg} mg: drug {n} x {device} = {drug} + administration and "
                "observation {admin} = {total}",
                label=label,
                mg=mg,
                n=n,
                device=fmt_money(device),
                drug=fmt_money(drug),
                admin=fmt_money(admin),
                total=fmt_money(cents(drug + admin)),
            )
        )
        if mg == first:
            break
    return tr("Typical price per treatment: {parts}.", parts="; ".join(parts))


VISIT_CONVENTION = N_(
    "Claim conventions (ours, not a published rule): a copay is charged once per visit, "
    "after the deductible, instead of coinsurance; a $0 copay means the visit costs "
    "nothing once the deductible is met."
)
CLAIM_CONVENTIONS = N_(
    "Claim conventions (ours, not a published rule): a Spravato visit is billed as a drug "
    "line then an administration/observation line (Medicare, or a rate book's bundled "
    "G2082/G2083 rate: one G-code line, which no manufacturer program pays), and the "
    "deductible is applied to them in that order; a copay is charged once per visit, on "
    "the administration/observation line (on the drug line only for what that line "
    "cannot hold); the manufacturer program pays the drug line only."
)


def _pct_range(fig: Figure) -> str:
    if not fig.is_range:
        return f"{fig.get('typical')}%"
    return tr(
        "{low}-{high}% (typical {typical}%)",
        low=fig.get("low"),
        high=fig.get("high"),
        typical=fig.get("typical"),
    )


def _assumed_figures(t: Treatment, sc: Scenario) -> list[tuple[str, Figure]]:
    """Figures the estimate used whose basis is an assumption, with a short label."""
    found: list[tuple[str, Figure]] = []
    for ph in t.phases:
        if ph.recurring and (not sc.maintenance or sc.maintenance_weeks is not None):
            continue
        for name, fig in (
            ("sessions", ph.sessions),
            ("span", ph.span_weeks),
            ("interval", ph.interval_weeks),
        ):
            if name == "sessions" and sc.sessions is not None and ph is t.phases[0]:
                continue
            if fig is not None and fig.basis == "assumption":
                what = {
                    "sessions": N_("{phase} sessions"),
                    "span": N_("{phase} span"),
                    "interval": N_("{phase} interval"),
                }[name]
                found.append((tr(what, phase=book_text(ph.label)), fig))
    if sc.price is None:
        for item_id, fig in t.session_items.items():
            if fig.basis == "assumption":
                found.append((tr("Price item '{item}'", item=item_id), fig))
    if sc.consult is None and t.consult_fee.basis == "assumption":
        found.append((_("Consultation fee"), t.consult_fee))
    return found
