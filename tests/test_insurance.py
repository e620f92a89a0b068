"""Insured estimates end to end: plan defaults, networks, Medicare, Medicaid, the program."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ketacost
from ketacost import records
from ketacost.book import pricebook
from ketacost.book.pricebook import PriceBook
from ketacost.cli.app import app
from ketacost.engine.estimate import build
from ketacost.engine.insurance import resolve_plan
from ketacost.errors import KetacostError
from ketacost.paying.money import apply as apply_money
from ketacost.scenario import Scenario

D = Decimal
START = "2026-03-02"
# The domain rules are checked through the Python API, whose keywords are the CLI's
# options; the CLI's own contract (messages, exit codes, the table) is checked below.
FIXED = {"price": "500", "sessions": 6, "maintenance": False, "consult": "0", "start": START}
COMMERCIAL = {"insurance": "commercial", "covered": True}


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return pricebook.load()


def typical(est: Any, key: str) -> Decimal:
    value: Decimal = getattr(est.totals, key).typical
    return value


def test_the_issue_example() -> None:
    est = ketacost.estimate(
        "iv", **FIXED, **COMMERCIAL, deductible="1000", coinsurance="20", oop_max="2000"
    )
    for case in ("low", "typical", "high"):
        assert getattr(est.totals.patient, case) == D("1400.00")
        assert getattr(est.totals.insurer, case) == D("1600.00")
        assert getattr(est.totals.billed, case) == D("3000.00")
    assert est.scenario.insurance == "commercial" and est.plan.covered is True


def test_iv_is_not_covered_by_default_and_says_so() -> None:
    est = ketacost.estimate("iv", **FIXED, insurance="commercial")
    assert typical(est, "patient") == D("3000.00") and typical(est, "insurer") == 0
    assert any(a.startswith("Coverage: not covered by default") for a in est.assumptions)


def test_typical_plan_is_assumed_and_listed() -> None:
    est = ketacost.estimate("iv", **FIXED, **COMMERCIAL)
    # the book's typical plan: $2,000 deductible then 20%: 2000 + 20% of 1000
    assert typical(est, "patient") == D("2200.00")
    assert any("the price book's typical plan" in a for a in est.assumptions)


def test_out_of_network_superbill(book: PriceBook) -> None:
    oon = book.insurance.out_of_network
    assert oon is not None
    est = ketacost.estimate(
        "iv",
        **FIXED,
        **COMMERCIAL,
        network="out",
        deductible="0",
        coinsurance="40",
        oop_max="10000",
    )
    pct = oon.allowed_percent.get("typical")
    allowed = (D(500) * pct / 100).quantize(D("0.01"))
    reimbursed = 6 * (allowed * D("0.6")).quantize(D("0.01"))
    assert est.totals.split.upfront.typical == D("3000.00")
    assert est.totals.split.reimbursed.typical == reimbursed
    assert typical(est, "patient") == D("3000.00") - reimbursed
    assert typical(est, "insurer") == reimbursed


def test_copay_plan() -> None:
    est = ketacost.estimate("iv", **FIXED, **COMMERCIAL, deductible="0", copay="40", oop_max="5000")
    assert typical(est, "patient") == D("240.00")


# No deductible left this year, $1,000 in each new plan year, then 20%.
RESETS = {
    **COMMERCIAL,
    "deductible": "0",
    "annual_deductible": "1000",
    "coinsurance": "20",
    "oop_max": "5000",
}


def test_plan_year_reset_mid_course() -> None:
    plan = {**FIXED, **RESETS}
    before = ketacost.estimate("iv", **{**plan, "start": "2026-11-02"})  # all six in 2026
    across = ketacost.estimate("iv", **{**plan, "start": "2026-12-21"})  # some fall in 2027
    assert typical(before, "patient") == D("600.00")
    assert typical(across, "patient") > typical(before, "patient")


def test_plan_year_start_moves_the_reset() -> None:
    plan = {**FIXED, **RESETS, "start": "2026-12-21"}
    calendar = ketacost.estimate("iv", **plan)
    july = ketacost.estimate("iv", **plan, plan_year_start="07-01")
    assert typical(july, "patient") == D("600.00") < typical(calendar, "patient")


MEDICARE_SPRAVATO = {
    "insurance": "medicare",
    "sessions": 8,
    "maintenance": False,
    "consult": "0",
    "start": START,
}


def test_medicare_spravato_uses_the_g_codes(book: PriceBook) -> None:
    ins = book.insurance.medicare
    est = ketacost.estimate("spravato", **MEDICARE_SPRAVATO, dose="56")
    induction = est.phases[0]
    assert induction.billed.typical == 8 * ins.g2082_rate.get("typical")
    # no out-of-pocket cap: deductible + 20% of the rest
    rest = 8 * ins.g2082_rate.get("typical") - ins.part_b_deductible.get("typical")
    share = ins.part_b_deductible.get("typical") + D("0.2") * rest
    assert abs(induction.split.patient.typical - share) <= D("0.05")  # cents per line
    assert typical(est, "assistance") == 0  # never on Medicare
    g84 = ketacost.estimate("spravato", **MEDICARE_SPRAVATO, dose="84")
    first = ins.g2082_rate.get("typical")  # the first treatment is 56 mg
    assert g84.phases[0].billed.typical == first + 7 * ins.g2083_rate.get("typical")
    # maintenance=False is induction only: weeks 5-8 start the label's maintenance phase
    assert [p.id for p in g84.phases] == ["induction"]


def test_medigap_g_and_n() -> None:
    base = {**MEDICARE_SPRAVATO, "dose": "56"}
    g = ketacost.estimate("spravato", **base, medigap="G")
    n = ketacost.estimate("spravato", **base, medigap="n")
    plain = ketacost.estimate("spravato", **base)
    assert typical(g, "patient") == D("283.00")  # the Part B deductible only
    # 8 treatments in weeks 1-4 (induction only): $20 a visit after the deductible
    assert typical(n, "patient") == D("283.00") + 8 * D("20.00")
    assert typical(plain, "patient") > typical(n, "patient")


def test_medicaid_warns_that_it_varies_by_state(runner) -> None:
    result = runner.invoke(
        app, ["estimate", "spravato", "--insurance", "medicaid", "--format", "json"]
    )
    assert result.exit_code == 0
    assert "vary by state" in result.stderr
    d = json.loads(result.stdout)
    assert any("vary by state" in w for w in d["warnings"])
    assert D(d["totals"]["assistance"]["typical"]) == 0


# Spravato on a commercial plan: nothing left of the deductible, then 20%.
PROGRAM = {
    "insurance": "commercial",
    "deductible": "0",
    "coinsurance": "20",
    "oop_max": "20000",
    "sessions": 8,
    "maintenance": False,
    "consult": "0",
    "dose": "56",
    "start": START,
}


def test_program_applies_to_the_drug_line_only_and_can_be_turned_off() -> None:
    on = ketacost.estimate("spravato", **PROGRAM)
    off = ketacost.estimate("spravato", **PROGRAM, assistance=False)
    assert typical(off, "assistance") == 0
    assert typical(on, "assistance") > 0
    assert typical(on, "patient") + typical(on, "assistance") == typical(off, "patient")
    # the patient still pays the floor per treatment for the drug plus 20% of administration
    assert typical(on, "patient") >= 8 * D("10.00")


def test_program_cap_is_exhausted() -> None:
    plan = {
        "insurance": "commercial",
        "deductible": "6000",
        "coinsurance": "50",
        "oop_max": "50000",
        "months": 9,
        "dose": "84",
        "maintenance_weeks": 1,
        "consult": "0",
    }
    # March to November: one calendar year of the program
    est = ketacost.estimate("spravato", **plan, start=START)
    assert est.totals.assistance.high == D("7150.00")
    across = ketacost.estimate("spravato", **plan, start="2026-09-01")  # resets on Jan 1
    assert across.totals.assistance.high > D("7150.00")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--deductible", "500"], "--deductible needs --insurance"),
        (["--network", "out"], "--network out needs --insurance"),
        (["--insurance", "aetna"], "--insurance: 'aetna' is not one of"),
        (["--insurance", "commercial", "--coinsurance", "120"], "at most 100%"),
        (["--insurance", "commercial", "--coinsurance", "-5"], "must not be negative"),
        (["--insurance", "commercial", "--deductible", "-1"], "must not be negative"),
        (
            ["--insurance", "commercial", "--deductible", "3000", "--oop-max", "2000"],
            "--oop-max (2000.00) is below --deductible (3000.00)",
        ),
        (
            ["--insurance", "commercial", "--deductible", "3000", "--annual-deductible", "2000"],
            "cannot exceed --annual-deductible",
        ),
        (["--insurance", "commercial", "--plan-year-start", "02-30"], "--plan-year-start"),
        (["--insurance", "commercial", "--plan-year-start", "July"], "use MM-DD"),
        (["--insurance", "medicare", "--plan-year-start", "07-01"], "resets on January 1"),
        (["--insurance", "commercial", "--medigap", "G"], "--medigap applies only"),
        (["--insurance", "medicare", "--network", "out"], "only with --insurance commercial"),
        (["--insurance", "commercial", "--copay", "30", "--coinsurance", "20"], "give one"),
        (["--insurance", "commercial", "--network", "sideways"], "--network: 'sideways'"),
    ],
)
def test_bad_plan_input(runner, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["estimate", "iv", *args])
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_table_shows_the_split(runner) -> None:
    result = runner.invoke(
        app,
        [
            "estimate",
            "iv",
            *("--price", "500", "--sessions", "6", "--no-maintenance", "--consult", "0"),
            *("--start", START, "--insurance", "commercial", "--covered", "--network", "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    for label in (
        "Billed",
        "Insurer pays",
        "Paid up front",
        "Reimbursed later",
        "You pay (net)",
        "out of network (superbill)",
    ):
        assert label in result.stdout


# ------------------------------------------------------------------ properties

insured = st.fixed_dictionaries(
    {
        "treatment": st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"]),
        "insurance": st.sampled_from(["commercial", "medicare", "medicaid"]),
    },
    optional={
        "months": st.integers(1, 36),
        "start": st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
        "sessions": st.integers(1, 20),
        "maintenance": st.booleans(),
        "price": st.decimals(0, 3000, places=2),
        "covered": st.booleans(),
        "deductible": st.decimals(0, 5000, places=2),
        "coinsurance": st.decimals(0, 100, places=0),
        "assistance": st.booleans(),
    },
)


@given(
    kw=insured, oop_extra=st.one_of(st.none(), st.decimals(0, 10000, places=2)), out=st.booleans()
)
def test_insured_invariants(
    kw: dict,
    oop_extra: Decimal | None,
    out: bool,
    book: PriceBook,
) -> None:
    if oop_extra is not None and kw["insurance"] == "commercial":
        kw["oop_max"] = kw.get("deductible", D(0)) + oop_extra
    if out and kw["insurance"] == "commercial":
        kw["network"] = "out"
    kw.setdefault("start", dt.date(2026, 3, 2))
    sc = Scenario(**kw).resolved(book)
    est = apply_money(book, build(book, sc, today=dt.date(2026, 11, 27)))
    t = est.totals
    for case in ("low", "typical", "high"):
        billed = getattr(t.billed, case)
        patient = getattr(t.patient, case)
        parts = patient + getattr(t.insurer, case) + getattr(t.assistance, case)
        assert parts == billed
        assert 0 <= patient <= billed
        lines = sum(getattr(p.split.patient, case) for p in est.phases)
        lines += sum(getattr(f.split.patient, case) for f in est.fees)
        assert lines == patient
    assert t.patient.low <= t.patient.typical <= t.patient.high
    assert t.billed.low <= t.billed.typical <= t.billed.high
    # within the first plan year the cost share never exceeds the OOP max remaining
    if est.plan.terms.oop_max is not None:
        from ketacost.engine.costshare import plan_year_of

        terms = est.plan.terms
        first = plan_year_of(terms.as_of, terms.year_start)
        shared = sum(
            (
                ln.cost_share
                for ln in est.lines
                if plan_year_of(ln.claim.date, terms.year_start) == first
            ),
            D(0),
        )
        assert shared <= terms.oop_max


def test_observation_rebate(runner) -> None:
    plain = ketacost.estimate("spravato", **PROGRAM)
    rebated = ketacost.estimate("spravato", **PROGRAM, observation_rebate=True)
    assert typical(rebated, "patient") < typical(plain, "patient")
    assert typical(rebated, "patient") + typical(rebated, "assistance") == typical(
        plain, "patient"
    ) + typical(plain, "assistance")
    assert any("yearly limit it does not publish" in a for a in rebated.assumptions)
    tip = next(t for t in plain.tips if t.id == "spravato-observation-rebate")
    assert tip.saves.typical == typical(plain, "patient") - typical(rebated, "patient")
    in_ma = ketacost.tips("spravato", **PROGRAM, state="MA")
    assert not any(t.id == "spravato-observation-rebate" for t in in_ma)
    # The CLI's refusals, as a user sees them.
    base = [
        "spravato",
        *("--insurance", "commercial", "--deductible", "0", "--coinsurance", "20"),
        *("--oop-max", "20000", "--sessions", "8", "--no-maintenance", "--consult", "0"),
        *("--start", START),
    ]
    refused = runner.invoke(app, ["estimate", *base, "--state", "ma", "--observation-rebate"])
    assert refused.exit_code == 2 and "not valid for residents of MA" in refused.stderr
    bad = runner.invoke(app, ["estimate", *base, "--state", "ZZ"])
    assert bad.exit_code == 2 and "--state: must be a two-letter US state code" in bad.stderr
    assert bad.stderr.count("ZZ") == 1, bad.stderr  # the value is shown once
    wrong = runner.invoke(app, ["estimate", "iv", "--observation-rebate"])
    assert wrong.exit_code == 2 and "applies to spravato" in wrong.stderr


@settings(deadline=None)
@given(
    treatment=st.sampled_from(["iv", "im", "kap", "spravato", "oral", "nasal"]),
    insurance=st.sampled_from(["none", "commercial", "medicare", "medicare-advantage", "medicaid"]),
    network=st.sampled_from(["in", "out"]),
    medigap=st.sampled_from(["none", "G", "N"]),
    covered=st.sampled_from([None, True, False]),
    deductible=st.one_of(st.none(), st.integers(0, 5000).map(Decimal)),
    coinsurance=st.one_of(st.none(), st.integers(0, 50).map(Decimal)),
    accumulator=st.booleans(),
    assistance=st.booleans(),
    case=st.sampled_from(["low", "typical", "high"]),
)
def test_a_plan_without_wording_has_the_same_terms(
    treatment: str,
    insurance: str,
    network: str,
    medigap: str,
    covered: bool | None,
    deductible: Decimal | None,
    coinsurance: Decimal | None,
    accumulator: bool,
    assistance: bool,
    case: str,
) -> None:
    """The batch's plans (`wording=False`) differ from the report's in their notes alone."""
    try:
        sc = Scenario(
            treatment=treatment,
            insurance=insurance,
            network=network if insurance == "commercial" else "in",
            medigap=medigap if insurance == "medicare" else "none",
            covered=covered if insurance != "none" else None,
            deductible=deductible if insurance == "commercial" else None,
            coinsurance=coinsurance if insurance == "commercial" else None,
            accumulator=accumulator and insurance == "commercial",
            assistance=assistance,
        )
    except KetacostError:
        return
    book_ = pricebook.load()
    t = book_.treatments[sc.treatment]  # type: ignore[index]
    full = resolve_plan(book_, t, sc, case)  # type: ignore[arg-type]
    bare = resolve_plan(book_, t, sc, case, wording=False)  # type: ignore[arg-type]
    assert bare == records.replace(full, assumptions=(), warnings=())
    assert full.assumptions  # the report path still says what it assumed
