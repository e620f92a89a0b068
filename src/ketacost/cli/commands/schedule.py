"""`ketacost schedule`: the dated visits, what each costs and the running total."""

from __future__ import annotations

import os
from typing import Any

import typer

from ketacost.cli.context import Run
from ketacost.cli.deliver import deliver, warn
from ketacost.cli.formats import SCHEDULE_FORMATS, Format, pick
from ketacost.cli.params import define

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost schedule spravato --insurance commercial\n\n"
    "  ketacost schedule iv --start 2026-12-01 --format csv\n\n"
    "  ketacost schedule spravato --format ics -o visits.ics"
)


def register(app: typer.Typer) -> None:
    define(
        app,
        "schedule",
        run,
        doc="Dated visit calendar with what you pay at each visit and the running total.",
        epilog=EPILOG,
        formats=SCHEDULE_FORMATS,
    )


def run(ctx: Run, params: dict[str, Any]) -> None:
    from ketacost.api import quote
    from ketacost.engine.visits import visit_calendar

    scenario = ctx.scenario(params)
    settings = ctx.settings()
    output, force = params.get("output"), params.get("force", False)
    chosen = pick(params.get("fmt"), SCHEDULE_FORMATS, settings, output)
    book, book_path = ctx.book(params.get("pricing"))
    resolved = scenario.resolved(book)
    est = quote(book, resolved, book_path=book_path, today=ctx.today(), with_tips=False)
    warn(est.warnings)
    visits = visit_calendar(est)

    def table() -> Any:
        from ketacost.report.table import schedule_renderable

        return schedule_renderable(est, visits)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, schedule_doc

        return dumps(schedule_doc(est, visits))

    def as_csv() -> str:
        from ketacost.report.csvout import schedule_csv

        return schedule_csv(visits)

    def as_md() -> str:
        from ketacost.report.markdown import schedule_md

        return schedule_md(est, visits)

    def as_html() -> str:
        from ketacost.report.html import schedule_html

        return schedule_html(est, visits)

    def as_ics() -> str:
        import datetime as dt

        from ketacost.report.ics import calendar_ics

        # Stamped now, or at midnight UTC of KETACOST_TODAY so a pinned quote repeats.
        stamp = dt.datetime.now(dt.timezone.utc)
        if os.environ.get("KETACOST_TODAY"):
            stamp = dt.datetime.combine(ctx.today(), dt.time(), dt.timezone.utc)
        return calendar_ics(est, visits, stamp)

    deliver(
        chosen,
        table,
        {
            Format.json: as_json,
            Format.csv: as_csv,
            Format.markdown: as_md,
            Format.html: as_html,
            Format.ics: as_ics,
        },
        output,
        force,
    )
