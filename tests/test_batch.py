"""Batch quoting through the Python API: one estimate per CSV row, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Iterator

import pytest

from ketacost import batch
from ketacost.book import pricebook
from ketacost.book.pricebook import PriceBook
from ketacost.engine.estimate import build
from ketacost.errors import InputError
from ketacost.paying.money import apply as apply_money
from ketacost.scenario import Scenario

import bookfactory

TODAY = dt.date(2026, 11, 27)
START = "2026-12-01"


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return pricebook.validate(bookfactory.book(), "test")


def quote(book: PriceBook, text: str, fmt: batch.Format = "csv") -> tuple[str, tuple[int, int]]:
    sink = io.StringIO()
    counts = batch.run(book, io.StringIO(text, newline=""), sink, fmt, today=TODAY)
    return sink.getvalue(), counts


def rows_of(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output, newline="")))


def expected(book: PriceBook, **options: object) -> dict[str, str]:
    """The money columns `build` gives for the same scenario, by the CLI's route."""
    options.setdefault("start", START)
    scenario = Scenario.from_options(**options).resolved(book)
    totals = apply_money(book, build(book, scenario, today=TODAY)).totals
    out: dict[str, str] = {}
    for name in batch.FIGURES:
        for case, value in getattr(totals, name).json_money().items():
            out[f"{name}_{case}"] = value
    return out


FIVE_ROWS = (
    "id,treatment,start,price,insurance,deductible,coinsurance,x_note\n"
    f"a,iv,{START},500,,,,first\n"
    f"b,iv,{START},,commercial,-5,20%,bad deductible\n"
    f"c,spravato,{START},,commercial,500,20%,\n"
    f"d,nope,{START},,,,,unknown treatment\n"
    f"e,im,{START},$1200,,,,last\n"
)


def test_five_rows_two_bad(book: PriceBook) -> None:
    output, counts = quote(book, FIVE_ROWS)
    assert counts == (5, 2)
    rows = rows_of(output)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert errors == {
        "b": "line 3: --deductible must not be negative (got '-5')",
        "d": errors["d"],
    }
    assert errors["d"].startswith("line 5: unknown treatment 'nope'")
    for r in rows:
        if r["error"]:
            assert all(r[c] == "" for c in batch.FIGURE_COLUMNS)
        else:
            assert all(r[c] for c in batch.FIGURE_COLUMNS)


def test_header_is_input_then_money_then_plan_then_error(book: PriceBook) -> None:
    output, _ = quote(book, FIVE_ROWS)
    header = next(csv.reader(io.StringIO(output)))
    assert header == [
        *FIVE_ROWS.splitlines()[0].split(","),
        *batch.MONEY_COLUMNS,
        *batch.PLAN_COLUMNS,
        "error",
    ]
    assert batch.MONEY_COLUMNS[:3] == ("billed_low", "billed_typical", "billed_high")
    assert batch.MONEY_COLUMNS[-1] == "net_high"


@pytest.mark.parametrize(
    ("cells", "options"),
    [
        ({"treatment": "iv", "price": "500"}, {"treatment": "iv", "price": "500"}),
        (
            {"treatment": "IV", "months": "6", "sessions": "6", "no_maintenance": "yes"},
            {"treatment": "IV", "months": 6, "sessions": 6, "maintenance": False},
        ),
        (
            {"treatment": "iv", "discount": "package; cash", "consult": "0"},
            {"treatment": "iv", "discounts": ("package", "cash"), "consult": "0"},
        ),
        (
            {
                "treatment": "spravato",
                "insurance": "commercial",
                "deductible": "$1,500",
                "oop_max": "4000",
                "coinsurance": "20%",
                "dose": "84",
                "maintenance_weeks": "2",
                "assistance": "no",
            },
            {
                "treatment": "spravato",
                "insurance": "commercial",
                "deductible": "$1,500",
                "oop_max": "4000",
                "coinsurance": "20%",
                "dose": 84,
                "maintenance_weeks": 2,
                "assistance": False,
            },
        ),
        (
            {"treatment": "spravato", "insurance": "medicare", "medigap": "G"},
            {"treatment": "spravato", "insurance": "medicare", "medigap": "G"},
        ),
        (
            {"treatment": "iv", "insurance": "commercial", "covered": "yes", "allowed": "400"},
            {"treatment": "iv", "insurance": "commercial", "covered": True, "allowed": "400"},
        ),
    ],
)
def test_good_row_matches_build(
    book: PriceBook, cells: dict[str, str], options: dict[str, object]
) -> None:
    header = ["start", *cells]
    line = [START, *cells.values()]
    text = ",".join(header) + "\n" + ",".join(f'"{c}"' for c in line) + "\n"
    output, counts = quote(book, text)
    assert counts == (1, 0)
    (row,) = rows_of(output)
    assert row["error"] == ""
    assert {c: row[c] for c in batch.MONEY_COLUMNS} == expected(book, **options)


