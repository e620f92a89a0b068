"""iCalendar (RFC 5545) export of the visit calendar: one all-day event per visit."""

from __future__ import annotations

import datetime as dt

from ketacost import __version__
from ketacost.amounts import fmt_money
from ketacost.engine.results import Estimate
from ketacost.engine.visits import Visit
from ketacost.i18n import _, t


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar_ics(est: Estimate, visits: list[Visit], stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//ketacost//ketacost {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape(t("{name} visits (estimate)", name=est.treatment_name)),
    ]
    utc = stamp.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for v in visits:
        what = " + ".join(v.phases)
        summary = f"{est.treatment_name}: {what}"
        details = []
        if v.visit_minutes is not None:
            details.append(
                t("Plan about {n} minutes at the visit", n=v.visit_minutes)
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
        lines += [
            "BEGIN:VEVENT",
            f"UID:{v.date:%Y%m%d}-{v.number}-{est.treatment}@ketacost",
            f"DTSTAMP:{utc}",
            f"DTSTART;VALUE=DATE:{v.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{v.date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(' '.join(details))}",
            "TRANSP:TRANSPARENT",
        ]
        if v.needs_ride:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "DESCRIPTION:" + _escape(_("Arrange a ride home for tomorrow's visit")),
                "TRIGGER:-PT12H",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
