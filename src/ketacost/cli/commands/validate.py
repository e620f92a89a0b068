"""`ketacost validate`: check a custom price book, every problem with its field path."""

from __future__ import annotations

from pathlib import Path

import typer

from ketacost.cli.edge import handled


def register(app: typer.Typer) -> None:
    app.command(
        name="validate", epilog="[bold]Example[/bold]\n\n  ketacost validate my-clinic.yaml"
    )(handled(validate))


def validate(
    file: Path = typer.Argument(
        ..., metavar="FILE", help="The price book to check.", show_default=False
    ),
) -> None:
    """Check a custom price book: every problem, each with its field path."""
    from ketacost.book import pricebook

    book = pricebook.load(file, all_errors=True)
    count = sum(1 for _ in pricebook.iter_figures(book))
    typer.echo(f"{file}: OK — {count} figures, as of {book.as_of.isoformat()}")
    if book.overridden:
        typer.echo(
            f"Clinic figures ({len(book.overridden)}): {', '.join(book.overridden)}; "
            "everything else from the national book."
        )