def test_hsa_net_is_patient_less_tax_savings() -> None:
    book = pricebook.load()  # the test book has no tax section
    text = f"treatment,start,price,hsa,tax_rate\niv,{START},500,yes,30%\n"
    (row,) = rows_of(quote(book, text)[0])
    assert row["error"] == ""
    want = expected(book, treatment="iv", price="500", hsa=True, tax_rate="30%")
    assert {c: row[c] for c in batch.MONEY_COLUMNS} == want
    assert float(row["net_typical"]) < float(row["patient_typical"])


def test_id_and_x_columns_pass_through(book: PriceBook) -> None:
    text = 'ID,X_Counselor,treatment,x-note\n 007 ,Ann,iv,"keeps  spaces , commas"\n'
    (row,) = rows_of(quote(book, text)[0])
    assert row["ID"] == " 007 "
    assert row["X_Counselor"] == "Ann"
    assert row["x-note"] == "keeps  spaces , commas"
    assert row["error"] == ""


def test_header_names_are_forgiving(book: PriceBook) -> None:
    text = (
        f" Treatment ,START,Oop-Max,insurance,DEDUCTIBLE,Annual Deductible\n"
        f"iv,{START},3000,commercial,1000,2000\n"
    )
    (row,) = rows_of(quote(book, text)[0])
    assert row["error"] == ""
    assert {c: row[c] for c in batch.MONEY_COLUMNS} == expected(
        book,
        treatment="iv",
        oop_max="3000",
        insurance="commercial",
        deductible="1000",
        annual_deductible="2000",
    )


def test_blank_cells_mean_not_given(book: PriceBook) -> None:
    text = f"treatment,start,price,months,insurance,covered,hsa\niv,{START}, ,,,,\n"
    (row,) = rows_of(quote(book, text)[0])
    assert row["error"] == ""
    assert {c: row[c] for c in batch.MONEY_COLUMNS} == expected(book, treatment="iv")


def test_blank_start_means_today(book: PriceBook) -> None:
    (row,) = rows_of(quote(book, "treatment,price\niv,500\n")[0])
    want = expected(book, treatment="iv", price="500", start=TODAY.isoformat())
    assert {c: row[c] for c in batch.MONEY_COLUMNS} == want


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("treatment,months\niv,twelve\n", "line 2: --months must be a whole number (got 'twelve')"),
        ("treatment,months\niv,99\n", "line 2: --months: must be at most 60"),
        ("treatment,hsa\niv,maybe\n", "line 2: --hsa must be yes or no (got 'maybe')"),
        ("treatment,price\n ,500\n", "line 2: treatment is blank; every row needs one"),
        ("treatment,discount\nspravato,package\n", "line 2: --discount package does not apply"),
        ("treatment,deductible\niv,500\n", "line 2: --deductible needs --insurance"),
        (
            "treatment,no_maintenance,maintenance_weeks\niv,yes,4\n",
            "line 2: --maintenance-weeks and --no-maintenance contradict",
        ),
    ],
)
def test_row_errors_name_the_option(book: PriceBook, cells: str, message: str) -> None:
    output, counts = quote(book, cells)
    assert counts == (1, 1)
    (row,) = rows_of(output)
    assert row["error"].startswith(message)


def test_unknown_columns_are_named(book: PriceBook) -> None:
    with pytest.raises(InputError) as info:
        quote(book, "treatment,foo,price,Bar\niv,1,500,2\n")
    assert info.value.message.startswith("unknown column(s): foo, Bar. Allowed: treatment,")
    assert "x_" in info.value.message


