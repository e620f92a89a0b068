"""The rate book meets the claim engine: real allowed amounts per claim line.

`claims_from_rates` is the hook `insurance.claims_for` calls for a commercial plan when
the scenario has `--rates`: in network, each line's allowed amount is the clinic's
negotiated rate for its code(s); out of network, the plan's allowed amount comes from
its allowed-amounts data (the count-weighted median, never above the charge). A
Spravato treatment with a bundled G2082/G2083 rate is one bundled line. Where a code
the line needs has no rate, the hook returns None and the usual rule applies.
`rate_notes` is what the report says about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ketacost.amounts import cents, fmt_money
from ketacost.rates.book import AllowedAmount, Negotiated, RateBook, load
from ketacost.records import record

if TYPE_CHECKING:
    from ketacost.book.pricebook import Case, PriceBook, Treatment
    from ketacost.engine.costshare import Claim
    from ketacost.engine.insurance import Charge, ResolvedPlan
    from ketacost.scenario import Scenario

NO_END = dt.date(9999, 12, 31)
OFFICE = ("11", "CSTM-00")  # place of service: office, or "all"


@record
class Picked:
    """The rate used for a code: per unit, with what it rests on."""

    code: str
    amount: Decimal
    label: str  # e.g. "negotiated, outpatient, professional"
    expires: dt.date | None
    others: int  # other distinct amounts the file lists for this code and provider
    source: str


def _negotiated_score(r: Negotiated) -> tuple[int, ...]:
    """Lower is better: no modifier, office or any place, professional, outpatient,
    and the negotiated rate before a fee schedule or a derived one."""
    office = not r.service_codes or any(c in OFFICE for c in r.service_codes)
    return (
        1 if r.modifiers else 0,
        0 if office else 1,
        0 if r.billing_class in ("professional", "both") else 1,
        0 if r.setting in ("outpatient", "both") else 1,
        ("negotiated", "fee schedule", "derived").index(r.negotiated_type),
    )


def _median(values: Sequence[Decimal]) -> Decimal:
    """The lower median: an amount the file really lists."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


class Pricer:
    """Allowed amounts per code from a rate book, in or out of network."""

    def __init__(self, rb: RateBook, network: str) -> None:
        self.rb = rb
        self.network = network
        self._memo: dict[tuple[str, dt.date | None], Picked | None] = {}

    def pick(self, code: str, day: dt.date | None = None) -> Picked | None:
        key = (code, day)
        if key not in self._memo:
            self._memo[key] = (
                self._in_network(code, day) if self.network == "in" else self._allowed(code)
            )
        return self._memo[key]

    def _in_network(self, code: str, day: dt.date | None) -> Picked | None:
        rows = [r for r in self.rb.negotiated if r.code == code and r.dollars]
        if not rows:
            return None
        if day is not None:  # a rate in force that day, when the file has one
            current = [r for r in rows if r.expiration_date >= day]
            rows = current or rows
        best = min(_negotiated_score(r) for r in rows)
        tier = [r for r in rows if _negotiated_score(r) == best]
        amount = _median([r.rate for r in tier])
        chosen = next(r for r in tier if r.rate == amount)
        label = f"{chosen.negotiated_type}, {chosen.setting}, {chosen.billing_class}"
        if chosen.modifiers:
            label += f", modifier {'/'.join(chosen.modifiers)}"
        others = len({r.rate for r in rows}) - 1
        return Picked(code, amount, label, chosen.expiration_date, others, chosen.source)

    def _allowed(self, code: str) -> Picked | None:
        rows: list[AllowedAmount] = [
            a for a in self.rb.allowed_amounts if a.code == code and not a.modifiers
        ] or [a for a in self.rb.allowed_amounts if a.code == code]
        if not rows:
            return None
        weighted = [a.amount for a in rows for _ in range(min(a.count, 10_000))]
        amount = _median(weighted)
        claims = sum(a.count for a in rows)
        label = f"out-of-network allowed amount, median of {claims} record(s)"
        source = next(a.source for a in rows if a.amount == amount)
        return Picked(code, amount, label, None, len({a.amount for a in rows}) - 1, source)


def rate_book(sc: Scenario) -> RateBook | None:
    path = getattr(sc, "rates", None)
    return load(path) if path else None


def _uses(
    book: PriceBook, tid: str, kind: str, dose: int | None, day: dt.date
) -> list[tuple[str, int]] | None:
    """(code, units) the book bills for a treatment's session or intake on a day."""
    billing = book.billing
    if billing is None or tid not in billing.coding:
        return None
    coding = billing.coding[tid]
    if kind == "intake":
        uses = coding.intake
    elif kind == "itemized":
        uses = coding.itemized or coding.session_codes()
    else:
        uses = coding.session_codes()
    out = []
    for use in uses:
        if not use.fits(dose):
            continue
        code = use.code
        if use.before is not None and not billing.codes[code].billable_on(day):
            code = use.before
        units = (dose or 0) if use.units == "dose_mg" else int(use.units)
        out.append((code, units))
    return out


