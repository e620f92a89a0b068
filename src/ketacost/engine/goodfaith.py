"""The Good Faith Estimate as a result object, built from an estimate's result.

A GFE (45 CFR 149.610) states *this provider's* expected charges for an uninsured or
self-pay patient, item by item, with the service codes a claim would carry. Everything a
renderer prints is here already worked out: one line per service and unit charge (a
Spravato first 56 mg treatment apart from the 84 mg ones), quantities, line totals and
the grand total, all taken from the estimate's own claim lines (each already rounded
half-up to cents), so the GFE adds up to the estimate to the cent. Renderers
(report/gfe.py) only format.

Also here: the checks on who the estimate is from and for (NPI with its check digit,
TIN, ICD-10-CM codes, date of birth).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import cast

from ketacost.amounts import ZERO, fmt_money
from ketacost.book.pricebook import Billing, BillingCode, CodeUse, PriceBook, Treatment, TreatmentId
from ketacost.engine.estimate import CONSULT, _dose
from ketacost.engine.results import Estimate
from ketacost.engine.schedule import add_months
from ketacost.errors import InputError
from ketacost.i18n import N_, _, fmt_date, plural
from ketacost.i18n import book as book_text
from ketacost.i18n import t as tr
from ketacost.records import record

# Recurring services: one GFE states their expected scope for at most 12 months
# (45 CFR 149.610); care after that gets a new GFE.
MAX_MONTHS = 12
# Patient-provider dispute resolution (45 CFR 149.620; CMS model form).
DISPUTE_THRESHOLD = Decimal("400.00")
DISPUTE_DAYS = 120
DISPUTE_FEE = Decimal("25.00")
CMS_URL = "www.cms.gov/nosurprises/consumers"
CMS_EMAIL = "FederalPPDRQuestions@cms.hhs.gov"
CMS_PHONE = "1-800-985-3059"
MAX_TEXT = 200


# ------------------------------------------------------------------ who and why: checks


def check_npi(text: str, where: str = "--npi") -> str:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of
    the first nine with the card-issuer prefix 80840 (CMS's NPI check-digit rule)."""
    npi = text.strip()
    if not re.fullmatch(r"\d{10}", npi):
        raise InputError(f"{where} must be 10 digits (got '{text}')", param=where)
    if not _luhn_ok("80840" + npi):
        raise InputError(
            f"{where} {npi} is not a valid NPI: its check digit (the last digit) does not "
            "match; check the number on the NPPES registry",
            param=where,
        )
    return npi


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_tin(text: str, where: str = "--tin") -> str:
    """A Tax Identification Number: an EIN (12-3456789) or a clinician's SSN
    (123-45-6789). Written back in its usual form."""
    raw = text.strip()
    if re.fullmatch(r"\d{2}-?\d{7}", raw):
        digits = raw.replace("-", "")
        if digits[:2] == "00":
            raise InputError(f"{where}: an EIN never starts with 00 (got '{text}')", param=where)
        return f"{digits[:2]}-{digits[2:]}"
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", raw):
        return raw
    raise InputError(
        f"{where} must be an EIN like 12-3456789 (or an SSN like 123-45-6789), got '{text}'",
        param=where,
    )


_ICD = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")


def check_icd10(text: str, where: str = "--diagnosis") -> str:
    """An ICD-10-CM code such as F33.2 (a letter, a digit, a digit or letter, then up to
    four characters after the dot), written with its dot."""
    raw = text.strip().upper()
    m = _ICD.match(raw)
    if not m:
        raise InputError(
            f"{where}: '{text}' is not an ICD-10-CM code; write it like F33.2 or F32.A",
            param=where,
        )
    head, tail = m.group(1), m.group(2)
    return f"{head}.{tail}" if tail else head


