"""Real negotiated rates: `rates extract` over TiC and hospital files, the rate book,
and `--rates` in the claim engine. The fixtures are this project's own small files,
written to follow the CMS schemas (price-transparency-guide 2.0, hospital v3.0)."""

from __future__ import annotations

import copy
import gzip
import importlib.util
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ketacost.cli.app import app
from ketacost.rates import book as ratebook

NPI = "1234567893"  # a valid check digit (the Luhn rule with prefix 80840)
OTHER_NPI = "1245319599"
TIN = "12-3456789"
TODAY = {"KETACOST_TODAY": "2026-11-27"}
BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "tic_synth.py"


def _synth() -> Any:
    spec = importlib.util.spec_from_file_location("tic_synth", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(runner: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env={**TODAY, **(env or {})})


def money(x: str | Decimal) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------- fixtures


def price(rate: str, **extra: Any) -> dict[str, Any]:
    out = {
        "negotiated_type": "negotiated",
        "negotiated_rate": Decimal(rate),
        "expiration_date": "9999-12-31",
        "service_code": ["11"],
        "billing_class": "professional",
        "setting": "outpatient",
    }
    out.update(extra)
    return out


def item(code: str, rates: list[dict[str, Any]], code_type: str = "HCPCS") -> dict[str, Any]:
    return {
        "negotiation_arrangement": "ffs",
        "name": f"Service {code}",
        "billing_code_type": code_type,
        "billing_code_type_version": "2026",
        "billing_code": code,
        "description": f"Description of {code}",
        "negotiated_rates": rates,
    }


def in_network(refs_after: bool = False, version: str = "2.0.0") -> dict[str, Any]:
    """A single-plan in-network file: group 1 holds our NPI, group 2 another clinic."""
    refs = [
        {
            "provider_group_id": 1,
            "network_name": ["Example PPO"],
            "provider_groups": [
                {
                    "npi": [int(OTHER_NPI), int(NPI)],
                    "tin": {"type": "ein", "value": TIN, "business_name": "Example Clinic"},
                }
            ],
        },
        {
            "provider_group_id": 2,
            "network_name": ["Example PPO"],
            "provider_groups": [
                {"npi": [int(OTHER_NPI)], "tin": {"type": "ein", "value": "98-7654321"}}
            ],
        },
    ]
    rates = [
        item(
            "G2082",
            [
                {"provider_references": [2], "negotiated_prices": [price("700.00")]},
                {"provider_references": [1], "negotiated_prices": [price("906.515")]},
            ],
        ),
        item(
            "G2083",
            [
                {
                    "provider_references": [1, 2],
                    "negotiated_prices": [
                        price("1289.82"),
                        price("1400.00", billing_code_modifier=["95"]),
                    ],
                }
            ],
        ),
        item(
            "27447", [{"provider_references": [1], "negotiated_prices": [price("123.45")]}], "CPT"
        ),
        item(
            "99213",
            [
                {
                    # inline provider groups (no reference) are read too
                    "provider_groups": [{"npi": [int(NPI)], "tin": {"type": "ein", "value": TIN}}],
                    "negotiated_prices": [price("88.10", expiration_date="2026-06-30")],
                }
            ],
            "CPT",
        ),
    ]
    head: dict[str, Any] = {
        "reporting_entity_name": "Example Health Plan",
        "reporting_entity_type": "health insurance issuer",
        "plan_name": "Example Gold PPO",
        "issuer_name": "Example Health Insurance Co",
        "plan_id_type": "hios",
        "plan_id": "1234567890",
        "plan_market_type": "group",
        "last_updated_on": "2026-10-01",
        "version": version,
    }
    if refs_after:
        return {**head, "in_network": rates, "provider_references": refs}
    return {**head, "provider_references": refs, "in_network": rates}


def allowed_file() -> dict[str, Any]:
    def payment(amount: str, npis: list[list[str]]) -> dict[str, Any]:
        return {
            "allowed_amount": Decimal(amount),
            "providers": [
                {"billed_charge": Decimal("1500.00"), "npi": [int(n) for n in group]}
                for group in npis
            ],
        }

    return {
        "reporting_entity_name": "Example Health Plan",
        "reporting_entity_type": "health insurance issuer",
        "plan_name": "Example Gold PPO",
        "plan_id_type": "hios",
        "plan_id": "1234567890",
        "plan_market_type": "group",
        "last_updated_on": "2026-09-15",
        "version": "1.0.0",
        "out_of_network": [
            {
                "name": "Esketamine visit",
                "billing_code_type": "HCPCS",
                "billing_code_type_version": "2026",
                "billing_code": "G2083",
                "description": "Esketamine, > 56 mg",
                "allowed_amounts": [
                    {
                        "tin": {"type": "ein", "value": TIN},
                        "service_code": ["11"],
                        "billing_class": "professional",
                        "payments": [
                            payment("800.00", [[NPI], [NPI, OTHER_NPI]]),
                            payment("950.00", [[NPI]]),
                            payment("990.00", [[OTHER_NPI]]),
                        ],
                    }
                ],
            }
        ],
    }


def dumps(doc: Any) -> str:
    def default(o: Any) -> Any:
        raise TypeError(o)

    # Decimal as a bare JSON number, exactly as written
    text = json.dumps(doc, default=lambda o: f"@@{o}@@" if isinstance(o, Decimal) else default(o))
    return text.replace('"@@', "").replace('@@"', "")


def write_json(path: Path, doc: Any, gz: bool = False) -> Path:
    data = dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


ATTEST = "To the best of its knowledge and belief, this hospital has included all charges."
TALL = f"""hospital_name,last_updated_on,version,location_name,hospital_address,license_number|NY,type_2_npi,"{ATTEST}",attester_name
Example Hospital,4/1/2026,3.0.0,Example Hospital,"1 Main St, Albany, NY 12207",123,{NPI}|1999999984,TRUE,A. Attester
description,code | 1,code | 1 | type,code | 2,code | 2 | type,setting,drug_unit_of_measurement,drug_type_of_measurement,standard_charge | gross,standard_charge | discounted_cash,payer_name,plan_name,modifiers,standard_charge | negotiated_dollar,standard_charge | negotiated_percentage,standard_charge | negotiated_algorithm,median_amount,10th_percentile,90th_percentile,count,standard_charge | min,standard_charge | max,standard_charge | methodology,additional_generic_notes
Esketamine visit over 56 mg,0510,RC,G2083,HCPCS,outpatient,,,2100,1260.50,Example Health Plan,Gold PPO,,1180,,,1150,1000,1300,42,1100,1180,fee schedule,
Esketamine visit over 56 mg,0510,RC,G2083,HCPCS,outpatient,,,2100,1260.50,Other Plan,HMO,,1100,,,1090,1000,1200,1 through 10,1100,1180,fee schedule,
MRI of brain,611,RC,70551,CPT,outpatient,,,1200,1080,Example Health Plan,Gold PPO,,400,,,,,,,250,400,fee schedule,
"""  # noqa: E501 - rows of the CMS v3 tall template
WIDE = f"""hospital_name,last_updated_on,version,location_name,hospital_address,license_number|NY,type_2_npi,"{ATTEST}",attester_name
Example Hospital,2026-04-01,3.0.0,Example Hospital,"1 Main St, Albany, NY 12207",123,{NPI},TRUE,A. Attester
description,code|1,code|1|type,modifiers,setting,standard_charge|gross,standard_charge|discounted_cash,standard_charge|Example Health Plan|Gold PPO|negotiated_dollar,standard_charge|Example Health Plan|Gold PPO|negotiated_percentage,standard_charge|Example Health Plan|Gold PPO|negotiated_algorithm,median_amount|Example Health Plan|Gold PPO,10th_percentile|Example Health Plan|Gold PPO,90th_percentile|Example Health Plan|Gold PPO,count|Example Health Plan|Gold PPO,standard_charge|Example Health Plan|Gold PPO|methodology,additional_payer_notes|Example Health Plan|Gold PPO,standard_charge|min,standard_charge|max,additional_generic_notes
Esketamine visit over 56 mg,G2083,HCPCS,,outpatient,2100,1260.50,1180,,,1150,1000,1300,42,fee schedule,,1100,1180,
IV infusion first hour,96365,CPT,,outpatient,600,310,250,,,240,200,260,30,fee schedule,,250,250,
"""  # noqa: E501 - rows of the CMS v3 wide template


def hospital_json(version: str = "3.0.0") -> dict[str, Any]:
    return {
        "hospital_name": "Example Hospital",
        "last_updated_on": "2026-04-01",
        "version": version,
        "location_name": ["Example Hospital"],
        "hospital_address": ["1 Main St, Albany, NY 12207"],
        "license_information": {"state": "NY", "license_number": "123"},
        "attestation": {"attestation": ATTEST, "confirm_attestation": True, "attester_name": "A"},
        "type_2_npi": [NPI],
        "standard_charge_information": [
            {
                "description": "Esketamine visit over 56 mg",
                "code_information": [{"code": "G2083", "type": "HCPCS"}],
                "standard_charges": [
                    {
                        "setting": "outpatient",
                        "minimum": 1100,
                        "maximum": 1180,
                        "gross_charge": 2100,
                        "discounted_cash": Decimal("1260.50"),
                        "payers_information": [
                            {
                                "payer_name": "Example Health Plan",
                                "plan_name": "Gold PPO",
                                "methodology": "fee schedule",
                                "standard_charge_dollar": 1180,
                                "median_amount": 1150,
                                "10th_percentile": 1000,
                                "90th_percentile": 1300,
                                "count": "42",
                            }
                        ],
                    }
                ],
            },
            {
                "description": "Knee",
                "code_information": [{"code": "27447", "type": "CPT"}],
                "standard_charges": [{"setting": "inpatient", "gross_charge": 1}],
            },
        ],
    }


def extract(runner: Any, tmp_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> Any:
    out = tmp_path / "rates.yaml"
    result = run(runner, "rates", "extract", *map(str, files), "--npi", NPI, "-o", str(out), *extra)
    return result, out


def loaded(path: Path) -> ratebook.RateBook:
    return ratebook.validate(yaml.safe_load(path.read_text()), str(path))


# ----------------------------------------------------------------- TiC in-network


@pytest.mark.parametrize("refs_after", [False, True])
@pytest.mark.parametrize("gz", [False, True])
def test_in_network_keeps_the_providers_rates_for_the_books_codes(
    runner: Any, tmp_path: Path, refs_after: bool, gz: bool
) -> None:
    src = write_json(tmp_path / ("tic.json.gz" if gz else "tic.json"), in_network(refs_after), gz)
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    rb = loaded(out)
    got = {(r.code, r.modifiers, r.rate) for r in rb.negotiated}
    assert got == {
        ("G2082", (), Decimal("906.515")),  # group 2's $700 is another clinic's
        ("G2083", (), Decimal("1289.82")),
        ("G2083", ("95",), Decimal("1400.00")),
        ("99213", (), Decimal("88.10")),
    }
    # 27447 is not a code the project prices: not kept
    assert all(r.code != "27447" for r in rb.negotiated)
    (source,) = rb.sources
    assert source.file == src.name
    assert (source.plan, source.issuer, source.version) == (
        "Example Gold PPO",
        "Example Health Insurance Co",
        "2.0.0",
    )
    assert source.last_updated_on.isoformat() == "2026-10-01"
    g2082 = next(r for r in rb.negotiated if r.code == "G2082")
    assert (g2082.setting, g2082.billing_class, g2082.negotiated_type) == (
        "outpatient",
        "professional",
        "negotiated",
    )
    assert g2082.tin == TIN and g2082.network == ("Example PPO",) and g2082.source == src.name


def test_tin_filter_and_extra_codes(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    result, out = extract(runner, tmp_path, src, extra=("--tin", TIN, "--code", "27447"))
    assert result.exit_code == 0, result.output
    rb = loaded(out)
    assert {r.code for r in rb.negotiated} == {"G2082", "G2083", "99213", "27447"}
    result, _ = extract(runner, tmp_path, src, extra=("--tin", "98-7654321", "--force"))
    assert result.exit_code == 2
    assert "is not in this file" in result.output


@pytest.mark.parametrize("refs", ["before", "after"])
def test_generated_files_either_order_give_the_target_rates(
    runner: Any, tmp_path: Path, refs: str
) -> None:
    synth = _synth()
    src = tmp_path / f"synth-{refs}.json"
    with open(src, "w", encoding="utf-8") as handle:
        synth.write(handle, mb=0.6, refs=refs, groups=30, npis_per_group=8)
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    rb = loaded(out)
    assert {r.code: str(r.rate) for r in rb.negotiated} == synth.TARGET_RATES
    assert len(rb.negotiated) == len(synth.TARGET_RATES)  # repeats kept once


def test_jobs_give_the_same_book(runner: Any, tmp_path: Path) -> None:
    a = write_json(tmp_path / "a.json", in_network())
    b = write_json(tmp_path / "b.json.gz", allowed_file(), gz=True)
    one = tmp_path / "one.yaml"
    two = tmp_path / "two.yaml"
    r1 = run(runner, "rates", "extract", str(a), str(b), "--npi", NPI, "-o", str(one))
    r2 = run(runner, "rates", "extract", str(a), str(b), "--npi", NPI, "-o", str(two), "-j", "2")
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert one.read_text() == two.read_text()


# ------------------------------------------------------------------ allowed amounts


def test_allowed_amounts_with_counts(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "oon.json", allowed_file())
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    rb = loaded(out)
    got = {(a.code, a.amount, a.count) for a in rb.allowed_amounts}
    # $990 was paid to another provider only
    assert got == {("G2083", Decimal("800.00"), 2), ("G2083", Decimal("950.00"), 1)}
    assert rb.sources[0].kind == "tic-allowed-amounts"


# ----------------------------------------------------------------------- hospitals


@pytest.mark.parametrize("layout", ["tall", "wide", "json"])
def test_hospital_files(runner: Any, tmp_path: Path, layout: str) -> None:
    if layout == "json":
        src = write_json(tmp_path / "hospital.json", hospital_json())
    else:
        src = tmp_path / f"hospital-{layout}.csv"
        src.write_text(TALL if layout == "tall" else WIDE, encoding="utf-8")
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    rb = loaded(out)
    (g,) = [h for h in rb.hospital if h.code == "G2083"]
    assert (g.gross, g.discounted_cash, g.setting) == (
        Decimal("2100"),
        Decimal("1260.50"),
        "outpatient",
    )
    gold = next(p for p in g.payers if p.payer == "Example Health Plan")
    assert (gold.plan, gold.dollar, gold.median, gold.p10, gold.p90, gold.count) == (
        "Gold PPO",
        Decimal("1180"),
        Decimal("1150"),
        Decimal("1000"),
        Decimal("1300"),
        "42",
    )
    assert all(h.code != "70551" and h.code != "27447" for h in rb.hospital)
    assert rb.sources[0].last_updated_on.isoformat() == "2026-04-01"
    assert rb.sources[0].kind == {"tall": "hospital-csv-tall", "wide": "hospital-csv-wide"}.get(
        layout, "hospital-json"
    )


# ---------------------------------------------------------------------- bad input


def _bad_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = dumps(in_network()).encode()
    cases = {
        "not a TiC file": (tmp_path / "notes.txt", "not a Transparency in Coverage"),
        "other JSON": (tmp_path / "other.json", "not a Transparency in Coverage"),
        "truncated gzip": (tmp_path / "cut.json.gz", "truncated"),
        "truncated JSON": (tmp_path / "cut.json", "not valid JSON"),
        "wrong version": (tmp_path / "v9.json", "schema version 9.0.0 is not supported"),
        "hospital v2": (tmp_path / "old.json", "schema version 2.2.0 is not supported"),
        "NPI not in file": (tmp_path / "nobody.json", f"NPI {NPI} is not in this file"),
        "table of contents": (tmp_path / "toc.json", "table-of-contents"),
    }
    cases["not a TiC file"][0].write_text("hello, world\n")
    cases["other JSON"][0].write_text('{"name": "x", "items": [1, 2]}')
    cases["truncated gzip"][0].write_bytes(gzip.compress(good)[:-40])
    cases["truncated JSON"][0].write_bytes(good[: len(good) // 2])
    write_json(cases["wrong version"][0], in_network(version="9.0.0"))
    write_json(cases["hospital v2"][0], hospital_json(version="2.2.0"))
    nobody = in_network()
    nobody["provider_references"] = nobody["provider_references"][1:]
    nobody["in_network"] = nobody["in_network"][:3]
    write_json(cases["NPI not in file"][0], nobody)
    toc = {"reporting_entity_name": "X", "reporting_entity_type": "y", "reporting_structure": []}
    write_json(cases["table of contents"][0], toc)
    return cases


@pytest.mark.parametrize(
    "case",
    [
        "not a TiC file",
        "other JSON",
        "truncated gzip",
        "truncated JSON",
        "wrong version",
        "hospital v2",
        "NPI not in file",
        "table of contents",
    ],
)
def test_bad_files_one_line_exit_2_nothing_written(runner: Any, tmp_path: Path, case: str) -> None:
    src, expected = _bad_cases(tmp_path)[case]
    good = write_json(tmp_path / "good.json", in_network())
    result, out = extract(runner, tmp_path, good, src)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(src) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rates.yaml")] == []


def test_a_bad_npi_and_an_existing_output(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    result = run(runner, "rates", "extract", str(src), "--npi", "1234567890")
    assert result.exit_code == 2 and "check digit" in result.stderr
    out = tmp_path / "rates.yaml"
    out.write_text("keep me")
    result = run(runner, "rates", "extract", str(src), "--npi", NPI, "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text() == "keep me"


# ----------------------------------------------------------------- the rate book


def test_rate_book_is_validated_strictly(tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    from ketacost.rates.extract import build_book, default_codes
    from ketacost.rates.extract import run as run_extract

    codes = default_codes(None)
    rb = build_book(
        run_extract([str(src)], npi=NPI, tin=None, codes=codes),
        npi=NPI,
        tin=None,
        codes=codes,
        today=__import__("datetime").date(2026, 11, 27),
    )
    data = yaml.safe_load(ratebook.dump(rb))
    assert ratebook.validate(copy.deepcopy(data), "x") == rb  # round trip
    bad = copy.deepcopy(data)
    bad["negotiated"][0]["rate"] = 906.52  # a float loses cents: refused
    with pytest.raises(ratebook.RatesError, match=r"negotiated\.0\.rate"):
        ratebook.validate(bad, "x")
    bad = copy.deepcopy(data)
    bad["negotiated"][0]["colour"] = "red"
    with pytest.raises(ratebook.RatesError, match="unknown"):
        ratebook.validate(bad, "x")
    bad = copy.deepcopy(data)
    bad["negotiated"][0]["source"] = "elsewhere.json"
    with pytest.raises(ratebook.RatesError, match="not in sources"):
        ratebook.validate(bad, "x")
    bad = copy.deepcopy(data)
    bad["negotiated"][0]["rate"] = "-1"
    with pytest.raises(ratebook.RatesError, match="greater than or equal"):
        ratebook.validate(bad, "x")


# ------------------------------------------------------------------ --rates in use


def _estimate(runner: Any, *args: str) -> dict[str, Any]:
    result = run(runner, "estimate", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


SPRAVATO = ("spravato", "--start", "2026-12-01", "--sessions", "8", "--no-maintenance")


def test_must_show_extract_then_estimate_uses_the_g_code_rates(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "tic.json", in_network())
    result = run(runner, "rates", "extract", "tic.json", "--npi", NPI, "-o", "rates.yaml")
    assert result.exit_code == 0, result.output
    rb = loaded(tmp_path / "rates.yaml")
    rate = {r.code: r.rate for r in rb.negotiated if not r.modifiers}
    common = (*SPRAVATO, "--insurance", "commercial", "--covered", "--consult", "0")
    doc = _estimate(runner, *common, "--dose", "84", "--rates", "rates.yaml")
    # 8 treatments: the first at 56 mg (G2082), seven at 84 mg (G2083); in network the
    # billed amount of each line is its allowed amount, rounded half-up per line
    expected = money(rate["G2082"]) + 7 * money(rate["G2083"])
    assert expected == Decimal("9935.26")  # 906.52 + 7 x 1289.82
    assert doc["totals"]["billed"] == {c: str(expected) for c in ("low", "typical", "high")}
    text = " ".join(doc["assumptions"])
    assert "rates.yaml" in text and "Example Gold PPO" in text and "2026-10-01" in text
    assert "G2082 $906.515" in text and "G2083 $1,289.82" in text
    # without --rates the book's prices are the allowed amounts: a different total
    plain = _estimate(runner, *common, "--dose", "84")
    assert plain["totals"]["billed"]["typical"] != str(expected)
    # at 56 mg every treatment is G2082
    doc56 = _estimate(runner, *common, "--dose", "56", "--rates", "rates.yaml")
    assert doc56["totals"]["billed"]["typical"] == str(8 * money(rate["G2082"]))
    # the patient's share follows the plan on those allowed amounts
    fixed = ("--deductible", "500", "--coinsurance", "20", "--oop-max", "3000")
    doc = _estimate(runner, *common, "--dose", "84", "--rates", "rates.yaml", *fixed)
    # per line, half-up: the deductible, then 20% of the rest of each line
    lines = [money(rate["G2082"])] + [money(rate["G2083"])] * 7
    patient = Decimal(500) + money((lines[0] - 500) * Decimal("0.2"))
    patient += sum(money(x * Decimal("0.2")) for x in lines[1:])
    assert doc["totals"]["patient"]["typical"] == str(min(patient, Decimal(3000)))


def test_expired_rate_is_flagged(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0
    # 99213 (E/M) expired 2026-06-30 in the fixture; Spravato's itemized coding uses it
    result = run(
        runner,
        "estimate",
        *SPRAVATO,
        "--insurance",
        "commercial",
        "--covered",
        "--rates",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "rate for 99213 expired on 2026-06-30" in result.stderr


def test_out_of_network_uses_the_allowed_amounts(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "oon.json", allowed_file())
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0
    args = (*SPRAVATO, "--insurance", "commercial", "--covered", "--consult", "0")
    args += ("--network", "out", "--dose", "84", "--price", "1500", "--rates", str(out))
    doc = _estimate(runner, *args)
    # amounts 800 (twice) and 950 (once): the count-weighted median is 800; the first
    # treatment (56 mg, G2082) has no allowed amounts, so the book's rule applies to it
    plain = _estimate(runner, *args[:-2])
    assert Decimal(doc["totals"]["insurer"]["typical"]) < Decimal(
        plain["totals"]["insurer"]["typical"]
    )
    assert "median of 3 record(s)" in " ".join(doc["assumptions"])


def test_self_pay_at_a_hospital_uses_its_cash_price(runner: Any, tmp_path: Path) -> None:
    src = tmp_path / "hospital.csv"
    src.write_text(TALL, encoding="utf-8")
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    doc = _estimate(runner, *SPRAVATO, "--dose", "84", "--consult", "0", "--rates", str(out))
    assert doc["totals"]["billed"]["typical"] == str(8 * Decimal("1260.50"))
    assert "discounted cash price" in " ".join(doc["assumptions"])


def test_bad_rate_book_is_one_line(runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rate_book: ketacost.rates/1\nnpi: '1'\n")
    result = run(runner, "estimate", "iv", "--insurance", "commercial", "--rates", str(bad))
    assert result.exit_code == 2
    assert "--rates" in result.stderr and str(bad) in result.stderr
    result = run(runner, "estimate", "iv", "--rates", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "no such file" in result.stderr


@pytest.mark.parametrize("command", ["compare", "schedule", "tips"])
def test_other_commands_take_rates(runner: Any, tmp_path: Path, command: str) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    _, out = extract(runner, tmp_path, src)
    args = [command] + ([] if command == "compare" else ["spravato"])
    args += ["--insurance", "commercial", "--covered", "--rates", str(out), "--start", "2026-12-01"]
    result = run(runner, *args)
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------- CLI, batch, progress


def test_rates_extract_help_has_an_example(runner: Any) -> None:
    result = run(runner, "rates", "extract", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "ketacost rates extract" in result.stdout


def test_the_entry_point_registers_only_the_rates_group(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    exe = shutil.which("ketacost", path=str(Path(sys.executable).parent))
    assert exe is not None
    src = write_json(tmp_path / "tic.json", in_network())
    out = tmp_path / "rates.yaml"
    env = {**os.environ, **TODAY, "NO_COLOR": "1"}
    cmd = [exe, "rates", "extract", str(src), "--npi", NPI, "-o", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert f"Wrote {out}" in done.stderr and "G2082" in done.stderr
    assert loaded(out).negotiated


def test_medicare_does_not_use_the_rate_book(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    _, out = extract(runner, tmp_path, src)
    args = (*SPRAVATO, "--insurance", "medicare", "--consult", "0")
    result = run(runner, "estimate", *args, "--rates", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    plain = _estimate(runner, *args)
    assert json.loads(result.stdout)["totals"] == plain["totals"]
    assert "not used with --insurance medicare" in result.stderr


def test_batch_rows_take_a_rate_book(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    _, out = extract(runner, tmp_path, src)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "id,treatment,start,sessions,no_maintenance,dose,consult,insurance,covered,rates\n"
        f"a,spravato,2026-12-01,8,true,84,0,commercial,true,{out}\n"
        "b,spravato,2026-12-01,8,true,84,0,commercial,true,\n"
    )
    result = run(runner, "batch", str(rows), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    a, b = (json.loads(line) for line in result.stdout.splitlines())
    assert a["billed_typical"] == str(money("906.515") + 7 * money("1289.82"))
    assert b["billed_typical"] != a["billed_typical"]


@pytest.mark.parametrize("refs_after", [False, True])
def test_progress_reports_bytes_of_each_pass(tmp_path: Path, refs_after: bool) -> None:
    from ketacost.rates.extract import default_codes
    from ketacost.rates.extract import run as run_extract

    src = write_json(tmp_path / "tic.json.gz", in_network(refs_after=refs_after), gz=True)
    seen: list[tuple[int, int]] = []
    run_extract(
        [str(src)],
        npi=NPI,
        tin=None,
        codes=default_codes(None),
        report=lambda i: lambda total, done: seen.append((total, done)),
    )
    # references after the rates: two whole passes; before: the first pass stops early
    size = src.stat().st_size
    passes = 2 if refs_after else 1
    assert seen and all(total == passes * size for total, _ in seen)
    assert max(done for _, done in seen) == passes * size


def test_without_a_g_code_rate_spravato_is_drug_per_mg_plus_administration(
    runner: Any, tmp_path: Path
) -> None:
    from ketacost.book import pricebook
    from ketacost.engine.insurance import split_all_in

    doc = in_network()
    doc["in_network"] = [
        item("J0013", [{"provider_references": [1], "negotiated_prices": [price("16.125")]}]),
        *[i for i in doc["in_network"] if i["billing_code"] not in ("G2082", "G2083")],
    ]
    src = write_json(tmp_path / "tic.json", doc)
    result, out = extract(runner, tmp_path, src)
    assert result.exit_code == 0, result.output
    args = (*SPRAVATO, "--insurance", "commercial", "--covered", "--consult", "0")
    got = _estimate(runner, *args, "--dose", "84", "--price", "1200", "--rates", str(out))
    # the drug line allows J0013 x mg (the first treatment 56 mg, then 84 mg); the
    # administration line has no rate for all its codes (99415, 99416), so it keeps
    # the usual rule: its share of the quoted price, allowed in full in network
    t = pricebook.load().treatments["spravato"]
    expected = Decimal(0)
    for mg in [56] + [84] * 7:
        _, admin = split_all_in(t, mg, Decimal(1200))
        expected += money(Decimal("16.125") * mg) + admin
    assert got["totals"]["billed"]["typical"] == str(expected)
    text = " ".join(got["assumptions"])
    assert "J0013 $16.125 per 1 mg" in text and "No rate in the book for" in text


def test_pharmacy_benefit_keeps_the_usual_rule_for_treatments(runner: Any, tmp_path: Path) -> None:
    src = write_json(tmp_path / "tic.json", in_network())
    _, out = extract(runner, tmp_path, src)
    args = (*SPRAVATO, "--insurance", "commercial", "--covered", "--consult", "0", "--dose", "84")
    args += ("--drug-benefit", "pharmacy")
    with_rates = _estimate(runner, *args, "--rates", str(out))
    without = _estimate(runner, *args)
    assert with_rates["totals"] == without["totals"]
    assert "another benefit or network" in " ".join(with_rates["assumptions"])
