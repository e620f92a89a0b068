"""Good Faith Estimate renderers: Markdown, printable HTML and JSON.

All three render the same `GoodFaithEstimate` (ketacost.engine.goodfaith), which carries every
line, quantity, charge and total already worked out from the estimate's result; nothing
here adds, multiplies or rounds. The elements follow 45 CFR 149.610(c)(1) and the
wording of the CMS model form (CMS-10791).
"""

from __future__ import annotations

from html import escape
from typing import Any

from ketacost.amounts import fmt_money, money_str
from ketacost.engine.goodfaith import GfeLine, GoodFaithEstimate, LineCode
from ketacost.i18n import N_, _, fmt_date, t

BLANK = "________________"
TITLE = N_("Good Faith Estimate for Health Care Items and Services")
SEPARATE_HEAD = N_(
    "The following items or services may be reasonably expected for your care but must be "
    "scheduled or requested separately and are not reflected in this Good Faith Estimate:"
)
PREPARED = N_(
    "Prepared with ketacost from the provider's price book; the provider confirms the "
    "items, codes and charges before giving it to the patient."
)


def _codes(codes: tuple[LineCode, ...]) -> str:
    return ", ".join(c.code if c.units == 1 else f"{c.code} x {c.units}" for c in codes)


def _dates(line: GfeLine) -> str:
    if line.first == line.last:
        return fmt_date(line.first)
    return t("{first} to {last}", first=fmt_date(line.first), last=fmt_date(line.last))


def _html_dates(line: GfeLine) -> str:
    """Dates that never break inside: one per line."""
    first = f'<span class="nb">{fmt_date(line.first)}</span>'
    if line.first == line.last:
        return first
    to = escape(_("to"))
    return f'{first} {to}<br><span class="nb">{fmt_date(line.last)}</span>'


def _legend(g: GoodFaithEstimate) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for line in g.lines:
        for c in line.codes:
            seen.setdefault(c.code, f"{c.system}: {c.descriptor}")
    return list(seen.items())


def _diagnoses(g: GoodFaithEstimate) -> str:
    if not g.diagnoses:
        return BLANK + " " + _("(ICD-10-CM, completed by the provider)")
    return "; ".join(f"{d.code} ({d.descriptor})" if d.descriptor else d.code for d in g.diagnoses)


def _fields(g: GoodFaithEstimate) -> list[tuple[str, list[tuple[str, str]]]]:
    p = g.provider
    return [
        (
            _("Patient"),
            [
                (_("Patient name"), g.patient or BLANK),
                (_("Patient date of birth"), fmt_date(g.dob) if g.dob else BLANK),
                (_("Diagnosis code(s)"), _diagnoses(g)),
            ],
        ),
        (
            _("Primary service"),
            [
                (_("Primary service"), g.primary_service),
                (
                    _("Scheduled date"),
                    t("{date} (first service)", date=fmt_date(g.scheduled)),
                ),
            ],
        ),
        (
            _("Provider"),
            [
                (_("Provider or facility"), p.name or BLANK),
                (_("National Provider Identifier (NPI)"), p.npi or BLANK),
                (_("Taxpayer Identification Number (TIN)"), p.tin or BLANK),
                (_("Location where care is given"), p.address or BLANK),
                (_("State"), p.state or BLANK),
                *([(_("Phone"), p.phone)] if p.phone else []),
            ],
        ),
    ]


def _confirm_head(g: GoodFaithEstimate) -> str:
    return t(
        "Confirm before sending ({n}): these figures are not this clinic's own; they come "
        "from the national price book. Check each one (or set it in the clinic's price "
        "book) before giving this estimate to the patient:",
        n=len(g.confirm),
    )


