"""Real benefit designs (issue 18): family limits, the pharmacy benefit, network per
benefit, copay accumulators, Medicare Advantage, HDHP rules for an HSA, a secondary plan
and plan files. The expected figures are written as arithmetic a reviewer can follow."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ketacost
from ketacost import batch
from ketacost.book import pricebook
from ketacost.cli.app import app
from ketacost.engine.costshare import Claim, PlanTerms, Program, adjudicate

D = Decimal
ENV = {"KETACOST_TODAY": "2026-11-27"}
BOOK = pricebook.load()
START = "2027-03-01"
IV6 = ["iv", "--price", "500", "--sessions", "6", "--no-maintenance", "--consult", "0"]
IV6 += ["--start", START, "--insurance", "commercial", "--covered"]


def doc(runner, *args: str, command: str = "estimate") -> dict:
    result = runner.invoke(app, [command, *args, "--format", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def patient(d: dict) -> Decimal:
    low, typical, high = (D(d["totals"]["patient"][c]) for c in ("low", "typical", "high"))
    assert low == typical == high  # every input fixed: one number
    return typical


# The plan rules go through the Python API (its keywords are the CLI's options); the
# CLI's refusals stay CLI tests.
TODAY = dt.date(2026, 11, 27)
IV6_API = {"price": "500", "sessions": 6, "maintenance": False, "consult": "0", "start": START}
IV6_API |= {"insurance": "commercial", "covered": True}


def estimate(treatment: str, **options: Any) -> Any:
    return ketacost.estimate(treatment, today=TODAY, **options)


def pays(est: Any) -> Decimal:
    low, typical, high = est.totals.patient
    assert low == typical == high  # every input fixed: one number
    value: Decimal = typical
    return value


def refused(runner, *args: str) -> str:
    result = runner.invoke(app, ["estimate", *args], env=ENV)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


# ------------------------------------------------------------------------ family plans


def test_family_deductible_met_first_ends_the_deductible() -> None:
    # $2,000 of the individual deductible left, but only $1,000 of the family one:
    # $500 + $500 to the family deductible, then 20% of four $500 infusions = $400.
    est = estimate("iv", **IV6_API, deductible="2000", family_deductible="1000")
    assert pays(est) == D(500) + D(500) + 4 * D("0.20") * D(500) == D("1400.00")
    assert est.plan.terms.family.kind == "embedded"


def test_embedded_individual_deductible_inside_the_family_one() -> None:
    # individual $500 left, family $1,000 left: the individual one ends first,
    # then 20% of the other $2,500
    est = estimate("iv", **IV6_API, deductible="500", family_deductible="1000")
    assert pays(est) == D(500) + D("0.20") * D(2500) == D("1000.00")


def test_aggregate_family_deductible_ignores_the_individual_one() -> None:
    # aggregate: only the family's $1,500 applies, then 20% of $1,500
    est = estimate(
        "iv", **IV6_API, deductible="500", family_deductible="1500", family_kind="aggregate"
    )
    assert pays(est) == D(1500) + D("0.20") * D(1500) == D("1800.00")


def test_family_out_of_pocket_maximum_caps_the_patient() -> None:
    # the family has $600 of its maximum left: $600 and no more
    est = estimate("iv", **IV6_API, deductible="1000", oop_max="5000", family_oop_max="600")
    assert pays(est) == D("600.00")


# -------------------------------------------------------------------- pharmacy benefit

SPRAVATO8 = ["spravato", "--price", "1200", "--dose", "84", "--sessions", "8"]
SPRAVATO8 += ["--no-maintenance", "--consult", "0", "--start", START]
SPRAVATO8 += ["--insurance", "commercial", "--covered", "--no-assistance"]
SPRAVATO8_API = {"price": "1200", "dose": "84", "sessions": 8, "maintenance": False}
SPRAVATO8_API |= {"consult": "0", "start": START, "insurance": "commercial", "covered": True}
SPRAVATO8_API |= {"assistance": False}


def _drug_and_admin() -> tuple[Decimal, Decimal]:
    t = BOOK.treatments["spravato"]
    drug = t.drug_price("typical", 84)  # 3 devices x the book's price per device
    first = t.drug_price("typical", 56)  # the first treatment is 56 mg
    return drug, first


def test_pharmacy_copay_per_fill_and_medical_coinsurance_on_the_visit() -> None:
    drug, first = _drug_and_admin()
    est = estimate(
        "spravato",
        **SPRAVATO8_API,
        deductible="0",
        coinsurance="20",
        oop_max="9000",
        drug_benefit="pharmacy",
        rx_copay="100",
    )
    # each fill: a $100 copay; each visit: 20% of what the $1,200 leaves after the drug
    admin = [D(1200) - first] + [D(1200) - drug] * 7
    expected = 8 * D(100) + sum((D("0.20") * a).quantize(D("0.01")) for a in admin)
    assert pays(est) == expected
    assert est.plan.terms.pharmacy.copay == D("100.00")


def test_separate_pharmacy_deductible_then_one_shared_maximum() -> None:
    drug, first = _drug_and_admin()
    base = {**SPRAVATO8_API, "deductible": "0", "coinsurance": "20"}
    base |= {"drug_benefit": "pharmacy", "rx_copay": "100", "rx_deductible": "500"}
    est = estimate("spravato", **base, oop_max="9000")
    # the first fill (56 mg) pays the $500 pharmacy deductible, then the copay out of
    # what is left of it; later fills $100
    admin = [D(1200) - first] + [D(1200) - drug] * 7
    visits = sum((D("0.20") * a).quantize(D("0.01")) for a in admin)
    assert pays(est) == D(500) + min(D(100), first - D(500)) + 7 * D(100) + visits
    capped = estimate("spravato", **base, oop_max="1000")
    assert pays(capped) == D("1000.00")  # both benefits count toward one maximum


def test_rx_options_need_the_pharmacy_benefit(runner) -> None:
    out = refused(runner, *SPRAVATO8, "--rx-copay", "100")
    assert "--drug-benefit pharmacy" in out
    out = refused(runner, *IV6, "--drug-benefit", "pharmacy")
    assert "spravato" in out


# ----------------------------------------------------------------- network per benefit


def test_drug_out_of_network_while_the_visit_is_in() -> None:
    oon = BOOK.insurance.out_of_network
    assert oon is not None
    est = estimate(
        "spravato",
        **SPRAVATO8_API,
        deductible="0",
        coinsurance="20",
        oop_max="9000",
        drug_network="out",
    )
    drug, first = _drug_and_admin()
    pct = oon.allowed_percent.get("typical") / 100
    ded, coins = oon.deductible.get("typical"), oon.coinsurance.get("typical") / 100
    # the drug: out of network, its own deductible, then its coinsurance, plus the
    # balance bill (charge - allowed); the visit: in network at 20%
    drug_lines = [first] + [drug] * 7
    total = D(0)
    left = ded
    for charge in drug_lines:
        allowed = (charge * pct).quantize(D("0.01"))
        to_ded = min(allowed, left)
        left -= to_ded
        total += to_ded + ((allowed - to_ded) * coins).quantize(D("0.01")) + charge - allowed
    admin = [D(1200) - first] + [D(1200) - drug] * 7
    total += sum((D("0.20") * a).quantize(D("0.01")) for a in admin)
    assert pays(est) == total
    assert est.scenario.drug_network == "out"


# --------------------------------------------------------------------- copay accumulator


def test_accumulator_hand_computed() -> None:
    day = dt.date(2027, 3, 1)
    claims = [
        Claim(day + dt.timedelta(weeks=i), D(1000), D(1000), True, drug=True, tag=str(i))
        for i in range(3)
    ]
    terms = PlanTerms(D(2000), D(0), None, None, D(2000), None, as_of=day)
    program = Program(floor=D(10), annual_cap=D(1500))
    plain = adjudicate(claims, terms, program=program)
    # 1: $1,000 to the deductible, the program pays $990, you $10
    # 2: the last $1,000 of the deductible; the program's $510 left; you $490
    # 3: deductible met, 0% coinsurance: nothing
    assert [ln.patient for ln in plain] == [D(10), D(490), D(0)]
    from ketacost import records

    acc = adjudicate(claims, records.replace(terms, accumulator=True), program=program)
    # the program's payments count toward nothing: after 1 the deductible has $1,990
    # left (only your $10 counted), after 2 $1,500 (your $490); 3 is all yours
    assert [ln.patient for ln in acc] == [D(10), D(490), D(1000)]
    # the cap limits line 2 first (the day it runs out) and every line after
    assert [ln.program_capped for ln in acc] == [False, True, True]


def test_accumulator_costs_more_and_says_when_the_program_runs_out() -> None:
    plan = {"insurance": "commercial", "deductible": "2000", "annual_deductible": "2000"}
    plan |= {"coinsurance": "20", "oop_max": "6000", "annual_oop_max": "6000"}
    plan |= {"start": "2027-01-04", "months": 12}
    plain = estimate("spravato", **plan)
    acc = estimate("spravato", **plan, accumulator=True)
    assert acc.totals.patient.typical > plain.totals.patient.typical
    runs_out = acc.program_runs_out
    assert runs_out is not None and runs_out.year == 2027
    assert any(f"cap runs out on {runs_out:%Y-%m-%d}" in a for a in acc.assumptions)
    tip = next(t for t in acc.tips if t.id == "copay-accumulator")
    assert tip.saves.typical == acc.totals.net.typical - plain.totals.net.typical


# -------------------------------------------------------------------- Medicare Advantage


def test_medicare_advantage_with_medigap_is_refused(runner) -> None:
    out = refused(runner, "spravato", "--insurance", "medicare-advantage", "--medigap", "G")
    assert "Medigap" in out


def test_medicare_advantage_pays_the_g_code_with_its_own_cap(runner) -> None:
    ma = BOOK.insurance.medicare_advantage
    assert ma is not None
    rate = BOOK.insurance.medicare.g2082_rate.get("typical")
    args = ["spravato", "--insurance", "medicare-advantage", "--dose", "56", "--sessions"]
    args += ["8", "--no-maintenance", "--consult", "0", "--start", START]
    plan = {"insurance": "medicare-advantage", "dose": "56", "sessions": 8}
    plan |= {"maintenance": False, "consult": "0", "start": START}
    est = estimate("spravato", **plan)
    per = (ma.coinsurance.get("typical") / 100 * rate).quantize(D("0.01"))
    assert ma.deductible.get("typical") == 0
    assert est.totals.patient.typical == 8 * per
    assert est.totals.assistance.typical == 0  # no manufacturer program
    capped = estimate("spravato", **plan, oop_max="500")
    assert capped.totals.patient.typical == D("500.00")
    out = refused(runner, *args, "--coinsurance", "25")
    assert "20%" in out


# ------------------------------------------------------------------------- HSA and HDHP


def test_hsa_needs_a_high_deductible_plan(runner) -> None:
    out = refused(runner, "iv", "--insurance", "commercial", "--hsa", "--annual-deductible", "1000")
    assert "1,700.00" in out and "--annual-deductible" in out
    out = refused(
        runner,
        "iv",
        "--insurance",
        "commercial",
        "--hsa",
        "--family",
        "--annual-deductible",
        "3400",
        "--annual-family-deductible",
        "3000",
    )
    assert "3,400.00" in out
    ok = doc(
        runner,
        "iv",
        "--insurance",
        "commercial",
        "--hsa",
        "--family",
        "--annual-deductible",
        "3400",
        "--annual-family-deductible",
        "6800",
    )
    assert D(ok["totals"]["tax_savings"]["typical"]) > 0


# ------------------------------------------------------------------- secondary insurance


def test_secondary_plan_pays_after_the_primary(runner, tmp_path: Path) -> None:
    sec = tmp_path / "secondary.yaml"
    sec.write_text(
        "type: commercial-ppo\nin_network: {deductible: 300, oop_max: 3000}\ncoinsurance: 20\n",
        encoding="utf-8",
    )
    d = doc(
        runner,
        *IV6,
        "--deductible",
        "1000",
        "--coinsurance",
        "20",
        "--oop-max",
        "5000",
        "--secondary",
        str(sec),
    )
    # primary: you owe 500, 500, 100, 100, 100, 100 (= 1,400)
    # secondary as if primary: 500 - (300 + 20% of 200) = 160, then 400 a line
    # it pays the lesser of that and what you still owe: 160 + 400 + 4 x 100 = 960
    assert patient(d) == D(1400) - (D(160) + D(400) + 4 * D(100)) == D("440.00")
    assert d["insurance"]["secondary"]["paid"]["typical"] == "960.00"
    assert D(d["totals"]["insurer"]["typical"]) == D(3000) - D(440)
    table = runner.invoke(app, ["estimate", *IV6, "--secondary", str(sec)], env=ENV)
    assert "Secondary plan pays" in table.stdout


# -------------------------------------------------------------------------- plan files


def test_plan_template_is_a_valid_plan(runner, tmp_path: Path) -> None:
    out = runner.invoke(app, ["plan", "--template"], env=ENV)
    assert out.exit_code == 0
    path = tmp_path / "plan.yaml"
    path.write_text(out.stdout, encoding="utf-8")
    check = runner.invoke(app, ["plan", str(path)], env=ENV)
    assert check.exit_code == 0, check.output
    for tid in ("hdhp", "silver", "employer-ppo", "medicare-advantage"):
        typical = runner.invoke(app, ["plan", "--typical", tid], env=ENV)
        assert typical.exit_code == 0, typical.output
        assert "# Source:" in typical.stdout
        (tmp_path / f"{tid}.yaml").write_text(typical.stdout, encoding="utf-8")
        d = doc(runner, "spravato", "--plan", str(tmp_path / f"{tid}.yaml"), "--start", START)
        assert d["insurance"]["plan_file"].endswith(f"{tid}.yaml")


def test_plan_file_sets_the_plan_and_options_override_it(runner, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "type: commercial-ppo\nin_network: {deductible: 2000, family_deductible: 1000,"
        " oop_max: 6000}\ncoinsurance: 20\nmet: {deductible: 1000}\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError):  # family below individual is refused
        doc(runner, *IV6, "--plan", str(path))
    path.write_text(
        "type: commercial-ppo\nin_network: {deductible: 2000, family_deductible: 4000,"
        " oop_max: 6000}\ncoinsurance: 20\nmet: {deductible: 1000, family_deductible: 3000}\n",
        encoding="utf-8",
    )
    d = doc(runner, *IV6, "--plan", str(path))
    # $1,000 of each deductible left: 500 + 500, then 20% of 2,000
    assert patient(d) == D("1400.00")
    d = doc(runner, *IV6, "--plan", str(path), "--coinsurance", "50")
    assert patient(d) == D(1000) + D("0.5") * D(2000)
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: commercial-ppo\ncolour: blue\n", encoding="utf-8")
    out = refused(runner, *IV6, "--plan", str(bad))
    assert "colour" in out and "in_network" in out  # names the key and what is allowed
    missing = refused(runner, *IV6, "--plan", str(tmp_path / "nope.yaml"))
    assert "no such file" in missing


def test_new_dimensions_reach_schedule_compare_and_batch(runner, tmp_path: Path) -> None:
    args = ["--insurance", "commercial", "--covered", "--family-deductible", "500"]
    sched = doc(runner, "iv", *args, "--start", START, command="schedule")
    assert sched["visits"]
    comp = doc(runner, *args, "--drug-benefit", "pharmacy", "--start", START, command="compare")
    assert len(comp["rows"] if isinstance(comp, dict) else comp) == 6
    text = (
        "treatment,start,insurance,covered,accumulator,family_deductible,drug_benefit,rx_copay\n"
        f"spravato,{START},commercial,yes,yes,800,pharmacy,150\n"
        f"iv,{START},medicare-advantage,yes,,,,\n"
    )
    sink = io.StringIO()
    counts = batch.run(BOOK, io.StringIO(text, newline=""), sink, "csv", today=dt.date(2027, 3, 1))
    assert counts == (2, 0), sink.getvalue()


# ------------------------------------------- found by an independent hand check


def test_accumulator_credits_only_the_patients_own_money_line_by_line(runner) -> None:
    # Spravato $1,000 at 56 mg: drug 2 x $295 = $590, administration $410; deductible
    # $2,000, 20%, program floor $10. Only your own money counts toward the deductible:
    # visits 1-4: $10 (drug) + $410 (administration) = $420, deductible left 2000 - 4 x 420
    # = $320; visit 5: $10 on the drug (of which $10 to the deductible, $310 left), then
    # $310 + 20% of $100 = $330 on administration = $340; visits 6-8: $10 + 20% of $410.
    d = doc(
        runner,
        "spravato",
        "--price",
        "1000",
        "--dose",
        "56",
        "--sessions",
        "8",
        "--no-maintenance",
        "--consult",
        "0",
        "--start",
        START,
        "--insurance",
        "commercial",
        "--deductible",
        "2000",
        "--coinsurance",
        "20",
        "--oop-max",
        "6000",
        "--accumulator",
    )
    expected = 4 * D(420) + D(340) + 3 * (D(10) + D("0.20") * D(410))
    assert patient(d) == expected == D("2296.00")


def test_after_the_reset_the_full_deductible_is_not_what_remained(runner) -> None:
    # $200 of the deductible left this year says nothing of next year's: the book's
    # typical $2,000 applies after the reset, and the report says so
    args = [*IV6, "--deductible", "200", "--coinsurance", "20", "--oop-max", "6000"]
    d = doc(runner, *args)
    assert d["insurance"]["annual_deductible"] == "2000.00"
    assert any("typical figures for the full year" in a for a in d["assumptions"])
    given = doc(runner, *args, "--annual-deductible", "500")
    assert given["insurance"]["annual_deductible"] == "500.00"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--insurance", "medicaid", "--hsa"], "Medicaid"),
        (
            ["--insurance", "commercial", "--hsa", "--deductible", "2000", "--oop-max", "10000"],
            "8,500.00",
        ),
        (
            [
                "--insurance",
                "commercial",
                "--hsa",
                "--annual-deductible",
                "2000",
                "--family-deductible",
                "4000",
            ],
            "embedded individual",
        ),
    ],
)
def test_more_plans_that_are_not_hsa_eligible(runner, args: list[str], needle: str) -> None:
    assert needle in refused(runner, "iv", *args)


def test_a_met_deductible_is_not_a_low_deductible(runner) -> None:
    # $0 left of an HDHP's deductible is fine: the full one is the book's typical $2,000
    d = doc(runner, "iv", "--insurance", "commercial", "--deductible", "0", "--hsa")
    assert D(d["totals"]["tax_savings"]["typical"]) > 0


def test_plan_file_rates_and_share_follow_the_clis_rules(runner, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("type: commercial-ppo\ncoinsurance: 0.2\n", encoding="utf-8")
    check = runner.invoke(app, ["plan", str(path)], env=ENV)
    assert check.exit_code == 2 and "did you mean 20" in check.output
    path.write_text(
        "type: commercial-ppo\ncoinsurance: 20\nspecialist_copay: 50\n", encoding="utf-8"
    )
    check = runner.invoke(app, ["plan", str(path)], env=ENV)
    assert check.exit_code == 2 and "not both" in check.output


def test_batch_finds_plan_files_next_to_the_batch_file(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "quotes"
    folder.mkdir()
    (folder / "ppo.yaml").write_text(
        "type: commercial-ppo\nin_network: {deductible: 1000, oop_max: 4000}\ncoinsurance: 20\n",
        encoding="utf-8",
    )
    (folder / "list.csv").write_text(
        f"treatment,price,sessions,no_maintenance,consult,covered,plan,start\n"
        f"iv,500,6,yes,0,yes,ppo.yaml,{START}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["batch", str(folder / "list.csv")], env=ENV)
    assert result.exit_code == 0, result.output
    assert ",1400.00," in result.stdout


def test_typical_plan_files_write_plain_numbers_and_the_coinsurance(runner) -> None:
    out = runner.invoke(app, ["plan", "--typical", "hdhp"], env=ENV).stdout
    assert "deductible: 1700\n" in out and "coinsurance: 20\n" in out


def test_a_plan_template_writes_money_as_typed_never_through_a_float() -> None:
    """12.5% and $33.33 come out as written; a float could print 33.329999..."""
    from decimal import Decimal

    import yaml

    from ketacost.planfile import _decimal_dumper, _plain

    data = _plain(
        {"coinsurance": Decimal("12.5"), "copay": Decimal("33.33"), "d": Decimal("2000.00")}
    )
    text = yaml.dump(data, Dumper=_decimal_dumper(yaml), sort_keys=False)
    assert text == "coinsurance: 12.5\ncopay: 33.33\nd: 2000\n"
    assert not any(isinstance(v, float) for v in data.values())
