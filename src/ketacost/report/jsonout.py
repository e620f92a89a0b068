"""JSON documents per DESIGN.md: money as two-decimal strings, counts as integers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ketacost.amounts import money_str, pct_str, price_str
from ketacost.book.pricebook import (
    Figure,
    GpciTable,
    Node,
    PriceBook,
    ServiceCode,
    Source,
    iter_figures,
)
from ketacost.engine.results import Estimate, Split
from ketacost.engine.visits import Visit, calendar_totals
from ketacost.i18n import _
from ketacost.paying.financing import FinancePlan
from ketacost.report.wording import DISCLAIMER, practical_lines
from ketacost.whatif.compare import Row
from ketacost.whatif.tip import Tip


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _source(s: Source) -> dict[str, str | None]:
    return {
        "title": s.title,
        "url": s.url,
        "published": s.published.isoformat() if s.published else None,
        "accessed": s.accessed.isoformat(),
    }


def estimate_doc(est: Estimate) -> dict[str, Any]:
    sc = est.scenario
    t = est.totals
    return {
        "schema": "ketacost.estimate/1",
        "treatment": est.treatment,
        "treatment_name": est.treatment_name,
        "currency": "USD",
        "price_book": {
            "as_of": est.as_of.isoformat(),
            "age_days": est.book_age_days,
            "stale": est.stale,
            "oldest_figure": (
                {
                    "path": est.oldest_figure[0],
                    "date": est.oldest_figure[1].isoformat(),
                    "age": est.oldest_figure[2],
                }
                if est.oldest_figure
                else None
            ),
            "stale_figures": list(est.stale_figures),
            "path": est.book_path or "bundled",
            "overrides": list(est.overrides),
        },
        "horizon": {
            "start": sc.start.isoformat(),
            "end": est.end.isoformat(),
            "months": sc.months,
        },
        "insurance": _insurance(est),
        "assumptions": list(est.assumptions),
        "warnings": list(est.warnings),
        "phases": [
            {
                "id": p.id,
                "name": p.id,
                "label": p.label,
                "sessions": p.sessions.json_count(),
                "price_per_session": p.unit_price.json_money(),
                "discount": p.discount.json_money(),
                **_split(p.split),
                "interval_weeks": p.interval_weeks.json_count() if p.interval_weeks else None,
                "first_session": p.first.isoformat() if p.first else None,
                "last_session": p.last.isoformat() if p.last else None,
                "sources": list(p.refs),
            }
            for p in est.phases
        ],
        "fees": [
            {
                "id": f.id,
                "label": f.label,
                **_split(f.split),
                "sources": list(f.refs),
            }
            for f in est.fees
        ],
        "totals": {
            "sessions": t.sessions.json_count(),
            "billed": t.billed.json_money(),
            "insurer": t.insurer.json_money(),
            "assistance": t.assistance.json_money(),
            "patient": t.patient.json_money(),
            "tax_savings": t.tax_savings.json_money(),
            "net": t.net.json_money(),
            "paid_up_front": t.split.upfront.json_money(),
            "reimbursed": t.split.reimbursed.json_money(),
            "per_month": est.per_month().json_money(),
            "months": _months(est),
            **_with_indirect(est),
        },
        "by_month": [
            {
                "month": m.month,
                "sessions": m.sessions,
                "billed": money_str(m.billed),
                "insurer": money_str(m.insurer),
                "assistance": money_str(m.assistance),
                "patient": money_str(m.patient),
            }
            for m in est.by_month
        ],
        "indirect": _indirect(est),
        "financing": _financing(est),
        "practical": {
            "visit_minutes": est.practical.visit_minutes.json_count(),
            "observation_minutes": est.practical.observation_minutes.json_count(),
            "needs_ride": est.practical.needs_ride,
            "notes": practical_lines(est),
        },
        "tips": [tip_doc(t) for t in est.tips],
        "sources": [{"ref": i, **_source(s)} for i, s in enumerate(est.sources, start=1)],
        "disclaimer": _(DISCLAIMER),
    }


def _split(split: Split) -> dict[str, dict[str, str]]:
    return {
        "billed": split.billed.json_money(),
        "insurer": split.insurer.json_money(),
        "assistance": split.assistance.json_money(),
        "patient": split.patient.json_money(),
        "paid_up_front": split.upfront.json_money(),
        "reimbursed": split.reimbursed.json_money(),
    }


def _months(est: Estimate) -> dict[str, Any]:
    """The typical scenario's first and highest months (what you pay, before any tax
    saving) and the average month (after it), as `by_month` and `per_month` give them."""
    first, high = est.first_month, est.highest_month
    return {
        "first": None
        if first is None
        else {"month": first.month, "patient": money_str(first.patient)},
        "highest": None
        if high is None
        else {"month": high.month, "patient": money_str(high.patient)},
        "average": money_str(est.per_month().typical),
    }


def _with_indirect(est: Estimate) -> dict[str, Any]:
    if est.indirect is None:
        return {}
    out = {"indirect": est.indirect.total.json_money()}
    if est.with_indirect is not None:
        out["with_indirect"] = est.with_indirect.json_money()
    return out


def _indirect(est: Estimate) -> dict[str, Any] | None:
    a = est.indirect
    if a is None:
        return None
    return {
        "included": a.included,
        "visits": a.visits.json_count(),
        "rides": a.rides.json_money(),
        "travel": a.travel.json_money(),
        "time_off": a.time_off.json_money(),
        "total": a.total.json_money(),
    }


def _financing(est: Estimate) -> dict[str, Any] | None:
    f = est.financing
    if f is None:
        return None
    return {
        "plan": f.label,
        "months": f.months,
        "apr": pct_str(f.apr),
        "deferred": f.deferred,
        "monthly_payment": f.monthly_payment.json_money(),
        "total_interest": f.total_interest.json_money(),
        "total_paid": f.total_paid.json_money(),
        "deferred_interest_triggered": dict(
            zip(("low", "typical", "high"), f.triggered, strict=True)
        ),
    }


def _insurance(est: Estimate) -> dict[str, Any]:
    sc = est.scenario
    doc: dict[str, Any] = {"payer": sc.insurance}
    if sc.insurance == "none":
        return doc
    terms = est.plan.terms
    doc.update(
        network=sc.network,
        covered=est.plan.covered,
        deductible_remaining=money_str(terms.deductible),
        coinsurance_percent=pct_str(terms.coinsurance),
        copay=None if terms.copay is None else money_str(terms.copay),
        oop_max_remaining=None if terms.oop_max is None else money_str(terms.oop_max),
        annual_deductible=money_str(terms.annual_deductible),
        annual_oop_max=None if terms.annual_oop_max is None else money_str(terms.annual_oop_max),
        plan_year_start="{:02d}-{:02d}".format(*terms.year_start),
        medigap=sc.medigap,
        assistance_program=est.plan.program is not None,
        assistance_runs_out=(
            est.program_runs_out.isoformat() if est.program_runs_out is not None else None
        ),
        patient_after_assistance=(
            money_str(est.patient_after_program) if est.program_runs_out is not None else None
        ),
        accumulator=terms.accumulator,
        drug_benefit=sc.drug_benefit,
        drug_network=sc.drug_network or sc.network,
        family=None
        if terms.family is None
        else {
            "kind": terms.family.kind,
            "deductible_remaining": money_str(terms.family.deductible),
            "oop_max_remaining": None
            if terms.family.oop_max is None
            else money_str(terms.family.oop_max),
        },
        pharmacy=None
        if terms.pharmacy is None
        else {
            "copay": None if terms.pharmacy.copay is None else money_str(terms.pharmacy.copay),
            "coinsurance_percent": pct_str(terms.pharmacy.coinsurance),
            "deductible_remaining": None
            if terms.pharmacy.deductible is None
            else money_str(terms.pharmacy.deductible),
        },
        plan_file=sc.plan,
        secondary=None
        if sc.secondary_plan is None
        else {"plan": sc.secondary, "paid": est.secondary_paid.json_money()},
    )
    return doc


def _num(x: Decimal | None, unit: str) -> str | int | None:
    if x is None:
        return None
    if unit.startswith("USD"):
        return price_str(x)
    return int(x) if x == x.to_integral_value() else str(x)


def figure_doc(path: str, node: Node) -> dict[str, Any]:
    doc: dict[str, Any] = {"path": path, "description": node.description}
    if isinstance(node, ServiceCode):
        doc["code"] = node.code
        doc["applies_to"] = node.applies_to
    elif isinstance(node, Figure):
        doc["unit"] = node.unit
        if node.value is not None:
            doc["value"] = _num(node.value, node.unit)
        else:
            for case in ("low", "typical", "high"):
                doc[case] = _num(getattr(node, case), node.unit)
    elif isinstance(node, GpciTable):
        doc["year"] = node.year
        doc["localities"] = [
            {
                "mac": loc.mac,
                "state": loc.state,
                "locality": loc.locality,
                "name": loc.name,
                "work": f"{loc.work}",
                "pe": f"{loc.pe}",
                "mp": f"{loc.mp}",
            }
            for loc in node.localities
        ]
    else:
        doc["value"] = node.value
    doc["basis"] = node.basis
    if node.note:
        doc["note"] = node.note
    if node.derived_from:
        doc["derived_from"] = list(node.derived_from)
    doc["checked"] = node.checked.isoformat()
    newest = node.newest_published
    doc["newest_source_published"] = newest.isoformat() if newest else None
    doc["sources"] = [_source(s) for s in node.sources]
    return doc


def prices_doc(book: PriceBook, treatment: str | None) -> dict[str, Any]:
    return {
        "schema": "ketacost.prices/1",
        "title": book.title,
        "currency": book.currency,
        "region": book.region,
        "as_of": book.as_of.isoformat(),
        "spravato_per_treatment": _spravato_all_in(book)
        if treatment in (None, "spravato")
        else None,
        "figures": [
            figure_doc(path, node)
            for path, node in iter_figures(book)
            if treatment is None or _belongs(path, treatment)
        ],
    }


def _spravato_all_in(book: PriceBook) -> dict[str, dict[str, str]]:
    """Drug plus administration for one Spravato treatment, at each dose, per case."""
    from ketacost.book.pricebook import spravato_all_in

    return {
        f"{mg}mg": {case: money_str(v) for case, v in spravato_all_in(book, mg).items()}
        for mg in (56, 84)
    }


def _belongs(path: str, treatment: str) -> bool:
    return path.startswith(f"treatments.{treatment}.")


def finance_doc(
    plan: FinancePlan, preset: str | None, notes: list[str], warnings: list[str]
) -> dict[str, Any]:
    return {
        "schema": "ketacost.finance/1",
        "currency": "USD",
        "preset": preset,
        "amount": money_str(plan.amount),
        "months": plan.months,
        "apr": pct_str(plan.apr),
        "deferred": plan.deferred,
        "monthly_payment": money_str(plan.monthly_payment),
        "total_interest": money_str(plan.total_interest),
        "total_paid": money_str(plan.total_paid),
        "months_to_pay": plan.months_to_pay,
        "deferred_interest_triggered": plan.deferred_interest_triggered,
        "back_interest": money_str(plan.back_interest),
        "notes": notes,
        "warnings": warnings,
        "schedule": [
            {
                "month": m.month,
                "payment": money_str(m.payment),
                "interest": money_str(m.interest),
                "principal": money_str(m.principal),
                "balance": money_str(m.balance),
            }
            for m in plan.schedule
        ],
    }


def schedule_doc(est: Estimate, visits: list[Visit]) -> dict[str, Any]:
    totals = calendar_totals(visits)
    return {
        "schema": "ketacost.schedule/1",
        "treatment": est.treatment,
        "currency": "USD",
        "scenario": "typical",
        "price_book": {"as_of": est.as_of.isoformat()},
        "visits": [
            {
                "visit": v.number,
                "date": v.date.isoformat(),
                "what": list(v.phases),
                "visit_minutes": v.visit_minutes,
                "observation_minutes": v.observation_minutes,
                "needs_ride": v.needs_ride,
                "billed": money_str(v.billed),
                "patient": money_str(v.patient),
                "running_total": money_str(v.running_total),
                "plan_year_reset": v.plan_year_reset,
            }
            for v in visits
        ],
        "totals": {
            "visits": totals.visits,
            "billed": money_str(totals.billed),
            "patient": money_str(totals.patient),
        },
        "assumptions": list(est.assumptions),
        "disclaimer": _(DISCLAIMER),
    }


def tip_doc(tip: Tip) -> dict[str, Any]:
    return {
        "id": tip.id,
        "kind": tip.kind,
        "title": tip.title,
        "how": tip.how,
        "saves": tip.saves.json_money(),
        "evidence": {
            "basis": list(tip.evidence.basis),
            "sources": tip.evidence.sources,
            "weak": tip.evidence.weak,
        },
        "sources": [_source(s) for s in tip.sources],
    }


def tips_doc(est: Estimate) -> dict[str, Any]:
    return {
        "schema": "ketacost.tips/1",
        "treatment": est.treatment,
        "currency": "USD",
        "price_book": {"as_of": est.as_of.isoformat()},
        "you_pay": est.totals.net.json_money(),
        "tips": [tip_doc(t) for t in est.tips],
        "disclaimer": _(DISCLAIMER),
    }


def compare_doc(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        est, t = row.estimate, row.estimate.totals
        out.append(
            {
                "treatment": row.treatment,
                "name": est.treatment_name,
                "where": est.setting,
                "coverage": row.coverage,
                "cheapest": row.cheapest,
                "sessions": t.sessions.json_count(),
                "billed": t.billed.json_money(),
                "insurer": t.insurer.json_money(),
                "assistance": t.assistance.json_money(),
                "patient": t.patient.json_money(),
                "tax_savings": t.tax_savings.json_money(),
                "net": t.net.json_money(),
                "per_month": est.per_month().json_money(),
                "first_month": _months(est)["first"],
                "price_book": {"as_of": est.as_of.isoformat()},
            }
        )
    return out
