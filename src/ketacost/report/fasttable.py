"""A rich `Table` that measures and renders its text cells without rich's layers.

Rich lays out every cell the same way: it wraps it in a `Padding`, measures it through
`Measurement.get`, and renders it through two nested `Console.render_lines` calls, each
cutting the segments into lines and padding them. For a cell of text, all of that comes
down to its lines' segments and the padding around them, which this class builds
directly: a one-line cell that fits its column (most cells of our tables: money, dates,
counts) without wrapping, any other through rich's own `Text.wrap`. The same segments,
in the same order and with the same styles, so the output is byte-identical. Any other
cell (markup, a renderable that is not plain `Text`, justify "full", overflow "ignore")
goes through rich's own code, unchanged.

`_render` is rich 15's `Table._render` with the cell step swapped (`_cell_lines`);
`tests/test_fasttable.py` holds this table's output equal to rich's `Table` for
hypothesis-chosen cells, widths, styles and colour systems, and
`benchmarks/render_compare.py` holds every table screen equal to the version before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, get_character_cell_size
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Column, Table
from rich.text import Span, Text

if TYPE_CHECKING:
    from rich.align import VerticalAlignMethod
    from rich.console import Console, ConsoleOptions, RenderResult

_JUSTIFY = ("left", "right", "center")
_NULL = Style.null()
_ASCII = frozenset(map(chr, range(0x20, 0x7F)))  # printable ASCII: one cell each
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines


def _plain_text(renderable: Any, console: Console) -> Text | None:
    """The cell as a `Text` when the fast path renders it as rich would, else None.

    A string becomes the `Text` rich's markup would make of it only when it has no
    markup (`[`) and no emoji code (`:`) to look up."""
    if isinstance(renderable, str):
        if "[" in renderable or ":" in renderable:
            return None
        return Text(renderable)
    if type(renderable) is not Text:
        return None
    if renderable.justify or renderable.overflow or renderable.no_wrap is not None:
        return None
    if renderable.end != "\n" or renderable.tab_size is not None:
        return None
    return renderable


def _simple(plain: str) -> bool:
    """One line of printable characters, each one cell wide, with no trailing space
    (rich strips trailing space before it right-aligns or centres a line)."""
    return (
        plain.isprintable()
        and cell_len(plain) == len(plain)
        and not (plain and plain[-1].isspace())
    )


def _one_cell_each(plain: str) -> bool:
    """Every character of its lines is one cell wide (`cell_len` sums the characters'
    widths, but for zero-width joiners and variation selectors, not one cell wide)."""
    chars = set(plain) - _BREAKS
    return chars <= _ASCII or all(get_character_cell_size(c) == 1 for c in chars - _ASCII)


def _normal(low: int, high: int) -> tuple[int, int]:
    """`Measurement.normalize`."""
    low = min(max(0, low), high)
    return max(0, low), max(0, low, high)


def _measure(text: Text, extra: int, max_width: int) -> Measurement:
    """`Measurement.get` of `Padding(text)` with `extra` columns of padding: the same
    steps as rich's, in integers."""
    if max_width < 1:
        return Measurement(0, 0)
    if max_width - extra < 1:
        return Measurement(max_width, max_width)
    plain = text.plain
    # Where every character is one cell wide, so is every line and word: its length.
    width = len if _one_cell_each(plain) else cell_len
    lines = plain.splitlines()
    widest = max(map(width, lines)) if lines else 0
    words = plain.split()
    narrowest = max(map(width, words)) if words else widest
    # Text.__rich_measure__, normalized and capped by Measurement.get
    low, high = _normal(narrowest, widest)
    low, high = min(low, max_width), min(high, max_width)
    low, high = (0, 0) if high < 1 else _normal(low, high)
    # Padding.__rich_measure__, then Measurement.get again
    low, high = min(low + extra, max_width), min(high + extra, max_width)
    low, high = _normal(low, high)
    low, high = min(low, max_width), min(high, max_width)
    return Measurement(0, 0) if high < 1 else Measurement(*_normal(low, high))


def _styled(console: Console, line: Text, spanned: bool) -> list[Segment]:
    """The segments of one line of a cell's text, cut and styled as rich's rendering
    of the whole cell makes them: `Text.join` turns each line's style into a span and
    `Text.render` cuts at the spans' edges, giving unstyled stretches a null style
    when any line has a span (`spanned`), none otherwise; an empty line has none."""
    plain = line.plain
    spans = [Span(0, len(plain), line.style)] if line.style else []
    spans.extend(line.spans)
    if spans:
        return list(Text(plain, spans=spans).render(console))
    if not plain:
        return []
    return [Segment(plain, console.get_style(""))] if spanned else [Segment(plain)]


