"""Dated sessions: a treatment's protocol expanded over the patient's horizon."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ketacost.pricebook import Case, Phase


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


@dataclass(frozen=True)
class ScheduleOptions:
    """What the patient changed about the book's protocol."""

    sessions: int | None = None  # first-phase session count
    maintenance_weeks: int | None = None
    maintenance: bool = True


@dataclass(frozen=True)
class PhaseDates:
    phase: Phase
    dates: tuple[dt.date, ...]
    interval_weeks: int | None  # for recurring phases, the gap used


def expand(
    phases: list[Phase],
    start: dt.date,
    end: dt.date,
    case: Case,
    options: ScheduleOptions = ScheduleOptions(),
) -> list[PhaseDates]:
    """Dated sessions per phase for one scenario case, on [start, end).

    Series phases spread their sessions evenly over their typical span; the next phase
    starts when the series ends. Recurring phases repeat every interval until `end`.
    The cheap case takes the fewest sessions and the longest gaps."""
    out: list[PhaseDates] = []
    phase_start = start
    for index, phase in enumerate(phases):
        if phase.recurring:
            if not options.maintenance:
                continue
            assert phase.interval_weeks is not None
            weeks = options.maintenance_weeks or int(
                phase.interval_weeks.cost_pick(case, cheaper_when_larger=True)
            )
            step = dt.timedelta(weeks=weeks)
            day = phase_start + step if phase.first_after_interval else phase_start
            dates = []
            while day < end:
                dates.append(day)
                day += step
            out.append(PhaseDates(phase, tuple(dates), weeks))
            # A recurring phase runs to the horizon; nothing can follow it.
            break
        assert phase.sessions is not None and phase.span_weeks is not None
        book_count = int(phase.sessions.cost_pick(case))
        # The pace (span) is the typical one in every case: the cases differ in how many
        # sessions and at what price, not in when they fall, so a plan-year reset lands
        # the same way in each and fixed sessions give one fixed schedule.
        span_days = 7 * int(phase.span_weeks.get("typical"))
        count = book_count
        if index == 0 and options.sessions is not None:
            # Keep the protocol's pace (sessions per week) when the count changes, so
            # one more session only ever adds a date at the end of the series.
            count = options.sessions
        dates = [
            phase_start + dt.timedelta(days=(i * span_days) // book_count) for i in range(count)
        ]
        span_days = -(-span_days * count // book_count)  # ceil: the series' own span
        out.append(PhaseDates(phase, tuple(d for d in dates if d < end), None))
        phase_start = phase_start + dt.timedelta(days=span_days)
    return out
