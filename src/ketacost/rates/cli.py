"""`ketacost rates ...`: the typer commands. Registered by `ketacost.cli`; the work is in
`ketacost.rates.extract`, imported only when a command runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ketacost.cli.context import Run

rates_app = typer.Typer(
    name="rates",
    help="Real negotiated rates from public price-transparency files.",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

PROGRESS_MIN_BYTES = 4 * 1024 * 1024  # a bar only for files over a few MB


@rates_app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost rates extract in-network.json.gz --npi 1234567893 -o rates.yaml\n\n"
        "  ketacost rates extract plan-a.json.gz allowed.json hospital.csv --npi 1234567893 "
        "--tin 12-3456789 --jobs 3 -o rates.yaml\n\n"
        "  ketacost estimate spravato --insurance commercial --covered --rates rates.yaml"
    ),
)
def extract(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="TiC in-network-rates or allowed-amounts JSON (plain or .gz), or a hospital "
            "price-transparency file (CMS v3 CSV tall or wide, or JSON).",
            show_default=False,
        ),
    ],
    npi: Annotated[
        str,
        typer.Option("--npi", metavar="NPI", help="The clinic's 10-digit NPI (see NPPES)."),
    ],
    tin: Annotated[
        str | None,
        typer.Option("--tin", metavar="TIN", help="Only rates under this TIN (EIN)."),
    ] = None,
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            metavar="CODE",
            help="Also keep this billing code (repeatable). Default: the codes the price "
            "book bills (G2082, G2083, J0013, S0013, 96365, 96366, E/M, psychotherapy).",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", metavar="N", min=1, max=64, help="Files in parallel."),
    ] = 1,
    pricing: Annotated[
        Path | None,
        typer.Option("--pricing", metavar="FILE", envvar="KETACOST_PRICING", hidden=True),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="RATES.yaml",
            help="Write the rate book here (atomically; an existing file is kept unless "
            "--force). Default: the screen.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file.")] = False,
) -> None:
    """Keep one provider's rates for this project's codes: a small rate book for --rates."""
    from ketacost.cli.context import of
    from ketacost.cli.edge import handled

    handled(_extract)(of(ctx), files, npi, tin, code, jobs, pricing, output, force)


def _extract(
    here: Run,
    files: list[str],
    npi: str,
    tin: str | None,
    code: list[str] | None,
    jobs: int,
    pricing: Path | None,
    output: Path | None,
    force: bool,
) -> None:
    import re

    from ketacost.engine.goodfaith import check_npi, check_tin
    from ketacost.errors import InputError
    from ketacost.rates import extract as ex
    from ketacost.rates.book import dump

    npi = check_npi(npi, "--npi")
    tin = check_tin(tin, "--tin") if tin is not None else None
    extra = []
    for c in code or []:
        text = c.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{3,7}", text):
            raise InputError(f"--code: '{c}' is not a billing code such as 99213 or G2082")
        extra.append(text)
    if output is not None and output.exists() and not force:
        # refuse before hours of reading, not after
        from ketacost.cli.output import OutputError

        raise OutputError(f"-o {output}: already exists; add --force to replace it")
    book, _ = here.book(pricing)
    codes = sorted(set(ex.default_codes(book)) | set(extra))
    sizes = [Path(f).stat().st_size if Path(f).is_file() else 0 for f in files]
    show_bar = sys.stderr.isatty() and sum(sizes) >= PROGRESS_MIN_BYTES
    if show_bar:
        parts = _with_progress(files, npi, tin, codes, jobs)
    else:
        parts = ex.run(files, npi=npi, tin=tin, codes=codes, jobs=jobs)
    rate_book = ex.build_book(parts, npi=npi, tin=tin, codes=codes, today=here.today())
    text = dump(rate_book)
    if output is None:
        sys.stdout.write(text)
    else:
        from ketacost.cli.output import write_atomic

        write_atomic(output, text, force=force)
    found = sorted({r.code for r in rate_book.negotiated})
    sys.stderr.write(
        f"{'Wrote ' + str(output) + ': ' if output else ''}{len(rate_book.negotiated)} "
        f"negotiated rate(s){' (' + ', '.join(found) + ')' if found else ''}, "
        f"{len(rate_book.allowed_amounts)} allowed amount(s), {len(rate_book.hospital)} "
        f"hospital charge(s) from {len(files)} file(s) for NPI {npi}.\n"
    )
    for note in rate_book.notes:
        sys.stderr.write(f"Note: {note}\n")


def _with_progress(
    files: list[str], npi: str, tin: str | None, codes: list[str], jobs: int
) -> list[dict[str, Any]]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from ketacost.rates import extract as ex

    console = Console(stderr=True, highlight=False, no_color=bool(os.environ.get("NO_COLOR")))
    if jobs > 1 and len(files) > 1:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} files"),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("extracting", total=len(files))
            return ex.run(
                files,
                npi=npi,
                tin=tin,
                codes=codes,
                jobs=jobs,
                done=lambda n: bar.update(task, completed=n),
            )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks = [bar.add_task(Path(f).name, total=None, start=False) for f in files]
        state = {"last": 0}

        def report(i: int) -> ex.Reporter:
            bar.start_task(tasks[i])
            state["last"] = 0

            def update(total: int, done: int) -> None:
                # redraw at most every 4 MB read: the bar must not slow the parser
                if done - state["last"] >= 4 << 20 or done >= total:
                    state["last"] = done
                    bar.update(tasks[i], total=total, completed=done)

            return update

        return ex.run(files, npi=npi, tin=tin, codes=codes, jobs=1, report=report)
