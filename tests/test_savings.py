"""Savings tips and the side-by-side comparison."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from ketacost.book import pricebook
from ketacost.book.pricebook import PriceBook
from ketacost.cli.app import app
from ketacost.engine.estimate import build
from ketacost.paying.money import apply as apply_money
from ketacost.scenario import Scenario
from ketacost.whatif.savings import tips
from ketacost.whatif.tip import WEAK_RANK_WEIGHT

D = Decimal
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return pricebook.load()


def cli_net(runner, *args: str) -> Decimal:
    result = runner.invoke(app, ["estimate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return D(json.loads(result.stdout)["totals"]["net"]["typical"])


PLAN = [
    "--insurance",
    "commercial",
    "--deductible",
    "1500",
    "--coinsurance",
    "20",
    "--oop-max",
    "5000",
    "--start",
    "2027-02-01",
]


def _args_for(tip_id: str, doc_tip: dict) -> tuple[str, list[str]]:
    """The estimate command that reproduces a tip's changed scenario."""
    if tip_id.startswith("discount-"):
        return "iv", [*PLAN, "--discount", tip_id.removeprefix("discount-")]
    if tip_id == "pay-pretax":
        fsa_only = "HSA" not in doc_tip["title"]  # Medicare, or a plan that is no HDHP
        return "iv", [*PLAN, "--fsa" if fsa_only else "--hsa"]
    if tip_id == "superbill":
        return "iv", [*PLAN, "--network", "out", "--covered"]
    if tip_id.startswith("route-"):
        return tip_id.removeprefix("route-"), PLAN
    raise AssertionError(f"no independent recomputation for {tip_id}")


