"""The dated visit calendar: one row per visit day, with the running total you pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketacost.amounts import ZERO
from ketacost.engine.estimate import CONSULT
from ketacost.engine.results import Estimate
from ketacost.i18n import _
from ketacost.records import record


@record
class Visit:
    date: dt.date
    number: int  # 1-based, in date order
    phases: tuple[str, ...]  # labels of what happens that day
    sessions: int  # treatment sessions that day (0 for a consultation alone)
    visit_minutes: int | None  # None: a consultation alone (the book has no figure for it)
    observation_minutes: int
    needs_ride: bool
    billed: Decimal
    patient: Decimal
    running_total: Decimal
    plan_year_reset: bool  # the deductible and maximum start again from this visit


@record
class CalendarTotals:
    """The calendar's visits, what they bill and what you pay over them."""

    visits: int
    billed: Decimal
    patient: Decimal


def calendar_totals(visits: list[Visit]) -> CalendarTotals:
    return CalendarTotals(
        visits=len(visits),
        billed=sum((v.billed for v in visits), ZERO),
        patient=visits[-1].running_total if visits else ZERO,
    )


def visit_calendar(est: Estimate) -> list[Visit]:
    """Visits of the typical scenario, grouped by day, in date order."""
    labels = {p.id: p.label for p in est.phases}
    labels[CONSULT] = _("Consultation")
    by_day: dict[dt.date, list] = {}  # type: ignore[type-arg]
    for line in est.lines:
        by_day.setdefault(line.claim.date, []).append(line)
    out: list[Visit] = []
    running = ZERO
    insured = est.scenario.insurance != "none"
    for number, day in enumerate(sorted(by_day), start=1):
        lines = by_day[day]
        tags: list[str] = []
        for ln in lines:
            if ln.claim.tag not in tags:
                tags.append(ln.claim.tag)
        patient = sum((ln.patient for ln in lines), ZERO)
        running += patient
        sessions = 1 if any(tag != CONSULT for tag in tags) else 0
        out.append(
            Visit(
                date=day,
                number=number,
                phases=tuple(labels[tag] for tag in tags),
                sessions=sessions,
                visit_minutes=est.practical.visit_minutes.typical if sessions else None,
                observation_minutes=est.practical.observation_minutes.typical if sessions else 0,
                needs_ride=est.practical.needs_ride and bool(sessions),
                billed=sum((ln.billed for ln in lines), ZERO),
                patient=patient,
                running_total=running,
                # Without insurance there is no deductible to start again.
                plan_year_reset=insured and any(ln.plan_year_reset for ln in lines),
            )
        )
    return out


def monthly_running(visits: list[Visit], start: dt.date, end: dt.date) -> list[tuple[str, Decimal]]:
    """(month label, running total at the month's end) for each month of the horizon."""
    out: list[tuple[str, Decimal]] = []
    year, month = start.year, start.month
    running = ZERO
    index = 0
    while dt.date(year, month, 1) < end:
        while index < len(visits) and (visits[index].date.year, visits[index].date.month) == (
            year,
            month,
        ):
            running = visits[index].running_total
            index += 1
        out.append((dt.date(year, month, 1).strftime("%b %Y"), running))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out