def parse_dob(text: str, today: dt.date, where: str = "--dob") -> dt.date:
    """A date of birth, YYYY-MM-DD or MM/DD/YYYY, in the past (and after 1900)."""
    raw = text.strip()
    day: dt.date | None = None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = dt.date.fromisoformat(raw)
        elif re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", raw):
            month, dom, year = (int(x) for x in raw.split("/"))
            day = dt.date(year, month, dom)
    except ValueError:
        day = None
    if day is None:
        raise InputError(
            f"{where}: '{text}' is not a real date; use YYYY-MM-DD or MM/DD/YYYY, e.g. 1980-05-01",
            param=where,
        )
    if day >= today:
        raise InputError(f"{where}: a date of birth must be in the past (got {day})", param=where)
    if day.year < 1900:
        raise InputError(f"{where}: {day} is too far in the past", param=where)
    return day


def check_text(text: str, where: str) -> str:
    """A name or an address: one line of at most 200 characters."""
    value = " ".join(text.split())
    if not value:
        raise InputError(f"{where} must not be empty", param=where)
    if len(value) > MAX_TEXT or any(ord(c) < 32 or c == "\x7f" for c in text if c not in "\t"):
        raise InputError(f"{where} must be one line of at most {MAX_TEXT} characters", param=where)
    return value


# ---------------------------------------------------------------------- the result


@record
class Provider:
    name: str | None = None
    npi: str | None = None
    tin: str | None = None
    address: str | None = None
    phone: str | None = None
    state: str | None = None


@record
class DiagnosisCode:
    code: str
    descriptor: str | None  # from the price book, where it lists the code


@record
class LineCode:
    code: str
    system: str  # CPT or HCPCS
    units: int
    descriptor: str


@record
class GfeLine:
    """One service at one unit charge: `quantity` x `unit_charge` == `charge`."""

    kind: str  # intake | session
    service: str  # in plain words
    codes: tuple[LineCode, ...]
    first: dt.date
    last: dt.date
    quantity: int
    unit_charge: Decimal
    charge: Decimal
    dose_mg: int | None = None


@record
class Dispute:
    threshold: Decimal
    days: int
    fee: Decimal
    url: str
    email: str
    phone: str
    how: tuple[str, ...]


@record
class GoodFaithEstimate:
    issued: dt.date
    patient: str | None
    dob: dt.date | None
    diagnoses: tuple[DiagnosisCode, ...]
    primary_service: str
    scheduled: dt.date
    period_end: dt.date  # the last day this GFE covers
    provider: Provider
    lines: tuple[GfeLine, ...]
    total: Decimal
    sessions: int
    coding: str  # bundled | itemized | session
    coding_note: str | None
    recurring_note: str
    separately_scheduled: tuple[str, ...]
    separate_gfe_note: str
    confirm: tuple[str, ...]  # figures the clinic did not set: confirm before sending
    dispute: Dispute
    disclaimers: tuple[str, ...]
    as_of: dt.date
    treatment: str
    months_asked: int
    months_covered: int


DISCLAIMERS = (
    N_(
        "This Good Faith Estimate shows the costs of items and services that are "
        "reasonably expected for your health care needs for an item or service. The "
        "estimate is based on information known at the time the estimate was created."
    ),
    N_(
        "The Good Faith Estimate does not include any unknown or unexpected costs that "
        "may arise during treatment. You could be charged more if complications or "
        "special circumstances occur. If this happens, and your bill is $400 or more "
        "for any provider or facility than your Good Faith Estimate for that provider "
        "or facility, federal law allows you to dispute the bill."
    ),
    N_(
        "There may be additional items or services your provider recommends as part of "
        "your care that must be scheduled or requested separately and are not reflected "
        "in this Good Faith Estimate."
    ),
    N_(
        "The information in this Good Faith Estimate is only an estimate regarding "
        "items or services reasonably expected to be furnished at the time it is "
        "issued; actual items, services, or charges may differ from the Good Faith "
        "Estimate."
    ),
    N_(
        "If you are billed for more than this Good Faith Estimate, you have the right "
        "to dispute the bill. You may contact the health care provider or facility "
        "listed to let them know the billed charges are higher than the Good Faith "
        "Estimate. You can ask them to update the bill to match the Good Faith "
        "Estimate, ask to negotiate the bill, or ask if there is financial assistance "
        "available. You may also start a dispute resolution process with the U.S. "
        "Department of Health and Human Services (HHS). If you choose to use the "
        "dispute resolution process, you must start the dispute process within 120 "
        "calendar days (about 4 months) of the date on the original bill. There is a "
        "$25 fee to use the dispute process. If the agency reviewing your dispute "
        "agrees with you, you will have to pay the price on this Good Faith Estimate. "
        "If the agency disagrees with you and agrees with the health care provider or "
        "facility, you will have to pay the higher amount. You have the right to "
        "initiate the patient-provider dispute resolution process if the actual billed "
        "charges are substantially in excess of the expected charges ($400 or more "
        "above them for any provider or facility); starting it will not adversely "
        "affect the quality of the health care services you receive. For questions or "
        "more information about your right to a Good Faith Estimate or the dispute "
        "process, visit www.cms.gov/nosurprises/consumers, email "
        "FederalPPDRQuestions@cms.hhs.gov, or call 1-800-985-3059."
    ),
    N_(
        "The Good Faith Estimate is not a contract and does not require the uninsured "
        "(or self-pay) individual to obtain the items or services from any of the "
        "providers or facilities identified in the Good Faith Estimate."
    ),
    N_(
        "Keep a copy of this Good Faith Estimate in a safe place or take pictures of "
        "it. You may need it if you are billed a higher amount."
    ),
)


