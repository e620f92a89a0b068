"""Issue 20: what new patients and counselors tripped over in their first minutes."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ketacost.cli.app import app, hoist_globals

TODAY = {"KETACOST_TODAY": "2026-11-27"}


def run(runner, *args: str, env: dict[str, str] | None = None, code: int = 0):
    result = runner.invoke(app, list(args), env={**TODAY, **(env or {})})
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


# ------------------------------------------------- 1. every format carries the aftercare


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json", "csv"])
def test_every_estimate_format_states_visit_length_and_ride(runner, fmt: str) -> None:
    out = run(runner, "estimate", "iv", "--format", fmt).stdout
    text = " ".join(out.split())
    assert "90 min" in text
    assert "30 min of observation" in text
    assert "You need a ride home." in text
    assert "must prearrange a ride home" in text  # the price book's own note


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json", "csv"])
def test_home_treatment_states_the_monitor_and_no_driving(runner, fmt: str) -> None:
    out = run(runner, "estimate", "oral", "--format", fmt).stdout
    text = " ".join(out.split())
    assert "Peer Treatment Monitor) must be present" in text
    assert "Do not drive after a dose" in text
    assert "You need a ride home" not in text


# --------------------------------------------- 2. follow-up commands that work as printed


def test_more_tips_line_is_a_command_that_runs(runner) -> None:
    args = ["estimate", "iv", "--price", "450", "--consult", "0", "--months", "10"]
    args += ["--start", "2027-01-04", "--patient", "Ann Example", "--format", "table"]
    lines = run(runner, *args).stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if " more:" in line)
    command = lines[at + 1].strip()
    assert command == "ketacost tips iv --months 10 --start 2027-01-04 --price 450 --consult 0"
    shown = run(runner, *shlex.split(command)[1:]).stdout
    assert "Ways to pay less" in shown
    # an option of its own value shape is quoted for the shell
    from ketacost.cli.params import command_line

    line = command_line("tips", "iv", {"price": "$1,200", "insurance": "commercial"})
    assert shlex.split(line) == [
        "ketacost",
        "tips",
        "iv",
        "--price",
        "$1,200",
        "--insurance",
        "commercial",
    ]


def test_global_options_before_or_after_the_command(runner) -> None:
    assert hoist_globals(["estimate", "iv", "--no-color"]) == ["--no-color", "estimate", "iv"]
    assert hoist_globals(["estimate", "iv", "--", "--no-color"]) == [
        "estimate",
        "iv",
        "--",
        "--no-color",
    ]
    before = run(runner, "--no-color", "estimate", "iv").stdout
    after = run(runner, "estimate", "iv", "--no-color").stdout
    assert before == after


def test_no_color_after_the_command_through_the_real_entry_point() -> None:
    env = {**os.environ, **TODAY}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "ketacost", "estimate", "iv", "--no-color"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "IV ketamine infusion" in done.stdout


# ------------------------------------------------------ 3. -o picks the format by extension


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("q.html", "<!DOCTYPE html>"),
        ("q.md", "# IV ketamine infusion"),
        ("q.csv", "line,kind,"),
        ("q.json", "{"),
    ],
)
def test_output_extension_picks_the_format(runner, tmp_path: Path, name: str, starts: str) -> None:
    run(runner, "estimate", "iv", "-o", str(tmp_path / name))
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(starts)


def test_output_extension_ics_and_jsonl(runner, tmp_path: Path) -> None:
    run(runner, "schedule", "iv", "-o", str(tmp_path / "v.ics"))
    assert (tmp_path / "v.ics").read_text().startswith("BEGIN:VCALENDAR")
    rows = tmp_path / "in.csv"
    rows.write_text("treatment\niv\n", encoding="utf-8")
    run(runner, "batch", str(rows), "-o", str(tmp_path / "out.jsonl"))
    json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])


def test_contradicting_format_and_extension_is_refused(runner, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    result = run(runner, "estimate", "iv", "--format", "json", "-o", str(out), code=2)
    assert "--format json does not match -o q.csv" in result.stderr
    assert "(.json), or drop --format to write csv (.csv)" in result.stderr
    assert not out.exists()
    result = run(runner, "finance", "100", "--months", "3", "-o", str(tmp_path / "f.html"), code=2)
    assert "-o f.html" in result.stderr


def test_pdf_without_a_browser_says_what_to_do(runner, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "q.pdf"
    result = run(runner, "estimate", "iv", "-o", str(out), env={"PATH": str(empty)}, code=2)
    assert "Chromium" in result.stderr and ".html" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_pdf_printed_by_chromium(runner, tmp_path: Path) -> None:
    from ketacost.report.pdf import find_browser

    if find_browser() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI")
        pytest.skip("Chromium is not installed here")
    from pypdf import PdfReader

    out = tmp_path / "quote.pdf"
    run(runner, "estimate", "iv", "--patient", "Ann Example", "-o", str(out))
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "Ann Example" in text and "ride home" in text


# ------------------------------------------------------------------- 4. words people use


@pytest.mark.parametrize("word", ["self-pay", "Uninsured", "self pay"])
def test_self_pay_words_mean_none(runner, word: str) -> None:
    got = json.loads(run(runner, "estimate", "iv", "--insurance", word, "--format", "json").stdout)
    base = json.loads(run(runner, "estimate", "iv", "--format", "json").stdout)
    assert got["totals"] == base["totals"]


def test_self_pay_words_in_batch(runner) -> None:
    result = runner.invoke(
        app, ["batch", "-"], input="treatment,insurance\niv,self-pay\niv,uninsured\n", env=TODAY
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2 and all(r["insurer_typical"] == "0.00" for r in rows)


def test_dob_us_style_and_future_refused(runner) -> None:
    page = run(runner, "estimate", "iv", "--format", "html", "--dob", "01/02/1980").stdout
    assert "1980-01-02" in page
    result = run(runner, "estimate", "iv", "--dob", "01/02/2030", code=2)
    assert "--dob" in result.stderr and "past" in result.stderr


# ------------------------------------------------------------ 6. help at 80 columns

COMMANDS = ["estimate", "tips", "compare", "schedule", "finance", "batch", "prices", "guide"]


def _help_at_80(command: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80", "LINES": "50"}
    done = subprocess.run(
        [sys.executable, "-m", "ketacost", command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_at_80_columns_reads_well(command: str) -> None:
    import typer

    text = _help_at_80(command)
    assert "<bool>" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    for param in cmd.params:
        if param.metavar and param.param_type_name == "option":
            # a value's shape is never broken across lines (`htm l|gfe`)
            assert param.metavar in text, (command, param.metavar)


def test_config_error_lists_the_allowed_keys(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("formt: html\n", encoding="utf-8")
    result = run(runner, "estimate", "iv", env={"KETACOST_CONFIG": str(config)}, code=2)
    assert "formt: unknown key; allowed here: pricing, format, state, clinic" in result.stderr
    config.write_text("clinic:\n  nam: Example\n", encoding="utf-8")
    result = run(runner, "estimate", "iv", env={"KETACOST_CONFIG": str(config)}, code=2)
    assert "clinic.nam: unknown key; allowed here: name, npi, tin" in result.stderr


# ------------------------------------------------ 7. tips off for a handout; batch columns


def test_no_tips_in_json() -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    assert json.loads(run(runner, "estimate", "iv", "--format", "json").stdout)["tips"]
    doc = json.loads(run(runner, "estimate", "iv", "--format", "json", "--no-tips").stdout)
    assert doc["tips"] == []


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_no_tips_for_a_handout(runner, fmt: str, tmp_path: Path) -> None:
    assert "pay less" in run(runner, "estimate", "iv", "--format", fmt).stdout
    plain = run(runner, "estimate", "iv", "--format", fmt, "--no-tips").stdout
    assert "pay less" not in plain and "ketacost tips" not in plain
    config = tmp_path / "config.yaml"
    config.write_text("tips: false\n", encoding="utf-8")
    env = {"KETACOST_CONFIG": str(config)}
    assert "pay less" not in run(runner, "estimate", "iv", "--format", fmt, env=env).stdout
    again = run(runner, "estimate", "iv", "--format", fmt, "--tips", env=env).stdout
    assert "pay less" in again


def test_batch_has_plan_columns_from_the_estimate(runner) -> None:
    rows = (
        "treatment,insurance,hsa,start\niv,none,,2026-12-01\nspravato,commercial,yes,2026-12-01\n"
    )
    result = runner.invoke(app, ["batch", "-"], input=rows, env=TODAY)
    assert result.exit_code == 0, result.stderr
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    for row, args in zip(
        got,
        [
            ["iv", "--start", "2026-12-01"],
            ["spravato", "--insurance", "commercial", "--hsa", "--start", "2026-12-01"],
        ],
        strict=True,
    ):
        doc = json.loads(run(runner, "estimate", *args, "--format", "json").stdout)
        assert row["name"] == doc["treatment_name"]
        for case in ("low", "typical", "high"):
            assert row[f"first_series_{case}"] == doc["phases"][0]["patient"][case]
            assert row[f"per_month_{case}"] == doc["totals"]["per_month"][case]
            assert row[f"tax_savings_{case}"] == doc["totals"]["tax_savings"][case]
        assert row["first_month"] == doc["by_month"][0]["month"]
        assert row["first_month_patient"] == doc["by_month"][0]["patient"]
    assert got[0]["name"] == "IV ketamine infusion"
    assert got[1]["tax_savings_typical"] != "0.00"
