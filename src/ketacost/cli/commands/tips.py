"""`ketacost tips`: the savings tips alone, ranked by the dollars they save."""

from __future__ import annotations

from typing import Any

import typer

from ketacost.cli.context import Run
from ketacost.cli.deliver import deliver, warn
from ketacost.cli.formats import LIST_FORMATS, Format, pick
from ketacost.cli.params import define

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost tips iv --insurance commercial\n\n"
    "  ketacost tips spravato --insurance commercial --no-assistance --format json"
)


def register(app: typer.Typer) -> None:
    define(
        app,
        "tips",
        run,
        doc="Savings tips for your situation, ranked by the dollars they save.",
        epilog=EPILOG,
        formats=LIST_FORMATS,
    )


def run(ctx: Run, params: dict[str, Any]) -> None:
    from ketacost.api import quote

    scenario = ctx.scenario(params)
    settings = ctx.settings()
    output, force = params.get("output"), params.get("force", False)
    chosen = pick(params.get("fmt"), LIST_FORMATS, settings, output)
    book, book_path = ctx.book(params.get("pricing"))
    resolved = scenario.resolved(book)
    est = quote(book, resolved, book_path=book_path, today=ctx.today())
    warn(est.warnings)

    def table() -> Any:
        from ketacost.i18n import t
        from ketacost.report.table import tips_renderable

        heading = t("Ways to pay less for {name}", name=est.treatment_name)
        return tips_renderable(est.tips, heading=heading)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, tips_doc

        return dumps(tips_doc(est))

    def as_csv() -> str:
        from ketacost.report.csvout import tips_csv

        return tips_csv(est.tips)

    def as_md() -> str:
        from ketacost.report.markdown import tips_doc_md

        return tips_doc_md(est)

    def as_html() -> str:
        from ketacost.report.html import tips_html

        return tips_html(est)

    deliver(
        chosen,
        table,
        {Format.json: as_json, Format.csv: as_csv, Format.markdown: as_md, Format.html: as_html},
        output,
        force,
    )
