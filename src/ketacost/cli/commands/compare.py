"""`ketacost compare`: every treatment side by side for the same situation."""

from __future__ import annotations

from typing import Any

import typer

from ketacost.cli.context import Run
from ketacost.cli.deliver import deliver, warn
from ketacost.cli.formats import LIST_FORMATS, Format, pick
from ketacost.cli.params import define, parameter
from ketacost.options import SCHEDULE

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost compare\n\n"
    "  ketacost compare --insurance commercial --deductible 1500\n\n"
    "  ketacost compare --treatments iv,spravato --format json"
)


def register(app: typer.Typer) -> None:
    # Not a scenario option: which rows to show.
    treatments = typer.Option(
        "--treatments",
        metavar="IDS",
        help="Only these, comma-separated, e.g. iv,spravato.",
        show_default=False,
        rich_help_panel=SCHEDULE,
    )
    define(
        app,
        "compare",
        run,
        doc="All six treatments side by side for the same situation, cheapest first.",
        epilog=EPILOG,
        formats=LIST_FORMATS,
        before=[parameter("treatments", str | None, treatments, None)],
    )


def run(ctx: Run, given: dict[str, Any]) -> None:
    """The compare command's work, from its parameters (also used by `guide`)."""
    from ketacost.whatif.compare import compare as compare_rows

    params = dict(given)
    params["treatment"] = "iv"  # a placeholder: each row sets its own
    output, force = params.get("output"), params.get("force", False)
    scenario = ctx.scenario(params)
    settings = ctx.settings()
    chosen = pick(params.get("fmt"), LIST_FORMATS, settings, output)
    book, _ = ctx.book(params.get("pricing"))
    wanted = [t for t in (params.get("treatments") or "").split(",") if t.strip()] or None
    rows = compare_rows(book, scenario, wanted, today=ctx.today())
    warn(sorted({w for row in rows for w in row.estimate.warnings}))
    where = "self-pay" if scenario.insurance == "none" else scenario.insurance
    situation = f"{where}, {scenario.months} months from {scenario.start.isoformat()}"

    def table() -> Any:
        from ketacost.report.table import compare_renderable

        return compare_renderable(rows, situation)

    def as_json() -> str:
        from ketacost.report.jsonout import compare_doc, dumps

        return dumps(compare_doc(rows))

    def as_csv() -> str:
        from ketacost.report.csvout import compare_csv

        return compare_csv(rows)

    def as_md() -> str:
        from ketacost.report.markdown import compare_md

        return compare_md(rows, situation)

    def as_html() -> str:
        from ketacost.report.html import compare_html

        return compare_html(rows, situation, today=ctx.today())

    deliver(
        chosen,
        table,
        {Format.json: as_json, Format.csv: as_csv, Format.markdown: as_md, Format.html: as_html},
        output,
        force,
    )
