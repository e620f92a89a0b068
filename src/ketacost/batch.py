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
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TextIO

from ketacost import options
from ketacost.amounts import money_str
from ketacost.book.pricebook import PriceBook
from ketacost.engine.fastclaims import fast_batch_figures
from ketacost.engine.fastpaths import batch_figures
from ketacost.errors import InputError, KetacostError
from ketacost.scenario import Scenario

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
CACHE_SIZE = 4096
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


def _physical_start(row: dict[str | Any, str | Any], end_line: int, floor: int) -> int:
    """The line a record starts on: its last line less the line breaks inside its cells."""
    breaks = 0
    for value in row.values():
        cells = value if isinstance(value, list) else [value]
        for cell in cells:
            if isinstance(cell, str) and ("\n" in cell or "\r" in cell):
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
    _header(reader)
    fieldnames = list(reader.fieldnames or ())
    canon = [_normal(n) for n in fieldnames]
    options = [(raw, key) for raw, key in zip(fieldnames, canon, strict=True) if key != "id"]
    options = [(raw, key) for raw, key in options if not key.startswith(PASS_PREFIX)]
    option_raws = tuple(raw for raw, _ in options)
    option_keys = tuple(key for _, key in options)
    width = len(fieldnames)
    prices: dict[object, object] = {}  # per-treatment session prices, shared by all rows

    @lru_cache(maxsize=CACHE_SIZE)
    def quote(cells: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        try:
            given = {k: v for k, v in zip(option_keys, cells, strict=True) if v}
            scenario = scenario_from_cells(given, today, base).resolved(book)
            # Integer cents for covered rows of the common plans; else the usual path.
            f = fast_batch_figures(book, scenario, prices) or batch_figures(book, scenario, prices)
            figures = (f.split.billed, f.split.insurer, f.split.assistance, f.split.patient, f.net)
            plan = (
                book.treatments[scenario.treatment].name,  # type: ignore[index]
                *(money_str(x) for x in f.first_series),
                f.first_month,
                money_str(f.first_month_patient),
                *(money_str(x) for x in f.per_month()),
                *(money_str(x) for x in f.tax_savings),
            )
            money = [money_str(x) for tri in figures for x in tri]
            return (*money, *plan), ""
        except KetacostError as exc:
            return _BLANK_MONEY, exc.message
        except Exception as exc:  # one bad row must never stop the batch
            return _BLANK_MONEY, _internal(exc)

    last_line = reader.line_num
    while True:
        if lines is not None:
            lines.start_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # DictReader.line_num is only updated after a row is read: ask its reader.
            where = _lines(last_line + 1, reader.reader.line_num)
            raise InputError(f"{where}: {_csv_reason(exc)}") from None
        out = {name: (row[name] or "") for name in fieldnames}
        extra = row.get(None)
        if extra is not None or None in row.values():
            cells = width + len(extra) if isinstance(extra, list) else width
            if extra is None:
                cells = sum(1 for name in fieldnames if row[name] is not None)
            money: tuple[str, ...] = _BLANK_MONEY
            error = f"the row has {cells} cells but the header has {width}"
        else:
            try:
                key = tuple(row[raw].strip() for raw in option_raws)
                money, error = quote(key)
            except Exception as exc:  # pragma: no cover - defensive
                money, error = _BLANK_MONEY, _internal(exc)
        opened = lines.unclosed_quote() if lines is not None else None
        if opened is not None:
            swallowed = reader.line_num - opened
            money, error = (
                _BLANK_MONEY,
                f"line {opened}: a quote opened here is never closed, so the "
                f"{swallowed} line(s) after it were read as one cell; close the quote",
            )
        elif error:
            error = f"line {_physical_start(row, reader.line_num, last_line + 1)}: {error}"
        last_line = reader.line_num
        out.update(zip(FIGURE_COLUMNS, money, strict=True))
        out["error"] = error
        yield out


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
        write: Callable[[dict[str, str]], object]
        if fmt == "csv":
            # Every cell as a spreadsheet cannot run it (csvsafe); JSON Lines verbatim.
            from ketacost.csvsafe import Writer

            writer = Writer(sink)
            writer.writerow(header)

            def write(out: dict[str, str]) -> object:
                return writer.writerow([out[k] for k in header])

        else:
            dumps = json.JSONEncoder(ensure_ascii=False).encode

            def write(out: dict[str, str]) -> object:
                return sink.write(dumps(out) + "\n")

        rows = failed = 0
        for out in quote_rows(book, reader, today=today, lines=lines, base=base):
            write(out)
            rows += 1
            if out["error"]:
                failed += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
        if progress is not None and (rows == 0 or rows % PROGRESS_EVERY):
            progress(rows)
        return rows, failed
    finally:
        csv.field_size_limit(previous_limit)
