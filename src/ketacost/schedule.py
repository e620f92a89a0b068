"""Dated sessions: a treatment's protocol expanded over the patient's horizon."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class _Step:
    """One phase laid out from its start: a series of `count` sessions paced
    `span_days / book_count` apart, or a recurring one every `interval_days`."""

    phase: Phase
    start: dt.date
    count: int = 0
    span_days: int = 0
    book_count: int = 1
    interval_weeks: int | None = None

    def dates(self, end: dt.date) -> tuple[dt.date, ...]:
        if self.interval_weeks is not None:
            step = dt.timedelta(weeks=self.interval_weeks)
            out, day = [], self.start
            while day < end:
                out.append(day)
                day += step
            return tuple(out)
        days = [(i * self.span_days) // self.book_count for i in range(self.count)]
        return tuple(
            self.start + dt.timedelta(days=d)
            for d in days
            if self.start + dt.timedelta(days=d) < end
        )

    def how_many(self, end: dt.date, shift: dt.timedelta = dt.timedelta(0)) -> int:
        """len(self.dates(end)), by arithmetic, for this step moved by `shift`."""
        left = (end - self.start - shift).days
        if left <= 0:
            return 0
        if self.interval_weeks is not None:
            return -(-left // (7 * self.interval_weeks))
        if self.span_days == 0:
            return self.count
        # session i falls before `end` when (i * span) // book_count < left
        return min(self.count, -(-left * self.book_count // self.span_days))


def _steps(
    phases: list[Phase], start: dt.date, case: Case, options: ScheduleOptions
) -> list[_Step]:
    """Where each phase starts and how it is paced, for one scenario case.

    Series phases spread their sessions evenly over their typical span; the next phase
    starts when the series ends. Recurring phases repeat every interval until the
    horizon ends. The cheap case takes the fewest sessions and the longest gaps."""
    out: list[_Step] = []
    phase_start = start
    for index, phase in enumerate(phases):
        if phase.recurring:
            if not options.maintenance:
                continue
            assert phase.interval_weeks is not None
            weeks = options.maintenance_weeks or int(
                phase.interval_weeks.cost_pick(case, cheaper_when_larger=True)
            )
            first = (
                phase_start + dt.timedelta(weeks=weeks)
                if phase.first_after_interval
                else phase_start
            )
            out.append(_Step(phase, first, interval_weeks=weeks))
            break  # a recurring phase runs to the horizon; nothing can follow it
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
        out.append(_Step(phase, phase_start, count, span_days, book_count))
        phase_start += dt.timedelta(days=-(-span_days * count // book_count))
    return out


def expand(
    phases: list[Phase],
    start: dt.date,
    end: dt.date,
    case: Case,
    options: ScheduleOptions = ScheduleOptions(),
) -> list[PhaseDates]:
    """Dated sessions per phase for one scenario case, on [start, end)."""
    return [
        PhaseDates(st.phase, st.dates(end), st.interval_weeks)
        for st in _steps(phases, start, case, options)
    ]


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
    not on the dates) is worked out once and shifted to each start."""
    if memo is None:
        return [(st.phase, st.how_many(end)) for st in _steps(phases, start, case, options)]
    key = ("steps", id(phases), case, options)
    hit = memo.get(key)
    if hit is None or hit[0] is not phases:
        hit = memo[key] = (phases, _steps(phases, _EPOCH, case, options))
    shift = start - _EPOCH
    return [(st.phase, st.how_many(end, shift)) for st in hit[1]]


_EPOCH = dt.date(2000, 1, 3)
