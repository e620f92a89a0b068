"""Good Faith Estimate renderers: Markdown, printable HTML and JSON.

All three render the same `GoodFaithEstimate` (ketacost.goodfaith), which carries every
line, quantity, charge and total already worked out from the estimate's result; nothing
here adds, multiplies or rounds. The elements follow 45 CFR 149.610(c)(1) and the
wording of the CMS model form (CMS-10791).
"""

from __future__ import annotations

from html import escape
from typing import Any

from ketacost.amounts import fmt_money, money_str
from ketacost.goodfaith import GfeLine, GoodFaithEstimate, LineCode

BLANK = "________________"
TITLE = "Good Faith Estimate for Health Care Items and Services"
SEPARATE_HEAD = (
    "The following items or services may be reasonably expected for your care but must be "
    "scheduled or requested separately and are not reflected in this Good Faith Estimate:"
)
PREPARED = (
    "Prepared with ketacost from the provider's price book; the provider confirms the "
    "items, codes and charges before giving it to the patient."
)


def _codes(codes: tuple[LineCode, ...]) -> str:
    return ", ".join(c.code if c.units == 1 else f"{c.code} x {c.units}" for c in codes)


def _dates(line: GfeLine) -> str:
    if line.first == line.last:
        return line.first.isoformat()
    return f"{line.first.isoformat()} to {line.last.isoformat()}"


def _html_dates(line: GfeLine) -> str:
    """Dates that never break inside: one per line."""
    first = f'<span class="nb">{line.first.isoformat()}</span>'
    if line.first == line.last:
        return first
    return f'{first} to<br><span class="nb">{line.last.isoformat()}</span>'


def _legend(g: GoodFaithEstimate) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for line in g.lines:
        for c in line.codes:
            seen.setdefault(c.code, f"{c.system}: {c.descriptor}")
    return list(seen.items())


def _diagnoses(g: GoodFaithEstimate) -> str:
    if not g.diagnoses:
        return BLANK + " (ICD-10-CM, completed by the provider)"
    return "; ".join(f"{d.code} ({d.descriptor})" if d.descriptor else d.code for d in g.diagnoses)


def _fields(g: GoodFaithEstimate) -> list[tuple[str, list[tuple[str, str]]]]:
    p = g.provider
    return [
        (
            "Patient",
            [
                ("Patient name", g.patient or BLANK),
                ("Patient date of birth", g.dob.isoformat() if g.dob else BLANK),
                ("Diagnosis code(s)", _diagnoses(g)),
            ],
        ),
        (
            "Primary service",
            [
                ("Primary service", g.primary_service),
                ("Scheduled date", f"{g.scheduled.isoformat()} (first service)"),
            ],
        ),
        (
            "Provider",
            [
                ("Provider or facility", p.name or BLANK),
                ("National Provider Identifier (NPI)", p.npi or BLANK),
                ("Taxpayer Identification Number (TIN)", p.tin or BLANK),
                ("Location where care is given", p.address or BLANK),
                ("State", p.state or BLANK),
                *([("Phone", p.phone)] if p.phone else []),
            ],
        ),
    ]


def _confirm_head(g: GoodFaithEstimate) -> str:
    return (
        f"Confirm before sending ({len(g.confirm)}): these figures are not this clinic's "
        "own; they come from the national price book. Check each one (or set it in the "
        "clinic's price book) before giving this estimate to the patient:"
    )


