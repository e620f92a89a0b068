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

    national = (
        f"G2082 {fmt_money(m.g2082_rate.get('typical'))}, "
        f"G2083 {fmt_money(m.g2083_rate.get('typical'))}"
    )
    local = for_state(m, state)
    if local is None:
        why = (
            f"no cost indices for {state} in the price book"
            if state is not None
            else "give --state for your locality's rate"
        )
        return (
            f"Medicare rates: national, non-facility ({national}; CMS 2026 relative value "
            f"units x conversion factor); {why}. ZIP-code lookup is not supported."
        )
    t = local.picked["typical"]

    def where(loc: Locality) -> str:
        name = loc.name.title().replace(" Of ", " of ")
        return f"{name} (MAC {loc.mac}, locality {loc.locality})"

    text = (
        f"Medicare locality for {state}: {where(t)}, G2082 "
        f"{fmt_money(local.rates[('typical', 'G2082')])}, G2083 "
        f"{fmt_money(local.rates[('typical', 'G2083')])} (national: {national}), from CMS "
        f"{m.gpci.year if m.gpci else ''} cost indices."
    )
    if local.count > 1:
        lo, hi = local.picked["low"], local.picked["high"]
        text += f" {state} has {local.count} localities: low uses {where(lo)}, high {where(hi)}."
    return text + " ZIP-code lookup is not supported."
