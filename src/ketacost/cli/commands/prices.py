"""`ketacost prices`: the price book, figure by figure; or a clinic book to start from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ketacost.cli.context import of
from ketacost.cli.deliver import emit
from ketacost.cli.edge import handled
from ketacost.cli.formats import FINANCE_FORMATS, FinanceFormat, Format, pick
from ketacost.cli.params import PricingOpt, format_info
from ketacost.options import OUTPUT

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
    fmt: Annotated[FinanceFormat | None, format_info(FINANCE_FORMATS)] = None,
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
    if chosen is Format.table:
        show_table(here, pricing, treatment)
        return
    book, _ = here.book(pricing)
    tid = resolve_treatment(book, treatment) if treatment else None

    from ketacost.report.jsonout import dumps, prices_doc

    emit(dumps(prices_doc(book, tid)), None, False)  # JSON: the table returned above


def show_table(here: Any, pricing: Path | None, treatment: str | None) -> None:
    """The price book on the screen. Its text depends only on the book, the treatment,
    the language and the terminal, so it is kept in the screen cache
    (`report/screencache.py`) and shown from there when all of them are as before:
    the book is then neither loaded nor laid out."""
    import os

    from ketacost import i18n
    from ketacost.book.files import bundled_path, read_book_text
    from ketacost.cli.context import console
    from ketacost.report import screencache

    out = console()
    path = pricing if pricing is not None else here.configured("pricing")
    text = read_book_text(Path(path) if path is not None else bundled_path())
    # Written as rich writes it on POSIX, outside Jupyter; elsewhere rich prints it.
    cacheable = os.name == "posix" and not out.is_jupyter
    screen = None
    if cacheable:
        parts = (text, bundled_path().read_bytes(), treatment or "", i18n.language())
        screen = screencache.key((*parts, screencache.console_settings(out)))
    if screen is not None:
        shown = screencache.get(screen)
        if shown is not None:
            out.file.write(shown)
            out.file.flush()
            return
    from ketacost.book.pricebook import resolve_treatment
    from ketacost.report.table import prices_renderable, print_to

    book, _ = here.book(pricing)
    tid = resolve_treatment(book, treatment) if treatment else None

    if screen is None:
        print_to(out, prices_renderable(book, tid))
        return
    with out.capture() as captured:
        print_to(out, prices_renderable(book, tid))
    shown = captured.get()
    screencache.put(screen, shown)
    out.file.write(shown)
    out.file.flush()
