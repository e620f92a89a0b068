"""Batch quoting: one estimate per row of a CSV file, streamed row by row.

Each input row is a scenario written with the CLI's option names as columns
(`treatment,months,price,insurance,deductible,...`). Each output row repeats the input
cells and adds the estimate's totals (low / typical / high) and an `error` cell. A bad
row gets its physical line number in `error` and blank figures; the rest of the file is
still quoted. Nothing here holds more than one row (plus a bounded cache of results for
repeated scenarios) in memory, so a file of any length streams through.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

from ketacost import options
from ketacost.amounts import cents, money_str
from ketacost.book.pricebook import PriceBook
from ketacost.engine import fastselfpay
from ketacost.engine.fastclaims import fast_batch_cents
from ketacost.engine.fastpaths import batch_figures
from ketacost.engine.fastselfpay import SelfPayPlan, pre_tax_cents, self_pay_plan
from ketacost.engine.results import BatchCents, BatchFigures
from ketacost.errors import InputError, KetacostError
from ketacost.scenario import MAX_MONTHS, MAX_YEAR, MIN_YEAR, Scenario

# Scenario options, by their CLI names with underscores, then the free `id` column.
OPTION_COLUMNS: tuple[str, ...] = options.batch_columns()
COLUMNS: tuple[str, ...] = (*OPTION_COLUMNS, "id")
PASS_PREFIX = "x_"  # the counselor's own columns, passed through untouched

_KIND = {name: options.BY_NAME[name].kind for name in OPTION_COLUMNS}
FILE_COLUMNS = frozenset({"plan", "secondary"})  # found next to the batch file
INT_COLUMNS = frozenset(c for c, kind in _KIND.items() if kind == "count")
BOOL_COLUMNS = frozenset(c for c, kind in _KIND.items() if kind in ("flag", "switch"))
_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})
_DISCOUNT_SEPARATORS = (";", "|")

FIGURES: tuple[str, ...] = ("billed", "insurer", "assistance", "patient", "net")
CASE_NAMES: tuple[str, ...] = ("low", "typical", "high")
MONEY_COLUMNS: tuple[str, ...] = tuple(f"{f}_{c}" for f in FIGURES for c in CASE_NAMES)
# What a counselor budgets with, as `estimate` and `compare --format csv` have it: the
# treatment's name (as compare's `name`), the first series (e.g. induction) and the first
# calendar month (typical), the average month, and the tax saved with an HSA or FSA.
PLAN_COLUMNS: tuple[str, ...] = (
    "name",
    *(f"first_series_{c}" for c in CASE_NAMES),
    "first_month",
    "first_month_patient",
    *(f"per_month_{c}" for c in CASE_NAMES),
    *(f"tax_savings_{c}" for c in CASE_NAMES),
)
FIGURE_COLUMNS: tuple[str, ...] = (*MONEY_COLUMNS, *PLAN_COLUMNS)
OUTPUT_COLUMNS: tuple[str, ...] = (*FIGURE_COLUMNS, "error")
_BLANK_MONEY: tuple[str, ...] = ("",) * len(FIGURE_COLUMNS)

# No real cell comes near this; a bigger one is a wrong file or an unclosed quote.
FIELD_LIMIT = 1024 * 1024
# Nor a physical line near this: reading stops there (a file of one endless line).
LINE_LIMIT = 4 * FIELD_LIMIT
# A byte that is not UTF-8, as Python's "surrogateescape" decoding leaves it.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
# Results of distinct scenarios kept per run: batches often repeat the same scenario.
CACHE_SIZE = 1024
# ... and of distinct scenarios less their start date.
SHAPES = 4096  # ... that hold a few ints (self-pay) or a bad row's message
HEAVY_SHAPES = 1024  # ... and those that hold a scenario and its plans
PROGRESS_EVERY = 1000

Format = Literal["csv", "jsonl"]


def _normal(name: str) -> str:
    """How a header cell is matched: case-insensitive, outer spaces gone, '-'/' ' as '_'."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def check_header(fieldnames: Sequence[str] | None) -> list[str]:
    """The canonical column name for each header cell, in order.

    Raises InputError for an empty file, unknown or duplicated columns, or no
    `treatment` column. A leading byte-order mark on the first name is ignored.
    """
    if fieldnames is None or list(fieldnames) == ["\ufeff"]:
        raise InputError("the file is empty")
    if not any(n.strip().lstrip("\ufeff") for n in fieldnames):
        raise InputError(
            "line 1: the header is blank; the first line must name the columns, "
            "e.g. treatment,months,price"
        )
    names = list(fieldnames)
    names[0] = names[0].lstrip("\ufeff")
    canon = [_normal(n) for n in names]
    allowed = set(COLUMNS)
    unknown = [
        (n if n.strip() else f"(blank, column {i})")
        for i, (n, c) in enumerate(zip(names, canon, strict=True), start=1)
        if c not in allowed and not (c.startswith(PASS_PREFIX) and len(c) > len(PASS_PREFIX))
    ]
    if unknown:
        raise InputError(
            f"unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(COLUMNS)}, "
            f"and your own columns starting with {PASS_PREFIX}",
            param="header",
        )
    seen: dict[str, int] = {}
    dupes: list[str] = []
    for i, c in enumerate(canon, start=1):
        if c in seen:
            dupes.append(f"{names[i - 1]} (columns {seen[c]} and {i})")
        else:
            seen[c] = i
    if dupes:
        raise InputError(f"duplicate column(s): {', '.join(dupes)}", param="header")
    if "treatment" not in seen:
        raise InputError(
            "the header has no treatment column; every row needs a treatment "
            "(iv, im, kap, spravato, oral or nasal)",
            param="header",
        )
    return canon


