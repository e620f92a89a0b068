"""Costs around each visit: a ride home, travel, and time off work.

Kept apart from the medical total: they are the patient's own costs, not a bill."""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import ZERO, Triple, cents
from ketacost.book.pricebook import CASES, Case, Indirect, PriceBook, Treatment
from ketacost.engine.results import IndirectTotals
from ketacost.i18n import _
from ketacost.records import record
from ketacost.scenario import Scenario


@record
class IndirectCosts:
    visits: int
    rides: Decimal  # rideshare home and back, where the patient must not drive
    travel: Decimal  # driving oneself, at the IRS medical mileage rate
    time_off: Decimal  # hours away x hourly wage

    @property
    def total(self) -> Decimal:
        return self.rides + self.travel + self.time_off


def indirect_costs(
    t: Treatment,
    book_costs: Indirect,
    tid: str,
    visits: int,
    case: Case,
    hourly_wage: Decimal | None,
) -> IndirectCosts:
    """The costs around `visits` visits in one case. Home treatments have no travel."""
    at_home = "home" in t.setting.lower()
    rides = travel = ZERO
    if not at_home:
        if t.practical.needs_ride.value:
            rides = visits * cents(book_costs.ride_round_trip.get(case))
        else:
            per_trip = book_costs.travel_round_trip_miles.get(case) * book_costs.mileage_rate.get(
                case
            )
            travel = visits * cents(per_trip)
    time_off = ZERO
    hours = book_costs.hours_off_per_visit.get(tid)  # type: ignore[call-overload]
    if hourly_wage is not None and hours is not None:
        time_off = visits * cents(hours.get(case) * hourly_wage)
    return IndirectCosts(visits, rides, travel, time_off)


def indirect_totals(
    book: PriceBook, t: Treatment, sc: Scenario, visit_days: Triple[int]
) -> tuple[IndirectTotals | None, list[str]]:
    """The costs around the visits of each case (`visit_days`: days with a visit), when
    the scenario asks for them, and what the report should say about them."""
    notes: list[str] = []
    if not (sc.include_indirect or sc.hourly_wage is not None) or book.indirect is None:
        return None, notes
    parts = {
        c: indirect_costs(
            t,
            book.indirect,
            sc.treatment,
            getattr(visit_days, c),
            c,
            sc.hourly_wage,
        )
        for c in CASES
    }
    if t.practical.needs_ride.value and "home" not in t.setting.lower():
        notes.append(
            _(
                "Rides: you may not drive yourself home, so a rideshare both ways is "
                "priced for each visit."
            )
        )
    if sc.hourly_wage is None:
        notes.append(_("Time off work is not priced; give --hourly-wage to add it."))
    if not sc.include_indirect:
        notes.append(
            _("Costs around each visit are shown apart; --include-indirect adds them to the total.")
        )
    totals = IndirectTotals(
        visits=Triple(*(parts[c].visits for c in CASES)),
        rides=Triple(*(parts[c].rides for c in CASES)),
        travel=Triple(*(parts[c].travel for c in CASES)),
        time_off=Triple(*(parts[c].time_off for c in CASES)),
        included=sc.include_indirect,
    )
    return totals, notes
