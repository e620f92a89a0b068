"""FastTable prints what rich's Table prints, byte for byte, for any cells, column
settings, widths and colour systems; and it does take its fast path for plain cells."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ketacost.report import fasttable
from ketacost.report.fasttable import FastTable

WORDS = st.sampled_from(
    [
        "",
        " ",
        "$1,240.00",
        "8 · 15 · 32",
        "Induction series",
        "  Rides home",
        "lun 1 mar 2027",
        "New plan year: the deductible starts again",
        "[1-9]",
        "[bold]x[/bold]",
        ":smile:",
        "trailing ",
        "tab\there",
        "next\u2028line",
        "x\x85y",
        "two\nlines",
        "日本語",
        "é",
        "e\u0301",
        "███···",
        "supercalifragilisticexpialidocious",
        "\x1b[31mraw",
    ]
)
STYLES = st.sampled_from(["", "bold", "dim", "bold yellow", "cyan", "italic", "on blue"])


@st.composite
def cells(draw: Any) -> Any:
    words = draw(st.lists(WORDS, max_size=4))
    text = " ".join(words)
    if draw(st.booleans()):
        return text
    out = Text(text, style=draw(STYLES))
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        out.stylize(draw(STYLES), start, end)
    if draw(st.booleans()):
        out.append(draw(WORDS), style=draw(STYLES))
    return out


@st.composite
def tables(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[list[Any]], list[bool]]:
    grid = draw(st.booleans())
    options: dict[str, Any] = {"padding": draw(st.sampled_from([(0, 1), (0, 2), 0, (0, 1, 0, 2)]))}
    if grid:
        options["grid"] = True
    else:
        options.update(
            box=draw(st.sampled_from([box.SIMPLE_HEAD, box.ROUNDED, None])),
            show_edge=draw(st.booleans()),
            pad_edge=draw(st.booleans()),
            show_header=draw(st.booleans()),
            title=draw(st.sampled_from([None, "What you pay"])),
            expand=draw(st.booleans()),
            show_lines=draw(st.booleans()),
        )
    columns = []
    for _ in range(draw(st.integers(1, 5))):
        columns.append(
            {
                "header": draw(st.sampled_from(["", "Low", "You pay", "Fecha", "[b]x[/b]"])),
                "justify": draw(st.sampled_from(["left", "right", "center", "full"])),
                "no_wrap": draw(st.booleans()),
                "overflow": draw(st.sampled_from(["fold", "ellipsis", "crop", "ignore"])),
                "style": draw(st.sampled_from(["", "dim", "bold"])),
                "ratio": draw(st.sampled_from([None, None, 1])),
                "min_width": draw(st.sampled_from([None, None, 18])),
                "vertical": draw(st.sampled_from(["top", "middle", "bottom"])),
            }
        )
    rows = draw(st.lists(st.lists(cells(), max_size=len(columns)), max_size=6))
    sections = [draw(st.booleans()) for _ in rows]
    return options, columns, rows, sections


def build(kind: type[Table], spec: Any) -> Table:
    options, columns, rows, sections = spec
    options = dict(options)
    table = kind.grid(padding=options["padding"]) if options.pop("grid", False) else kind(**options)
    for column in columns:
        table.add_column(**column)
    for row, section in zip(rows, sections, strict=True):
        table.add_row(*row)
        if section:
            table.add_section()
    return table


def printed(table: Table, width: int, colour: str | None, emoji: bool) -> str:
    buf = io.StringIO()
    Console(
        file=buf,
        width=width,
        color_system=colour,  # type: ignore[arg-type]
        force_terminal=colour is not None,
        highlight=False,
        emoji=emoji,
    ).print(table, soft_wrap=False)
    return buf.getvalue()


@settings(max_examples=300, deadline=None)
@given(
    tables(),
    st.sampled_from([1, 5, 20, 40, 60, 80, 100, 140, 200]),
    st.sampled_from([None, "standard", "256", "truecolor"]),
    st.booleans(),
)
def test_same_output_as_rich(spec: Any, width: int, colour: str | None, emoji: bool) -> None:
    assert printed(build(FastTable, spec), width, colour, emoji) == printed(
        build(Table, spec), width, colour, emoji
    )
    # The same segments too: a recording console (the README's SVG pictures) keeps them.
    assert segments(build(FastTable, spec), width) == segments(build(Table, spec), width)


def segments(table: Table, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system="truecolor")
    return [repr(s) for s in console.render(table)]


def test_plain_cells_take_the_fast_path(monkeypatch: Any) -> None:
    """One-line cells that fit go through no Console.render_lines call (rich's table
    makes two for each cell), and still print as rich prints them."""
    calls: list[Any] = []
    real = Console.render_lines

    def counted(self: Console, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Console, "render_lines", counted)
    fast = printed(plain_table(FastTable), 80, "truecolor", False)
    assert calls == []
    assert printed(plain_table(Table), 80, "truecolor", False) == fast
    assert len(calls) == 2 * 2 * 6  # two per cell: 2 columns, a header and 5 rows


def plain_table(kind: type[Table]) -> Table:
    table = kind(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Phase")
    table.add_column("Low", justify="right", no_wrap=True)
    for n in range(5):
        table.add_row(Text(f"Phase {n}", style="bold"), f"${n},000.00")
    return table


def test_simple_is_strict() -> None:
    assert fasttable._simple("$1,240.00")
    assert not fasttable._simple("two\nlines")
    assert not fasttable._simple("trailing ")
    assert not fasttable._simple("日本")
    assert not fasttable._simple("e\u0301")