def _header(reader: csv.DictReader[str]) -> list[str]:
    """Read and check the header once: strip a BOM, turn csv errors into InputError."""
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"{_lines(1, reader.reader.line_num)}: {_csv_reason(exc)}") from None
    canon = check_header(fieldnames)
    assert fieldnames is not None  # check_header refused None
    if fieldnames[0].startswith("\ufeff"):
        fieldnames = [fieldnames[0].lstrip("\ufeff"), *fieldnames[1:]]
        reader.fieldnames = fieldnames
    return canon


def _lines(first: int, last: int) -> str:
    """Where a record the csv module gave up on lies: it started somewhere in between."""
    return f"line {last}" if last <= first else f"lines {first}-{last}"


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field limit" in text:
        return (
            f"a cell is larger than the {FIELD_LIMIT // 1024 // 1024} MiB limit "
            "(an unclosed quote, or not a CSV file?)"
        )
    return f"not valid CSV ({text})"


class Lines:
    """The physical lines of a CSV text, numbered, as the csv module reads them.

    Each line is checked as it is read, so the rows before a bad line are quoted and
    written first: a line over LINE_LIMIT, or a byte that is not UTF-8 (the text is
    decoded with errors="surrogateescape", so a bad byte shows as a lone surrogate
    instead of failing a whole chunk of lines at once), stops the file with its line
    number. `record` holds the lines read since the last `start_record()`."""

    def __init__(self, source: Iterable[str]) -> None:
        readline = getattr(source, "readline", None)
        self._readline: Callable[[int], str] | None = readline if callable(readline) else None
        self._iter = iter(source)
        self.number = 0
        self.record: list[str] = []
        self.exhausted = False

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        if self._readline is not None:
            line = self._readline(LINE_LIMIT + 1)
        else:
            line = next(self._iter, "")
        if not line:
            self.exhausted = True
            raise StopIteration
        self.number += 1
        if len(line) > LINE_LIMIT:
            raise InputError(
                f"line {self.number}: is longer than {LINE_LIMIT // 1024 // 1024} MiB "
                "(not a CSV file?)"
            )
        bad = _NOT_UTF8.search(line)
        if bad is not None:
            raise InputError(
                f"line {self.number}: is not UTF-8 text (a bad byte at character "
                f"{bad.start() + 1}); save the file as UTF-8 CSV"
            )
        self.record.append(line)
        return line

    def start_record(self) -> None:
        self.record = []

    def unclosed_quote(self) -> int | None:
        """The line where a quoted cell opens that the text never closes, if it does:
        the csv module then reads every line after it into that one cell."""
        if not self.exhausted or not any('"' in line for line in self.record):
            return None
        first = self.number - len(self.record) + 1
        state, opened = "start", 0
        for offset, line in enumerate(self.record):
            for ch in line:
                if state == "quoted":
                    if ch == '"':
                        state = "closing"
                elif state == "closing":  # a quote inside quotes ("") or the end
                    state = "quoted" if ch == '"' else "start" if ch in ",\r\n" else "field"
                elif state == "start":
                    if ch == '"':
                        state, opened = "quoted", first + offset
                    elif ch not in ",\r\n":
                        state = "field"
                elif ch in ",\r\n":
                    state = "start"
        return opened if state == "quoted" else None