def needs_clinic_prices(price_given: bool, book_path: str | None) -> None:
    """A GFE states the provider's own charges: a clinic price book or --price."""
    if not price_given and book_path is None:
        raise InputError(
            "--format gfe: a Good Faith Estimate must state the clinic's own charges; give "
            "--price AMOUNT (the clinic's price per session) or --pricing FILE (the clinic's "
            "price book; also KETACOST_PRICING or 'pricing:' in the config file)",
            param="--format",
        )


def check_self_pay(insurance: str) -> None:
    if insurance != "none":
        raise InputError(
            "--format gfe: a Good Faith Estimate is for uninsured or self-pay patients; "
            "drop --insurance (or use --insurance none)",
            param="--format",
        )


def build_gfe(
    book: PriceBook,
    est: Estimate,
    *,
    provider: Provider | None = None,
    patient: str | None = None,
    dob: dt.date | None = None,
    diagnoses: tuple[str, ...] = (),
    today: dt.date | None = None,
    national: PriceBook | None = None,
) -> GoodFaithEstimate:
    """The GFE for a self-pay estimate. `national` is the bundled book, to tell which of
    a clinic book's figures the clinic did not set itself."""
    sc = est.scenario
    check_self_pay(sc.insurance)
    needs_clinic_prices(sc.price is not None, est.book_path)
    if book.billing is None or est.treatment not in book.billing.coding:
        raise InputError(
            f"--format gfe: the price book has no billing codes for {est.treatment} "
            "(billing.coding)",
            param="--format",
        )
    billing = book.billing
    tid = est.treatment
    coding = billing.coding[tid]
    t = book.treatments[tid]
    today = today or dt.date.today()
    covered = min(sc.months, MAX_MONTHS)
    end = add_months(sc.start, covered)  # exclusive

    lines: list[GfeLine] = []
    index: dict[tuple[object, ...], int] = {}
    first_session = True
    for ln in est.lines:  # the typical case's claim lines, in date order
        day = ln.claim.date
        if day >= end:
            continue
        if ln.claim.tag == CONSULT:
            dose, kind = None, "intake"
            uses = coding.intake
            service = tr(
                "Initial evaluation (intake) before the first {per}",
                per=book_text(t.session_label),
            )
        else:
            dose, kind = _dose(t, "typical", sc.dose, first_session), "session"
            uses = [u for u in coding.session_codes() if u.fits(dose)]
            # A first session is its own line only where it differs (Spravato's 56 mg).
            opening = first_session and t.drug is not None
            service = _session_words(est, t, ln.claim.tag, dose, opening)
            first_session = False
        codes = _codes_on(billing, uses, day, dose, est.treatment)
        key = (ln.claim.tag, dose, service, codes, ln.billed)
        if key in index:
            i = index[key]
            old = lines[i]
            lines[i] = GfeLine(
                old.kind,
                old.service,
                old.codes,
                old.first,
                day,
                old.quantity + 1,
                old.unit_charge,
                old.charge + ln.billed,
                dose,
            )
        else:
            index[key] = len(lines)
            lines.append(GfeLine(kind, service, codes, day, day, 1, ln.billed, ln.billed, dose))

    total = sum((g.charge for g in lines), ZERO)
    sessions = sum(g.quantity for g in lines if g.kind == "session")
    last_day = end - dt.timedelta(days=1)
    if sc.months > MAX_MONTHS:
        recurring = tr(
            "Recurring care: a Good Faith Estimate covers at most {max} months of recurring "
            "services. The estimate asked for covers {months} months; this one covers the "
            "first {max}, {start} to {last}. A new Good Faith Estimate will be issued for "
            "care after that.",
            max=MAX_MONTHS,
            months=sc.months,
            start=fmt_date(sc.start),
            last=fmt_date(last_day),
        )
    else:
        recurring = tr(
            "Recurring care: this estimate covers the expected number of {plural} from "
            "{start} to {last} ({covered} months; at most {max} months per estimate). A new "
            "Good Faith Estimate will be issued for care after that, or if the expected care "
            "changes.",
            plural=book_text(plural(t.session_label)),
            start=fmt_date(sc.start),
            last=fmt_date(last_day),
            covered=covered,
            max=MAX_MONTHS,
        )
    prov = provider or Provider()
    who = prov.name or _("the provider")
    return GoodFaithEstimate(
        issued=today,
        patient=patient,
        dob=dob,
        diagnoses=tuple(
            DiagnosisCode(c, billing.diagnoses[c].descriptor if c in billing.diagnoses else None)
            for c in diagnoses
        ),
        primary_service=_primary(est, t, sessions, sc.start, last_day, bool(est.fees)),
        scheduled=sc.start,
        period_end=last_day,
        provider=prov,
        lines=tuple(lines),
        total=total,
        sessions=sessions,
        coding=coding.scheme,
        coding_note=coding.note,
        recurring_note=recurring,
        separately_scheduled=_separately(t, last_day),
        separate_gfe_note=tr(
            "Ask {who} for a separate Good Faith Estimate when you schedule or request any "
            "of these items or services; it is due within 1 to 3 business days of "
            "scheduling or of your request.",
            who=who,
        ),
        confirm=tuple(_confirm(book, est, t, national)),
        dispute=Dispute(
            threshold=DISPUTE_THRESHOLD,
            days=DISPUTE_DAYS,
            fee=DISPUTE_FEE,
            url=CMS_URL,
            email=CMS_EMAIL,
            phone=CMS_PHONE,
            how=(
                tr(
                    "Compare your bill with this estimate. If {who} bills you {threshold} or "
                    "more above the total this estimate gives for that provider, you can "
                    "dispute the bill.",
                    who=who,
                    threshold=fmt_money(DISPUTE_THRESHOLD),
                ),
                _(
                    "First ask the provider to review the bill; you may also ask for a "
                    "payment plan or a financial-assistance discount."
                ),
                tr(
                    "To start a dispute, go to {url} (or email {email}, or call {phone}) "
                    "within {days} calendar days of the date on the original bill. Send a "
                    "copy of the bill and of this estimate. The fee is {fee}.",
                    url=CMS_URL,
                    email=CMS_EMAIL,
                    phone=CMS_PHONE,
                    days=DISPUTE_DAYS,
                    fee=fmt_money(DISPUTE_FEE),
                ),
                _(
                    "While the dispute is under way, the provider may not send the bill to "
                    "collections or charge late fees on the amount in dispute."
                ),
                tr("This estimate was given to you on {date}. Keep it.", date=fmt_date(today)),
            ),
        ),
        disclaimers=tuple(_(text) for text in DISCLAIMERS),
        as_of=est.as_of,
        treatment=est.treatment,
        months_asked=sc.months,
        months_covered=covered,
    )