def _padded(segments: list[Segment], left: int, right: int, style: Style) -> list[Segment]:
    """One line of a cell as `Padding` and the table's cell style make it."""
    if left:
        segments.insert(0, Segment(" " * left, _NULL))
    if right:
        segments.append(Segment(" " * right, _NULL))
    if style:
        return [Segment(t, style + s, c) for t, s, c in segments]
    return segments


def _one_line(console: Console, text: Text, inner: int, justify: str) -> list[Segment] | None:
    """The segments of a one-line cell that fits `inner` columns, else None: the line
    `Text.wrap` would make, without wrapping."""
    plain = text.plain
    if len(plain) > inner or not _simple(plain):
        return None
    room = inner - len(plain)
    if justify == "left":
        before, after = 0, room
    elif justify == "right":
        before, after = room, 0
    else:
        before = room // 2
        after = room - before
    line = Text(" " * before + plain + " " * after, style=text.style)
    line.spans[:] = [Span(s + before, e + before, st) for s, e, st in text.spans]
    return _styled(console, line, bool(line.style or line.spans))


def _text_lines(console: Console, text: Text, inner: int, column: Column) -> list[list[Segment]]:
    """Every line of a cell's text: rich's own wrapping, then each line's segments
    as rich's `Text.__rich_console__` and `Console.render_lines` cut and pad them."""
    lines = text.wrap(
        console,
        inner,
        justify=column.justify,
        overflow=column.overflow,
        tab_size=console.tab_size or 8,
        no_wrap=bool(column.no_wrap),
    )
    spanned = any(line.style or line.spans for line in lines)
    return [
        Segment.adjust_line_length(_styled(console, line, spanned), inner, style=_NULL)
        for line in lines
    ]


