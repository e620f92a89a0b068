"""The Good Faith Estimate (45 CFR 149.610): the clinic's own charges, one line per
service and unit charge with the right codes, who and why checked, at most 12 months,
the patient's rights with numbers, and Markdown / HTML / JSON from one object."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
import yaml

from ketacost.cli.app import app
from ketacost.engine.goodfaith import (
    Dispute,
    GfeLine,
    GoodFaithEstimate,
    LineCode,
    Provider,
    check_icd10,
    check_npi,
    check_tin,
    parse_dob,
)
from ketacost.errors import InputError, PriceBookError

import bookfactory

D = Decimal
TODAY = {"KETACOST_TODAY": "2026-11-27"}
MUST_SHOW = [
    "estimate",
    "spravato",
    "--format",
    "gfe",
    "--price",
    "1200",
    "--dose",
    "84",
    "--clinic-name",
    "Example Clinic",
    "--npi",
    "1234567893",
    "--tin",
    "12-3456789",
    "--diagnosis",
    "F33.2",
]
BUNDLED = {"G2082", "G2083"}
DRUG = {"J0013", "S0013"}
PROLONGED = {"99415", "99416"}


def run(runner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={**TODAY, **(env or {})})


def ok(runner, *args: str, env: dict[str, str] | None = None):
    result = run(runner, *args, env=env)
    assert result.exit_code == 0, result.output
    return result


def gfe_json(runner, *args: str, env: dict[str, str] | None = None) -> dict:
    argv = [a if a != "gfe" else "gfe-json" for a in args]
    return json.loads(ok(runner, *argv, env=env).stdout)


def codes_of(line: dict) -> list[str]:
    return [c["code"] for c in line["codes"]]


# ------------------------------------------------------------------- must show


def test_spravato_first_56_mg_apart_from_84_mg_with_the_right_codes(runner) -> None:
    doc = gfe_json(runner, *MUST_SHOW)
    sessions = [ln for ln in doc["lines"] if ln["kind"] == "session"]
    first, rest = sessions[0], sessions[1:]
    assert first["dose_mg"] == 56 and first["quantity"] == 1
    assert codes_of(first) == ["G2082"]
    assert rest and all(ln["dose_mg"] == 84 and codes_of(ln) == ["G2083"] for ln in rest)
    for ln in doc["lines"]:  # never the drug (or observation) beside a bundled code
        codes = set(codes_of(ln))
        assert not (codes & BUNDLED and codes & (DRUG | PROLONGED)), ln
        assert D(ln["unit_charge"]) * ln["quantity"] == D(ln["charge"])
    intake = [ln for ln in doc["lines"] if ln["kind"] == "intake"]
    assert [codes_of(ln) for ln in intake] == [["90792"]]
    assert doc["provider"] == {
        "name": "Example Clinic",
        "npi": "1234567893",
        "tin": "12-3456789",
        "address": None,
        "phone": None,
        "state": None,
    }
    assert doc["diagnoses"][0]["code"] == "F33.2"
    # totals equal the estimate's, line by line and in all
    est = json.loads(
        ok(
            runner, "estimate", "spravato", "--price", "1200", "--dose", "84", "--format", "json"
        ).stdout
    )
    assert doc["total"] == est["totals"]["billed"]["typical"] == est["totals"]["patient"]["typical"]
    assert sum(D(ln["charge"]) for ln in doc["lines"]) == D(doc["total"])
    assert doc["sessions"] == est["totals"]["sessions"]["typical"]
    for phase in est["phases"]:
        mine = [ln for ln in sessions if ln["service"].endswith(phase["label"])]
        assert sum(D(ln["charge"]) for ln in mine) == D(phase["billed"]["typical"])


def test_must_show_command_as_markdown(runner) -> None:
    md = ok(runner, *MUST_SHOW).stdout
    rows = [r for r in md.splitlines() if r.startswith("| Spravato")]
    assert "56 mg (the first treatment)" in rows[0] and "| G2082 |" in rows[0]
    assert "| 1 | $1,200.00 | $1,200.00 |" in rows[0]
    assert all("84 mg" in r and "| G2083 |" in r for r in rows[1:])
    assert "J0013" not in md
    assert "**Provider or facility:** Example Clinic" in md
    assert "F33.2 (Major depressive disorder, recurrent severe" in md


def test_bad_npi_is_refused_and_nothing_written(runner, tmp_path: Path) -> None:
    out = tmp_path / "gfe.md"
    argv = [a if a != "1234567893" else "1234567890" for a in MUST_SHOW]
    result = run(runner, *argv, "-o", str(out))
    assert result.exit_code == 2
    assert "--npi 1234567890 is not a valid NPI" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_gfe_without_clinic_book_or_price_is_refused(runner, tmp_path: Path) -> None:
    out = tmp_path / "gfe.html"
    result = run(runner, "estimate", "spravato", "--format", "gfe-html", "-o", str(out))
    assert result.exit_code == 2
    assert "--price" in result.stderr and "--pricing" in result.stderr
    assert not out.exists()


# --------------------------------------------------------- who and why: checks


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_valid_npis(npi: str) -> None:
    assert check_npi(npi) == npi


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij", ""])
def test_invalid_npis(npi: str) -> None:
    with pytest.raises(InputError):
        check_npi(npi)


def test_tin_icd_and_dob_checks() -> None:
    assert check_tin("123456789") == "12-3456789"
    assert check_tin("123-45-6789") == "123-45-6789"
    for bad in ("12-345678", "00-1234567", "ab-cdefghi"):
        with pytest.raises(InputError):
            check_tin(bad)
    assert check_icd10("f33.2") == "F33.2"
    assert check_icd10("F332") == "F33.2"
    assert check_icd10("F32.A") == "F32.A"
    assert check_icd10("F32") == "F32"
    for bad in ("33.2", "F3", "F33.23456", "F33-2", "FF3.2"):
        with pytest.raises(InputError):
            check_icd10(bad)
    today = dt.date(2026, 11, 27)
    assert parse_dob("05/01/1980", today) == dt.date(1980, 5, 1)
    assert parse_dob("1980-05-01", today) == dt.date(1980, 5, 1)
    for bad in ("2026-11-27", "2027-01-01", "02/30/1980", "1980-13-01", "May 1 1980", "1850-01-01"):
        with pytest.raises(InputError):
            parse_dob(bad, today)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--tin", "1234", "--tin must be an EIN"),
        ("--diagnosis", "depression", "--diagnosis: 'depression' is not an ICD-10-CM code"),
        ("--dob", "2027-01-01", "--dob: a date of birth must be in the past"),
        ("--dob", "13/01/1980", "--dob: '13/01/1980' is not a real date"),
        ("--state", "ZZ", "--state"),
        ("--clinic-name", "x" * 201, "--clinic-name must be one line"),
    ],
)
def test_bad_who_and_why_is_exit_2(runner, option: str, value: str, message: str) -> None:
    result = run(runner, *MUST_SHOW, option, value)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output


def test_options_repeat_and_config_fills_in(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "state: IL\ndiagnosis: [F33.1]\nclinic:\n  name: Calm Clinic\n  npi: '1234567893'\n"
        "  tin: 12-3456789\n  address: 1 Main St, Springfield, IL\n"
    )
    env = {"KETACOST_CONFIG": str(config)}
    doc = gfe_json(runner, "estimate", "iv", "--price", "500", "--format", "gfe", env=env)
    assert doc["provider"]["state"] == "IL" and doc["provider"]["name"] == "Calm Clinic"
    assert doc["provider"]["address"] == "1 Main St, Springfield, IL"
    assert [d["code"] for d in doc["diagnoses"]] == ["F33.1"]
    doc = gfe_json(
        runner,
        *("estimate", "iv", "--price", "500", "--format", "gfe", "--state", "WI"),
        *("--diagnosis", "F33.2", "--diagnosis", "f32.1", "--clinic-name", "Other Clinic"),
        env=env,
    )
    assert doc["provider"]["state"] == "WI" and doc["provider"]["name"] == "Other Clinic"
    assert [d["code"] for d in doc["diagnoses"]] == ["F33.2", "F32.1"]
    md = ok(runner, "estimate", "iv", "--price", "500", "--format", "gfe", env=env).stdout
    assert "**State:** IL" in md


def test_bad_npi_in_the_config_file_is_named(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("clinic:\n  npi: '1234567890'\n")
    result = run(
        runner,
        *("estimate", "iv", "--price", "500", "--format", "gfe"),
        env={"KETACOST_CONFIG": str(config)},
    )
    assert result.exit_code == 2
    assert f"{config}: clinic.npi 1234567890 is not a valid NPI" in result.stderr


# ------------------------------------------------------------- clinic's coding


def _clinic_book(tmp_path: Path, extra: dict) -> Path:
    book = {
        "extends": "national",
        "title": "Example Clinic",
        "region": "Springfield, IL",
        "as_of": "2026-11-20",
        **extra,
    }
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(book, sort_keys=False))
    return path


def test_clinic_book_can_code_spravato_itemized_j_code_per_mg_s0013_before_2026(
    runner, tmp_path: Path
) -> None:
    book = _clinic_book(tmp_path, {"billing": {"coding": {"spravato": {"use": "itemized"}}}})
    doc = gfe_json(
        runner,
        *("estimate", "spravato", "--pricing", str(book), "--format", "gfe"),
        *("--start", "2025-12-15", "--months", "3", "--dose", "84"),
    )
    sessions = [ln for ln in doc["lines"] if ln["kind"] == "session"]
    assert sessions[0]["codes"][0] == {
        "code": "S0013",
        "system": "HCPCS",
        "units": 56,
        "descriptor": "Esketamine, nasal spray, 1 mg (temporary code, replaced by J0013)",
    }
    for ln in sessions:
        codes = {c["code"]: c["units"] for c in ln["codes"]}
        assert not set(codes) & BUNDLED
        drug = "S0013" if ln["last"] < "2026-01-01" else "J0013"
        assert ln["first"] >= "2026-01-01" or ln["last"] < "2026-01-01"  # never mixed
        assert codes == {drug: ln["dose_mg"], "99213": 1, "99415": 1, "99416": 2}
    assert any(codes_of(ln)[0] == "J0013" for ln in sessions)
    # the clinic chose its coding, so the codes are not in the confirm list
    assert not any("Service codes" in c for c in doc["confirm_before_sending"])
    assert any("Session price item 'administration'" in c for c in doc["confirm_before_sending"])


def test_inherited_figures_are_listed_to_confirm(runner, tmp_path: Path) -> None:
    doc = gfe_json(runner, *MUST_SHOW)
    confirm = " | ".join(doc["confirm_before_sending"])
    assert "Intake fee ($300.00)" in confirm and "treatments.spravato.consult_fee" in confirm
    assert "billing.coding.spravato" in confirm
    html = ok(runner, *[a if a != "gfe" else "gfe-html" for a in MUST_SHOW]).stdout
    assert 'class="warning confirm"' in html and "Confirm before sending (3)" in html
    doc = gfe_json(runner, *MUST_SHOW, "--consult", "250", "--sessions", "8", "--no-maintenance")
    assert doc["confirm_before_sending"] == [
        "Service codes: the national price book's coding for spravato (billing.coding.spravato);"
        " confirm they are the codes this practice bills"
    ]


def test_book_refuses_double_coding_and_undated_sources(tmp_path: Path) -> None:
    from ketacost.book import pricebook

    national = bookfactory.load(pricebook.bundled_path().read_text())
    national["billing"]["coding"]["spravato"]["bundled"].append(
        {"code": "J0013", "units": "dose_mg"}
    )
    bad = tmp_path / "double.yaml"
    bad.write_text(bookfactory.dump(national))
    with pytest.raises(PriceBookError, match="already includes the drug"):
        pricebook.load(bad)
    national = bookfactory.load(pricebook.bundled_path().read_text())
    del national["billing"]["codes"]["G2082"]["sources"][0]["accessed"]
    bad.write_text(bookfactory.dump(national))
    with pytest.raises(PriceBookError, match=r"billing\.codes\.G2082\.sources\.0\.accessed"):
        pricebook.load(bad)
    national = bookfactory.load(pricebook.bundled_path().read_text())
    national["billing"]["coding"]["iv"]["session"].append({"code": "99999"})
    bad.write_text(bookfactory.dump(national))
    with pytest.raises(PriceBookError, match=r"code 99999 is not in billing\.codes"):
        pricebook.load(bad)


def test_every_billing_node_is_sourced_and_checked() -> None:
    from ketacost.book import pricebook

    billing = pricebook.load().billing
    assert billing is not None
    nodes = [*billing.codes.values(), *billing.diagnoses.values(), *billing.coding.values()]
    for node in nodes:
        assert node.sources and node.checked <= dt.date(2026, 11, 27)
        assert all(
            s.accessed and (s.published is None or s.published <= s.accessed) for s in node.sources
        )
    assert billing.codes["J0013"].effective_from == dt.date(2026, 1, 1)
    assert billing.codes["S0013"].effective_to == dt.date(2025, 12, 31)
    assert set(billing.coding) == {"iv", "im", "kap", "spravato", "oral", "nasal"}


def test_iv_codes_infusion_with_drug_and_intake(runner) -> None:
    doc = gfe_json(
        runner,
        "estimate",
        "iv",
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--format",
        "gfe",
    )
    assert [(ln["kind"], codes_of(ln), ln["quantity"]) for ln in doc["lines"]] == [
        ("intake", ["99204"], 1),
        ("session", ["96365", "J3490"], 6),
    ]
    assert doc["lines"][1]["charge"] == "3000.00"


# ------------------------------------------------------------ 12 months at most


def test_longer_horizon_covers_the_first_12_months_and_says_so(runner) -> None:
    base = ["estimate", "spravato", "--price", "1200", "--dose", "84", "--start", "2026-12-01"]
    long = gfe_json(runner, *base, "--months", "18", "--format", "gfe")
    year = json.loads(ok(runner, *base, "--months", "12", "--format", "json").stdout)
    assert long["period"] == {
        "start": "2026-12-01",
        "end": "2027-11-30",
        "months_covered": 12,
        "months_asked": 18,
        "note": long["period"]["note"],
    }
    assert "covers the first 12" in long["period"]["note"] and "18 months" in long["period"]["note"]
    assert all(ln["last"] <= "2027-11-30" for ln in long["lines"])
    assert long["total"] == year["totals"]["billed"]["typical"]
    md = ok(runner, *base, "--months", "18", "--format", "gfe").stdout
    assert "at most 12 months of recurring services" in md


# ------------------------------------------------------- 149.610(c)(1), element by element

# Each element of 45 CFR 149.610(c)(1) and the words that carry it in the GFE.
ELEMENTS_149_610_C1 = {
    "(i) patient name and date of birth": ["Patient name:** Ann Example", "birth:** 1980-05-01"],
    "(ii) primary service in clear language, and its scheduled date": [
        "Primary service:** Spravato (esketamine nasal spray) for depression",
        "Scheduled date:** 2026-12-01",
    ],
    "(iii) itemized list, grouped by provider or facility": [
        "## Items and services reasonably expected: Example Clinic",
        "| Initial evaluation (intake) before the first treatment |",
    ],
    "(iv) diagnosis codes, expected service codes and expected charges per item": [
        "Diagnosis code(s):** F33.2",
        "| G2082 |",
        "| G2083 |",
        "| 90792 |",
        "Expected charge each | Expected charge |",
        "**Total expected charges**",
    ],
    "(v) name, NPI and TIN of each provider, state(s) and location(s)": [
        "Provider or facility:** Example Clinic",
        "(NPI):** 1234567893",
        "(TIN):** 12-3456789",
        "Location where care is given:** 1 Main St, Springfield, IL",
        "**State:** IL",
    ],
    "(vi) items or services scheduled separately, before or after the period of care": [
        "## Items or services scheduled separately",
        "must be scheduled or requested separately and are not reflected in this Good Faith",
    ],
    "(vii) separate GFEs for those items, and how to get them": [
        "Ask Example Clinic for a separate Good Faith Estimate when you schedule or request",
    ],
    "(viii) disclaimer: additional items recommended must be scheduled separately": [
        "There may be additional items or services your provider recommends as part of your "
        "care that must be scheduled or requested separately and are not reflected in this "
        "Good Faith Estimate.",
    ],
    "(ix) disclaimer: only an estimate; actual items, services or charges may differ": [
        "is only an estimate regarding items or services reasonably expected",
        "actual items, services, or charges may differ from the Good Faith Estimate",
    ],
    "(x) disclaimer: right to dispute, where to find how, no effect on quality of care": [
        "right to initiate the patient-provider dispute resolution process",
        "www.cms.gov/nosurprises/consumers",
        "will not adversely affect the quality of the health care services",
        "$400.00 or more above this estimate for any one provider or facility",
        "within 120 calendar days of the date on the original bill",
        "The fee is $25.00",
        "This estimate was given to you on 2026-11-27",
    ],
    "(xi) disclaimer: not a contract, no obligation to obtain the services": [
        "is not a contract and does not require the uninsured (or self-pay) individual to "
        "obtain the items or services",
    ],
}
FULL = [
    *MUST_SHOW,
    *("--patient", "Ann Example", "--dob", "05/01/1980", "--start", "2026-12-01"),
    *("--clinic-address", "1 Main St, Springfield, IL", "--state", "IL"),
]


def _norm(text: str) -> str:
    """Words only: no Markdown marks, tags, colons or runs of blanks."""
    text = unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\*\*|\||#|:|_", " ", text)
    return " ".join(text.split())


@pytest.mark.parametrize("element", list(ELEMENTS_149_610_C1))
def test_each_element_of_149_610_c1_is_in_the_gfe(runner, element: str) -> None:
    md = ok(runner, *FULL).stdout
    html = ok(runner, *[a if a != "gfe" else "gfe-html" for a in FULL]).stdout
    for words in ELEMENTS_149_610_C1[element]:
        assert words in md, (element, words)
        assert _norm(words) in _norm(html), (element, words)  # the same words in the HTML


def test_json_has_the_same_fields_as_the_page(runner) -> None:
    doc = gfe_json(runner, *FULL)
    md = ok(runner, *FULL).stdout
    assert doc["patient"] == {"name": "Ann Example", "date_of_birth": "1980-05-01"}
    assert doc["primary_service"]["scheduled"] == "2026-12-01"
    assert doc["date_given"] == "2026-11-27"
    assert doc["dispute"]["threshold"] == "400.00" and doc["dispute"]["days_from_bill"] == 120
    for ln in doc["lines"]:
        assert ln["service"] in md
        assert f"| {ln['quantity']} | " in md
    assert all(text in md for text in doc["disclaimers"])


# --------------------------------------------------- the renderer does no arithmetic


def test_renderers_print_the_object_and_compute_nothing() -> None:
    from ketacost.report.gfe import gfe_doc, gfe_html, gfe_markdown

    day = dt.date(2026, 12, 1)
    # deliberately inconsistent figures: a renderer that recomputed would show others
    line = GfeLine(
        "session",
        "A session",
        (LineCode("96365", "CPT", 1, "Infusion"),),
        day,
        day,
        3,
        D("1.00"),
        D("5.00"),
    )
    g = GoodFaithEstimate(
        issued=day,
        patient="P",
        dob=None,
        diagnoses=(),
        primary_service="Care",
        scheduled=day,
        period_end=day,
        provider=Provider(name="C"),
        lines=(line,),
        total=D("7.00"),
        sessions=3,
        coding="session",
        coding_note=None,
        recurring_note="R",
        separately_scheduled=(),
        separate_gfe_note="S",
        confirm=(),
        dispute=Dispute(D("400.00"), 120, D("25.00"), "u", "e", "p", ("how",)),
        disclaimers=("d",),
        as_of=day,
        treatment="iv",
        months_asked=12,
        months_covered=12,
    )
    md, html, doc = gfe_markdown(g), gfe_html(g), gfe_doc(g)
    assert "| 3 | $1.00 | $5.00 |" in md and "**$7.00**" in md
    assert ">$5.00<" in html and ">$7.00<" in html and "$3.00" not in html
    assert doc["total"] == "7.00" and doc["lines"][0]["charge"] == "5.00"


def test_gfe_format_follows_the_output_file(runner, tmp_path: Path) -> None:
    for name, start in (("g.html", "<!DOCTYPE html>"), ("g.json", "{"), ("g.md", "# Good Faith")):
        out = tmp_path / name
        ok(runner, *MUST_SHOW, "-o", str(out))
        assert out.read_text().startswith(start), name
    assert ok(runner, *MUST_SHOW).stdout.startswith("# Good Faith Estimate")


# ------------------------------------------------------------- printed in Chromium


@pytest.mark.slow
def test_gfe_html_prints_in_a_real_browser(runner, tmp_path: Path) -> None:
    from test_formats import _chromium

    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed here; CI installs it and runs this test")
    from pypdf import PdfReader

    page = tmp_path / "gfe.html"
    ok(runner, *FULL, "-o", str(page))
    pdf = tmp_path / "gfe.pdf"
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
    assert 1 <= len(reader.pages) <= 4
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for part in (
        "Good Faith Estimate",
        "Ann Example",
        "Example Clinic",
        "1234567893",
        "G2082",
        "G2083",
        "Total expected charges",
        "Confirm before sending",
        "120 calendar days",
        "not a contract",
    ):
        assert part in text, part
