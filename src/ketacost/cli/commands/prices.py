"""`ketacost prices`: the price book, figure by figure; or a clinic book to start from."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ketacost.cli.context import of
from ketacost.cli.deliver import deliver
from ketacost.cli.edge import handled
from ketacost.cli.formats import FINANCE_FORMATS, Format, choice, pick
from ketacost.cli.params import PricingOpt, format_info
from ketacost.options import OUTPUT

if TYPE_CHECKING:
    from enum import Enum as FormatChoice
else:
    FormatChoice = choice(FINANCE_FORMATS)  # typer refuses any other --format

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost prices\n\n"
    "  ketacost prices spravato --format json\n\n"
    "  ketacost prices --template > my-clinic.yaml"
)


def register(app: typer.Typer) -> None:
    app.command(name="prices", epilog=EPILOG)(handled(prices))


def prices(
    ctx: typer.Context,
    treatment: str = typer.Argument(
        None,
        metavar="TREATMENT",
        help="Show only this treatment's figures.",
        show_default=False,
    ),
    template: Annotated[
        bool,
        typer.Option(
            "--template",
            rich_help_panel=OUTPUT,
            help="Print a clinic price book to start from: the national book's prices to edit, "
            "everything else inherited.",
        ),
    ] = False,
    pricing: PricingOpt = None,
    fmt: Annotated[FormatChoice | None, format_info(FINANCE_FORMATS)] = None,
) -> None:
    """The price book: every figure with its range, unit, basis and sources."""
    from ketacost.book.pricebook import resolve_treatment

    if template:
        from ketacost.book.clinic import template_text
        from ketacost.errors import InputError

        if fmt is not None:  # the template is YAML with comments: no other format
            raise InputError(
                f"--format {fmt.value} cannot be used with --template, which prints a "
                "clinic price book in YAML; drop --format",
                param="--format",
            )

        sys.stdout.write(template_text())
        return
    here = of(ctx)
    chosen = pick(fmt, FINANCE_FORMATS, here.settings())
    book, _ = here.book(pricing)
    tid = resolve_treatment(book, treatment) if treatment else None

    def table() -> Any:
        from ketacost.report.table import prices_renderable

        return prices_renderable(book, tid)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, prices_doc

        return dumps(prices_doc(book, tid))

    deliver(chosen, table, {Format.json: as_json}, None, False)