def test_check_header_returns_canonical_names() -> None:
    assert batch.check_header(["\ufeffTreatment", "oop-max", "X-Note", "id"]) == [
        "treatment",
        "oop_max",
        "x_note",
        "id",
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("price,months\n500,12\n", "the header has no treatment column"),
        ("treatment,price,Price\niv,1,2\n", "duplicate column(s): Price (columns 2 and 3)"),
        ("treatment,,price\niv,,1\n", "unknown column(s): (blank, column 2)"),
        ("\n\ntreatment\niv\n", "line 1: the header is blank"),
    ],
)
def test_bad_headers(book: PriceBook, header: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        quote(book, header)
    assert info.value.message.startswith(message)


@pytest.mark.parametrize("text", ["", "\ufeff"])
def test_empty_file(book: PriceBook, text: str) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        quote(book, text)


def test_header_only_writes_a_header(book: PriceBook) -> None:
    output, counts = quote(book, "treatment,price\n")
    assert counts == (0, 0)
    assert output == ",".join(["treatment", "price", *batch.OUTPUT_COLUMNS]) + "\n"


def test_bom_is_stripped(book: PriceBook) -> None:
    output, counts = quote(book, f"\ufefftreatment,start,price\niv,{START},500\n")
    assert counts == (1, 0)
    assert output.startswith("treatment,start,price,billed_low")
    (row,) = rows_of(output)
    assert row["billed_typical"] == expected(book, treatment="iv", price="500")["billed_typical"]


def test_quoted_newline_in_a_field(book: PriceBook) -> None:
    text = (
        "treatment,start,x_note\n"
        f'iv,{START},"two\nlines"\n'
        f'iv,{START},"three\r\nphysical\nlines"\n'
        f"iv,{START}x,plain\n"
    )
    output, counts = quote(book, text)
    assert counts == (3, 1)
    rows = rows_of(output)
    assert rows[0]["x_note"] == "two\nlines"
    assert rows[1]["x_note"] == "three\r\nphysical\nlines"
    # The bad row starts on physical line 7: 1 header + 2 + 3 lines before it.
    assert rows[2]["error"].startswith("line 7: --start: '2026-12-01x' is not a real date")


def test_error_in_a_multiline_row_names_its_first_line(book: PriceBook) -> None:
    text = 'treatment,months,x_note\niv,1,ok\niv,0,"a\nb\nc"\n'
    (_, row) = rows_of(quote(book, text)[0])
    assert row["error"].startswith("line 3: --months")


def test_blank_lines_are_skipped_and_counted(book: PriceBook) -> None:
    text = "treatment,months\n\niv,1\n\n\niv,0\n"
    output, counts = quote(book, text)
    assert counts == (2, 1)
    assert rows_of(output)[1]["error"].startswith("line 6: --months")


def test_ragged_rows(book: PriceBook) -> None:
    text = (
        f"id,treatment,start,price\n"
        f"1,iv,{START},500\n"
        f"2,iv,{START},$1,200\n"  # an unquoted comma: one cell too many
        f"3,iv\n"
        f"4,iv,{START},500\n"
    )
    output, counts = quote(book, text)
    assert counts == (4, 2)
    rows = rows_of(output)
    assert [r["error"] for r in rows] == [
        "",
        "line 3: the row has 5 cells but the header has 4",
        "line 4: the row has 2 cells but the header has 4",
        "",
    ]
    assert rows[1]["price"] == "$1"  # the cells given are passed through
    assert rows[2]["price"] == ""
    assert rows[3]["billed_typical"] == rows[0]["billed_typical"] != ""


def test_enormous_field_is_a_line_numbered_error(book: PriceBook) -> None:
    huge = "x" * (batch.FIELD_LIMIT + 10)
    text = f"treatment,x_note\niv,ok\niv,{huge}\niv,after\n"
    sink = io.StringIO()
    before = csv.field_size_limit()
    with pytest.raises(InputError) as info:
        batch.run(book, io.StringIO(text), sink, "csv", today=TODAY)
    assert info.value.message.startswith("line 3: a cell is larger than the 1 MiB limit")
    assert len(rows_of(sink.getvalue())) == 1  # the rows before it were written
    assert csv.field_size_limit() == before  # the global limit is put back


def test_unclosed_quote_is_caught_by_the_limit(book: PriceBook) -> None:
    # An unclosed quote swallows the rest of the file into one cell.
    body = "iv,ok\n" * (batch.FIELD_LIMIT // 6 + 10)
    text = f'treatment,x_note\niv,"oops\n{body}'
    with pytest.raises(InputError, match=r"^lines 2-\d+: a cell is larger"):
        batch.run(book, io.StringIO(text), io.StringIO(), "csv", today=TODAY)


def test_a_field_just_under_the_limit_is_fine(book: PriceBook) -> None:
    big = "y" * (batch.FIELD_LIMIT - 1)
    output, counts = quote(book, f"treatment,x_note\niv,{big}\n")
    assert counts == (1, 0)
    _header, row = output.splitlines()
    assert row.startswith(f"iv,{big},")
    assert row.endswith(",")  # no error


def test_unexpected_exception_is_reported_per_row(
    book: PriceBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ketacost.engine.fastpaths import batch_figures

    real = batch_figures

    def flaky(book: PriceBook, scenario: Scenario, memo: object = None) -> object:
        if scenario.months == 2:
            raise ZeroDivisionError("boom")
        return real(book, scenario, memo)  # type: ignore[arg-type]

    monkeypatch.setattr("ketacost.batch.batch_figures", flaky)
    # the claim engine's path (covered rows normally take the integer-cents one)
    monkeypatch.setattr("ketacost.batch.fast_batch_cents", lambda *a: None)
    output, counts = quote(
        book,
        "treatment,months,insurance\nspravato,1,commercial\nspravato,2,commercial\n"
        "spravato,3,commercial\n",
    )
    assert counts == (3, 1)
    rows = rows_of(output)
    assert rows[1]["error"] == "line 3: internal error (ZeroDivisionError: boom)"
    assert rows[2]["error"] == ""


def test_jsonl_parses_line_by_line(book: PriceBook) -> None:
    output, counts = quote(book, FIVE_ROWS, "jsonl")
    assert counts == (5, 2)
    lines = output.splitlines()
    assert len(lines) == 5
    docs = [json.loads(line) for line in lines]
    header = FIVE_ROWS.splitlines()[0].split(",")
    for doc in docs:
        assert list(doc) == [*header, *batch.OUTPUT_COLUMNS]
        assert all(isinstance(v, str) for v in doc.values())
    assert (
        docs[0]["billed_typical"] == expected(book, treatment="iv", price="500")["billed_typical"]
    )
    assert docs[1]["error"].startswith("line 3:")


def test_jsonl_keeps_newlines_inside_one_line(book: PriceBook) -> None:
    output, _ = quote(book, 'treatment,x_note\niv,"a\nb"\n', "jsonl")
    (line,) = output.splitlines()
    assert json.loads(line)["x_note"] == "a\nb"


def test_csv_and_jsonl_agree(book: PriceBook) -> None:
    as_csv = rows_of(quote(book, FIVE_ROWS, "csv")[0])
    as_jsonl = [json.loads(line) for line in quote(book, FIVE_ROWS, "jsonl")[0].splitlines()]
    assert as_csv == as_jsonl


def test_unknown_format_is_refused(book: PriceBook) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        batch.run(book, io.StringIO(FIVE_ROWS), io.StringIO(), "xml")


def test_quote_rows_is_lazy(book: PriceBook) -> None:
    source = io.StringIO(FIVE_ROWS)
    rows = batch.quote_rows(book, csv.DictReader(source), today=TODAY)
    first = next(rows)
    assert first["id"] == "a"
    assert source.tell() < len(FIVE_ROWS)  # not read to the end


def test_progress_is_reported(book: PriceBook) -> None:
    seen: list[int] = []
    text = "treatment,price\n" + "iv,500\n" * (batch.PROGRESS_EVERY * 2 + 5)
    batch.run(book, io.StringIO(text), io.StringIO(), "csv", progress=seen.append, today=TODAY)
    total = batch.PROGRESS_EVERY * 2 + 5
    assert seen == [batch.PROGRESS_EVERY, batch.PROGRESS_EVERY * 2, total]
    seen.clear()
    text = "treatment,price\n" + "iv,500\n" * batch.PROGRESS_EVERY
    batch.run(book, io.StringIO(text), io.StringIO(), "csv", progress=seen.append, today=TODAY)
    assert seen == [batch.PROGRESS_EVERY]


class LineSource:
    """Text lines that come from a generator, as a file's do: nothing is held in memory."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.pulled = 0

    def __next__(self) -> str:
        line = next(self._lines)
        self.pulled += 1
        return line

    def __iter__(self) -> LineSource:
        return self


class CountingSink(io.StringIO):
    """Counts the lines written and keeps only the last one."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = 0
        self.last = ""

    def write(self, s: str) -> int:
        self.lines += s.count("\n")
        self.last = s
        return len(s)


def test_streams_two_thousand_generated_rows(book: PriceBook) -> None:
    n = 2000

    def generate() -> Iterator[str]:
        yield "id,treatment,start,price,sessions,months,insurance,deductible,x_row\n"
        for i in range(n):
            if i % 100 == 99:
                yield f"{i},iv,{START},500,6,12,,-1,{i}\n"  # a bad deductible
            else:
                price = 300 + i % 50  # some repeats, some distinct scenarios
                yield f"{i},iv,{START},{price},6,{1 + i % 12},,,{i}\n"

    source = LineSource(generate())
    sink = CountingSink()
    began = time.perf_counter()
    counts = batch.run(book, source, sink, "csv", today=TODAY)
    elapsed = time.perf_counter() - began
    assert counts == (n, n // 100)
    assert source.pulled == n + 1
    assert sink.lines == n + 1
    assert sink.last.startswith(f"{n - 1},iv,")
    assert elapsed < 5


def test_enormous_header_is_a_line_numbered_error(book: PriceBook) -> None:
    text = "treatment," + "h" * (batch.FIELD_LIMIT + 1) + "\niv,1\n"
    with pytest.raises(InputError, match=r"^line 1: a cell is larger"):
        quote(book, text)
