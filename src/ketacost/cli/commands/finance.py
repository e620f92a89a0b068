"""`ketacost finance`: a payment plan for an amount."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ketacost.cli.context import of
from ketacost.cli.deliver import deliver, warn
from ketacost.cli.edge import handled
from ketacost.cli.formats import FINANCE_FORMATS, FinanceFormat, Format, pick
from ketacost.cli.params import ForceOpt, OutputOpt, PricingOpt, format_info
from ketacost.options import PAYMENT

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost finance 1200 --months 12 --apr 0\n\n"
    "  ketacost finance 3540 --preset carecredit_12\n\n"
    "  ketacost finance 2400 --months 12 --apr 32.99 --deferred --payment 150"
)


def _opt(*names: str, help: str, metavar: str, complete: Any = None) -> Any:
    return typer.Option(
        *names,
        metavar=metavar,
        help=help,
        show_default=False,
        rich_help_panel=PAYMENT,
        autocompletion=complete,
    )


def _complete_preset(incomplete: str) -> list[str]:
    from ketacost.cli.complete import complete_preset

    return complete_preset(incomplete)


def register(app: typer.Typer) -> None:
    app.command(name="finance", epilog=EPILOG)(handled(finance))


def finance(
    ctx: typer.Context,
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The amount to finance.", show_default=False)
    ],
    months: Annotated[
        int | None, _opt("--months", metavar="N", help="Length of the plan or promotion.")
    ] = None,
    apr: Annotated[
        str | None,
        _opt("--apr", metavar="PCT", help="Yearly interest rate, e.g. 26.99. Default: 0."),
    ] = None,
    deferred: Annotated[
        bool,
        typer.Option(
            "--deferred",
            rich_help_panel=PAYMENT,
            help="A 'no interest if paid in full' promotion: miss it and interest is charged "
            "back to the purchase date.",
        ),
    ] = False,
    payment: Annotated[
        str | None,
        _opt(
            "--payment",
            metavar="AMOUNT",
            help="Your monthly payment. Default: what clears the balance in time.",
        ),
    ] = None,
    preset: Annotated[
        str | None,
        _opt(
            "--preset",
            metavar="ID",
            help="A financing plan from the price book, e.g. carecredit_12; see 'ketacost prices'.",
            complete=_complete_preset,
        ),
    ] = None,
    pricing: PricingOpt = None,
    fmt: Annotated[FinanceFormat | None, format_info(FINANCE_FORMATS)] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """A payment plan: monthly payment, interest, total, month by month."""
    from ketacost.paying.financing import plan_from_options, plan_warnings

    here = of(ctx)
    settings = here.settings()
    chosen = pick(fmt, FINANCE_FORMATS, settings, output)
    book = here.book(pricing)[0] if preset is not None else None
    plan, notes = plan_from_options(
        book,
        amount=amount,
        months=months,
        apr=apr,
        deferred=deferred,
        payment=payment,
        preset=preset,
    )
    warnings = plan_warnings(plan, payment_given=payment is not None)
    warn(warnings)

    def table() -> Any:
        from ketacost.report.table import finance_renderable

        return finance_renderable(plan, preset, notes, warnings)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, finance_doc

        return dumps(finance_doc(plan, preset, notes, warnings))

    deliver(chosen, table, {Format.json: as_json}, output, force)