def _codes_on(
    billing: Billing, uses: list[CodeUse], day: dt.date, dose: int | None, tid: str
) -> tuple[LineCode, ...]:
    problem = billing.double_coding(uses, dose)
    if problem:  # the book's validator refuses this already; a last guard
        raise InputError(f"billing.coding.{tid}: {problem}")
    out: list[LineCode] = []
    for use in uses:
        code: BillingCode = billing.codes[use.code]
        name = use.code
        if not code.billable_on(day) and use.before is not None:
            name, code = use.before, billing.codes[use.before]
        if use.units == "dose_mg":
            if dose is None:
                raise InputError(f"billing.coding.{tid}: units: dose_mg needs a dose")
            units = dose
        else:
            units = use.units
        out.append(LineCode(name, code.system, units, code.descriptor))
    return tuple(out)


def _session_words(est: Estimate, t: Treatment, tag: str, dose: int | None, first: bool) -> str:
    phase = next((p.label for p in est.phases if p.id == tag), tag)
    what = f"{book_text(t.name)}, {book_text(t.session_label)}"
    if dose is not None:
        what += f", {dose} mg"
    if first:
        what += tr(" (the first {per})", per=book_text(t.session_label))
    return f"{what}; {phase}"


def _primary(
    est: Estimate, t: Treatment, sessions: int, start: dt.date, last: dt.date, intake: bool
) -> str:
    words = tr(
        "{name} for depression ({where}): {n} {plural}",
        name=book_text(t.name),
        where=book_text(t.setting),
        n=sessions,
        plural=book_text(plural(t.session_label)),
    )
    if intake:
        words += _(" after an initial evaluation")
    return words + tr(", from {start} through {last}", start=fmt_date(start), last=fmt_date(last))


