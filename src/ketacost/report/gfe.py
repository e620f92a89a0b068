"""Good Faith Estimate for uninsured and self-pay patients (No Surprises Act).

The elements follow 45 CFR 149.610(c)(1): patient name and date of birth; the primary
service in plain words and its scheduled date; an itemized list of the items and
services reasonably expected, with diagnosis codes, service codes and expected charges;
the provider's name, NPI, TIN and location; the items to be scheduled separately; and
the disclaimers of (viii)-(xi). The disclaimer wording follows the CMS model form
(CMS-10791). Expected charges are the typical scenario's self-pay prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from ketacost.amounts import ZERO, fmt_money
from ketacost.config import Clinic
from ketacost.errors import InputError
from ketacost.estimate import CONSULT, Estimate
from ketacost.pricebook import PriceBook

BLANK = "________________"

DISCLAIMERS = (
    "This Good Faith Estimate shows the costs of items and services that are reasonably "
    "expected for your health care needs for an item or service. The estimate is based on "
    "information known at the time the estimate was created.",
    "The Good Faith Estimate does not include any unknown or unexpected costs that may "
    "arise during treatment. You could be charged more if complications or special "
    "circumstances occur. If this happens, and your bill is $400 or more for any provider "
    "or facility than your Good Faith Estimate for that provider or facility, federal law "
    "allows you to dispute the bill.",
    "There may be additional items or services your provider recommends as part of your "
    "care that must be scheduled or requested separately and are not reflected in this "
    "Good Faith Estimate. Ask the provider or facility for a Good Faith Estimate for them.",
    "The information in this Good Faith Estimate is only an estimate regarding items or "
    "services reasonably expected to be furnished at the time it is issued; actual items, "
    "services, or charges may differ from the Good Faith Estimate.",
    "If you are billed for more than this Good Faith Estimate, you have the right to "
    "dispute the bill. You must start the dispute process within 120 calendar days (about "
    "4 months) of the date on the original bill. There is a $25 fee to use the dispute "
    "process. Starting the dispute process will not adversely affect the quality of the "
    "health care services you receive. For questions or more information about your right "
    "to a Good Faith Estimate or the dispute process, visit www.cms.gov/nosurprises/"
    "consumers, email FederalPPDRQuestions@cms.hhs.gov, or call 1-800-985-3059.",
    "The Good Faith Estimate is not a contract and does not require the uninsured (or "
    "self-pay) individual to obtain the items or services from any of the providers or "
    "facilities identified in the Good Faith Estimate.",
    "Keep a copy of this Good Faith Estimate in a safe place or take pictures of it. You "
    "may need it if you are billed a higher amount.",
)


@dataclass(frozen=True)
class Item:
    what: str
    codes: str
    dates: str
    quantity: int
    unit_charge: Decimal
    charge: Decimal


def items(book: PriceBook, est: Estimate) -> list[Item]:
    """The itemized list: the consultation and each phase, at typical self-pay prices."""
    t = book.treatments[est.treatment]  # type: ignore[index]

    def codes(*kinds: str) -> str:
        found = [c.code for c in t.service_codes if c.applies_to in kinds]
        return ", ".join(found) or "to be completed by the provider"

    out: list[Item] = []
    for fee in est.fees:
        if fee.id == CONSULT and fee.split.billed.typical > 0:
            charge = fee.split.billed.typical
            out.append(
                Item(
                    "Consultation / intake evaluation",
                    codes("consult"),
                    est.scenario.start.isoformat(),
                    1,
                    charge,
                    charge,
                )
            )
    for p in est.phases:
        n = p.sessions.typical
        if n == 0:
            continue
        charge = p.split.billed.typical
        dates = p.first.isoformat() if p.first else ""
        if p.last and p.last != p.first:
            dates += f" to {p.last.isoformat()}"
        out.append(
            Item(
                f"{t.name}: {p.label.lower()}",
                codes("session", "drug"),
                dates,
                n,
                (charge / n).quantize(Decimal("0.01")),
                charge,
            )
        )
    return out


def _check(est: Estimate) -> None:
    if est.scenario.insurance != "none":
        raise InputError(
            "--format gfe: a Good Faith Estimate is for uninsured or self-pay patients; "
            "drop --insurance (or use --insurance none)",
            param="--format",
        )


def _fields(
    est: Estimate, clinic: Clinic | None, patient: str | None, dob: str | None
) -> list[tuple[str, str]]:
    c = clinic or Clinic()
    t_start = est.scenario.start.isoformat()
    return [
        ("Patient name", patient or BLANK),
        ("Patient date of birth", dob or BLANK),
        (
            "Primary service",
            f"{est.treatment_name}, a course of treatment over "
            f"{est.scenario.months} months, starting {t_start}",
        ),
        ("Diagnosis code(s)", BLANK + " (ICD-10, completed by the provider)"),
        ("Provider or facility", c.name or BLANK),
        ("National Provider Identifier (NPI)", c.npi or BLANK),
        ("Tax Identification Number (TIN)", c.tin or BLANK),
        ("Location where care is given", c.address or BLANK),
        ("State", c.state or BLANK),
    ]


def gfe_markdown(
    book: PriceBook,
    est: Estimate,
    *,
    clinic: Clinic | None = None,
    patient: str | None = None,
    dob: str | None = None,
    today: dt.date | None = None,
) -> str:
    _check(est)
    today = today or dt.date.today()
    lines = [
        "# Good Faith Estimate for Health Care Items and Services",
        "",
        f"Issued {today.isoformat()}. Price book as of {est.as_of.isoformat()}.",
        "",
    ]
    from ketacost.report.markdown import inline_text, no_html

    lines += [
        f"- **{k}:** {v if v.startswith(BLANK) else inline_text(v)}"
        for k, v in _fields(est, clinic, patient, dob)
    ]
    lines += [
        "",
        "## Items and services reasonably expected",
        "",
        "| Item or service | Service code(s) | Date(s) | Quantity | Expected charge "
        "each | Expected charge |",
        "|---|---|---|---:|---:|---:|",
    ]
    listed = items(book, est)
    for it in listed:
        lines.append(
            f"| {it.what} | {it.codes} | {it.dates} | {it.quantity} | "
            f"{fmt_money(it.unit_charge)} | {fmt_money(it.charge)} |"
        )
    total = sum((it.charge for it in listed), ZERO)
    lines += [f"| **Total expected charges** | | | | | **{fmt_money(total)}** |", ""]
    lines += [
        "Recurring care: this estimate covers the expected scope of care for up to 12 "
        "months; a new estimate is issued for care after that.",
        "",
        "## Disclaimers",
        "",
    ]
    lines += [f"- {d}" for d in DISCLAIMERS]
    lines += [
        "",
        "_Prepared with ketacost from published price ranges; the provider confirms "
        "the items, codes and charges._",
        "",
    ]
    return no_html("\n".join(lines))


def gfe_html(
    book: PriceBook,
    est: Estimate,
    *,
    clinic: Clinic | None = None,
    patient: str | None = None,
    dob: str | None = None,
    today: dt.date | None = None,
) -> str:
    from ketacost.report.html import _page  # one stylesheet for every handout

    _check(est)
    today = today or dt.date.today()
    fields = "".join(
        f'<div class="field"><b>{escape(k)}:</b>{escape(v)}</div>'
        for k, v in _fields(est, clinic, patient, dob)
    )
    listed = items(book, est)
    rows = "".join(
        f"<tr><td>{escape(it.what)}</td><td>{escape(it.codes)}</td><td>{escape(it.dates)}"
        f'</td><td class="n">{it.quantity}</td><td class="n">{fmt_money(it.unit_charge)}</td>'
        f'<td class="n">{fmt_money(it.charge)}</td></tr>'
        for it in listed
    )
    total = sum((it.charge for it in listed), ZERO)
    body = [
        "<h1>Good Faith Estimate for Health Care Items and Services</h1>",
        f'<p class="meta">Issued {today.isoformat()} · price book as of '
        f"{est.as_of.isoformat()}</p>",
        f'<div class="fields">{fields}</div>',
        "<h2>Items and services reasonably expected</h2>",
        "<table><thead><tr><th>Item or service</th><th>Service code(s)</th><th>Date(s)</th>"
        '<th class="n">Quantity</th><th class="n">Each</th><th class="n">Expected charge</th>'
        f'</tr></thead><tbody>{rows}<tr class="total"><td>Total expected charges</td>'
        f'<td></td><td></td><td></td><td></td><td class="n">{fmt_money(total)}</td></tr>'
        "</tbody></table>",
        '<p class="small">Recurring care: this estimate covers the expected scope of care '
        "for up to 12 months; a new estimate is issued for care after that.</p>",
        "<h2>Disclaimers</h2>",
        "<ul>" + "".join(f"<li>{escape(d)}</li>" for d in DISCLAIMERS) + "</ul>",
        '<p class="disclaimer">Prepared with ketacost from published price ranges; the '
        "provider confirms the items, codes and charges.</p>",
    ]
    return _page("Good Faith Estimate", body)
