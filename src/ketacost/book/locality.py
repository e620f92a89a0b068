"""Medicare pays G2082/G2083 by payment locality: the national relative value units,
each scaled by the locality's geographic practice cost index (GPCI), times the
conversion factor. With `--state`, the estimate uses the state's localities:

- a state with one locality uses it in every case;
- a state with several uses its cheapest locality for low, its dearest for high, and
  for typical its "rest of state" locality where there is one (most of a state's area),
  else the middle one by rate.

Without `--state` (or without the book's RVUs and GPCI table) the national rate stands.
"""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import cents
from ketacost.book.pricebook import Case, Locality, Medicare, Rvus
from ketacost.records import record

CODES = ("G2082", "G2083")


@record
class StateRates:
    state: str
    picked: dict[Case, Locality]
    rates: dict[tuple[Case, str], Decimal]  # (case, code) -> allowed amount
    count: int  # localities in the state


def locality_rate(m: Medicare, rvus: Rvus, loc: Locality) -> Decimal:
    """(work x work GPCI + PE x PE GPCI + MP x MP GPCI) x conversion factor, to cents."""
    assert m.conversion_factor is not None
    cf = m.conversion_factor.get("typical")
    total = (
        rvus.work.get("typical") * loc.work
        + rvus.pe.get("typical") * loc.pe
        + rvus.mp.get("typical") * loc.mp
    )
    return cents(total * cf)


def _rvus(m: Medicare, code: str) -> Rvus | None:
    return m.g2082_rvus if code == "G2082" else m.g2083_rvus


def for_state(m: Medicare, state: str | None) -> StateRates | None:
    """The locality rates for `state`, or None when the national rate must stand."""
    if state is None or m.gpci is None or m.conversion_factor is None:
        return None
    r82, r83 = m.g2082_rvus, m.g2083_rvus
    if r82 is None or r83 is None:
        return None
    locs = [loc for loc in m.gpci.localities if loc.state == state]
    if not locs:
        return None

    def key(loc: Locality) -> tuple[Decimal, str]:
        return (locality_rate(m, r82, loc) + locality_rate(m, r83, loc), loc.locality)

    ordered = sorted(locs, key=key)
    rest = [loc for loc in ordered if loc.name.upper().startswith("REST OF")]
    typical = rest[0] if rest else ordered[(len(ordered) - 1) // 2]
    picked: dict[Case, Locality] = {"low": ordered[0], "typical": typical, "high": ordered[-1]}
    rates = {
        (case, code): locality_rate(m, r82 if code == "G2082" else r83, loc)
        for case, loc in picked.items()
        for code in CODES
    }
    return StateRates(state, picked, rates, len(locs))


def allowed(m: Medicare, code: str, state: str | None, case: Case) -> Decimal:
    """What Medicare allows for one G2082/G2083 line in `case`."""
    local = for_state(m, state)
    if local is not None:
        return local.rates[(case, code)]
    return (m.g2082_rate if code == "G2082" else m.g2083_rate).get(case)


def note(m: Medicare, state: str | None) -> str:
    """One assumption line saying which locality (or the national rate) was used."""
    from ketacost.amounts import fmt_money
    from ketacost.i18n import _, t

    national = (
        f"G2082 {fmt_money(m.g2082_rate.get('typical'))}, "
        f"G2083 {fmt_money(m.g2083_rate.get('typical'))}"
    )
    no_zip = _("ZIP-code lookup is not supported.")
    local = for_state(m, state)
    if local is None:
        why = (
            t("no cost indices for {state} in the price book", state=state)
            if state is not None
            else _("give --state for your locality's rate")
        )
        return (
            t(
                "Medicare rates: national, non-facility ({national}; CMS 2026 relative value "
                "units x conversion factor); {why}.",
                national=national,
                why=why,
            )
            + f" {no_zip}"
        )
    typical = local.picked["typical"]

    def where(loc: Locality) -> str:
        name = loc.name.title().replace(" Of ", " of ")
        return t(
            "{name} (MAC {mac}, locality {locality})", name=name, mac=loc.mac, locality=loc.locality
        )

    text = t(
        "Medicare locality for {state}: {place}, G2082 {g2082}, G2083 {g2083} (national: "
        "{national}), from CMS {year} cost indices.",
        state=state,
        place=where(typical),
        g2082=fmt_money(local.rates[("typical", "G2082")]),
        g2083=fmt_money(local.rates[("typical", "G2083")]),
        national=national,
        year=m.gpci.year if m.gpci else "",
    )
    if local.count > 1:
        low, high = local.picked["low"], local.picked["high"]
        text += " " + t(
            "{state} has {count} localities: low uses {low}, high {high}.",
            state=state,
            count=local.count,
            low=where(low),
            high=where(high),
        )
    return f"{text} {no_zip}"
