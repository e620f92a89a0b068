"""Paying for it: HSA/FSA savings, costs around visits, financing lines, the schedule."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest

from ketacost.book import pricebook
from ketacost.cli.app import app
from ketacost.paying.pretax import PreTax, savings

D = Decimal
FIXED = [
    "--price",
    "500",
    "--sessions",
    "6",
    "--no-maintenance",
    "--consult",
    "0",
    "--start",
    "2026-03-02",
]


def est(runner, *args: str) -> dict:
    result = runner.invoke(app, ["estimate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def typ(doc: dict, key: str) -> Decimal:
    return D(doc["totals"][key]["typical"])


# ------------------------------------------------------------------------- HSA / FSA


def test_pretax_savings_respect_the_yearly_limit() -> None:
    pot = PreTax("hsa", D("30"), D("4400.00"), None)
    pays = [
        (dt.date(2026, 12, 1), D("3000.00")),
        (dt.date(2026, 12, 20), D("3000.00")),
        (dt.date(2027, 1, 5), D("1000.00")),
    ]
    result = savings(pays, pot)
    assert result.paid_pretax == D("5400.00")  # 4,400 in 2026 + 1,000 in 2027
    assert result.tax_savings == D("1620.00")


def test_pretax_savings_stop_at_the_account_balance() -> None:
    pot = PreTax("fsa", D("25"), D("3400.00"), D("1000.00"))
    result = savings(
        [(dt.date(2026, 5, 1), D("3000.00")), (dt.date(2027, 5, 1), D("3000.00"))], pot
    )
    assert result.paid_pretax == D("1000.00") and result.tax_savings == D("250.00")


def test_hsa_in_an_estimate(runner) -> None:
    d = est(runner, "iv", *FIXED, "--hsa", "--tax-rate", "30")
    assert typ(d, "tax_savings") == D("900.00")
    assert typ(d, "net") == D("2100.00")
    assert any("Publication 502" in a for a in d["assumptions"])


def test_fsa_limit_caps_the_saving(runner) -> None:
    limit = pricebook.load().tax.fsa_limit.get("typical")
    d = est(runner, "iv", *FIXED, "--price", "1000", "--fsa", "--tax-rate", "20")
    assert typ(d, "tax_savings") == (limit * D("0.2")).quantize(D("0.01"))


@pytest.mark.parametrize(
    ("flags", "payroll"),
    [(["--fsa"], True), (["--hsa", "--hsa-payroll"], True), (["--hsa"], False)],
)
def test_payroll_tax_counts_only_for_payroll_contributions(runner, flags, payroll) -> None:
    tax = pricebook.load().tax
    assert tax is not None
    rate = tax.default_tax_rate.get("typical") + (tax.fica_rate.get("typical") if payroll else 0)
    d = est(runner, "iv", *FIXED, *flags)
    assert typ(d, "tax_savings") == (D(3000) * rate / 100).quantize(D("0.01"))
    said = " ".join(d["assumptions"])
    assert ("payroll tax, saved because" in said) is payroll
    assert ("no payroll tax" in said) is not payroll


def test_hsa_with_medicare_is_refused(runner) -> None:
    r = runner.invoke(app, ["estimate", "iv", "--insurance", "medicare", "--hsa"])
    assert r.exit_code == 2
    assert "Medicare" in r.output and "969" in r.output
    ok = runner.invoke(app, ["estimate", "iv", "--insurance", "medicare", "--fsa"])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("option", ["--coinsurance", "--tax-rate"])
@pytest.mark.parametrize("value", ["0.2", "0.5%", ".99"])
def test_rates_between_zero_and_one_are_asked_not_guessed(runner, option, value) -> None:
    extra = ["--insurance", "commercial"] if option == "--coinsurance" else ["--hsa"]
    r = runner.invoke(app, ["estimate", "iv", *extra, option, value])
    assert r.exit_code == 2, r.output
    assert option in r.output and "did you mean" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--hsa", "--fsa"], "choose one"),
        (["--tax-rate", "30"], "--tax-rate needs --hsa or --fsa"),
        (["--hsa", "--tax-rate", "130"], "at most 100%"),
        (["--account-balance", "500"], "--account-balance needs --hsa or --fsa"),
        (["--fsa", "--family"], "--family applies to an HSA"),
        (["--hourly-wage", "-3"], "must not be negative"),
        (["--finance", "bogus"], "--finance: 'bogus' is neither a preset"),
        (["--finance", "0@5"], "1-600 months"),
    ],
)
def test_bad_payment_options(runner, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["estimate", "iv", *args])
    assert result.exit_code == 2, result.output
    assert needle in result.stderr


# ------------------------------------------------------------ around each visit


def test_indirect_costs_are_apart_unless_included(runner) -> None:
    book = pricebook.load()
    assert book.indirect is not None
    ride = book.indirect.ride_round_trip.get("typical")
    hours = book.indirect.hours_off_per_visit["iv"].get("typical")
    shown = est(runner, "iv", *FIXED, "--hourly-wage", "20")
    assert shown["indirect"]["included"] is False
    assert D(shown["indirect"]["rides"]["typical"]) == 6 * ride
    assert D(shown["indirect"]["time_off"]["typical"]) == 6 * (hours * 20)
    assert "with_indirect" not in shown["totals"]
    assert typ(shown, "patient") == D("3000.00")  # the medical total is untouched
    added = est(runner, "iv", *FIXED, "--include-indirect", "--hourly-wage", "20")
    assert typ(added, "with_indirect") == D("3000.00") + 6 * ride + 6 * hours * 20


def test_home_treatment_has_no_travel(runner) -> None:
    d = est(runner, "oral", "--include-indirect", "--start", "2026-03-02")
    assert d["indirect"]["rides"]["typical"] == "0.00"
    assert d["indirect"]["travel"]["typical"] == "0.00"


def test_finance_line_in_an_estimate(runner) -> None:
    d = est(runner, "iv", *FIXED, "--finance", "12@0")
    assert d["financing"]["monthly_payment"]["typical"] == "250.00"
    promo = est(runner, "iv", *FIXED, "--finance", "carecredit_12")
    assert promo["financing"]["deferred"] is True
    assert promo["financing"]["total_interest"]["typical"] == "0.00"


# --------------------------------------------------------------------- schedule

SCHED = [
    "schedule",
    "iv",
    "--price",
    "500",
    "--sessions",
    "6",
    "--consult",
    "0",
    "--maintenance-weeks",
    "4",
    "--start",
    "2026-12-01",
    "--insurance",
    "commercial",
    "--covered",
    "--deductible",
    "0",
    "--annual-deductible",
    "1000",
    "--coinsurance",
    "20",
    "--oop-max",
    "5000",
]


def test_schedule_crossing_january_shows_the_reset(runner) -> None:
    result = runner.invoke(app, [*SCHED, "--format", "json"])
    assert result.exit_code == 0, result.output
    visits = json.loads(result.stdout)["visits"]
    resets = [v for v in visits if v["plan_year_reset"]]
    assert len(resets) == 1 and resets[0]["date"].startswith("2027-01")
    before = [D(v["patient"]) for v in visits if v["date"] < "2027"]
    after_reset = D(resets[0]["patient"])
    assert set(before) == {D("100.00")}  # 20% of $500, deductible already met
    assert after_reset == D("500.00")  # the new year's deductible
    running = D(0)
    for v in visits:
        running += D(v["patient"])
        assert D(v["running_total"]) == running
    table = runner.invoke(app, SCHED).stdout
    assert "New plan year" in table and "Running total by month" in table


def test_schedule_csv(runner) -> None:
    result = runner.invoke(app, [*SCHED, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["date"] == "2026-12-01" and rows[0]["ride_needed"] == "yes"
    assert (
        rows[-1]["running_total"]
        == json.loads(runner.invoke(app, [*SCHED, "--format", "json"]).stdout)["totals"]["patient"]
    )


def test_schedule_ics_parses_with_one_event_per_visit(runner, tmp_path: Path) -> None:
    out = tmp_path / "visits.ics"
    result = runner.invoke(app, [*SCHED, "--format", "ics", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    visits = json.loads(runner.invoke(app, [*SCHED, "--format", "json"]).stdout)["visits"]
    assert len(events) == len(visits)
    assert [e.decoded("DTSTART").isoformat() for e in events] == [v["date"] for v in visits]
    assert all("ride" in str(e.get("DESCRIPTION")).lower() for e in events)
    assert all(any(a.name == "VALARM" for a in e.subcomponents) for e in events)
    assert len({str(e.get("UID")) for e in events}) == len(events)


def test_icalendar_is_imported_only_for_a_calendar() -> None:
    # One process runs the other formats, then a calendar: the last run is the control
    # that shows the check sees the import at all.
    runs = [["schedule", "iv", "--format", f] for f in ("table", "json", "csv", "markdown")]
    runs += [["estimate", "iv"], ["schedule", "iv", "--format", "ics"]]
    code = (
        "import contextlib, io, sys\n"
        "from ketacost.launcher import main\n"
        f"for args in {runs!r}:\n"
        "    sys.argv = ['ketacost', *args, '--start', '2027-03-01']\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main()\n"
        "    print('icalendar' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] * (len(runs) - 1) + ["True"], out.stderr


def test_schedule_never_overwrites_without_force(runner, tmp_path: Path) -> None:
    out = tmp_path / "visits.csv"
    out.write_text("keep me")
    result = runner.invoke(app, [*SCHED, "--format", "csv", "-o", str(out)])
    assert result.exit_code == 2
    assert "already exists; add --force" in result.stderr
    assert out.read_text() == "keep me"
    forced = runner.invoke(app, [*SCHED, "--format", "csv", "-o", str(out), "--force"])
    assert forced.exit_code == 0 and out.read_text().startswith("visit,date")
    assert [p.name for p in tmp_path.iterdir()] == ["visits.csv"]  # no temp file left


def test_schedule_to_a_directory_or_missing_folder(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, [*SCHED, "-o", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.stderr
    result = runner.invoke(app, [*SCHED, "-o", str(tmp_path / "nope" / "x.txt")])
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_schedule_table_to_a_file_is_plain_text(runner, tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    result = runner.invoke(app, [*SCHED, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "visit calendar" in text and "\x1b[" not in text


def test_self_pay_schedule_never_mentions_a_deductible(runner) -> None:
    # A self-pay course across January 1 has no plan year to reset.
    result = runner.invoke(
        app, ["schedule", "spravato", "--start", "2026-12-20", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert not any(v["plan_year_reset"] for v in json.loads(result.stdout)["visits"])
    ics = runner.invoke(
        app, ["schedule", "spravato", "--start", "2026-12-20", "--format", "ics"]
    ).stdout
    assert "deductible" not in ics


def test_the_money_steps_come_after_the_engine() -> None:
    """build() prices the care; paying.money.apply adds what the patient's way of paying
    changes (pre-tax saving, financing, costs around visits) and their notes, between
    the scenario's notes and the savings program's."""
    from ketacost import api
    from ketacost.engine.estimate import build
    from ketacost.paying.money import apply

    book = pricebook.load()
    sc = api.scenario(
        "spravato",
        book,
        insurance="commercial",
        hsa=True,
        finance="12@9.9",
        include_indirect=True,
        start="2027-01-04",
    )
    built = build(book, sc, today=dt.date(2026, 11, 27))
    assert not any(built.totals.tax_savings)
    assert built.indirect is None and built.financing is None and built.money_notes == ()
    paid = apply(book, built)
    assert paid.totals.tax_savings.typical > 0
    assert paid.totals.patient == built.totals.patient
    assert paid.indirect is not None and paid.financing is not None
    assert paid.financing.monthly_payment.typical > 0
    notes = paid.assumptions
    first_money = notes.index(paid.money_notes[0])
    assert notes[:first_money] == built.scenario_notes
    assert notes[first_money + len(paid.money_notes) :] == built.closing_notes
    assert any("HSA" in n for n in paid.money_notes)
    assert any("Financing" in n for n in paid.money_notes)
    assert hash(paid) != hash(built)  # results are values: frozen, hashable, comparable