def gfe_markdown(g: GoodFaithEstimate) -> str:
    from ketacost.report.markdown import inline_text, no_html

    given = t(
        "Date given: {date}. Price book as of {as_of}.",
        date=fmt_date(g.issued),
        as_of=fmt_date(g.as_of),
    )
    lines = [f"# {_(TITLE)}", "", given, ""]
    if g.confirm:
        lines += [f"> **{_confirm_head(g)}**", ">"]
        lines += [f"> - {c}" for c in g.confirm]
        lines.append("")
    for head, fields in _fields(g):
        lines += [f"## {head}", ""]
        # A patient's name and a clinic's details are free text: no links or markup.
        lines += [f"- **{k}:** {v if v.startswith(BLANK) else inline_text(v)}" for k, v in fields]
        lines.append("")
    who = g.provider.name or _("Provider")
    heads = [
        _("Item or service"),
        _("Service code(s)"),
        _("Date(s)"),
        _("Quantity"),
        _("Expected charge each"),
        _("Expected charge"),
    ]
    lines += [
        "## " + t("Items and services reasonably expected: {who}", who=who),
        "",
        "| " + " | ".join(heads) + " |",
        "|---|---|---|---:|---:|---:|",
    ]
    for it in g.lines:
        lines.append(
            f"| {it.service} | {_codes(it.codes)} | {_dates(it)} | {it.quantity} | "
            f"{fmt_money(it.unit_charge)} | {fmt_money(it.charge)} |"
        )
    total = _("Total expected charges")
    lines += [f"| **{total}** | | | | | **{fmt_money(g.total)}** |", ""]
    lines += [_("Service codes:"), ""]
    lines += [f"- {code} ({what})" for code, what in _legend(g)]
    lines += ["", g.recurring_note, ""]
    lines += ["## " + _("Items or services scheduled separately"), "", _(SEPARATE_HEAD), ""]
    lines += [f"- {s}" for s in g.separately_scheduled]
    lines += ["", g.separate_gfe_note, ""]
    d = g.dispute
    lines += ["## " + _("Your rights if the bill is higher"), "", _rights(g), ""]
    lines += [f"{i}. {step}" for i, step in enumerate(d.how, 1)]
    lines += ["", "## " + _("Disclaimers"), ""]
    lines += [f"- {text}" for text in g.disclaimers]
    lines += ["", f"_{_(PREPARED)}_", ""]
    return no_html("\n".join(lines))


def _rights(g: GoodFaithEstimate) -> str:
    d = g.dispute
    return t(
        "You may dispute a bill that is {threshold} or more above this estimate for any one "
        "provider or facility, within {days} calendar days of the date on the original bill.",
        threshold=fmt_money(d.threshold),
        days=d.days,
    )


def gfe_html(g: GoodFaithEstimate) -> str:
    from ketacost.report.html import _page  # one stylesheet for every handout

    meta = t(
        "Date given: {date} · price book as of {as_of}",
        date=fmt_date(g.issued),
        as_of=fmt_date(g.as_of),
    )
    body = [
        "<style>.nb { white-space: nowrap; }</style>",
        f"<h1>{escape(_(TITLE))}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
    ]
    if g.confirm:
        items = "".join(f"<li>{escape(c)}</li>" for c in g.confirm)
        body.append(
            f'<div class="warning confirm"><b>{escape(_confirm_head(g))}</b><ul>{items}</ul></div>'
        )
    for head, fields in _fields(g):
        cells = "".join(
            f'<div class="field"><b>{escape(k)}:</b>{escape(v)}</div>' for k, v in fields
        )
        body += [f"<h2>{escape(head)}</h2>", f'<div class="fields">{cells}</div>']
    rows = "".join(
        f"<tr><td>{escape(it.service)}</td><td>{escape(_codes(it.codes))}</td>"
        f"<td>{_html_dates(it)}</td>"
        f'<td class="n">{it.quantity}</td><td class="n">{fmt_money(it.unit_charge)}</td>'
        f'<td class="n">{fmt_money(it.charge)}</td></tr>'
        for it in g.lines
    )
    legend = "".join(f"<li>{escape(code)} ({escape(what)})</li>" for code, what in _legend(g))
    who = g.provider.name or _("Provider")
    expected = t("Items and services reasonably expected: {who}", who=who)
    left = [_("Item or service"), _("Service code(s)"), _("Date(s)")]
    right = [_("Quantity"), _("Expected charge each"), _("Expected charge")]
    head_row = "".join(f"<th>{escape(h)}</th>" for h in left) + "".join(
        f'<th class="n">{escape(h)}</th>' for h in right
    )
    total = escape(_("Total expected charges"))
    body += [
        f"<h2>{escape(expected)}</h2>",
        f"<table><thead><tr>{head_row}"
        f'</tr></thead><tbody>{rows}<tr class="total"><td>{total}</td>'
        f'<td></td><td></td><td></td><td></td><td class="n">{fmt_money(g.total)}</td></tr>'
        "</tbody></table>",
        f'<p class="small">{escape(_("Service codes:"))}</p><ul class="small">{legend}</ul>',
        f'<p class="small">{escape(g.recurring_note)}</p>',
        f"<h2>{escape(_('Items or services scheduled separately'))}</h2>",
        f"<p>{escape(_(SEPARATE_HEAD))}</p>",
        "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in g.separately_scheduled) + "</ul>",
        f"<p>{escape(g.separate_gfe_note)}</p>",
        f"<h2>{escape(_('Your rights if the bill is higher'))}</h2>",
        f"<p>{escape(_rights(g))}</p>",
        "<ol>" + "".join(f"<li>{escape(step)}</li>" for step in g.dispute.how) + "</ol>",
        f"<h2>{escape(_('Disclaimers'))}</h2>",
        "<ul>" + "".join(f"<li>{escape(text)}</li>" for text in g.disclaimers) + "</ul>",
        f'<p class="disclaimer">{escape(_(PREPARED))}</p>',
    ]
    return _page(_("Good Faith Estimate"), body)


