"""Markdown reports: plain structure a screen reader reads well and a counselor can paste."""

from __future__ import annotations

import re
from decimal import Decimal

from ketacost.amounts import ZERO, Triple, fmt_money
from ketacost.compare import Row
from ketacost.estimate import Estimate
from ketacost.report.jsonout import DISCLAIMER
from ketacost.report.labels import month_note, oldest_label, payer_label, ref_ranges, split_rows
from ketacost.savings import Tip
from ketacost.visits import Visit


def no_html(doc: str) -> str:
    """A Markdown document with no raw HTML in it: `<` and `&` from a patient's name, a
    clinic's details or a price book's text show as themselves, and never become a tag
    (`<script>`, `<img onerror=...>`) or an entity when the Markdown is rendered. None of
    the Markdown written here needs either character as markup."""
    return doc.replace("&", "&amp;").replace("<", "&lt;")


_INLINE = re.compile(r"([\\`*_\[\]#|])")


def inline_text(text: str) -> str:
    """Free text (a patient's name, a clinic's address) as plain inline Markdown: no
    links, emphasis or headings of its own, on one line."""
    return _INLINE.sub(r"\\\1", " ".join(text.split()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _money_cells(t: Triple[Decimal]) -> list[str]:
    return [fmt_money(x) for x in t]


def _count(t: Triple[int]) -> str:
    return str(t.typical) if t.is_point else f"{t.low} to {t.high} (typical {t.typical})"


def _table(header: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def tips_md(
    tips: tuple[Tip, ...] | list[Tip], heading: str = "Ways to pay less", level: str = "##"
) -> list[str]:
    out = [f"{level} {heading}", ""]
    if not tips:
        return [*out, "None found that save money in this situation.", ""]
    for n, tip in enumerate(tips, start=1):
        s = tip.saves
        rng = "" if s.is_point else f" ({fmt_money(s.low)} to {fmt_money(s.high)})"
        out.append(f"{n}. **{tip.title}** — saves about {fmt_money(s.typical)}{rng}. {tip.how}")
        if tip.sources:
            refs = "; ".join(f"[{src.title}]({src.url})" for src in tip.sources)
            out.append(f"   Sources: {refs}.")
    return [*out, ""]


def estimate_md(est: Estimate) -> str:
    sc = est.scenario
    last = est.end.fromordinal(est.end.toordinal() - 1)
    out = [
        f"# {est.treatment_name}: cost estimate ({payer_label(est)})",
        "",
        f"{sc.months} months from {sc.start.isoformat()} to {last.isoformat()}; "
        f"{est.setting}. Price book as of {est.as_of.isoformat()}; {oldest_label(est)}.",
        "",
    ]
    for w in est.warnings:
        out += [f"> **Warning:** {w}", ""]
    out += ["## What you pay, per phase", ""]
    rows = []
    for p in est.phases:
        refs = ref_ranges(p.refs)
        rows.append(
            [f"{p.label} (sources {refs})", _count(p.sessions), *_money_cells(p.split.patient)]
        )
    for f in est.fees:
        rows.append([f.label, "", *_money_cells(f.split.patient)])
    for label, tri in split_rows(est):
        rows.append(
            [
                f"**{label}**" if label.startswith("You pay") else label,
                _count(est.totals.sessions) if label == "Billed" else "",
                *_money_cells(tri),
            ]
        )
    out += _table(["Line", "Sessions", "Low", "Typical", "High"], rows)
    out += ["", month_note(est), ""]
    if est.tips:
        out += tips_md(est.tips)
    out += ["## Assumptions", ""] + [f"- {a}" for a in est.assumptions] + [""]
    out += ["## Sources", ""]
    out += [f"{n}. [{s.title}]({s.url}) ({s.when})" for n, s in enumerate(est.sources, 1)]
    out += ["", f"_{DISCLAIMER} Which treatment suits you is for your prescriber to say._", ""]
    return no_html("\n".join(out))


def compare_md(rows: list[Row], situation: str) -> str:
    out = [f"# Every treatment, same situation ({situation})", ""]
    body = []
    for row in rows:
        est, t = row.estimate, row.estimate.totals
        name = est.treatment_name + (" (lowest)" if row.cheapest else "")
        body.append(
            [
                name,
                est.setting,
                row.coverage,
                str(t.sessions.typical),
                fmt_money(t.billed.typical),
                fmt_money(t.insurer.typical),
                fmt_money(t.net.typical),
                f"{fmt_money(t.net.low)} to {fmt_money(t.net.high)}",
                fmt_money(est.first_month.patient if est.first_month else ZERO),
                fmt_money(est.per_month().typical),
            ]
        )
    out += _table(
        [
            "Treatment",
            "Where",
            "Coverage",
            "Sessions",
            "Billed",
            "Insurer",
            "You pay",
            "You pay, range",
            "First month",
            "Average a month",
        ],
        body,
        right_from=3,
    )
    out += ["", f"_{DISCLAIMER} Which treatment suits you is for your prescriber to say._", ""]
    return no_html("\n".join(out))


def schedule_md(est: Estimate, visits: list[Visit]) -> str:
    out = [
        f"# {est.treatment_name}: visit calendar ({payer_label(est)}, typical scenario)",
        "",
        f"Price book as of {est.as_of.isoformat()}.",
        "",
    ]
    body = []
    for v in visits:
        what = " + ".join(v.phases)
        if v.plan_year_reset:
            what = f"(new plan year: the deductible starts again) {what}"
        extra = []
        if v.visit_minutes is not None:
            extra.append(f"{v.visit_minutes} min")
        if v.needs_ride:
            extra.append("arrange a ride home")
        body.append(
            [
                str(v.number),
                v.date.isoformat(),
                what,
                ", ".join(extra),
                fmt_money(v.billed),
                fmt_money(v.patient),
                fmt_money(v.running_total),
            ]
        )
    out += _table(
        ["#", "Date", "Visit", "Plan for", "Billed", "You pay", "Running total"], body, right_from=4
    )
    out += ["", f"_{DISCLAIMER}_", ""]
    return no_html("\n".join(out))


def tips_doc_md(est: Estimate) -> str:
    out = tips_md(est.tips, f"Ways to pay less for {est.treatment_name}", "#")
    out += [
        f"You pay about {fmt_money(est.totals.net.typical)} before these "
        f"({payer_label(est)}; price book as of {est.as_of.isoformat()}).",
        "",
        f"_{DISCLAIMER}_",
        "",
    ]
    return no_html("\n".join(out))
