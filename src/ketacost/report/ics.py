"""iCalendar (RFC 5545) export of the visit calendar: one all-day event per visit.

The `icalendar` package does the escaping and the line folding. It is imported here
only, and this module only when a calendar is asked for, so other runs never load it.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event

from ketacost import __version__
from ketacost.amounts import fmt_money
from ketacost.engine.results import Estimate
from ketacost.engine.visits import Visit
from ketacost.i18n import _, t
from ketacost.report.wording import at_home

# Twelve hours before an all-day event is noon the day before: time to arrange a ride.
RIDE_REMINDER = dt.timedelta(hours=-12)


def _details(v: Visit, home: bool) -> str:
    details = []
    if v.visit_minutes is not None:
        details.append(
            (
                t("Plan about {n} minutes for the session at home", n=v.visit_minutes)
                if home
                else t("Plan about {n} minutes at the visit", n=v.visit_minutes)
            )
            + (
                t(", including {n} minutes of observation.", n=v.observation_minutes)
                if v.observation_minutes
                else "."
            )
        )
    if v.needs_ride:
        details.append(_("Arrange a ride home: do not drive yourself after this visit."))
    details.append(
        t(
            "Estimated cost to you: {amount} (running total {running}).",
            amount=fmt_money(v.patient),
            running=fmt_money(v.running_total),
        )
    )
    if v.plan_year_reset:
        details.append(_("A new plan year starts: the deductible applies again."))
    details.append(_("A cost estimate from ketacost, not medical advice."))
    return " ".join(details)


def _ride_reminder() -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Arrange a ride home for tomorrow's visit"))
    alarm.add("trigger", RIDE_REMINDER)
    return alarm


def _event(est: Estimate, v: Visit, stamp: dt.datetime) -> Event:
    event = Event()
    # The UID is the visit's date, number and treatment: a re-import updates, not doubles.
    event.add("uid", f"{v.date:%Y%m%d}-{v.number}-{est.treatment}@ketacost")
    event.add("dtstamp", stamp)
    event.add("dtstart", v.date)
    event.add("dtend", v.date + dt.timedelta(days=1))
    event.add("summary", f"{est.treatment_name}: {' + '.join(v.phases)}")
    event.add("description", _details(v, at_home(est)))
    event.add("transp", "TRANSPARENT")
    if v.needs_ride:
        event.add_component(_ride_reminder())
    return event


def calendar_ics(est: Estimate, visits: list[Visit], stamp: dt.datetime) -> str:
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", f"-//ketacost//ketacost {__version__}//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("{name} visits (estimate)", name=est.treatment_name))
    utc = stamp.astimezone(dt.timezone.utc)
    for v in visits:
        cal.add_component(_event(est, v, utc))
    ical: bytes = cal.to_ical()
    return ical.decode("utf-8")