def _int(text: str, column: str) -> int:
    try:
        return int(text)
    except ValueError:
        option = f"--{column.replace('_', '-')}"
        raise InputError(f"{option} must be a whole number (got '{text}')", param=option) from None


def _bool(text: str, column: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    option = f"--{column.replace('_', '-')}"
    raise InputError(f"{option} must be yes or no (got '{text}')", param=option)


def scenario_from_cells(
    cells: dict[str, str], today: dt.date | None = None, base: Path | None = None
) -> Scenario:
    """A validated (not yet resolved) scenario from one row's non-blank, stripped cells,
    keyed by canonical column name. A blank `start` means `today` when it is given. A
    relative `plan` or `secondary` file is found next to the batch file (`base`)."""
    values: dict[str, Any] = {}
    for key, text in cells.items():
        if key in FILE_COLUMNS and base is not None and not Path(text).is_absolute():
            values[key] = str(base / text)
            continue
        if key in INT_COLUMNS:
            values[key] = _int(text, key)
        elif key in BOOL_COLUMNS:
            values[key] = _bool(text, key)
        elif key == "discount":
            for sep in _DISCOUNT_SEPARATORS[1:]:
                text = text.replace(sep, _DISCOUNT_SEPARATORS[0])
            values["discount"] = tuple(
                d.strip() for d in text.split(_DISCOUNT_SEPARATORS[0]) if d.strip()
            )
        else:
            values[key] = text
    if "treatment" not in values:
        raise InputError("treatment is blank; every row needs one", param="TREATMENT")
    if "start" not in values and today is not None:
        values["start"] = today
    return Scenario.from_options(**values)


def _internal(exc: Exception) -> str:
    """A bug, not bad input: one short line for the error cell."""
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:197] + "..."
    return f"internal error ({type(exc).__name__}: {text})"


class _Shape(NamedTuple):
    """What rows that differ only in their start date (and months: `_months`) share."""

    scenario: Scenario | None  # checked and resolved, with the first such row's start
    self_pay: SelfPayPlan | None  # else: the rest of a self-pay row's figures, but the date
    name: str  # the treatment's
    plans: dict[Any, Any]  # each case's resolved plan, for the claim loop


def _start_day(text: str) -> dt.date | None:
    """The start date a cell gives, when it is one every check accepts."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _months(text: str) -> int | None:
    """A months cell that every check takes (as `_int` reads it, in range), or None.
    Such a cell only sets the horizon: no check reads it with another field, so rows
    that differ in it alone share the rest of their checks and their setup."""
    try:
        n = int(text)
    except ValueError:
        return None
    return n if 1 <= n <= MAX_MONTHS else None


def _figure_cells(f: BatchFigures, name: str) -> tuple[str, ...]:
    """FIGURE_COLUMNS of a row's figures."""
    tris = (f.split.billed, f.split.insurer, f.split.assistance, f.split.patient, f.net)
    return (
        *(_money_text(x) for tri in tris for x in tri),
        name,
        *(_money_text(x) for x in f.first_series),
        f.first_month,
        _money_text(f.first_month_patient),
        *(_money_text(x) for x in f.per_month()),
        *(_money_text(x) for x in f.tax_savings),
    )


def _money_text(x: Decimal) -> str:
    """`money_str(x)`, sooner for an amount already in cents (most are): its text then
    has exactly two digits after the point."""
    text = str(x)
    return text if text[-3:-2] == "." else money_str(x)


