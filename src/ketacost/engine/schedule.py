"""Dated sessions: a treatment's protocol expanded over the patient's horizon."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Any

from ketacost.book.pricebook import Case, Phase
from ketacost.records import record


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


@record
class ScheduleOptions:
    """What the patient changed about the book's protocol, and where sessions happen."""

    sessions: int | None = None  # first-phase session count
    maintenance_weeks: int | None = None
    maintenance: bool = True
    # Clinic visits fall on business days: a date on a weekend or a US federal holiday
    # moves to the next business day (home sessions keep their dates).
    clinic_days: bool = False


@record
class PhaseDates:
    phase: Phase
    dates: tuple[dt.date, ...]
    interval_weeks: int | None  # for recurring phases, the gap used


def business_day(day: dt.date, after: dt.date | None = None) -> dt.date:
    """The first weekday on or after `day` (and after `after`, so two visits never share
    a day) that is not a US federal holiday."""
    if after is not None and day <= after:
        day = after + _DAY
    return _next_business_day(day)


@functools.lru_cache(maxsize=4096)  # batches look up the same few hundred days
def _next_business_day(day: dt.date) -> dt.date:
    from ketacost.engine.federal_holidays import is_holiday

    while day.weekday() >= 5 or is_holiday(day):
        day += _DAY
    return day


_DAY = dt.timedelta(days=1)
# A date moves at most this far (a Saturday before a Monday holiday: 3 days; a cascade
# in a twice-weekly series: one more); counting looks at the last nominal dates only.
_TAIL = 8


@record
class _Step:
    """One phase laid out from its start: a series of `count` sessions paced
    `span_days / pace_count` apart, or a recurring one every `interval_weeks`."""

    phase: Phase
    start: dt.date
    count: int = 0
    span_days: int = 0
    pace_count: int = 1
    interval_weeks: int | None = None

    def nominal(self, end: dt.date, shift: dt.timedelta = dt.timedelta(0)) -> list[dt.date]:
        start = self.start + shift
        if self.interval_weeks is not None:
            step = dt.timedelta(weeks=self.interval_weeks)
            out, day = [], start
            while day < end:
                out.append(day)
                day += step
            return out
        days = [(i * self.span_days) // self.pace_count for i in range(self.count)]
        return [start + dt.timedelta(days=d) for d in days if start + dt.timedelta(days=d) < end]

    def how_many(self, end: dt.date, shift: dt.timedelta = dt.timedelta(0)) -> int:
        """How many nominal dates fall before `end`, by arithmetic, for this step moved
        by `shift`."""
        left = (end - self.start - shift).days
        if left <= 0:
            return 0
        if self.interval_weeks is not None:
            return -(-left // (7 * self.interval_weeks))
        if self.span_days == 0:
            return self.count
        # session i falls before `end` when (i * span) // pace_count < left
        return min(self.count, -(-left * self.pace_count // self.span_days))

    def nominal_at(self, i: int, shift: dt.timedelta) -> dt.date:
        if self.interval_weeks is not None:
            return self.start + shift + dt.timedelta(weeks=self.interval_weeks * i)
        return self.start + shift + dt.timedelta(days=(i * self.span_days) // self.pace_count)


def _roll(days: list[dt.date], end: dt.date, after: dt.date | None) -> list[dt.date]:
    """Clinic dates moved to business days, kept in order; those pushed to `end` or
    past it fall outside the horizon."""
    out: list[dt.date] = []
    for day in days:
        after = business_day(day, after)
        if after >= end:
            break
        out.append(after)
    return out


def _steps(
    phases: list[Phase], start: dt.date, case: Case, options: ScheduleOptions
) -> list[_Step]:
    """Where each phase starts and how it is paced, for one scenario case.

    Series phases keep the protocol's typical pace (typical span / typical count) in
    every case: the cases differ in how many sessions and at what price, not in when
    they fall, so a plan-year reset lands the same way in each and fixed sessions give
    one fixed schedule. The next phase starts when the series' span ends. Recurring
    phases repeat every interval until the horizon ends; one that starts "after an
    interval" starts one interval after the previous phase's last session."""
    out: list[_Step] = []
    phase_start = start
    last: dt.date | None = None
    for index, phase in enumerate(phases):
        if phase.is_maintenance and not options.maintenance:
            continue
        if phase.recurring:
            assert phase.interval_weeks is not None
            weeks = options.maintenance_weeks or int(
                phase.interval_weeks.cost_pick(case, cheaper_when_larger=True)
            )
            first = phase_start
            if phase.first_after_interval:
                first = (last or phase_start - dt.timedelta(weeks=weeks)) + dt.timedelta(
                    weeks=weeks
                )
            out.append(_Step(phase, first, interval_weeks=weeks))
            break  # a recurring phase runs to the horizon; nothing can follow it
        assert phase.sessions is not None and phase.span_weeks is not None
        pace_count = int(phase.sessions.get("typical"))
        span_days = 7 * int(phase.span_weeks.get("typical"))
        count = int(phase.sessions.cost_pick(case))
        if index == 0 and options.sessions is not None:
            count = options.sessions
        step = _Step(phase, phase_start, count, span_days, pace_count)
        out.append(step)
        if count:
            last = step.nominal_at(count - 1, dt.timedelta(0))
        phase_start += dt.timedelta(days=-(-span_days * count // pace_count))
    return out


def expand(
    phases: list[Phase],
    start: dt.date,
    end: dt.date,
    case: Case,
    options: ScheduleOptions = ScheduleOptions(),
) -> list[PhaseDates]:
    """Dated sessions per phase for one scenario case, on [start, end)."""
    out: list[PhaseDates] = []
    after: dt.date | None = None
    for st in _steps(phases, start, case, options):
        days = st.nominal(end)
        if options.clinic_days:
            days = _roll(days, end, after)
            after = days[-1] if days else after
        out.append(PhaseDates(st.phase, tuple(days), st.interval_weeks))
    return out


def counts(
    phases: list[Phase],
    start: dt.date,
    end: dt.date,
    case: Case,
    options: ScheduleOptions = ScheduleOptions(),
    memo: dict[object, Any] | None = None,
) -> list[tuple[Phase, int]]:
    """How many sessions each phase has on [start, end): `expand` without the dates.

    With `memo`, the pacing (which depends on the protocol, the case and the options,
    not on the dates) is worked out once and shifted to each start. Clinic dates that
    move to a business day can move past the horizon's end: only the last few nominal
    dates can, so only those are rolled."""
    if memo is None:
        steps, shift = _steps(phases, start, case, options), dt.timedelta(0)
    else:
        key = ("steps", id(phases), case, options)
        hit = memo.get(key)
        if hit is None or hit[0] is not phases:
            hit = memo[key] = (phases, _steps(phases, _EPOCH, case, options))
        steps, shift = hit[1], start - _EPOCH
    out = []
    for st in steps:
        n = st.how_many(end, shift)
        if options.clinic_days and n:
            first = max(0, n - _TAIL)
            tail = [st.nominal_at(i, shift) for i in range(first, n)]
            n = first + len(_roll(tail, end, None))
        out.append((st.phase, n))
    return out


_EPOCH = dt.date(2000, 1, 3)
