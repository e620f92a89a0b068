"""`ketacost batch`: one quote per row of a CSV file, streamed."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ketacost.cli.context import console, of
from ketacost.cli.edge import handled
from ketacost.cli.formats import BatchFormat, format_for
from ketacost.cli.params import ForceOpt, OutputOpt, PricingOpt
from ketacost.options import OUTPUT

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost batch patients.csv -o quotes.csv\n\n"
    "  ketacost batch patients.csv --format jsonl > quotes.jsonl\n\n"
    "  cat patients.csv | ketacost batch -\n\n"
    "Columns use the option names: treatment, months, start, sessions, price, consult, "
    "dose, discount, insurance, covered, network, allowed, deductible, coinsurance, "
    "copay, oop_max, medigap, plan_year_start, hsa, ... plus a free id column and any "
    "x_ column, passed through."
)


def register(app: typer.Typer) -> None:
    app.command(name="batch", epilog=EPILOG)(handled(batch))


def batch(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE.csv", help="Patients, one per row; - reads stdin.", show_default=False
        ),
    ],
    pricing: PricingOpt = None,
    fmt: Annotated[
        BatchFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            metavar="FORMAT",
            show_default=False,
            rich_help_panel=OUTPUT,
            help="csv (the input columns plus the quote) or jsonl. Default: from -o's "
            "extension, else csv.",
        ),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """One quote per row of a CSV file. Exit code 1 if any row failed (the rest are written)."""
    from ketacost import batch as batching
    from ketacost.errors import InputError

    here = of(ctx)
    kind: Any = format_for(fmt.value if fmt else None, ("csv", "jsonl"), output, "csv")
    book, _ = here.book(pricing)
    with contextlib.ExitStack() as stack:
        lines = batching.Lines(stack.enter_context(_batch_input(file)))
        if output is None:
            sink: Any = sys.stdout
        else:
            from ketacost.cli.output import open_atomic

            sink = stack.enter_context(open_atomic(output, force=force))
        progress = stack.enter_context(_progress()) if sys.stderr.isatty() else None
        try:
            base = None if str(file) == "-" else Path(file).parent
            rows, failed = batching.run(book, lines, sink, kind, progress=progress, base=base)
        except InputError as exc:
            shown = "stdin" if file == "-" else file
            raise InputError(f"FILE {shown}: {exc.message}", param="FILE") from None
    if output is not None:
        sys.stderr.write(f"Wrote {output}\n")
    sys.stderr.write(f"{rows} row(s) quoted, {failed} with errors.\n")
    if failed:
        raise typer.Exit(1)


@contextlib.contextmanager
def _batch_input(file: str) -> Iterator[Any]:
    """The batch file (a regular file, never a device or a FIFO) or stdin for "-", as
    text decoded the same way for both: UTF-8 with bad bytes kept as surrogates, for
    batch.Lines to refuse with their line number after the rows before them are done."""
    import io

    from ketacost import safeio
    from ketacost.errors import InputError

    def text(raw: Any) -> io.TextIOWrapper:
        return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")

    if file == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise InputError("FILE -: stdin is closed; give a file name", param="FILE")
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:  # a text-only stdin (an embedding program): already decoded
            yield sys.stdin
            return
        wrapper = text(raw)
        try:
            yield wrapper
        finally:
            wrapper.detach()  # stdin stays open for whoever owns it
        return
    try:
        fd = safeio.open_regular(file)
    except safeio.ReadError as exc:
        shown = repr(file) if "NUL" in exc.reason else safeio.shown(file)
        raise InputError(f"FILE {shown}: {exc.reason}", param="FILE") from None
    with text(io.FileIO(fd, "rb")) as handle:
        yield handle


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """A rich progress line on stderr; yields the callback batch.run calls."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} rows quoted"),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=None)
        yield lambda done: bar.update(task, completed=done)