def _cents_str(c: int) -> str:
    """Money in cents as `money_str` writes it: '1234.50'."""
    if c < 0:
        return "-" + _cents_str(-c)
    # printf-style: a third cheaper than the f-string with its two divisions
    return "%d.%02d" % divmod(c, 100)  # noqa: UP031


_ZEROS = ("0.00", "0.00", "0.00")


def _cents_cells(f: BatchCents, name: str) -> tuple[str, ...]:
    """FIGURE_COLUMNS of a row's figures in cents: the cells `_figure_cells` writes of
    `f.figures()`, without a Decimal for each."""
    tax = (f.tax_savings.low, f.tax_savings.typical, f.tax_savings.high)
    patient = f.split[3]
    months = f.months
    s0, s1, s2 = _whole_cents(tax[0]), _whole_cents(tax[1]), _whole_cents(tax[2])
    nets = None
    if s0 is not None and s1 is not None and s2 is not None:
        nets = (patient[0] - s0, patient[1] - s1, patient[2] - s2)
    if nets is not None and min(nets) >= 0:
        # what is left after the saving, in cents (never -0.00: a Decimal's +0 less
        # anything of its own size is +0), and its average month
        net = tuple(map(_cents_str, nets))
        per_month = tuple(_cents_str(fastselfpay.per_month(x, months)) for x in nets)
    else:  # as BatchFigures.net and .per_month have them (a negative one may be -0.00)
        decimals = [Decimal(p).scaleb(-2) - t for p, t in zip(patient, tax, strict=True)]
        net = tuple(map(_money_text, decimals))
        m = Decimal(months)
        per_month = tuple(_money_text(cents(x / m)) for x in decimals)
    return (
        *(_cents_str(x) for part in f.split[:4] for x in part),
        *net,
        name,
        *map(_cents_str, f.first_series),
        f.first_month,
        _cents_str(f.first_month_patient),
        *per_month,
        *map(_money_text, tax),
    )


def _whole_cents(x: Decimal) -> int | None:
    """`x` in cents, when it is a whole number of them."""
    n = x.scaleb(2)
    i = int(n)
    return i if i == n else None


def _self_pay_cells(plan: SelfPayPlan, day: dt.date, name: str) -> tuple[str, ...]:
    """FIGURE_COLUMNS of a self-pay row: the patient pays what is billed, no tax saved."""
    f = fastselfpay.figures(plan, day)
    billed = tuple(map(_cents_str, f.billed))
    return (
        *billed,
        *_ZEROS,  # insurer
        *_ZEROS,  # assistance
        *billed,  # patient
        *billed,  # net of tax savings
        name,
        *map(_cents_str, f.first_series),
        f.first_month,
        _cents_str(f.first_month_patient),
        *map(_cents_str, f.per_month),
        *_ZEROS,  # tax savings
    )


def _physical_start(row: list[str], end_line: int, floor: int) -> int:
    """The line a record starts on: its last line less the line breaks inside its cells."""
    breaks = 0
    for cell in row:
        if "\n" in cell or "\r" in cell:
            breaks += cell.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    return max(end_line - breaks, floor)


def quote_rows(
    book: PriceBook,
    reader: csv.DictReader[str],
    today: dt.date | None = None,
    lines: Lines | None = None,
    base: Path | None = None,
) -> Iterator[dict[str, str]]:
    """Quote each row of `reader` as it is read.

    Yields the input cells (keys as in the header), then FIGURE_COLUMNS (money as two-decimal
    strings), then `error`: empty, or "line N: ..." with blank figures. Raises InputError
    only for a bad header or a file the csv module cannot read on (the line is named).
    """
    header: list[str] = []
    for cells, money, error in _quoted(book, reader, today, lines, base):
        if not header:
            header = [*(reader.fieldnames or ()), *OUTPUT_COLUMNS]
        yield dict(zip(header, [*cells, *money, error], strict=True))


