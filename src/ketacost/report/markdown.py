"""Markdown reports: plain structure a screen reader reads well and a counselor can paste."""

from __future__ import annotations

import re
from decimal import Decimal

from ketacost.amounts import Triple, fmt_money
from ketacost.engine.results import Estimate
from ketacost.engine.visits import Visit
from ketacost.i18n import _, book, fmt_date, t
from ketacost.report.wording import (
    DISCLAIMER,
    PRESCRIBER_SAYS,
    count_range,
    horizon,
    low_to_high,
    month_note,
    oldest_label,
    payer_label,
    practical_lines,
    ref_ranges,
    saves_about,
    saves_range,
    source_when,
    split_rows,
)
from ketacost.whatif.compare import Row
from ketacost.whatif.tip import Tip


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


def _table(header: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def tips_md(
    tips: tuple[Tip, ...] | list[Tip], heading: str | None = None, level: str = "##"
) -> list[str]:
    heading = heading if heading is not None else _("Ways to pay less")
    out = [f"{level} {heading}", ""]
    if not tips:
        return [*out, _("None found that save money in this situation."), ""]
    for n, tip in enumerate(tips, start=1):
        saves, rng = saves_about(tip.saves), saves_range(tip.saves)
        out.append(f"{n}. **{tip.title}** — {saves}{rng}. {tip.how}")
        if tip.sources:
            refs = "; ".join(f"[{src.title}]({src.url})" for src in tip.sources)
            out.append(f"   {_('Sources:')} {refs}.")
    return [*out, ""]


def estimate_md(est: Estimate) -> str:
    title = t("{name}: cost estimate", name=est.treatment_name)
    span = horizon(est)
    as_of = t("Price book as of {date}", date=fmt_date(est.as_of))
    out = [
        f"# {title} ({payer_label(est)})",
        "",
        f"{span}; {book(est.setting)}. {as_of}; {oldest_label(est)}.",
        "",
    ]
    for w in est.warnings:
        out += [f"> **{_('Warning:')}** {w}", ""]
    out += [f"## {_('What you pay, per phase')}", ""]
    rows = []
    for p in est.phases:
        refs = t("sources {refs}", refs=ref_ranges(p.refs))
        rows.append(
            [f"{p.label} ({refs})", count_range(p.sessions), *_money_cells(p.split.patient)]
        )
    for f in est.fees:
        rows.append([f.label, "", *_money_cells(f.split.patient)])
    for label, tri in split_rows(est):
        rows.append(
            [
                f"**{_(label)}**" if label.startswith("You pay") else _(label),
                count_range(est.totals.sessions) if label == "Billed" else "",
                *_money_cells(tri),
            ]
        )
    out += _table([_("Line"), _("Sessions"), _("Low"), _("Typical"), _("High")], rows)
    out += ["", month_note(est), ""]
    out += [f"## {_('Each visit')}", ""] + [f"- {line}" for line in practical_lines(est)] + [""]
    if est.tips:
        out += tips_md(est.tips)
    out += [f"## {_('Assumptions')}", ""] + [f"- {a}" for a in est.assumptions] + [""]
    out += [f"## {_('Sources')}", ""]
    out += [f"{n}. [{s.title}]({s.url}) ({source_when(s)})" for n, s in enumerate(est.sources, 1)]
    out += ["", f"_{_(DISCLAIMER)} {_(PRESCRIBER_SAYS)}_", ""]
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
                low_to_high(t.net),
                fmt_money(est.first_month_patient),
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
    out += ["", f"_{DISCLAIMER} {PRESCRIBER_SAYS}_", ""]
    return no_html("\n".join(out))


def schedule_md(est: Estimate, visits: list[Visit]) -> str:
    title = t("{name}: visit calendar", name=est.treatment_name)
    out = [
        f"# {title} ({payer_label(est)}, {_('typical scenario')})",
        "",
        t("Price book as of {date}", date=fmt_date(est.as_of)) + ".",
        "",
    ]
    body = []
    for v in visits:
        what = " + ".join(v.phases)
        if v.plan_year_reset:
            what = f"({_('new plan year: the deductible starts again')}) {what}"
        extra = []
        if v.visit_minutes is not None:
            extra.append(t("{n} min", n=v.visit_minutes))
        if v.needs_ride:
            extra.append(_("arrange a ride home"))
        body.append(
            [
                str(v.number),
                fmt_date(v.date),
                what,
                ", ".join(extra),
                fmt_money(v.billed),
                fmt_money(v.patient),
                fmt_money(v.running_total),
            ]
        )
    heads = ["#", _("Date"), _("Visit"), _("Plan for"), _("Billed"), _("You pay")]
    out += _table([*heads, _("Running total")], body, right_from=4)
    out += ["", f"_{_(DISCLAIMER)}_", ""]
    return no_html("\n".join(out))


def tips_doc_md(est: Estimate) -> str:
    out = tips_md(est.tips, t("Ways to pay less for {name}", name=est.treatment_name), "#")
    out += [
        t(
            "You pay about {amount} before these ({payer}; price book as of {date})",
            amount=fmt_money(est.totals.net.typical),
            payer=payer_label(est),
            date=fmt_date(est.as_of),
        )
        + ".",
        "",
        f"_{_(DISCLAIMER)}_",
        "",
    ]
    return no_html("\n".join(out))
