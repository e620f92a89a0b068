"""The one place a command's result leaves: the screen (a rich table, or text), or a
file written atomically; warnings go to stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ketacost.cli.formats import Format


def warn(lines: Iterable[str]) -> None:
    for line in lines:
        sys.stderr.write(f"Warning: {line}\n")


def emit(text: str, output: Path | None, force: bool) -> None:
    """Results to stdout, or to a file written atomically."""
    if output is None:
        sys.stdout.write(text)
        return
    from ketacost.cli.output import open_atomic, write_atomic

    if output.suffix.lower() == ".pdf":  # format_for let only HTML through
        from ketacost.report.pdf import html_to_pdf
        from ketacost.safeio import shown

        data = html_to_pdf(text, shown(output))
        with open_atomic(output, force=force) as handle:
            handle.flush()
            handle.buffer.write(data)
    else:
        write_atomic(output, text, force=force)
    sys.stderr.write(f"Wrote {output}\n")


def render_text(renderable: Any) -> str:
    """A rich renderable as plain text (for -o FILE): no colour, a fixed width."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(
        file=buf,
        width=100,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    ).print(renderable, soft_wrap=False)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def deliver(
    fmt: Format,
    table: Callable[[], Any],
    texts: dict[Format, Callable[[], str]],
    output: Path | None,
    force: bool,
) -> None:
    """Every command's result: a table on the screen, else the text of its format, to
    the screen or a file. Only the chosen format is rendered."""
    if fmt is Format.table:
        if output is None:
            from ketacost.cli.context import console
            from ketacost.report.table import print_to

            print_to(console(), table())
            return
        text = render_text(table())
    else:
        text = texts[fmt]()
    emit(text, output, force)
