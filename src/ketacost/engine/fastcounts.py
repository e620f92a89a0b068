"""Session counts in day ordinals: how many sessions of a phase fall before a day.

`schedule.counts` lays out a phase's pacing for each start and rolls the last sessions
to business days; batch rows ask it thousands of times with different dates. Here a
phase's pacing is worked out once per treatment, case and options (`pacing`) and
`sessions_before` answers by arithmetic, rolling the tail only when its last session
could move past the day asked about. `tests/test_fastselfpay.py` checks it against
`schedule.counts` and `schedule.expand`.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, NamedTuple

from ketacost.book.pricebook import Case, Treatment
from ketacost.engine.federal_holidays import is_holiday
from ketacost.engine.schedule import _EPOCH, _TAIL, ScheduleOptions, _steps

# The most days a clinic visit moves to reach a business day: a weekend next to a
# federal holiday (Sat, Sun, Mon; or Fri, Sat, Sun). tests/test_fastselfpay.py checks
# the holiday table never has a longer run.
MAX_SHIFT = 3


class Step(NamedTuple):
    """One phase's pacing from the start date, in days, and its prices in cents."""

    offset: int  # the phase's first nominal day, from the start
    sessions: int  # a series' (0 for a recurring phase)
    span: int  # a series' sessions fall `span // pace` days apart ...
    pace: int
    interval: int  # ... a recurring phase's every `interval` days (0 for a series)
    reach: int  # how far past its nominal day the last session can move (see sessions_before)
    done: int  # a series: its last nominal day + reach, from the start (-1: recurring)
    first: int  # the course's first session, here, after discounts
    regular: int  # any other session here, after discounts


def options_key(opts: ScheduleOptions) -> tuple[object, ...]:
    """`opts` as a memo key: its fields, which hash and compare in C (a record's own
    __hash__ and __eq__ run in Python, for every row)."""
    return (opts.sessions, opts.maintenance_weeks, opts.maintenance, opts.clinic_days)


def pacing(
    t: Treatment, case: Case, opts: ScheduleOptions, memo: dict[object, Any] | None
) -> tuple[tuple[str, Step], ...] | None:
    """Each phase's id and pacing (no prices), as `schedule._steps` lays the protocol
    out for this case, or None for a pacing the schedule's own arithmetic must judge."""
    key = ("pacing", id(t.phases), case, *options_key(opts))
    hit = memo.get(key) if memo is not None else None
    if hit is not None and hit[0] is t.phases:
        return hit[1]  # type: ignore[no-any-return]
    out: list[tuple[str, Step]] = []
    for st in _steps(t.phases, _EPOCH, case, opts):
        interval = 7 * st.interval_weeks if st.interval_weeks is not None else 0
        if st.interval_weeks is not None and interval <= 0:
            out = []
            break
        gap = interval if interval else st.span_days // st.pace_count
        # Each of the last _TAIL sessions moves at most MAX_SHIFT past the day before
        # it was pushed to, and a push carries over only when the gap is that short.
        reach = MAX_SHIFT + (_TAIL - 1) * max(0, MAX_SHIFT + 1 - gap)
        offset = (st.start - _EPOCH).days
        done = -1
        if not interval:
            done = offset + reach + (max(st.count - 1, 0) * st.span_days) // st.pace_count
        step = Step(offset, st.count, st.span_days, st.pace_count, interval, reach, done, 0, 0)
        out.append((st.phase.id, step))
    else:
        result: tuple[tuple[str, Step], ...] | None = tuple(out)
        if memo is not None:
            memo[key] = (t.phases, result)
        return result
    return None


def same_day_sessions(paced: tuple[tuple[str, Step], ...], clinic: bool) -> bool:
    """Whether two sessions of one phase can fall on one day (never at a clinic, where
    each visit moves past the one before it)."""
    return not clinic and any(not st.interval and st.span < st.pace for _, st in paced)


@functools.lru_cache(maxsize=8192)  # as schedule's own: batches look up few days
def _business(day: int) -> int:
    """The first business day on or after `day`, as day ordinals (`business_day`)."""
    # ordinal 1 (0001-01-01) is a Monday: (d - 1) % 7 is the weekday
    while (day - 1) % 7 >= 5 or is_holiday(dt.date.fromordinal(day)):
        day += 1
    return day


def sessions_before(st: Step, start: int, end: int, clinic: bool) -> int:
    """`schedule.counts` for one phase: the sessions before `end` (day ordinals)."""
    offset, count, span, pace, interval, reach, done, _first, _regular = st  # (locals: fast)
    if done >= 0 and end - start > done:  # the whole series, business-day moves and all
        return count
    first_day = start + offset
    left = end - first_day
    if left <= 0:
        return 0
    if interval:
        n = -(-left // interval)
    elif span == 0:
        n = count
    else:
        n = min(count, -(-left * pace // span))
    if not clinic or not n:
        return n
    # The last session moves at most `reach` days: when even that is before the end,
    # every session of the tail stays in the horizon. Else roll the tail as counts does.
    last = first_day + (interval * (n - 1) if interval else ((n - 1) * span) // pace)
    if last + reach < end:
        return n
    lo = max(0, n - _TAIL)
    after = 0
    kept = 0
    for i in range(lo, n):
        day = first_day + (interval * i if interval else (i * span) // pace)
        if after and day <= after:
            day = after + 1
        after = _business(day)
        if after >= end:
            break
        kept += 1
    return lo + kept