def gfe_markdown(g: GoodFaithEstimate) -> str:
    from ketacost.report.markdown import inline_text, no_html

    given = f"Date given: {g.issued.isoformat()}. Price book as of {g.as_of.isoformat()}."
    lines = [f"# {TITLE}", "", given, ""]
    if g.confirm:
        lines += [f"> **{_confirm_head(g)}**", ">"]
        lines += [f"> - {c}" for c in g.confirm]
        lines.append("")
    for head, fields in _fields(g):
        lines += [f"## {head}", ""]
        # A patient's name and a clinic's details are free text: no links or markup.
        lines += [f"- **{k}:** {v if v.startswith(BLANK) else inline_text(v)}" for k, v in fields]
        lines.append("")
    who = g.provider.name or "Provider"
    lines += [
        f"## Items and services reasonably expected: {who}",
        "",
        "| Item or service | Service code(s) | Date(s) | Quantity | Expected charge each "
        "| Expected charge |",
        "|---|---|---|---:|---:|---:|",
    ]
    for it in g.lines:
        lines.append(
            f"| {it.service} | {_codes(it.codes)} | {_dates(it)} | {it.quantity} | "
            f"{fmt_money(it.unit_charge)} | {fmt_money(it.charge)} |"
        )
    lines += [f"| **Total expected charges** | | | | | **{fmt_money(g.total)}** |", ""]
    lines += ["Service codes:", ""]
    lines += [f"- {code} ({what})" for code, what in _legend(g)]
    lines += ["", g.recurring_note, ""]
    lines += ["## Items or services scheduled separately", "", SEPARATE_HEAD, ""]
    lines += [f"- {s}" for s in g.separately_scheduled]
    lines += ["", g.separate_gfe_note, ""]
    d = g.dispute
    lines += [
        "## Your rights if the bill is higher",
        "",
        f"You may dispute a bill that is {fmt_money(d.threshold)} or more above this "
        f"estimate for any one provider or facility, within {d.days} calendar days of the "
        "date on the original bill.",
        "",
    ]
    lines += [f"{i}. {step}" for i, step in enumerate(d.how, 1)]
    lines += ["", "## Disclaimers", ""]
    lines += [f"- {text}" for text in g.disclaimers]
    lines += ["", f"_{PREPARED}_", ""]
    return no_html("\n".join(lines))


def gfe_html(g: GoodFaithEstimate) -> str:
    from ketacost.report.html import _page  # one stylesheet for every handout

    body = [
        "<style>.nb { white-space: nowrap; }</style>",
        f"<h1>{escape(TITLE)}</h1>",
        f'<p class="meta">Date given: {g.issued.isoformat()} · price book as of '
        f"{g.as_of.isoformat()}</p>",
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
    who = g.provider.name or "Provider"
    d = g.dispute
    body += [
        f"<h2>Items and services reasonably expected: {escape(who)}</h2>",
        "<table><thead><tr><th>Item or service</th><th>Service code(s)</th><th>Date(s)</th>"
        '<th class="n">Quantity</th><th class="n">Expected charge each</th>'
        '<th class="n">Expected charge</th>'
        f'</tr></thead><tbody>{rows}<tr class="total"><td>Total expected charges</td>'
        f'<td></td><td></td><td></td><td></td><td class="n">{fmt_money(g.total)}</td></tr>'
        "</tbody></table>",
        f'<p class="small">Service codes:</p><ul class="small">{legend}</ul>',
        f'<p class="small">{escape(g.recurring_note)}</p>',
        "<h2>Items or services scheduled separately</h2>",
        f"<p>{escape(SEPARATE_HEAD)}</p>",
        "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in g.separately_scheduled) + "</ul>",
        f"<p>{escape(g.separate_gfe_note)}</p>",
        "<h2>Your rights if the bill is higher</h2>",
        f"<p>You may dispute a bill that is {fmt_money(d.threshold)} or more above this "
        f"estimate for any one provider or facility, within {d.days} calendar days of the "
        "date on the original bill.</p>",
        "<ol>" + "".join(f"<li>{escape(step)}</li>" for step in d.how) + "</ol>",
        "<h2>Disclaimers</h2>",
        "<ul>" + "".join(f"<li>{escape(t)}</li>" for t in g.disclaimers) + "</ul>",
        f'<p class="disclaimer">{escape(PREPARED)}</p>',
    ]
    return _page("Good Faith Estimate", body)


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
