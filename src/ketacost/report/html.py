"""Printable HTML handouts: one self-contained file, inline CSS, no scripts, no network."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from ketacost.amounts import Triple, fmt_money
from ketacost.config import Clinic
from ketacost.engine.results import Estimate
from ketacost.engine.visits import Visit
from ketacost.i18n import _, book, fmt_date, fmt_weekday_date, language, t
from ketacost.report.wording import (
    DISCLAIMER,
    PRESCRIBER_AND_WRITTEN_ESTIMATE,
    PRESCRIBER_SAYS,
    count_range_short,
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

# Letter and A4 both fit a 180 mm x 250 mm box with 15 mm margins.
CSS = """
@page { size: auto; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; color: #111;
       max-width: 180mm; margin: 0 auto; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
.meta { color: #444; margin: 0 0 3mm; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 1mm 8mm; margin: 3mm 0; }
.field { border-bottom: 1px solid #777; padding: 1mm 0; min-height: 6mm; }
.field b { font-weight: 600; margin-right: 2mm; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { padding: 1.2mm 1.5mm; border-bottom: 1px solid #ddd; vertical-align: top;
         text-align: left; }
th { background: #f0f0f0; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid #333; }
.small { font-size: 9pt; color: #444; }
ol, ul { margin: 1mm 0 1mm 5mm; padding-left: 3mm; }
li { margin: 0.8mm 0; }
.warning { border: 1px solid #b58900; background: #fff8e1; padding: 2mm; margin: 2mm 0; }
.disclaimer { margin-top: 6mm; font-style: italic; color: #333; }
a { color: #1a4f8b; text-decoration: none; word-break: break-all; }
"""


def _page(title: str, body: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language()}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _money_tds(t: Triple[Decimal]) -> str:
    return "".join(f'<td class="n">{escape(fmt_money(x))}</td>' for x in t)


def header_fields(
    clinic: Clinic | None, patient: str | None, dob: str | None, today: dt.date
) -> str:
    c = clinic or Clinic()
    fields = [
        (_("Clinic"), c.name or ""),
        (_("Prepared on"), fmt_date(today)),
        (_("Patient"), patient or ""),
        (_("Date of birth"), fmt_date(dt.date.fromisoformat(dob)) if dob else ""),
        (_("Address"), c.address or ""),
        (_("Phone"), c.phone or ""),
    ]
    cells = "".join(f'<div class="field"><b>{escape(k)}:</b>{escape(v)}</div>' for k, v in fields)
    return f'<div class="fields">{cells}</div>'


def _tips(tips: tuple[Tip, ...] | list[Tip], heading: str) -> list[str]:
    if not tips:
        return []
    items = []
    for tip in tips:
        saves, rng = saves_about(tip.saves), saves_range(tip.saves)
        src = "; ".join(f'<a href="{escape(x.url)}">{escape(x.title)}</a>' for x in tip.sources[:3])
        items.append(
            f"<li><b>{escape(tip.title)}</b> — {escape(saves)}"
            f"{escape(rng)}. {escape(tip.how)}"
            + (f' <span class="small">{escape(_("Sources:"))} {src}.</span>' if src else "")
            + "</li>"
        )
    return [f"<h2>{escape(heading)}</h2>", "<ol>", *items, "</ol>"]


def _sources(est: Estimate) -> list[str]:
    items = [
        f'<li><a href="{escape(s.url)}">{escape(s.title)}</a> '
        f'<span class="small">({escape(source_when(s))}) {escape(s.url)}</span></li>'
        for s in est.sources
    ]
    return [f"<h2>{escape(_('Sources'))}</h2>", '<ol class="small">', *items, "</ol>"]


def estimate_html(
    est: Estimate,
    *,
    clinic: Clinic | None = None,
    patient: str | None = None,
    dob: str | None = None,
    today: dt.date | None = None,
) -> str:
    today = today or dt.date.today()
    title = t("{name}: cost estimate", name=est.treatment_name)
    span = horizon(est)
    as_of = t("price book as of {date}", date=fmt_date(est.as_of))
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(payer_label(est))} · {escape(span)} · '
        f"{escape(book(est.setting))} · {escape(as_of)}; {escape(oldest_label(est))}</p>",
        header_fields(clinic, patient, dob, today),
    ]
    body += [f'<div class="warning">{escape(w)}</div>' for w in est.warnings]
    rows = []
    for p in est.phases:
        refs = ref_ranges(p.refs)
        rows.append(
            f'<tr><td>{escape(p.label)} <span class="small">[{refs}]</span><br>'
            f'<span class="small">'
            + escape(
                t(
                    "{price} per {per} (typical)",
                    price=fmt_money(p.unit_price.typical),
                    per=est.session_label,
                )
            )
            + "</span></td>"
            f'<td class="n">{count_range_short(p.sessions)}</td>{_money_tds(p.split.patient)}</tr>'
        )
    for f in est.fees:
        rows.append(
            f'<tr><td>{escape(f.label)}</td><td class="n"></td>{_money_tds(f.split.patient)}</tr>'
        )
    for name, tri in split_rows(est):
        cls = ' class="total"' if name.startswith(("You pay", "Net after tax")) else ""
        rows.append(f'<tr{cls}><td>{escape(_(name))}</td><td class="n"></td>{_money_tds(tri)}</tr>')
    heads = [_("Phase"), _("Sessions"), _("Low"), _("Typical"), _("High")]
    body += [
        f"<h2>{escape(_('What you pay'))}</h2>",
        f"<table><thead><tr><th>{escape(heads[0])}</th>"
        + "".join(f'<th class="n">{escape(h)}</th>' for h in heads[1:])
        + "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
        f'<p class="small">{escape(month_note(est))}</p>',
        f"<h2>{escape(_('Each visit'))}</h2>",
        "<ul>",
        *(f"<li>{escape(line)}</li>" for line in practical_lines(est)),
        "</ul>",
    ]
    body += _tips(est.tips[:5], _("Ways to pay less"))
    body += [
        f"<h2>{escape(_('Assumptions'))}</h2>",
        '<ul class="small">',
        *(f"<li>{escape(a)}</li>" for a in est.assumptions),
        "</ul>",
    ]
    body += _sources(est)
    closing = _(PRESCRIBER_AND_WRITTEN_ESTIMATE)
    body.append(f'<p class="disclaimer">{escape(_(DISCLAIMER))} {escape(closing)}</p>')
    return _page(title, body)


def compare_html(rows: list[Row], situation: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    title = "Every treatment, same situation"
    trs = []
    for row in rows:
        est, t = row.estimate, row.estimate.totals
        mark = " <b>(lowest)</b>" if row.cheapest else ""
        first = est.first_month_patient
        trs.append(
            f'<tr><td>{escape(est.treatment_name)}{mark}<br><span class="small">'
            f"{escape(est.setting)}; {escape(row.coverage)}</span></td>"
            f'<td class="n">{t.sessions.typical}</td>'
            f'<td class="n">{escape(fmt_money(t.billed.typical))}</td>'
            f'<td class="n">{escape(fmt_money(t.insurer.typical))}</td>'
            f'<td class="n"><b>{escape(fmt_money(t.net.typical))}</b><br><span class="small">'
            f"{escape(low_to_high(t.net))}</span></td>"
            f'<td class="n">{escape(fmt_money(first))}</td>'
            f'<td class="n">{escape(fmt_money(est.per_month().typical))}</td></tr>'
        )
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(situation)} · prepared {today.isoformat()}</p>',
        '<table><thead><tr><th>Treatment</th><th class="n">Sessions</th>'
        '<th class="n">Billed</th><th class="n">Insurer</th><th class="n">You pay</th>'
        '<th class="n">First month</th><th class="n">Average a month</th></tr></thead><tbody>',
        *trs,
        "</tbody></table>",
        f'<p class="disclaimer">{escape(DISCLAIMER)} {escape(PRESCRIBER_SAYS)}</p>',
    ]
    return _page(title, body)


def schedule_html(est: Estimate, visits: list[Visit]) -> str:
    title = t("{name}: visit calendar", name=est.treatment_name)
    trs = []
    reset = escape(_("New plan year: the deductible starts again"))
    for v in visits:
        if v.plan_year_reset:
            trs.append(f'<tr><td colspan="6"><b>{reset}</b></td></tr>')
        plan = []
        if v.visit_minutes is not None:
            plan.append(t("{n} min", n=v.visit_minutes))
        if v.needs_ride:
            plan.append(_("arrange a ride home"))
        trs.append(
            f'<tr><td class="n">{v.number}</td><td>{escape(fmt_weekday_date(v.date))}</td>'
            f'<td>{escape(" + ".join(v.phases))}<br><span class="small">'
            f"{escape(', '.join(plan))}</span></td>"
            f'<td class="n">{escape(fmt_money(v.billed))}</td>'
            f'<td class="n">{escape(fmt_money(v.patient))}</td>'
            f'<td class="n">{escape(fmt_money(v.running_total))}</td></tr>'
        )
    meta = t(
        "{payer} · typical scenario · price book as of {date}",
        payer=payer_label(est),
        date=fmt_date(est.as_of),
    )
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        f'<table><thead><tr><th class="n">#</th><th>{escape(_("Date"))}</th>'
        f"<th>{escape(_('Visit'))}</th>"
        + "".join(
            f'<th class="n">{escape(h)}</th>' for h in (_("Billed"), _("You pay"), _("Running"))
        )
        + "</tr></thead><tbody>",
        *trs,
        "</tbody></table>",
        f'<p class="disclaimer">{escape(_(DISCLAIMER))}</p>',
    ]
    return _page(title, body)


def tips_html(est: Estimate) -> str:
    title = t("Ways to pay less for {name}", name=est.treatment_name)
    meta = t(
        "You pay about {amount} before these ({payer}; price book as of {date})",
        amount=fmt_money(est.totals.net.typical),
        payer=payer_label(est),
        date=fmt_date(est.as_of),
    )
    body = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(meta)}</p>']
    body += _tips(est.tips, _("Tips, largest saving first")) or [
        f"<p>{escape(_('None found.'))}</p>"
    ]
    body.append(f'<p class="disclaimer">{escape(_(DISCLAIMER))}</p>')
    return _page(title, body)
