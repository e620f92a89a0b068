"""CSV for spreadsheets: one header row, money as plain two-decimal numbers."""

from __future__ import annotations

import csv
import io

from ketacost.amounts import money_str
from ketacost.visits import Visit

SCHEDULE_COLUMNS = [
    "visit",
    "date",
    "what",
    "visit_minutes",
    "observation_minutes",
    "ride_needed",
    "billed",
    "you_pay",
    "running_total",
    "plan_year_reset",
]


def schedule_csv(visits: list[Visit]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SCHEDULE_COLUMNS)
    for v in visits:
        writer.writerow(
            [
                v.number,
                v.date.isoformat(),
                " + ".join(v.phases),
                "" if v.visit_minutes is None else v.visit_minutes,
                v.observation_minutes,
                "yes" if v.needs_ride else "no",
                money_str(v.billed),
                money_str(v.patient),
                money_str(v.running_total),
                "yes" if v.plan_year_reset else "no",
            ]
        )
    return buf.getvalue()