def _total(pricer: Pricer, uses: list[tuple[str, int]], day: dt.date) -> Decimal | None:
    """Each code's rate x units, rounded to cents per code, summed; None when a code
    has no rate."""
    total = Decimal("0.00")
    for code, units in uses:
        picked = pricer.pick(code, day)
        if picked is None:
            return None
        total += cents(picked.amount * units)
    return total


def bundled_code(dose_mg: int | None) -> str:
    return "G2082" if (dose_mg or 56) <= 56 else "G2083"


def _drug_elsewhere(sc: Scenario) -> bool:
    """Spravato's drug under the pharmacy benefit, or in another network than the
    visit: the clinic's medical rates do not price the session as a whole."""
    benefit = getattr(sc, "drug_benefit", "medical")
    drug_network = getattr(sc, "drug_network", None)
    return benefit != "medical" or drug_network not in (None, sc.network)


def claims_from_rates(
    book: PriceBook, t: Treatment, sc: Scenario, case: Case, plan: ResolvedPlan, charge: Charge
) -> list[Claim] | None:
    """The claim line(s) for one service priced from the rate book, or None to fall
    back to the usual rule (a code without a rate, or not a commercial plan)."""
    from ketacost.engine.costshare import Claim

    rb = rate_book(sc)
    if rb is None or sc.insurance != "commercial" or sc.allowed is not None:
        return None
    pricer = Pricer(rb, sc.network)
    day, tid = charge.date, sc.treatment

    def allowed(amount: Decimal, billed: Decimal) -> Decimal:
        # out of network a plan allows at most what the clinic billed
        return min(amount, billed) if sc.network == "out" else amount

    if charge.tag == "consultation":
        uses = _uses(book, tid, "intake", None, day)
        amount = _total(pricer, uses, day) if uses else None
        if amount is None:
            return None
        return [
            Claim(day, charge.amount, allowed(amount, charge.amount), plan.covered, tag=charge.tag)
        ]
    if t.drug is not None:
        if _drug_elsewhere(sc):
            return None  # the drug is paid under another benefit or network: usual rule
        g = pricer.pick(bundled_code(charge.dose_mg), day)
        if g is not None:
            one = cents(g.amount)
            return [
                Claim(day, charge.amount, allowed(one, charge.amount), plan.covered, tag=charge.tag)
            ]
        uses = _uses(book, tid, "itemized", charge.dose_mg, day)
        if not uses:
            return None
        drug_uses = [u for u in uses if book.billing and book.billing.codes[u[0]].kind == "drug"]
        admin_uses = [u for u in uses if u not in drug_uses]
        drug_amount = _total(pricer, drug_uses, day) if drug_uses else None
        if drug_amount is None:
            return None
        from ketacost.amounts import HUNDRED
        from ketacost.engine.insurance import split_session

        drug_charge, admin_charge = split_session(t, case, charge, fixed=sc.price is not None)
        admin_amount = _total(pricer, admin_uses, day) if admin_uses else None
        if admin_amount is None:  # the usual rule for the administration line
            admin_amount = (
                cents(admin_charge * plan.allowed_percent / HUNDRED)
                if plan.allowed_percent is not None
                else admin_charge
            )
        return [
            Claim(
                day,
                drug_charge,
                allowed(drug_amount, drug_charge),
                plan.covered,
                drug=True,
                visit=False,
                tag=charge.tag,
            ),
            Claim(
                day,
                admin_charge,
                allowed(admin_amount, admin_charge),
                plan.covered,
                observation=True,
                tag=charge.tag,
            ),
        ]
    uses = _uses(book, tid, "session", charge.dose_mg, day)
    amount = _total(pricer, uses, day) if uses else None
    if amount is None:
        return None
    return [Claim(day, charge.amount, allowed(amount, charge.amount), plan.covered, tag=charge.tag)]


