"""`ketacost plan`: a health plan file: a template to fill in, or a check of one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ketacost.cli.context import of
from ketacost.cli.edge import handled
from ketacost.cli.params import PricingOpt
from ketacost.options import OUTPUT

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost plan --template > my-plan.yaml\n\n"
    "  ketacost plan --typical hdhp > my-plan.yaml\n\n"
    "  ketacost plan my-plan.yaml\n\n"
    "  ketacost estimate spravato --plan my-plan.yaml"
)


def register(app: typer.Typer) -> None:
    app.command(name="plan", epilog=EPILOG)(handled(plan))


def plan(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="A plan file to check.", show_default=False),
    ] = None,
    template: Annotated[
        bool,
        typer.Option(
            "--template",
            rich_help_panel=OUTPUT,
            help="Print a commented plan file to fill in from your SBC.",
        ),
    ] = False,
    typical: Annotated[
        str | None,
        typer.Option(
            "--typical",
            metavar="ID",
            rich_help_panel=OUTPUT,
            help="Print one of the price book's typical plans as a plan file: hdhp, silver, "
            "employer-ppo, medicare-advantage.",
            show_default=False,
        ),
    ] = None,
    pricing: PricingOpt = None,
) -> None:
    """A health plan file: print a template to fill in, or check one."""
    from ketacost.errors import InputError
    from ketacost.planfile import TEMPLATE, load_plan, template_from_book

    if template:
        sys.stdout.write(TEMPLATE)
        return
    if typical is not None:
        book, _ = of(ctx).book(pricing)
        sys.stdout.write(template_from_book(book, typical))
        return
    if file is None:
        raise InputError(
            "give a plan FILE to check, --template to print one to fill in, or --typical ID",
            param="FILE",
        )
    pf = load_plan(file, "FILE")
    fields = pf.scenario_fields()
    shown = ", ".join(f"{k}={_shown_value(v)}" for k, v in fields.items())
    typer.echo(f"{file}: OK — {pf.type}; {shown}")


def _shown_value(v: Any) -> str:
    if isinstance(v, tuple):
        return "-".join(f"{x:02d}" for x in v)
    return str(v)
