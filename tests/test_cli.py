"""The commands, driven through typer's CliRunner."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ketacost import __version__
from ketacost.cli.app import app

START = "2026-12-01"


def run(runner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def test_version(runner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"ketacost {__version__}\n"


@pytest.mark.parametrize(
    "command", ["estimate", "compare", "schedule", "tips", "finance", "prices", "validate"]
)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help_with_an_example(runner, command: str, flag: str) -> None:
    result = run(runner, command, flag)
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"ketacost {command}" in result.stdout


def test_no_arguments_shows_an_overview_with_three_examples(runner) -> None:
    result = run(runner)
    assert result.exit_code == 0
    examples = [line for line in result.stdout.splitlines() if line.startswith("  ketacost ")]
    assert len(examples) == 3
    assert "not medical advice" in result.stdout


def test_completion_offers_ids_from_the_price_book() -> None:
    from ketacost.cli.complete import complete_discount, complete_preset, complete_treatment

    assert "spravato" in complete_treatment("sp") and "iv" not in complete_treatment("sp")
    assert set(complete_treatment("")) >= {"iv", "im", "kap", "spravato", "oral", "nasal"}
    assert complete_discount("pa") == ["package"]
    assert "carecredit_12" in complete_preset("care")


def test_no_color_flag(runner) -> None:
    result = runner.invoke(
        app, ["--no-color", "estimate", "iv"], env={"NO_COLOR": "", "FORCE_COLOR": "1"}
    )
    assert result.exit_code == 0 and "\x1b[" not in result.stdout


def test_help_names_env_vars_and_has_no_eaten_brackets(runner) -> None:
    result = run(runner, "estimate", "--help")
    assert "KETACOST_PRICING" in result.stdout
    for panel in ("Schedule", "Price", "Insurance", "Payment", "Output"):
        assert panel in result.stdout


def test_fixed_price_course_totals_exactly(runner) -> None:
    # The must-show case, on the bundled price book.
    result = run(
        runner,
        "estimate",
        "iv",
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--consult",
        "0",
        "--format",
        "json",
        "--start",
        START,
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    for key in ("patient", "billed"):
        assert doc["totals"][key] == {"low": "3000.00", "typical": "3000.00", "high": "3000.00"}
    assert doc["totals"]["sessions"] == {"low": 6, "typical": 6, "high": 6}
    assert doc["totals"]["insurer"]["typical"] == "0.00"
    assert [p["name"] for p in doc["phases"]] == ["induction"]


def test_estimate_json_follows_the_contract(runner) -> None:
    result = run(runner, "estimate", "iv", "--format", "json", "--start", START)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "ketacost.estimate/1"
    assert doc["treatment"] == "iv"
    assert doc["currency"] == "USD"
    assert doc["price_book"]["as_of"]
    assert doc["assumptions"] and doc["tips"]
    saved = [Decimal(t["saves"]["typical"]) for t in doc["tips"]]
    assert saved == sorted(saved, reverse=True) and all(s > 0 for s in saved)
    assert all(t["sources"] for t in doc["tips"])
    for key in ("sessions", "billed", "insurer", "assistance", "patient", "tax_savings", "net"):
        assert set(doc["totals"][key]) == {"low", "typical", "high"}
    for key in ("billed", "insurer", "assistance", "patient", "tax_savings", "net"):
        for value in doc["totals"][key].values():
            assert isinstance(value, str) and Decimal(value).as_tuple().exponent == -2
    # the totals are the sums of the lines
    for case in ("low", "typical", "high"):
        lines = [Decimal(p["billed"][case]) for p in doc["phases"]]
        lines += [Decimal(f["billed"][case]) for f in doc["fees"]]
        assert sum(lines) == Decimal(doc["totals"]["billed"][case])
        assert doc["totals"]["net"][case] == doc["totals"]["patient"][case]
    assert doc["totals"]["billed"]["low"] != doc["totals"]["billed"]["high"]
    # every phase cites sources that exist in the list
    refs = {s["ref"] for s in doc["sources"]}
    assert all(set(p["sources"]) <= refs and p["sources"] for p in doc["phases"])


def test_spravato_follows_the_label_schedule(runner) -> None:
    result = run(runner, "estimate", "spravato", "--format", "json", "--start", START)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    first, second, third = doc["phases"]
    assert first["sessions"] == {"low": 8, "typical": 8, "high": 8}
    assert first["first_session"] == "2026-12-01"
    # day 24 (the 8th twice-weekly dose) is Christmas: the clinic doses on Monday 12-28
    assert first["last_session"] == "2026-12-28"
    assert second["sessions"] == {"low": 4, "typical": 4, "high": 4}
    assert second["first_session"] == "2026-12-29"  # week 5
    assert third["first_session"] == "2027-01-26"  # week 9
    assert third["interval_weeks"]["low"] == 2 and third["interval_weeks"]["high"] == 1


def test_spravato_dose_raises_the_price(runner) -> None:
    def typical(*extra: str) -> Decimal:
        result = run(
            runner,
            "estimate",
            "spravato",
            "--format",
            "json",
            "--start",
            START,
            "--no-maintenance",
            *extra,
        )
        assert result.exit_code == 0, result.output
        return Decimal(json.loads(result.stdout)["totals"]["billed"]["typical"])

    assert typical("--dose", "84") > typical("--dose", "56")


def test_table_report_shows_header_totals_sources_and_disclaimer(runner) -> None:
    result = run(runner, "estimate", "iv", "--start", START)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "IV ketamine infusion" in out
    assert "12 months from 2026-12-01 to 2027-11-30" in out
    assert "Price book as of" in out
    assert "Induction" in out and "Maintenance" in out
    assert "You pay" in out
    assert "Assumptions" in out and "cheapest plausible" in out
    assert "Sources" in out and "[1]" in out and "https://" in out
    assert "not medical advice" in out


def test_table_matches_json(runner) -> None:
    args = ["estimate", "kap", "--start", START]
    doc = json.loads(run(runner, *args, "--format", "json").stdout)
    table = run(runner, *args).stdout
    for case in ("low", "typical", "high"):
        amount = Decimal(doc["totals"]["patient"][case])
        assert f"${amount:,.2f}" in table


def test_discount_lowers_the_estimate(runner, test_book_path: Path) -> None:
    base = [
        "estimate",
        "iv",
        "--pricing",
        str(test_book_path),
        "--format",
        "json",
        "--start",
        START,
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--consult",
        "0",
    ]
    plain = json.loads(run(runner, *base).stdout)
    cash = json.loads(run(runner, *base, "--discount", "cash").stdout)
    assert plain["totals"]["patient"]["typical"] == "3000.00"
    assert cash["totals"]["patient"]["typical"] == "2850.00"  # 5% off each $500 session


def test_pricing_env_var_is_read(runner, test_book_path: Path) -> None:
    result = run(
        runner,
        "estimate",
        "iv",
        "--format",
        "json",
        "--start",
        START,
        env={"KETACOST_PRICING": str(test_book_path)},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["price_book"]["as_of"] == "2026-11-01"


def test_prices_table_and_json(runner) -> None:
    result = run(runner, "prices", "spravato")
    assert result.exit_code == 0, result.output
    assert "treatments.spravato" in result.stdout and "drug.device_price" in result.stdout
    assert "treatments.iv." not in result.stdout
    doc = json.loads(run(runner, "prices", "--format", "json").stdout)
    assert doc["schema"] == "ketacost.prices/1"
    paths = [f["path"] for f in doc["figures"]]
    assert "treatments.iv.session_items.infusion" in paths
    node = next(f for f in doc["figures"] if f["path"] == "treatments.iv.session_items.infusion")
    assert {"description", "unit", "low", "typical", "high", "basis", "sources"} <= set(node)
    assert isinstance(node["low"], str) and node["sources"][0]["url"].startswith("http")


def test_validate_reports_ok_and_errors(runner, tmp_path: Path, test_book_path: Path) -> None:
    ok = run(runner, "validate", str(test_book_path))
    assert ok.exit_code == 0 and "OK" in ok.stdout
    import yaml

    import bookfactory

    data = bookfactory.book()
    data["treatments"]["iv"]["session_items"]["session"]["typical"] = "900.00"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = run(runner, "validate", str(bad))
    assert result.exit_code == 2
    assert "low <= typical <= high" in result.stderr
    assert "treatments.iv.session_items.session" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["estimate", "ivv"], "unknown treatment 'ivv'"),
        (["estimate", "spravto"], "Did you mean: spravato"),
        (["estimate", "ketamine"], "Did you mean: spravato (esketamine), iv (ketamine-iv)"),
        (["estimate", "iv", "--price", "-5"], "--price must not be negative"),
        (["estimate", "iv", "--price", "abc"], "--price must be an amount"),
        (["estimate", "iv", "--price", "1.005"], "at most 2 decimal places"),
        (["estimate", "iv", "--consult", "1e9"], "--consult must be an amount"),
        (["estimate", "iv", "--months", "0"], "--months"),
        (["estimate", "iv", "--months", "61"], "--months"),
        (["estimate", "iv", "--start", "2026-02-30"], "--start: '2026-02-30' is not a real date"),
        (["estimate", "iv", "--sessions", "0"], "--sessions"),
        (["estimate", "iv", "--dose", "84"], "--dose applies only to spravato"),
        (["estimate", "spravato", "--dose", "70"], "--dose: must be 56 or 84"),
        (["estimate", "spravato", "--maintenance-weeks", "4"], "must be 1 or 2"),
        (["estimate", "iv", "--maintenance-weeks", "4", "--no-maintenance"], "contradict"),
        (["estimate", "iv", "--discount", "bogus"], "unknown discount 'bogus'"),
        (["estimate", "iv", "--pricing", "/nonexistent/book.yaml"], "no such file"),
        (["estimate", "iv", "--format", "pdf"], "--format"),
        (["prices", "xyz"], "unknown treatment 'xyz'"),
        (["validate", "/nonexistent.yaml"], "no such file"),
    ],
)
def test_bad_input_gets_a_short_error_and_exit_2(runner, args: list[str], needle: str) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) <= 12


def test_discount_that_does_not_apply_names_where_it_does(runner, test_book_path: Path) -> None:
    result = run(runner, "estimate", "kap", "--pricing", str(test_book_path), "--discount", "cash")
    assert result.exit_code == 2
    assert "--discount cash does not apply to kap; it applies to: iv" in result.stderr


def test_stale_price_book_warns_on_stderr(runner, tmp_path: Path) -> None:
    import yaml

    import bookfactory

    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(bookfactory.book(as_of="2020-01-01")))
    result = run(runner, "estimate", "iv", "--pricing", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "Warning: The price book is" in result.stderr
    assert json.loads(result.stdout)["price_book"]["stale"] is True


def test_internal_error_is_one_line_with_a_debug_hint(runner, monkeypatch, test_book_path) -> None:
    import sys

    import ketacost.engine.estimate  # noqa: F401  (the module; the package's name is the API)

    def boom(*a, **k):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(sys.modules["ketacost.engine.estimate"], "build", boom)
    result = run(runner, "estimate", "iv", "--pricing", str(test_book_path))
    assert result.exit_code == 1
    assert "KETACOST_DEBUG=1" in result.stderr
    assert "Traceback" not in result.output
