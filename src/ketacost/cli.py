"""The command line: thin typer commands over the core modules.

Results go to stdout, errors and warnings to stderr. A KetacostError becomes one short
line and exit code 2; anything unexpected becomes one line, a hint and exit code 1.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from ketacost import __version__
from ketacost.errors import KetacostError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="ketacost",
    help=(
        "Estimate what ketamine treatment for depression will cost a patient in the US: "
        "cost ranges per treatment phase, with the source of every figure.\n\n"
        "A cost estimate, not medical advice."
    ),
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


class Format(str, Enum):
    table = "table"
    json = "json"


def _say_error(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")


def handled(func: F) -> F:
    """Turn domain errors into one line + exit 2, and bugs into one line + exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KetacostError as exc:
            _say_error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("KETACOST_DEBUG"):
                raise
            _say_error(
                f"internal error ({type(exc).__name__}: {exc}). "
                "Set KETACOST_DEBUG=1 to see the traceback, and please report it."
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketacost {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Estimate what ketamine treatment for depression costs a US patient."""


# ----------------------------------------------------------------------- shared options

PRICING_HELP = "A custom price book (YAML). Env: KETACOST_PRICING. Default: the bundled book."


def _pricing_option() -> Any:
    return typer.Option(
        None,
        "--pricing",
        metavar="FILE",
        envvar="KETACOST_PRICING",
        help=PRICING_HELP,
        show_envvar=False,
        rich_help_panel="Price",
    )


def _format_option() -> Any:
    return typer.Option(
        Format.table,
        "--format",
        "-f",
        case_sensitive=False,
        help="Output format: table or json.",
        rich_help_panel="Output",
    )


def _load_book(path: Path | None) -> tuple[Any, str | None]:
    from ketacost import pricebook

    book = pricebook.load(path)
    return book, (str(path) if path is not None else None)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _warn(lines: list[str] | tuple[str, ...]) -> None:
    for line in lines:
        sys.stderr.write(f"Warning: {line}\n")


# ----------------------------------------------------------------------------- estimate


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost estimate iv\n\n"
        "  ketacost estimate iv --price 500 --sessions 6 --no-maintenance --consult 0\n\n"
        "  ketacost estimate spravato --dose 84 --months 6 --format json"
    ),
)
@handled
def estimate(
    treatment: str = typer.Argument(
        ...,
        metavar="TREATMENT",
        help="iv, im, kap, spravato, oral or nasal (aliases accepted).",
        show_default=False,
    ),
    months: int = typer.Option(
        12,
        "--months",
        metavar="N",
        help="Horizon in months (1-60).",
        rich_help_panel="Schedule",
    ),
    start: str = typer.Option(
        None,
        "--start",
        metavar="DATE",
        help="First session, YYYY-MM-DD. Default: today.",
        show_default=False,
        rich_help_panel="Schedule",
    ),
    sessions: int = typer.Option(
        None,
        "--sessions",
        metavar="N",
        help="Sessions in the first (induction) phase; replaces the protocol's count.",
        show_default=False,
        rich_help_panel="Schedule",
    ),
    maintenance_weeks: int = typer.Option(
        None,
        "--maintenance-weeks",
        metavar="WEEKS",
        help="Weeks between maintenance sessions (spravato: 1 or 2, from week 9).",
        show_default=False,
        rich_help_panel="Schedule",
    ),
    no_maintenance: bool = typer.Option(
        False,
        "--no-maintenance",
        help="Induction only: leave out maintenance sessions.",
        rich_help_panel="Schedule",
    ),
    price: str = typer.Option(
        None,
        "--price",
        metavar="AMOUNT",
        help="The clinic's quoted price per session, all-in (replaces the book's range).",
        show_default=False,
        rich_help_panel="Price",
    ),
    consult: str = typer.Option(
        None,
        "--consult",
        metavar="AMOUNT",
        help="One-time consultation fee; 0 for none.",
        show_default=False,
        rich_help_panel="Price",
    ),
    dose: int = typer.Option(
        None,
        "--dose",
        metavar="MG",
        help="Spravato dose in mg: 56 or 84.",
        show_default=False,
        rich_help_panel="Price",
    ),
    discount: list[str] = typer.Option(
        None,
        "--discount",
        metavar="ID",
        help="A discount id from the price book (repeatable); see 'ketacost prices'.",
        show_default=False,
        rich_help_panel="Price",
    ),
    pricing: Path = _pricing_option(),
    fmt: Format = _format_option(),
) -> None:
    """Cost range per treatment phase over the coming months, with sources."""
    from ketacost.estimate import build
    from ketacost.scenario import Scenario

    scenario = Scenario.from_options(
        treatment=treatment,
        months=months,
        start=start,
        sessions=sessions,
        maintenance_weeks=maintenance_weeks,
        maintenance=not no_maintenance,
        price=price,
        consult=consult,
        dose=dose,
        discounts=tuple(discount or ()),
    )
    book, book_path = _load_book(pricing)
    est = build(book, scenario.resolved(book), book_path=book_path)
    _warn(est.warnings)
    if fmt is Format.json:
        from ketacost.report.jsonout import dumps, estimate_doc

        sys.stdout.write(dumps(estimate_doc(est)))
        return
    from ketacost.report.table import estimate_renderable, print_to

    print_to(_console(), estimate_renderable(est))


# ------------------------------------------------------------------------------- prices


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n  ketacost prices\n\n  ketacost prices spravato --format json"
    ),
)
@handled
def prices(
    treatment: str = typer.Argument(
        None,
        metavar="TREATMENT",
        help="Show only this treatment's figures.",
        show_default=False,
    ),
    pricing: Path = _pricing_option(),
    fmt: Format = _format_option(),
) -> None:
    """The price book: every figure with its range, unit, basis and sources."""
    from ketacost.pricebook import resolve_treatment

    book, _ = _load_book(pricing)
    tid = resolve_treatment(book, treatment) if treatment else None
    if fmt is Format.json:
        from ketacost.report.jsonout import dumps, prices_doc

        sys.stdout.write(dumps(prices_doc(book, tid)))
        return
    from ketacost.report.table import prices_renderable, print_to

    print_to(_console(), prices_renderable(book, tid))


# ----------------------------------------------------------------------------- validate


@app.command(
    epilog="[bold]Example[/bold]\n\n  ketacost validate my-clinic.yaml",
)
@handled
def validate(
    file: Path = typer.Argument(
        ..., metavar="FILE", help="The price book to check.", show_default=False
    ),
) -> None:
    """Check a custom price book: format, ranges, units and sources."""
    from ketacost import pricebook

    book = pricebook.load(file)
    count = sum(1 for _ in pricebook.iter_figures(book))
    typer.echo(f"{file}: OK — {count} figures, as of {book.as_of.isoformat()}")


def main() -> None:
    app()