def _separately(t: Treatment, last: dt.date) -> tuple[str, ...]:
    items = [
        _(
            "Laboratory tests or a medical clearance visit, if the prescriber orders them "
            "before treatment starts."
        ),
        _("Medicines taken at home (for example, an antidepressant filled by a pharmacy)."),
        _("Psychotherapy or medication-management visits outside the sessions listed."),
        tr(
            "Any {plural} after {last} (a new Good Faith Estimate).",
            plural=book_text(plural(t.session_label)),
            last=fmt_date(last),
        ),
    ]
    return tuple(items)


def _confirm(book: PriceBook, est: Estimate, t: Treatment, national: PriceBook | None) -> list[str]:
    """Figures behind the charges that are the national book's, not the clinic's own."""
    sc = est.scenario
    tid = cast(TreatmentId, est.treatment)
    nat = book if est.book_path is None else national
    if nat is None:
        return []
    nat_t = nat.treatments[tid]

    def same(mine: object, theirs: object) -> bool:
        return mine == theirs

    out: list[str] = []
    if sc.price is None:
        for key, item in t.session_items.items():
            if same(item, nat_t.session_items.get(key)):
                out.append(
                    f"Session price item '{key}' ({fmt_money(item.get('typical'))}): the "
                    f"national price book's typical figure (treatments.{tid}.session_items.{key})"
                )
        if t.drug is not None and nat_t.drug is not None and same(t.drug, nat_t.drug):
            out.append(
                f"Drug price ({fmt_money(t.drug.device_price.get('typical'))} per device): "
                f"the national price book's figure (treatments.{tid}.drug)"
            )
    if sc.consult is None and est.fees and same(t.consult_fee, nat_t.consult_fee):
        fee = est.fees[0].split.billed.typical
        out.append(
            f"Intake fee ({fmt_money(fee)}): the national price book's typical figure "
            f"(treatments.{tid}.consult_fee); give --consult or set it in the clinic book"
        )
    for did in sc.discounts:
        if did in nat.discounts and same(book.discounts[did], nat.discounts[did]):
            out.append(f"Discount '{did}': the national price book's figure (discounts.{did})")
    if sc.sessions is None and same(t.phases, nat_t.phases):
        out.append(
            f"Number and spacing of {t.session_label}s: the national price book's protocol "
            f"(treatments.{tid}.phases); give --sessions / --maintenance-weeks or set it in "
            "the clinic book"
        )
    if (
        book.billing is not None
        and nat.billing is not None
        and same(book.billing.coding.get(tid), nat.billing.coding.get(tid))
    ):
        out.append(
            f"Service codes: the national price book's coding for {tid} "
            f"(billing.coding.{tid}); confirm they are the codes this practice bills"
        )
    return out
