"""CLI fuzzing: generated argument lists for every command.

Every run must end with exit 0, 1 or 2; on 2 with a short message on stderr that names
the culprit; never a traceback, never an internal error. The case counts are set per
command below (and scaled by HYPOTHESIS_PROFILE=thorough)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketacost.cli.app import app

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1

nasty_text = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "0",
            "-1",
            "-0.01",
            "1e9",
            "1e999",
            "NaN",
            "inf",
            "-inf",
            "1,000,000,000",
            "$",
            "$-5",
            "12.345",
            "20%",
            "200%",
            "abc",
            "💊",
            "\uff49\uff56",
            "iv\x00",
            "\n",
            "99999999999999999999999",
            "0x10",
            "2026-02-30",
            "2026-13-01",
            "0000-01-01",
            "9999-12-31",
            "12@",
            "@5",
            "12@999",
            "../../etc/passwd",
            "/dev/null",
            "-h",
        ]
    ),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
)
money = st.one_of(st.sampled_from(["0", "500", "1250.50", "$1,200", "0.01", "9999999"]), nasty_text)
whole = st.one_of(st.integers(-5, 200).map(str), nasty_text)
percent = st.one_of(st.sampled_from(["0", "20", "20%", "100", "33.3"]), nasty_text)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()), nasty_text)
treatments = st.one_of(
    st.sampled_from(
        ["iv", "im", "kap", "spravato", "oral", "nasal", "infusion", "esketamine", "IV", "Spravato"]
    ),
    nasty_text,
)

# Thousands of CLI runs: `pytest -m "not slow"` leaves them out for a quick local loop.
pytestmark = pytest.mark.slow


def opt(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return values.map(lambda v: [name, v])


def flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.just([name])


SCENARIO = [
    opt("--months", whole),
    opt("--start", dates),
    opt("--sessions", whole),
    opt("--maintenance-weeks", whole),
    flag("--no-maintenance"),
    opt("--price", money),
    opt("--consult", money),
    opt("--dose", st.one_of(st.sampled_from(["56", "84"]), whole)),
    opt(
        "--discount",
        st.one_of(st.sampled_from(["package", "group", "prompt_pay", "sliding_scale"]), nasty_text),
    ),
    opt(
        "--insurance",
        st.one_of(st.sampled_from(["none", "commercial", "medicare", "medicaid"]), nasty_text),
    ),
    flag("--covered"),
    flag("--not-covered"),
    opt("--network", st.one_of(st.sampled_from(["in", "out"]), nasty_text)),
    opt("--allowed", money),
    opt("--deductible", money),
    opt("--coinsurance", percent),
    opt("--copay", money),
    opt("--oop-max", money),
    opt("--medigap", st.one_of(st.sampled_from(["none", "G", "N"]), nasty_text)),
    opt("--plan-year-start", st.one_of(st.sampled_from(["01-01", "07-01", "02-29"]), nasty_text)),
    opt("--annual-deductible", money),
    opt("--annual-oop-max", money),
    flag("--no-assistance"),
    flag("--hsa"),
    flag("--fsa"),
    flag("--family"),
    opt("--tax-rate", percent),
    opt("--account-balance", money),
    opt(
        "--finance",
        st.one_of(
            st.sampled_from(["carecredit_12", "zero_percent_plan", "12@9.9", "0@0"]), nasty_text
        ),
    ),
    flag("--include-indirect"),
    opt("--state", st.one_of(st.sampled_from(["NY", "ma", "TX", "ZZ"]), nasty_text)),
    flag("--observation-rebate"),
    opt("--hourly-wage", money),
    opt(
        "--format",
        st.one_of(
            st.sampled_from(["table", "json", "csv", "markdown", "html", "gfe", "ics"]), nasty_text
        ),
    ),
    opt("--bogus-option", nasty_text),
]
ESTIMATE_EXTRA = [opt("--patient", nasty_text), opt("--dob", dates)]
COMPARE = [
    opt("--treatments", st.one_of(st.just("iv,spravato"), nasty_text)),
    *[s for s in SCENARIO],
]
FINANCE = [
    opt("--months", whole),
    opt("--apr", percent),
    flag("--deferred"),
    opt("--payment", money),
    opt("--preset", st.one_of(st.sampled_from(["carecredit_6", "clinic_in_house"]), nasty_text)),
    opt("--format", st.one_of(st.sampled_from(["table", "json"]), nasty_text)),
]
PRICES = [flag("--template"), opt("--format", st.one_of(st.just("json"), nasty_text))]

# An error must name something the user typed or can change.
CULPRITS = (
    "--",
    "TREATMENT",
    "FILE",
    "AMOUNT",
    "treatment",
    "Missing argument",
    "No such option",
    "Got unexpected extra argument",
    "price book",
    "no such file",
    "is a directory",
    "cannot be read",
    "not UTF-8",
    "not a regular file",
)


def argv(
    head: st.SearchStrategy[list[str]],
    pool: list[st.SearchStrategy[list[str]]],
) -> st.SearchStrategy[list[str]]:
    parts = st.lists(st.one_of(*pool), max_size=6)
    return st.tuples(head, parts).map(lambda hp: hp[0] + [x for part in hp[1] for x in part])


def check(runner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    out = result.output
    assert "Traceback" not in out, (args, out)
    assert "internal error" not in result.stderr, (args, result.stderr)
    if result.exit_code == 2:
        err = result.stderr
        assert err.strip(), args
        assert len(err.strip().splitlines()) <= 12, (args, err)
        assert any(c in err for c in CULPRITS), (args, err)


common = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@settings(common, max_examples=500 * SCALE)
@given(args=argv(treatments.map(lambda t: ["estimate", t]), SCENARIO + ESTIMATE_EXTRA))
def test_fuzz_estimate(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=250 * SCALE)
@given(args=argv(treatments.map(lambda t: ["tips", t]), SCENARIO))
def test_fuzz_tips(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=300 * SCALE)
@given(args=argv(treatments.map(lambda t: ["schedule", t]), SCENARIO))
def test_fuzz_schedule(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=250 * SCALE)
@given(args=argv(st.just(["compare"]), COMPARE))
def test_fuzz_compare(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=500 * SCALE)
@given(args=argv(money.map(lambda a: ["finance", a]), FINANCE))
def test_fuzz_finance(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=150 * SCALE)
@given(args=argv(st.one_of(st.just(["prices"]), treatments.map(lambda t: ["prices", t])), PRICES))
def test_fuzz_prices(runner, args: list[str]) -> None:
    check(runner, args)


@settings(common, max_examples=100 * SCALE)
@given(name=nasty_text)
def test_fuzz_validate_and_batch_paths(runner, name: str) -> None:
    check(runner, ["validate", name])
    check(runner, ["batch", name])


@settings(common, max_examples=200 * SCALE)
@given(
    cells=st.lists(st.lists(nasty_text, min_size=1, max_size=6), min_size=1, max_size=8),
    header=st.lists(
        st.sampled_from(
            [
                "id",
                "treatment",
                "price",
                "sessions",
                "insurance",
                "deductible",
                "coinsurance",
                "oop_max",
                "months",
                "start",
                "x_note",
                "dose",
                "covered",
                "hsa",
            ]
        ),
        min_size=1,
        max_size=6,
        unique=True,
    ),
)
def test_fuzz_batch_rows(
    runner, tmp_path_factory: pytest.TempPathFactory, cells: list[list[str]], header: list[str]
) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(cells)
    path: Path = tmp_path_factory.mktemp("batch") / "rows.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    check(runner, ["batch", str(path)])