def gfe_doc(g: GoodFaithEstimate) -> dict[str, Any]:
    """The same GFE as data, for a practice-management import."""
    p = g.provider
    d = g.dispute
    return {
        "schema": "ketacost.gfe/1",
        "date_given": g.issued.isoformat(),
        "price_book": {"as_of": g.as_of.isoformat()},
        "treatment": g.treatment,
        "currency": "USD",
        "patient": {"name": g.patient, "date_of_birth": g.dob.isoformat() if g.dob else None},
        "diagnoses": [{"code": x.code, "descriptor": x.descriptor} for x in g.diagnoses],
        "primary_service": {"description": g.primary_service, "scheduled": g.scheduled.isoformat()},
        "provider": {
            "name": p.name,
            "npi": p.npi,
            "tin": p.tin,
            "address": p.address,
            "phone": p.phone,
            "state": p.state,
        },
        "period": {
            "start": g.scheduled.isoformat(),
            "end": g.period_end.isoformat(),
            "months_covered": g.months_covered,
            "months_asked": g.months_asked,
            "note": g.recurring_note,
        },
        "coding": {"scheme": g.coding, "note": g.coding_note},
        "lines": [
            {
                "kind": it.kind,
                "service": it.service,
                "codes": [
                    {
                        "code": c.code,
                        "system": c.system,
                        "units": c.units,
                        "descriptor": c.descriptor,
                    }
                    for c in it.codes
                ],
                "dose_mg": it.dose_mg,
                "first": it.first.isoformat(),
                "last": it.last.isoformat(),
                "quantity": it.quantity,
                "unit_charge": money_str(it.unit_charge),
                "charge": money_str(it.charge),
            }
            for it in g.lines
        ],
        "total": money_str(g.total),
        "sessions": g.sessions,
        "separately_scheduled": list(g.separately_scheduled),
        "separate_gfe_note": g.separate_gfe_note,
        "confirm_before_sending": list(g.confirm),
        "dispute": {
            "threshold": money_str(d.threshold),
            "days_from_bill": d.days,
            "fee": money_str(d.fee),
            "url": d.url,
            "email": d.email,
            "phone": d.phone,
            "how": list(d.how),
        },
        "disclaimers": list(g.disclaimers),
    }


def gfe_json(g: GoodFaithEstimate) -> str:
    from ketacost.report.jsonout import dumps

    return dumps(gfe_doc(g))