def _quoted(
    book: PriceBook,
    reader: csv.DictReader[str],
    today: dt.date | None,
    lines: Lines | None,
    base: Path | None,
) -> Iterator[tuple[list[str], tuple[str, ...], str]]:
    """`quote_rows` as (input cells, FIGURE_COLUMNS, error), without a dict per row."""
    _header(reader)
    fieldnames = list(reader.fieldnames or ())
    canon = [_normal(n) for n in fieldnames]
    option_at = tuple(
        i for i, key in enumerate(canon) if key != "id" and not key.startswith(PASS_PREFIX)
    )
    option_keys = tuple(canon[i] for i in option_at)
    prices: dict[object, object] = {}  # per-treatment session prices, shared by all rows
    start_at = option_keys.index("start") if "start" in option_keys else -1
    months_at = option_keys.index("months") if "months" in option_keys else -1
    # A row's cells less its start and a months cell `_months` takes: one item shorter
    # than a key less the start alone, so the two kinds of key never meet.
    rest_at = [i for i in range(len(option_keys)) if i not in (start_at, months_at)]
    rest: Callable[[tuple[str, ...]], tuple[str, ...]] = (
        itemgetter(*rest_at)
        if len(rest_at) > 1
        else lambda cells: tuple([cells[i] for i in rest_at])
    )
    # Rows that differ only in a valid start date share their checks and everything
    # their figures do not take from the date: one entry per row less its start.
    # Kept apart, each emptied when full: those that hold a scenario and its plans, and
    # the others (a few ints, or a bad row's message), so that neither crowds the other out.
    shapes: dict[tuple[str, ...], _Shape | str] = {}
    heavy: dict[tuple[str, ...], _Shape | str] = {}

    def keep(key: tuple[str, ...], shape: _Shape | str) -> None:
        scenario = None if isinstance(shape, str) else shape.scenario
        if scenario is not None and scenario.rates:
            return  # a rate book's prices may depend on the dates: checked row by row
        kept, limit = (shapes, SHAPES) if scenario is None else (heavy, HEAVY_SHAPES)
        if len(kept) >= limit:
            kept.clear()
        kept[key] = shape

    def scenario_of(cells: tuple[str, ...]) -> Scenario:
        given = {k: v for k, v in zip(option_keys, cells, strict=True) if v}
        return scenario_from_cells(given, today, base).resolved(book)

    def shape_of(cells: tuple[str, ...]) -> _Shape | str:
        """The row's checked scenario and its self-pay plan, or its error message."""
        try:
            scenario = scenario_of(cells)
        except KetacostError as exc:
            return exc.message
        name = book.treatments[scenario.treatment].name  # type: ignore[index]
        plan = self_pay_plan(book, scenario, prices)
        keep = plan is None or plan.pre_tax  # (whose figures need the scenario)
        return _Shape(scenario if keep else None, plan, name, {})

    def figures(scenario: Scenario, plans: dict[Any, Any] | None = None) -> tuple[str, ...]:
        name = book.treatments[scenario.treatment].name  # type: ignore[index]
        # Integer cents for covered rows of the common plans; else the usual path.
        fast = fast_batch_cents(book, scenario, prices, plans)
        if fast is not None:
            return _cents_cells(fast, name)
        return _figure_cells(batch_figures(book, scenario, prices), name)

    @lru_cache(maxsize=CACHE_SIZE)
    def quote(cells: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        try:
            day = _start_day(cells[start_at]) if start_at >= 0 else None
            if day is None:
                return figures(scenario_of(cells)), ""
            months = _months(cells[months_at]) if months_at >= 0 else None
            key = rest(cells) if months is not None else cells[:start_at] + cells[start_at + 1 :]
            shape = shapes.get(key)
            if shape is None:
                shape = heavy.get(key)
            if shape is None:
                shape = shape_of(cells)
                keep(key, shape)
            if isinstance(shape, str):
                return _BLANK_MONEY, shape
            plan = shape.self_pay
            if plan is not None and months is not None and plan.months != months:
                plan = plan._replace(months=months)
            if shape.scenario is None:
                assert plan is not None
                return _self_pay_cells(plan, day, shape.name), ""
            if plan is not None:  # paid in full from an HSA or FSA (the saving reads
                # neither the start nor the months of the scenario: the plan has them)
                return _cents_cells(pre_tax_cents(book, shape.scenario, plan, day), shape.name), ""
            update: dict[str, Any] = {"start": day}
            if months is not None:
                update["months"] = months
            # (the plans' setup does not depend on the start or the months either)
            return figures(shape.scenario.model_copy(update=update), shape.plans), ""
        except KetacostError as exc:
            return _BLANK_MONEY, exc.message
        except Exception as exc:  # one bad row must never stop the batch
            return _BLANK_MONEY, _internal(exc)

    yield from _rows(reader, option_at, quote, lines)


def _rows(
    reader: csv.DictReader[str],
    option_at: tuple[int, ...],
    quote: Callable[[tuple[str, ...]], tuple[tuple[str, ...], str]],
    lines: Lines | None,
) -> Iterator[tuple[list[str], tuple[str, ...], str]]:
    """(the input cells, FIGURE_COLUMNS, error) of each row, as `quote_rows` describes.

    Reads the records from the DictReader's own csv reader, as DictReader would (blank
    lines skipped), without a dict per row."""
    raw = reader.reader
    width = len(reader.fieldnames or ())
    pick = itemgetter(*option_at) if len(option_at) > 1 else None
    last_line = raw.line_num
    while True:
        if lines is not None:
            lines.start_record()
        try:
            row = next(raw)
            while not row:
                row = next(raw)
            line_num = raw.line_num
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{_lines(last_line + 1, raw.line_num)}: {_csv_reason(exc)}") from None
        money: tuple[str, ...]
        cells_of_row = row
        if len(row) != width:
            money = _BLANK_MONEY
            error = f"the row has {len(row)} cells but the header has {width}"
            cells_of_row = row[:width] if len(row) > width else row + [""] * (width - len(row))
        else:
            try:
                if pick is not None:
                    key = tuple([c.strip() for c in pick(row)])
                else:
                    key = tuple([row[i].strip() for i in option_at])
                money, error = quote(key)
            except Exception as exc:  # pragma: no cover - defensive
                money, error = _BLANK_MONEY, _internal(exc)
        opened = lines.unclosed_quote() if lines is not None else None
        if opened is not None:
            swallowed = line_num - opened
            money, error = (
                _BLANK_MONEY,
                f"line {opened}: a quote opened here is never closed, so the "
                f"{swallowed} line(s) after it were read as one cell; close the quote",
            )
        elif error:
            error = f"line {_physical_start(row, line_num, last_line + 1)}: {error}"
        last_line = line_num
        yield cells_of_row, money, error


def run(
    book: PriceBook,
    source: Iterable[str],
    sink: TextIO,
    fmt: Format,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
    base: Path | None = None,
) -> tuple[int, int]:
    """Quote every row of CSV `source` into `sink` as CSV or JSON Lines, one row at a time.

    Returns (rows, failed). `source` should be opened with newline="" and encoding
    "utf-8-sig" (a leftover BOM is stripped anyway); `sink` with newline="".
    `progress`, when given, is called with the number of rows done so far every
    PROGRESS_EVERY rows and once at the end. Raises InputError for a bad header or an
    unreadable line; the rows before it have been written.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}: use 'csv' or 'jsonl'")
    previous_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        lines = source if isinstance(source, Lines) else Lines(source)
        reader = csv.DictReader(lines)
        _header(reader)
        header = [*(reader.fieldnames or ()), *OUTPUT_COLUMNS]
        write: Callable[[list[str]], object]
        if fmt == "csv":
            # Every cell as a spreadsheet cannot run it (csvsafe); JSON Lines verbatim.
            from ketacost.csvsafe import Writer

            writer = Writer(sink)
            writer.writerow(header)
            write = writer.writerow_text
        else:
            dumps = json.JSONEncoder(ensure_ascii=False).encode

            def write(values: list[str]) -> object:
                return sink.write(dumps(dict(zip(header, values, strict=True))) + "\n")

        rows = failed = 0
        for cells, money, error in _quoted(book, reader, today, lines, base):
            write([*cells, *money, error])
            rows += 1
            if error:
                failed += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
        if progress is not None and (rows == 0 or rows % PROGRESS_EVERY):
            progress(rows)
        return rows, failed
    finally:
        csv.field_size_limit(previous_limit)
