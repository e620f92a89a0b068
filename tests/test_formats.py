"""Files a counselor hands over: Markdown, CSV, HTML (printed by a real browser), GFE;
atomic writes; a clinic's own price book; the config file."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from ketacost.cli import output as output_module
from ketacost.cli.app import app

D = Decimal
BASE = ["--start", "2026-12-01"]


def ok(runner, *args: str, env: dict[str, str] | None = None):
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    "command", [["estimate", "iv"], ["tips", "iv"], ["compare"], ["schedule", "iv"]]
)
@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "html"])
def test_every_list_format_on_every_command(runner, command: list[str], fmt: str) -> None:
    out = ok(runner, *command, *BASE, "--format", fmt).stdout
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all(None not in r for r in rows)
    elif fmt == "markdown":
        assert out.startswith("# ") and ("|" in out or "1. **" in out)
    else:
        assert out.startswith("<!DOCTYPE html>") and "</html>" in out
        assert "<script" not in out and "http-equiv" not in out
        assert "not medical advice" in out


@pytest.mark.parametrize(
    ("command", "fmt", "allowed"),
    [
        (["compare"], "gfe", "'table', 'json', 'csv', 'markdown', 'html'."),
        (["estimate", "iv"], "ics", "'html', 'gfe', 'gfe-html', 'gfe-markdown', 'gfe-json'."),
        (["schedule", "iv"], "gfe", "'markdown', 'html', 'ics'."),
        (["prices"], "csv", "'table', 'json'."),
        (["finance", "1200"], "xml", "'table', 'json'."),
    ],
)
def test_format_not_offered_by_a_command(runner, command, fmt: str, allowed: str) -> None:
    # The refusal lists the formats this command writes, and only those.
    result = runner.invoke(app, [*command, "--format", fmt])
    said = " ".join(result.stderr.replace("│", " ").split())
    assert result.exit_code == 2 and f"'{fmt}' is not one of 'table', 'json'" in said
    assert said.split("is not one of", 1)[1].split("╰")[0].strip().endswith(allowed), said


def test_format_named_in_any_case(runner) -> None:
    upper = runner.invoke(app, ["prices", "--format", "JSON"])
    assert upper.exit_code == 0 and upper.stdout.lstrip().startswith(("{", "["))


def test_estimate_csv_totals_match_json(runner) -> None:
    args = ["estimate", "spravato", "--insurance", "commercial", *BASE]
    doc = json.loads(ok(runner, *args, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(ok(runner, *args, "--format", "csv").stdout)))
    total = rows[-1]
    assert total["line"] == "Total"
    for key in ("billed", "insurer", "assistance", "patient"):
        for case in ("low", "typical", "high"):
            assert total[f"{key}_{case}"] == doc["totals"][key][case]
    for case in ("low", "typical", "high"):  # the lines add up to the total
        lines = sum(D(r[f"patient_{case}"]) for r in rows[:-1])
        assert lines == D(total[f"patient_{case}"])


def test_markdown_estimate_is_a_plain_report(runner) -> None:
    out = ok(runner, "estimate", "iv", *BASE, "--format", "markdown").stdout
    for part in (
        "## What you pay, per phase",
        "## Assumptions",
        "## Sources",
        "| **You pay** |",
        "not medical advice",
    ):
        assert part in out
    assert "\x1b[" not in out


# ------------------------------------------------------------------ the GFE


def test_gfe_has_the_149_610_elements(runner, tmp_path: Path) -> None:
    args = [
        "estimate",
        "iv",
        *BASE,
        "--format",
        "gfe",
        "--patient",
        "Ann Example",
        "--dob",
        "1980-05-01",
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
    ]
    md = ok(runner, *args).stdout
    for element in (
        "Patient name:** Ann Example",
        "Patient date of birth:** 1980-05-01",
        "Primary service",
        "Diagnosis code(s)",
        "NPI",
        "TIN",
        "Location where care is given",
        "96365",
        "99204",
        "Total expected charges",
        "$400 or more",
        "not a contract",
        "scheduled or requested separately",
        "only an estimate",
        "www.cms.gov/nosurprises",
        "120 calendar days",
    ):
        assert element in md, element
    assert "$3,000.00" in md
    html_out = tmp_path / "gfe.html"
    ok(runner, *args, "-o", str(html_out))
    assert html_out.read_text().startswith("<!DOCTYPE html>")


def test_gfe_blanks_without_patient_or_clinic_and_clinic_from_config(
    runner, tmp_path: Path
) -> None:
    md = ok(runner, "estimate", "spravato", *BASE, "--format", "gfe", "--price", "1050").stdout
    assert "Patient name:** ____" in md and "G2083" in md and "G2082" in md
    config = tmp_path / "config.yaml"
    config.write_text(
        "clinic:\n  name: Calm Clinic\n  npi: '1234567893'\n"
        "  tin: 12-3456789\n  address: 1 Main St, Springfield\n  state: IL\n"
    )
    md = ok(
        runner,
        "estimate",
        "iv",
        *BASE,
        "--format",
        "gfe",
        "--price",
        "500",
        env={"KETACOST_CONFIG": str(config)},
    ).stdout
    assert "Calm Clinic" in md and "1234567893" in md and "12-3456789" in md


def test_gfe_refuses_insured_estimates(runner) -> None:
    result = runner.invoke(app, ["estimate", "iv", "--insurance", "commercial", "--format", "gfe"])
    assert result.exit_code == 2 and "uninsured or self-pay" in result.stderr


# ------------------------------------------------------- HTML printed by Chromium


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.slow
def test_html_handout_prints_to_pdf_in_a_real_browser(runner, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed here; CI installs it and runs this test")
    from pypdf import PdfReader

    page = tmp_path / "q.html"
    ok(
        runner,
        "estimate",
        "iv",
        *BASE,
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--consult",
        "0",
        "--format",
        "html",
        "-o",
        str(page),
        "--patient",
        "Ann Example",
    )
    pdf = tmp_path / "q.pdf"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    reader = PdfReader(str(pdf))
    assert 1 <= len(reader.pages) <= 3
    text = " ".join(p.extract_text() for p in reader.pages)
    for part in (
        "IV ketamine infusion",
        "Ann Example",
        "You pay",
        "$3,000.00",
        "Assumptions",
        "Sources",
        "not medical advice",
    ):
        assert part in text, part


# ------------------------------------------------------------- nothing lost


def test_existing_file_is_kept_without_force_and_replaced_with_it(runner, tmp_path: Path) -> None:
    out = tmp_path / "quote.md"
    out.write_text("the old quote")
    result = runner.invoke(app, ["estimate", "iv", *BASE, "--format", "markdown", "-o", str(out)])
    assert result.exit_code == 2 and "already exists; add --force" in result.stderr
    assert out.read_text() == "the old quote"
    ok(runner, "estimate", "iv", *BASE, "--format", "markdown", "-o", str(out), "--force")
    assert out.read_text().startswith("# IV ketamine infusion")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quote.md"]


def test_failed_write_leaves_the_old_file_intact(runner, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "quote.csv"
    out.write_text("the old quote")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_module.os, "replace", full_disk)
    result = runner.invoke(
        app, ["estimate", "iv", *BASE, "--format", "csv", "-o", str(out), "--force"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: -o {out}: could not be written (No space left on device)"
    )
    assert out.read_text() == "the old quote"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quote.csv"]  # temp file removed


def test_read_only_folder(runner, tmp_path: Path, monkeypatch) -> None:
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output_module, "_create_temp", denied)
    result = runner.invoke(
        app, ["estimate", "iv", "--format", "json", "-o", str(tmp_path / "x.json")]
    )
    assert result.exit_code == 2 and "permission denied" in result.stderr


# --------------------------------------------------------- a clinic's own book


def test_template_validate_and_partial_clinic_book(runner, tmp_path: Path) -> None:
    template = ok(runner, "prices", "--template").stdout
    assert template.startswith("# A clinic price book") and "extends: national" in template
    book = tmp_path / "clinic.yaml"
    book.write_text(template.replace("typical: '590.00'", "typical: '650.00'", 1))
    result = ok(runner, "validate", str(book))
    assert "Clinic figures (1): treatments.iv.session_items.infusion" in result.stdout
    doc = json.loads(
        ok(
            runner,
            "estimate",
            "iv",
            *BASE,
            "--pricing",
            str(book),
            "--price",
            "650",
            "--sessions",
            "1",
            "--no-maintenance",
            "--format",
            "json",
        ).stdout
    )
    assert doc["price_book"]["overrides"] == ["treatments.iv.session_items.infusion"]
    assert any("Clinic price book" in a for a in doc["assumptions"])
    plain = json.loads(
        ok(runner, "estimate", "iv", *BASE, "--pricing", str(book), "--format", "json").stdout
    )
    assert plain["phases"][0]["price_per_session"]["typical"] == "650.00"


def test_clinic_book_extending_something_unknown(runner, tmp_path: Path) -> None:
    book = tmp_path / "clinic.yaml"
    book.write_text("extends: regional\n")
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 2 and "only 'national'" in result.stderr


def test_validate_reports_every_problem(runner, tmp_path: Path) -> None:
    import yaml

    import bookfactory

    data = bookfactory.book()
    data["treatments"]["iv"]["session_items"]["session"]["low"] = "-1.00"
    data["treatments"]["im"]["consult_fee"]["unit"] = ""
    data["treatments"]["kap"]["session_items"]["session"]["high"] = "1.00"
    data["discounts"]["cash"]["percent_off"]["value"] = "140"
    data["treatments"]["oral"]["colour"] = "blue"
    data["treatments"]["nasal"]["phases"][0]["sessions"]["sources"] = []
    data["insurance"]["medicare"]["g2082_rate"]["basis"] = "guess"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    for path in (
        "treatments.iv.session_items.session",
        "treatments.im.consult_fee.unit",
        "treatments.kap.session_items.session",
        "discounts.cash.percent_off",
        "treatments.oral.colour",
        "treatments.nasal.phases.0.sessions.sources",
        "insurance.medicare.g2082_rate.basis",
    ):
        assert path in result.stderr, path
    assert "more problem" not in result.stderr


# ----------------------------------------------------------------- the config file


def test_config_defaults_format_and_pricing(runner, tmp_path: Path, test_book_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"format: json\npricing: {test_book_path}\n")
    out = ok(runner, "estimate", "iv", *BASE, env={"KETACOST_CONFIG": str(config)}).stdout
    assert json.loads(out)["price_book"]["as_of"] == "2026-11-01"


def test_broken_config_is_a_short_error(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("format: pdf\n")
    result = runner.invoke(app, ["estimate", "iv"], env={"KETACOST_CONFIG": str(config)})
    assert result.exit_code == 2 and f"{config}: format" in result.stderr
