"""A batch file gives the same bytes on the fast paths (rows sharing their checks but the
start date, self-pay and covered rows in integer cents, the row-at-once CSV writer) as
row by row through `Scenario` and the claim-by-claim engine, bad rows included."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ketacost import batch, csvsafe
from ketacost.amounts import Triple, money_str
from ketacost.book import pricebook
from ketacost.engine.results import BatchCents

BOOK = pricebook.load()
TODAY = dt.date(2026, 11, 27)
HEADER = (
    "id,treatment,price,sessions,months,start,insurance,network,deductible,coinsurance,"
    "oop_max,medigap,hsa,fsa,discount,no_maintenance,x_note"
)
BAD_STARTS = ["2027-02-30", "1999-12-31", "2101-01-01", "tomorrow", "", " 2027-03-01 ", "20270301"]


def mixed_rows(n: int, seed: int) -> str:
    """Self-pay and insured rows of every plan kind the fast paths take, and bad rows:
    bad dates, months, money, plan fields without a plan, HSA with Medicare, and so on."""
    rnd = random.Random(seed)
    out = [HEADER]
    for i in range(n):
        t = rnd.choice(["iv", "im", "kap", "spravato", "oral", "nasal"])
        price = rnd.choice(["", "", str(rnd.randrange(250, 1200, 25)), "499.99", "$1,200"])
        sessions = rnd.choice(["", "4", "6", "8"])
        months = rnd.choice(["1", "6", "12", "18", ""])
        start = f"2027-{rnd.randint(1, 12):02d}-{rnd.randint(1, 31):02d}"  # some not real
        plan = [""] * 8
        kind = rnd.choice(["self", "commercial", "out", "medicare", "medicaid", "hsa", "fsa"])
        ded = str(rnd.randrange(0, 5000, 250))
        oop = str(int(ded) + rnd.randrange(1000, 6000, 500))
        coins = rnd.choice(["10", "20", "30"])
        if kind in ("commercial", "out"):
            plan = ["commercial", "out" if kind == "out" else "in", ded, coins, oop, "", "", ""]
        elif kind == "medicare":
            plan = ["medicare", "", "", "", "", rnd.choice(["", "G", "N"]), "", ""]
        elif kind == "medicaid":
            plan = ["medicaid", "", "", "", "", "", "", ""]
        elif kind in ("hsa", "fsa"):
            pay = ["yes", ""] if kind == "hsa" else ["", "yes"]
            plan = ["", "", "", "", "", "", *pay]
        discount = rnd.choice(["", "", "package"]) if t == "iv" else ""
        no_maint = rnd.choice(["", "", "yes"])
        bad = rnd.random()
        if bad < 0.03:
            start = rnd.choice(BAD_STARTS)
        elif bad < 0.05:
            months = rnd.choice(["0", "61", "x"])
        elif bad < 0.06:
            plan[2] = "-5"  # a negative deductible
        elif bad < 0.07:
            plan = ["", "", ded, "", "", "", "", ""]  # a plan field without a plan
        elif bad < 0.08:
            plan = ["medicare", "", "", "", "", "", "yes", ""]  # an HSA with Medicare
        elif bad < 0.09:
            t = rnd.choice(["ivv", "=cmd", "spravato"])
            no_maint, sessions = "yes", rnd.choice(["", "3"])
            discount = "package"  # not for spravato
        note = rnd.choice(["", "first visit", "=HYPERLINK()", "-x", "a,b"])
        cells = [str(i), t, price, sessions, months, start, *plan, discount, no_maint, note]
        out.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return "\n".join(out) + "\n"


def quote(text: str, fmt: batch.Format) -> tuple[str, tuple[int, int]]:
    sink = io.StringIO()
    counts = batch.run(BOOK, io.StringIO(text, newline=""), sink, fmt, today=TODAY)
    return sink.getvalue(), counts


@pytest.mark.parametrize(
    "rows", [pytest.param(1_500, id="1.5k"), pytest.param(10_000, id="10k", marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_fast_paths_give_the_same_bytes(
    rows: int, fmt: batch.Format, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = mixed_rows(rows, seed=rows)
    fast, fast_counts = quote(text, fmt)
    with monkeypatch.context() as m:
        m.setattr(batch, "_start_day", lambda text: None)  # every row on its own
        m.setattr(batch, "fast_batch_cents", lambda *a: None)  # claim by claim
        m.setattr(csvsafe.Writer, "writerow_text", csvsafe.Writer.writerow)
        slow, slow_counts = quote(text, fmt)
    assert fast_counts == slow_counts
    assert 0 < fast_counts[1] < rows // 5  # some bad rows, most good
    assert fast == slow


MONTHS_CELLS = ["1", "6", "06", "+6", "12", "18", "60", "", "0", "61", "-1", "x", "6.0", "1_2"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    months=st.lists(st.sampled_from(MONTHS_CELLS), min_size=2, max_size=8),
)
def test_rows_of_other_months_share_their_checks(seed: int, months: list[str]) -> None:
    """Rows that differ in their months alone share their checks and setup (the shape's
    key leaves out a months cell every check takes): each row's figures and message are
    its own, as row by row, for the months first seen and the others, bad ones included."""
    others = mixed_rows(12, seed).splitlines()[1:]
    lines = [HEADER]
    for row in others:
        cells = row.split(",") if '"' not in row else None
        if cells is None or len(cells) != len(HEADER.split(",")):
            continue
        for i, m in enumerate(months):
            cells[4] = m
            cells[5] = f"2027-0{1 + i % 9}-1{i % 10}"
            lines.append(",".join(cells))
    text = "\n".join(lines) + "\n"
    fast, _ = quote(text, "csv")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(batch, "_start_day", lambda text: None)  # every row on its own
        m.setattr(batch, "fast_batch_cents", lambda *a: None)  # claim by claim
        slow, _ = quote(text, "csv")
    assert fast == slow


@pytest.mark.parametrize(
    "row",
    [
        ["a", "=b"],
        ["-5", "x"],
        ["a\rb"],
        ["x", "\r"],
        ["@x", ""],
        ["\tx"],
        ["+1", "+x"],
        ["a-b", "c=d"],
        ["a\0=b"],
        ["", "-"],
        ["", ""],
        [],
    ],
)
def test_writerow_text_is_writerow(row: list[str]) -> None:
    one, other = io.StringIO(), io.StringIO()
    csvsafe.Writer(one).writerow(row)
    csvsafe.Writer(other).writerow_text(row)
    assert one.getvalue() == other.getvalue()


@given(
    x=st.decimals(allow_nan=False, allow_infinity=False, places=None)
    | st.decimals("-1e9", "1e9", places=2, allow_nan=False, allow_infinity=False)
)
def test_money_text_is_money_str(x: Decimal) -> None:
    assume(abs(x) < Decimal("1e12"))  # money_str rounds to cents within the context
    assert batch._money_text(x) == money_str(x)


@given(c=st.integers(-(10**12), 10**12))
def test_cents_str_is_money_str(c: int) -> None:
    assert batch._cents_str(c) == money_str(Decimal(c).scaleb(-2))


cents3 = st.tuples(*(st.integers(-(10**8), 10**8),) * 3)
saving = st.decimals("-1e6", "1e6", places=2, allow_nan=False, allow_infinity=False)


@given(
    split=st.tuples(*(cents3,) * 6),
    tax=st.one_of(
        st.just((Decimal("0.00"),) * 3),
        st.just((Decimal("-0.00"), Decimal("0.00"), Decimal("-0.00"))),
        st.tuples(saving, saving, saving),
    ),
    months=st.integers(1, 60),
    series=cents3,
    first=st.integers(-(10**8), 10**8),
)
def test_cents_cells_are_the_figures_cells(
    split: tuple[tuple[int, int, int], ...],
    tax: tuple[Decimal, Decimal, Decimal],
    months: int,
    series: tuple[int, int, int],
    first: int,
) -> None:
    """A row's cells from cents are those of its BatchFigures, a saving of -0.00 included."""
    cents = BatchCents(split, Triple(*tax), months, series, "2027-03", first)  # type: ignore[arg-type]
    assert batch._cents_cells(cents, "IV") == batch._figure_cells(cents.figures(), "IV")