class FastTable(Table):
    """A `Table` (same arguments, same output) that lays out simple cells cheaply."""

    def _measure_column(
        self, console: Console, options: ConsoleOptions, column: Column
    ) -> Measurement:
        if column.width is not None:
            return super()._measure_column(console, options, column)
        max_width = options.max_width
        if max_width < 1:
            return Measurement(0, 0)
        padding_width = self._get_padding_width(column._index)
        min_widths: list[int] = []
        max_widths: list[int] = []
        for cell in self._get_cells(console, column._index, column):
            padded = cell.renderable
            text = _plain_text(padded.renderable, console) if isinstance(padded, Padding) else None
            if text is None:
                low, high = Measurement.get(console, options, padded)
            else:
                assert isinstance(padded, Padding)
                low, high = _measure(text, padded.left + padded.right, max_width)
            min_widths.append(low)
            max_widths.append(high)
        measurement = Measurement(
            max(min_widths) if min_widths else 1,
            max(max_widths) if max_widths else max_width,
        ).with_maximum(max_width)
        return measurement.clamp(
            None if column.min_width is None else column.min_width + padding_width,
            None if column.max_width is None else column.max_width + padding_width,
        )

    def _cell_lines(
        self,
        console: Console,
        options: ConsoleOptions,
        renderable: Any,
        width: int,
        column: Column,
        style: Style,
    ) -> tuple[list[list[Segment]], bool]:
        """A cell's lines, and whether each is exactly `width` cells (so shaping the
        cell to the row changes nothing when it has the row's height)."""
        if (
            isinstance(renderable, Padding)
            and not renderable.top
            and not renderable.bottom
            and column.justify in _JUSTIFY
            and column.overflow != "ignore"
            and not console.get_style(renderable.style)
        ):
            text = _plain_text(renderable.renderable, console)
            left, right = renderable.left, renderable.right
            inner = width - left - right
            if text is not None and inner >= 1:
                line = _one_line(console, text, inner, column.justify)
                lines = [line] if line is not None else _text_lines(console, text, inner, column)
                return [_padded(segments, left, right, style) for segments in lines], True
        render_options = options.update(
            width=width,
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow=column.overflow,
            height=None,
            highlight=column.highlight,
        )
        return console.render_lines(renderable, render_options, style=style), False

    def _render(self, console: Console, options: ConsoleOptions, widths: list[int]) -> RenderResult:
        # rich 15's Table._render, with each cell's lines from _cell_lines.
        from rich._loop import loop_first_last, loop_last

        table_style = console.get_style(self.style or "")
        border_style = table_style + console.get_style(self.border_style or "")
        _column_cells = (
            self._get_cells(console, column_index, column)
            for column_index, column in enumerate(self.columns)
        )
        row_cells = list(zip(*_column_cells, strict=True))
        _box = (
            self.box.substitute(
                options, safe=console.safe_box if self.safe_box is None else self.safe_box
            )
            if self.box
            else None
        )
        _box = _box.get_plain_headed_box() if _box and not self.show_header else _box
        new_line = Segment.line()
        columns = self.columns
        show_header = self.show_header
        show_footer = self.show_footer
        show_edge = self.show_edge
        show_lines = self.show_lines
        leading = self.leading
        if _box:
            box_segments = [
                (
                    Segment(_box.head_left, border_style),
                    Segment(_box.head_right, border_style),
                    Segment(_box.head_vertical, border_style),
                ),
                (
                    Segment(_box.mid_left, border_style),
                    Segment(_box.mid_right, border_style),
                    Segment(_box.mid_vertical, border_style),
                ),
                (
                    Segment(_box.foot_left, border_style),
                    Segment(_box.foot_right, border_style),
                    Segment(_box.foot_vertical, border_style),
                ),
            ]
            if show_edge:
                yield Segment(_box.get_top(widths), border_style)
                yield new_line
        else:
            box_segments = []
        get_row_style = self.get_row_style
        get_style = console.get_style
        for index, (first, last, row_cell) in enumerate(loop_first_last(row_cells)):
            header_row = first and show_header
            footer_row = last and show_footer
            row = self.rows[index - show_header] if (not header_row and not footer_row) else None
            max_height = 1
            cells: list[list[list[Segment]]] = []
            exact: list[bool] = []
            if header_row or footer_row:
                row_style = Style.null()
            else:
                row_style = get_style(get_row_style(console, index - 1 if show_header else index))
            for width, cell, column in zip(widths, row_cell, columns, strict=False):
                lines, fits = self._cell_lines(
                    console,
                    options,
                    cell.renderable,
                    width,
                    column,
                    get_style(cell.style) + row_style,
                )
                max_height = max(max_height, len(lines))
                cells.append(lines)
                exact.append(fits)
            row_height = max(len(cell) for cell in cells)

            def align_cell(
                cell: list[list[Segment]],
                vertical: VerticalAlignMethod,
                width: int,
                style: Style,
                header_row: bool = header_row,
                footer_row: bool = footer_row,
                row_height: int = row_height,
            ) -> list[list[Segment]]:
                if header_row:
                    vertical = "bottom"
                elif footer_row:
                    vertical = "top"
                if vertical == "top":
                    return Segment.align_top(cell, width, row_height, style)
                elif vertical == "middle":
                    return Segment.align_middle(cell, width, row_height, style)
                return Segment.align_bottom(cell, width, row_height, style)

            cells[:] = [
                cell
                if fits and len(cell) == max_height
                else Segment.set_shape(
                    align_cell(cell, _cell.vertical, width, get_style(_cell.style) + row_style),
                    width,
                    max_height,
                )
                for width, _cell, cell, fits in zip(widths, row_cell, cells, exact, strict=False)
            ]
            if _box:
                if last and show_footer:
                    yield Segment(_box.get_row(widths, "foot", edge=show_edge), border_style)
                    yield new_line
                left, right, _divider = box_segments[0 if first else (2 if last else 1)]
                # A blank divider takes the row's background, as in rich.
                divider = (
                    _divider
                    if _divider.text.strip()
                    else Segment(_divider.text, row_style.background_style + _divider.style)
                )
                for line_no in range(max_height):
                    if show_edge:
                        yield left
                    for last_cell, rendered_cell in loop_last(cells):
                        yield from rendered_cell[line_no]
                        if not last_cell:
                            yield divider
                    if show_edge:
                        yield right
                    yield new_line
            else:
                for line_no in range(max_height):
                    for rendered_cell in cells:
                        yield from rendered_cell[line_no]
                    yield new_line
            if _box and first and show_header:
                yield Segment(_box.get_row(widths, "head", edge=show_edge), border_style)
                yield new_line
            end_section = row and row.end_section
            if (
                _box
                and (show_lines or leading or end_section)
                and not last
                and not (show_footer and index >= len(row_cells) - 2)
                and not (show_header and header_row)
            ):
                if leading:
                    yield Segment(
                        _box.get_row(widths, "mid", edge=show_edge) * leading, border_style
                    )
                else:
                    yield Segment(_box.get_row(widths, "row", edge=show_edge), border_style)
                yield new_line
        if _box and show_edge:
            yield Segment(_box.get_bottom(widths), border_style)
            yield new_line