def rate_notes(
    book: PriceBook, t: Treatment, sc: Scenario, end: dt.date | None = None
) -> tuple[list[str], list[str]]:
    """What the report says about the rate book: which book, plan and file date, each
    code's rate, and any rate that has expired. Returns (assumptions, warnings)."""
    rb = rate_book(sc)
    if rb is None:
        return [], []
    if end is None:
        from ketacost.engine.schedule import add_months

        end = add_months(sc.start, sc.months)
    notes: list[str] = []
    warnings: list[str] = []
    files = "; ".join(
        f"{s.file} ({_kind(s.kind)}, {s.plan or s.entity}"
        + (f", {s.issuer}" if s.issuer and s.issuer != (s.plan or s.entity) else "")
        + f", dated {s.last_updated_on.isoformat()})"
        for s in rb.sources
    )
    notes.append(
        f"Rate book {sc.rates} (NPI {rb.npi}, extracted {rb.created.isoformat()}): {files}."
    )
    if sc.insurance == "none":
        dose: int | None = sc.dose
        if t.drug is not None and dose is None:
            dose = int(t.drug.dose_mg.get("typical"))
        cash, cash_note = hospital_cash(book, tid_of(sc), dose, str(sc.rates), sc.start)
        if cash is not None and cash == sc.price:
            notes.append(cash_note)
        else:
            notes.append(
                "Self-pay: the rate book has no hospital cash price for this treatment's "
                "codes; the price book's prices are used."
            )
        return notes, warnings
    if sc.insurance != "commercial":
        warnings.append(
            "--rates: the rate book holds commercial plans' rates; not used with "
            f"--insurance {sc.insurance}."
        )
        return notes, warnings
    if sc.allowed is not None:
        notes.append("--allowed was given, so it is used instead of the rate book's rates.")
        return notes, warnings
    pricer = Pricer(rb, sc.network)
    tid = sc.treatment
    codes: list[str] = []
    if t.drug is not None:
        codes += ["G2082", "G2083"]
    for kind in ("intake", "session", "itemized"):
        for dose in (56, 84) if t.drug is not None else (None,):
            for code, _ in _uses(book, tid, kind, dose, sc.start) or []:
                if code not in codes:
                    codes.append(code)
    shown, missing = [], []
    for code in codes:
        p = pricer.pick(code, sc.start)
        if p is None:
            missing.append(code)
            continue
        unit = book.billing.codes[code].unit if book.billing and code in book.billing.codes else ""
        text = f"{code} {_dollars(p.amount)}{' ' + unit if unit else ''} ({p.label}"
        if p.expires is not None and p.expires != NO_END:
            text += f", expires {p.expires.isoformat()}"
        if p.others:
            text += f"; the file lists {p.others} other amount(s) for this code"
        shown.append(text + ")")
        if p.expires is not None and p.expires < sc.start:
            warnings.append(
                f"--rates: the rate for {code} expired on {p.expires.isoformat()}, before the "
                "first session; it is used as the latest known rate."
            )
        elif p.expires is not None and end is not None and p.expires < end:
            warnings.append(
                f"--rates: the rate for {code} expires on {p.expires.isoformat()}, within the "
                "estimate; later sessions assume it is renewed unchanged."
            )
    where = (
        "negotiated rates (in network)"
        if sc.network == "in"
        else "allowed amounts (out of network)"
    )
    if shown:
        notes.append(f"Allowed amounts from the rate book's {where}: {'; '.join(shown)}.")
    bundled = pricer.pick("G2082", sc.start) or pricer.pick("G2083", sc.start)
    if t.drug is not None and _drug_elsewhere(sc):
        notes.append(
            "The drug is paid under another benefit or network, so treatments keep the "
            "usual rule; the rate book prices the other visits."
        )
    elif t.drug is not None and bundled:
        notes.append(
            "With a bundled G-code rate a Spravato treatment is one bundled line (G2082 up "
            "to 56 mg, G2083 above), drug and observation included; the savings program "
            "pays only a drug billed on its own line, so it is not applied to it."
        )
    if missing:
        notes.append(
            f"No rate in the book for {', '.join(missing)}: a line that needs one keeps the "
            "usual allowed amount."
        )
    return notes, warnings


def _dollars(x: Decimal) -> str:
    """$1,289.82; a rate with more decimals keeps them: $906.515."""
    return fmt_money(x) if x == cents(x) else f"${x:,}"


def tid_of(sc: Scenario) -> str:
    return sc.treatment


def _kind(kind: str) -> str:
    return {
        "tic-in-network": "in-network rates",
        "tic-allowed-amounts": "allowed amounts",
    }.get(kind, "hospital standard charges")


def hospital_cash(
    book: PriceBook, tid: str, dose: int | None, path: str, day: dt.date
) -> tuple[Decimal | None, str]:
    """A hospital's discounted cash price for a session of the treatment (the sum over
    its codes), and a note; None when a code has no cash price in the book."""
    rb = load(path)
    if not rb.hospital:
        return None, ""
    uses = _uses(book, tid, "session", dose, day)
    if tid == "spravato":
        uses = [(bundled_code(dose), 1)]
    if not uses:
        return None, ""
    total = Decimal("0.00")
    parts = []
    for code, units in uses:
        cash = [
            h.discounted_cash
            for h in rb.hospital
            if h.code == code and h.discounted_cash is not None and not h.modifiers
        ]
        if not cash:
            return None, ""
        amount = _median(cash)
        total += cents(amount * units)
        parts.append(f"{code} {fmt_money(amount)}")
    return (
        total,
        f"Self-pay at the hospital: its discounted cash price ({', '.join(parts)}) per "
        f"session, from the rate book {path}.",
    )


def self_pay_price(book: PriceBook, tid: str, sc: Scenario) -> dict[str, object]:
    """Scenario updates from the rate book: it is loaded (so a bad one is refused
    before any work), and self-pay without --price takes a hospital's discounted cash
    price for the session's codes as the price per session."""
    path = sc.rates
    if path is None:
        return {}
    load(path)
    if sc.insurance != "none" or sc.price is not None:
        return {}
    dose: int | None = sc.dose
    drug = book.treatments[tid].drug  # type: ignore[index]
    if drug is not None and dose is None:
        dose = int(drug.dose_mg.get("typical"))
    cash, _ = hospital_cash(book, tid, dose, path, sc.start)
    if cash is None:
        return {}
    return {"price": cash}
