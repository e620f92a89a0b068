"""CSV for spreadsheets: one header row, money as plain two-decimal numbers."""

from __future__ import annotations

import io
from decimal import Decimal

from ketacost.amounts import Triple, money_str
from ketacost.csvsafe import Writer
from ketacost.engine.results import Estimate, Split
from ketacost.engine.visits import Visit
from ketacost.i18n import _
from ketacost.report.wording import practical_lines
from ketacost.whatif.compare import Row
from ketacost.whatif.tip import Tip

SCHEDULE_COLUMNS = [
    "visit",
    "date",
    "what",
    "visit_minutes",
    "observation_minutes",
    "ride_needed",
    "billed",
    "you_pay",
    "running_total",
    "plan_year_reset",
]


def schedule_csv(visits: list[Visit]) -> str:
    buf = io.StringIO()
    writer = Writer(buf)  # every cell safe from formula injection
    writer.writerow(SCHEDULE_COLUMNS)
    for v in visits:
        writer.writerow(
            [
                v.number,
                v.date.isoformat(),
                " + ".join(v.phases),
                "" if v.visit_minutes is None else v.visit_minutes,
                v.observation_minutes,
                "yes" if v.needs_ride else "no",
                money_str(v.billed),
                money_str(v.patient),
                money_str(v.running_total),
                "yes" if v.plan_year_reset else "no",
            ]
        )
    return buf.getvalue()


def _triple(prefix: str, t: Triple[Decimal]) -> dict[str, str]:
    return {f"{prefix}_{k}": v for k, v in t.json_money().items()}


def _counts(prefix: str, t: Triple[int]) -> dict[str, str]:
    return {f"{prefix}_{k}": str(v) for k, v in t.json_count().items()}


def _write(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    if rows:
        # Text from a price book reaches these cells: none may run in a spreadsheet.
        writer = Writer(buf)
        columns = list(rows[0])
        writer.writerow(columns)
        for r in rows:
            writer.writerow([r[k] for k in columns])
    return buf.getvalue()


def estimate_csv(est: Estimate) -> str:
    """One row per phase and fee, then the total; each with who pays what."""
    rows: list[dict[str, str]] = []
    for p in est.phases:
        rows.append(
            {"line": p.label, "kind": "phase", **_counts("sessions", p.sessions), **_split(p.split)}
        )
    for f in est.fees:
        rows.append(
            {"line": f.label, "kind": "fee", **_counts("sessions", f.sessions), **_split(f.split)}
        )
    t = est.totals
    rows.append(
        {"line": _("Total"), "kind": "total", **_counts("sessions", t.sessions), **_split(t.split)}
    )
    for row in rows:
        tax = t.tax_savings if row["kind"] == "total" else None
        row.update(
            _triple("tax_savings", tax)
            if tax
            else {f"tax_savings_{k}": "" for k in ("low", "typical", "high")}
        )
        row.update(
            _triple("net", t.net) if tax else {f"net_{k}": "" for k in ("low", "typical", "high")}
        )
        # What each visit takes (length, observation, ride home), on the total's row.
        row["visit_notes"] = " ".join(practical_lines(est)) if row["kind"] == "total" else ""
    return _write(rows)


def _split(split: Split) -> dict[str, str]:
    return {
        **_triple("billed", split.billed),
        **_triple("insurer", split.insurer),
        **_triple("assistance", split.assistance),
        **_triple("patient", split.patient),
    }


def compare_csv(rows: list[Row]) -> str:
    out = []
    for row in rows:
        est, t = row.estimate, row.estimate.totals
        out.append(
            {
                "treatment": row.treatment,
                "name": est.treatment_name,
                "where": est.setting,
                "coverage": row.coverage,
                "cheapest": "yes" if row.cheapest else "no",
                **_counts("sessions", t.sessions),
                **_split(t.split),
                **_triple("net", t.net),
                **_triple("per_month", est.per_month()),
                "first_month": est.first_month.month if est.first_month else "",
                "first_month_patient": money_str(est.first_month_patient),
            }
        )
    return _write(out)


def tips_csv(tips: tuple[Tip, ...] | list[Tip]) -> str:
    out = [
        {
            "rank": str(n),
            "id": tip.id,
            "kind": tip.kind,
            "title": tip.title,
            **_triple("saves", tip.saves),
            "how": tip.how,
            "evidence": " ".join(tip.evidence.basis),
            "weak_evidence": "yes" if tip.evidence.weak else "no",
            "sources": " ".join(s.url for s in tip.sources),
        }
        for n, tip in enumerate(tips, start=1)
    ]
    if not out:
        return (
            "rank,id,kind,title,saves_low,saves_typical,saves_high,how,evidence,"
            "weak_evidence,sources\n"
        )
    return _write(out)