def test_commercial_iv_tips_are_real_sorted_sourced_and_recomputable(runner) -> None:
    result = runner.invoke(app, ["tips", "iv", *PLAN, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    found = doc["tips"]
    assert len(found) >= 3
    saved = [D(t["saves"]["typical"]) for t in found]
    # ranked by saving, a tip on weak evidence weighted down (and saying so)
    ranked = [
        s * (WEAK_RANK_WEIGHT if t["evidence"]["weak"] else 1)
        for s, t in zip(saved, found, strict=True)
    ]
    assert ranked == sorted(ranked, reverse=True)
    assert all(s > 0 for s in saved)
    for t in found:
        assert ("treat the saving as rough" in t["how"]) is t["evidence"]["weak"], t["id"]
    assert all(t["sources"] and t["sources"][0]["url"].startswith("http") for t in found)
    base = cli_net(runner, "iv", *PLAN)
    assert D(doc["you_pay"]["typical"]) == base
    for tip in found:
        if tip["id"] == "help-grants_and_sliding_scales":
            award = pricebook.load().financial_help["grants_and_sliding_scales"].award
            assert award is not None
            assert D(tip["saves"]["typical"]) == min(award.get("typical"), base)
            continue
        treatment, args = _args_for(tip["id"], tip)
        assert base - cli_net(runner, treatment, *args) == D(tip["saves"]["typical"]), tip["id"]


def test_december_start_gets_the_timing_tip_with_the_right_saving(book: PriceBook) -> None:
    sc = Scenario(
        treatment="iv",
        price=D(500),
        sessions=6,
        maintenance=False,
        consult=D(0),
        insurance="commercial",
        covered=True,
        deductible=D(2000),
        coinsurance=D(20),
        oop_max=D(6000),
        start=dt.date(2026, 12, 21),
    )
    sc = sc.resolved(book)
    base = apply_money(book, build(book, sc, today=TODAY))
    # Dec 21, 24, 28, 31 to the deductible ($2,000), then Jan 4 and 7 to the new one
    assert base.totals.patient.typical == D("3000.00")
    found = {t.id: t for t in tips(book, sc, base, today=TODAY)}
    timing = found["timing"]
    # all six in one plan year: $2,000 deductible + 20% of $1,000 = $2,200
    assert timing.saves.typical == D("800.00")
    assert "plan-year reset" in timing.how


def test_spravato_program_tip_when_not_used(runner) -> None:
    args = ["spravato", "--insurance", "commercial", "--no-assistance", "--start", "2027-02-01"]
    result = runner.invoke(app, ["tips", *args, "--format", "json"])
    found = {t["id"]: t for t in json.loads(result.stdout)["tips"]}
    program = found["spravato-savings-program"]
    off = cli_net(runner, *args)
    on = cli_net(runner, *[a for a in args if a != "--no-assistance"])
    assert D(program["saves"]["typical"]) == off - on > 0


def test_financing_tips(runner) -> None:
    args = [
        "iv",
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--consult",
        "0",
        "--start",
        "2027-02-01",
    ]
    result = runner.invoke(app, ["tips", *args, "--finance", "24@20", "--format", "json"])
    found = {t["id"]: t for t in json.loads(result.stdout)["tips"]}
    assert D(found["financing-zero-percent"]["saves"]["typical"]) > 0
    result = runner.invoke(app, ["tips", *args, "--finance", "carecredit_12", "--format", "json"])
    found = {t["id"]: t for t in json.loads(result.stdout)["tips"]}
    assert D(found["financing-pay-in-full"]["saves"]["typical"]) > 0


FORBIDDEN = re.compile(
    r"\b(we recommend|recommended|you should (switch|try|use)|switch to|better for you|"
    r"best treatment|more effective|works better)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("treatment", ["iv", "im", "kap", "spravato", "oral", "nasal"])
@pytest.mark.parametrize("insurance", ["none", "commercial", "medicare"])
def test_no_tip_recommends_a_treatment(runner, treatment: str, insurance: str) -> None:
    result = runner.invoke(
        app,
        ["tips", treatment, "--insurance", insurance, "--start", "2026-12-14", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    for tip in json.loads(result.stdout)["tips"]:
        text = f"{tip['title']} {tip['how']}"
        assert not FORBIDDEN.search(text), text
        if tip["kind"] == "route":
            assert "prescriber" in tip["title"] and "discuss" in tip["how"]


def test_estimate_table_ends_with_top_tips(runner) -> None:
    result = runner.invoke(app, ["estimate", "iv", *PLAN])
    assert result.exit_code == 0
    assert "Ways to pay less" in result.stdout and "1." in result.stdout


# ------------------------------------------------------------------------- compare


def test_compare_lists_all_six_sorted_with_the_cheapest_marked(runner) -> None:
    result = runner.invoke(app, ["compare", "--format", "json", "--start", "2027-02-01"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["treatment"] for r in rows) == sorted(
        ["iv", "im", "kap", "spravato", "oral", "nasal"]
    )
    nets = [D(r["net"]["typical"]) for r in rows]
    assert nets == sorted(nets)
    assert [r["cheapest"] for r in rows] == [True] + [False] * 5
    for r in rows:  # each row is that treatment's own estimate
        assert cli_net(runner, r["treatment"], "--start", "2027-02-01") == D(r["net"]["typical"])


def test_compare_narrowed_and_insured(runner) -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            "--treatments",
            "iv,spravato",
            "--insurance",
            "commercial",
            "--format",
            "json",
            "--start",
            "2027-02-01",
        ],
    )
    rows = json.loads(result.stdout)
    assert {r["treatment"] for r in rows} == {"iv", "spravato"}
    by_id = {r["treatment"]: r for r in rows}
    assert "not covered" in by_id["iv"]["coverage"]
    assert D(by_id["spravato"]["insurer"]["typical"]) > 0
    table = runner.invoke(app, ["compare", "--insurance", "commercial"]).stdout
    assert "lowest" in table and "prescriber" in table


def test_compare_unknown_treatment(runner) -> None:
    result = runner.invoke(app, ["compare", "--treatments", "iv,foo"])
    assert result.exit_code == 2 and "unknown treatment 'foo'" in result.stderr
