"""The cost rules an independent model disagreed with (issue 12), one regression test per
rule, and the property that every format adds up for random insured courses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from decimal import Decimal

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacost.amounts import Triple
from ketacost.book import pricebook
from ketacost.cli.app import app
from ketacost.engine.estimate import build
from ketacost.engine.federal_holidays import FIRST_YEAR, LAST_YEAR, is_holiday
from ketacost.paying.money import apply as apply_money
from ketacost.paying.pretax import ordered_draws
from ketacost.report.csvout import estimate_csv
from ketacost.report.jsonout import estimate_doc
from ketacost.report.markdown import estimate_md
from ketacost.scenario import Scenario
from ketacost.whatif.savings import tips

D = Decimal
ENV = {"KETACOST_TODAY": "2026-11-27"}
BOOK = pricebook.load()
CASES = ("low", "typical", "high")


def doc(runner, *args: str) -> dict:
    result = runner.invoke(app, ["estimate", *args, "--format", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tri(d: dict, key: str) -> tuple[Decimal, ...]:
    return tuple(D(d["totals"][key][c]) for c in CASES)


# ---------------------------------------------------------------- 1. a $0 copay is a copay


def test_a_zero_copay_is_a_copay(runner) -> None:
    d = doc(
        runner,
        *[
            "iv",
            "--price",
            "500",
            "--sessions",
            "2",
            "--no-maintenance",
            "--consult",
            "0",
            "--insurance",
            "commercial",
            "--covered",
            "--deductible",
            "0",
            "--copay",
            "0",
            "--oop-max",
            "5000",
        ],
    )
    assert tri(d, "patient") == (D("0.00"),) * 3
    assert tri(d, "insurer") == (D("1000.00"),) * 3
    assert d["insurance"]["copay"] == "0.00"


def test_no_copay_given_means_coinsurance_and_copay_with_coinsurance_is_refused(runner) -> None:
    d = doc(
        runner,
        *[
            "iv",
            "--price",
            "500",
            "--sessions",
            "2",
            "--no-maintenance",
            "--consult",
            "0",
            "--insurance",
            "commercial",
            "--covered",
            "--deductible",
            "0",
            "--coinsurance",
            "20",
            "--oop-max",
            "5000",
        ],
    )
    assert tri(d, "patient") == (D("200.00"),) * 3
    assert d["insurance"]["copay"] is None
    r = runner.invoke(
        app,
        ["estimate", "iv", "--insurance", "commercial", "--copay", "0", "--coinsurance", "20"],
    )
    assert r.exit_code == 2 and "give one" in r.output


# ---------------------------------------------------------------- 2. one copay per visit

SPRAVATO_COPAY = [
    "spravato",
    "--price",
    "1200",
    "--dose",
    "84",
    "--sessions",
    "8",
    "--no-maintenance",
    "--consult",
    "0",
    "--insurance",
    "commercial",
    "--covered",
    "--deductible",
    "0",
    "--copay",
    "50",
    "--oop-max",
    "9000",
]


@pytest.mark.parametrize("assistance", ["--assistance", "--no-assistance"])
def test_one_copay_per_spravato_visit(runner, assistance: str) -> None:
    d = doc(runner, *SPRAVATO_COPAY, assistance)
    # 8 visits x one $50 copay; it sits on the visit (administration/observation) line,
    # which the manufacturer program does not pay, so it is the same with the program
    assert tri(d, "patient") == (D("400.00"),) * 3
    assert tri(d, "assistance") == (D("0.00"),) * 3


def test_copay_falls_on_the_drug_line_when_the_visit_line_is_smaller() -> None:
    from ketacost.engine.costshare import Claim, PlanTerms, adjudicate

    day = dt.date(2027, 3, 1)
    terms = PlanTerms(D(0), D(0), D("50.00"), None, D(0), None)
    lines = adjudicate(
        [
            Claim(day, D("900.00"), D("900.00"), True, drug=True, visit=False, tag="s"),
            Claim(day, D("30.00"), D("30.00"), True, observation=True, tag="s"),
        ],
        terms,
    )
    assert [ln.cost_share for ln in lines] == [D("20.00"), D("30.00")]


def test_medicaid_nominal_copay_is_once_per_visit(runner) -> None:
    d = doc(
        runner,
        *[
            "spravato",
            "--price",
            "1000",
            "--sessions",
            "8",
            "--no-maintenance",
            "--consult",
            "0",
            "--insurance",
            "medicaid",
            "--covered",
            "--copay",
            "4",
        ],
    )
    assert tri(d, "patient") == (D("32.00"),) * 3


# ------------------------------------------------ 3. --no-maintenance is induction only


def test_spravato_no_maintenance_is_the_eight_induction_treatments(runner) -> None:
    d = doc(runner, "spravato", "--no-maintenance", "--start", "2027-03-01")
    assert [p["id"] for p in d["phases"]] == ["induction"]
    assert d["totals"]["sessions"] == {"low": 8, "typical": 8, "high": 8}
    full = doc(runner, "spravato", "--start", "2027-03-01")
    assert [p["id"] for p in full["phases"]] == ["induction", "optimization", "maintenance"]


# ---------------------------------------------------------- 4. fixed inputs: one number


def test_fixed_sessions_are_the_same_in_every_column(runner) -> None:
    d = doc(
        runner,
        *[
            "iv",
            "--price",
            "500",
            "--sessions",
            "9",
            "--no-maintenance",
            "--consult",
            "0",
            "--months",
            "1",
            "--start",
            "2027-03-01",
        ],
    )
    assert d["totals"]["sessions"] == {"low": 9, "typical": 9, "high": 9}
    assert tri(d, "patient") == (D("4500.00"),) * 3


def test_a_quoted_spravato_price_splits_the_same_in_every_column(runner) -> None:
    d = doc(
        runner,
        *[
            "spravato",
            "--price",
            "1200",
            "--sessions",
            "8",
            "--maintenance-weeks",
            "2",
            "--consult",
            "0",
            "--insurance",
            "commercial",
            "--covered",
            "--deductible",
            "500",
            "--coinsurance",
            "20",
            "--oop-max",
            "4000",
            "--annual-deductible",
            "1000",
            "--annual-oop-max",
            "5000",
            "--start",
            "2027-03-01",
        ],
    )
    for key in ("billed", "insurer", "assistance", "patient", "net"):
        low, typical, high = tri(d, key)
        assert low == typical == high, key


def test_a_price_below_the_drug_cost_is_all_drug() -> None:
    from ketacost.engine.insurance import split_all_in

    t = BOOK.treatments["spravato"]
    drug = t.drug_price("typical", 84)
    assert split_all_in(t, 84, D("100.00")) == (D("100.00"), D("0.00"))
    high = drug + D("250.00")
    assert split_all_in(t, 84, high) == (drug, D("250.00"))


# ---------------------------------------------------------- 5. every column is ordered


def test_net_is_ordered_with_pretax_money(runner) -> None:
    d = doc(
        runner,
        *[
            "iv",
            "--price",
            "500",
            "--sessions",
            "6",
            "--maintenance-weeks",
            "2",
            "--consult",
            "0",
            "--hsa",
        ],
    )
    for key in ("billed", "patient", "tax_savings", "net"):
        low, typical, high = tri(d, key)
        assert low <= typical <= high, key


def test_ordered_draws_keeps_both_draw_and_remainder_ordered() -> None:
    patient = Triple(D("1000"), D("5000"), D("6000"))
    # the dear column draws far more (a second calendar year's limit): capped
    drawn = Triple(D("1000"), D("3000"), D("6000"))
    kept = ordered_draws(patient, drawn)
    assert kept == Triple(D("1000"), D("3000"), D("4000"))
    # the cheap column draws more than typical: capped at typical
    kept = ordered_draws(
        Triple(D("4000"), D("5000"), D("6000")), Triple(D("4000"), D("3000"), D("3000"))
    )
    assert kept == Triple(D("3000"), D("3000"), D("3000"))


# ---------------------------------------------------------- 6. fee lines in JSON


def test_json_fee_lines_split_like_the_phases(runner) -> None:
    d = doc(
        runner,
        *[
            "iv",
            "--price",
            "500",
            "--sessions",
            "6",
            "--no-maintenance",
            "--consult",
            "400",
            "--insurance",
            "commercial",
            "--covered",
            "--deductible",
            "0",
            "--coinsurance",
            "20",
            "--oop-max",
            "5000",
        ],
    )
    (fee,) = d["fees"]
    assert fee["billed"]["typical"] == "400.00"
    assert fee["patient"]["typical"] == "80.00"
    assert fee["insurer"]["typical"] == "320.00"


# ---------------------------------------------------------- 7. real monthly amounts


def test_by_month_sums_to_the_totals_and_shows_the_first_month(runner) -> None:
    d = doc(runner, "spravato", "--start", "2027-03-01")
    months = d["by_month"]
    assert months[0]["month"] == "2027-03" and months[-1]["month"] == "2028-02"
    assert len(months) == 12
    for key in ("billed", "patient"):
        assert sum(D(m[key]) for m in months) == D(d["totals"][key]["typical"])
    assert sum(m["sessions"] for m in months) == d["totals"]["sessions"]["typical"]
    first = D(months[0]["patient"])
    average = D(d["totals"]["per_month"]["typical"])
    assert first > 2 * average  # the first month is the dear one, not the average
    assert d["totals"]["months"]["first"] == {"month": "2027-03", "patient": months[0]["patient"]}
    highest = max(months, key=lambda m: D(m["patient"]))
    assert d["totals"]["months"]["highest"]["patient"] == highest["patient"]


def test_table_labels_first_highest_and_average_month(runner) -> None:
    r = runner.invoke(app, ["estimate", "iv", "--start", "2027-03-01"], env=ENV)
    assert r.exit_code == 0
    assert "first month (Mar 2027)" in r.stdout
    assert "highest month (" in r.stdout
    assert "Average a month" in r.stdout
    assert "Per month" not in r.stdout
    c = runner.invoke(app, ["compare", "--start", "2027-03-01"], env=ENV)
    assert "1st month" in c.stdout and "Avg/month" in c.stdout


# ---------------------------------------------------------- 8. ambiguous percentages


def test_the_guide_reasks_an_ambiguous_coinsurance(runner) -> None:
    # IV, no quoted price, commercial in network, deductible 500 (none of it paid),
    # coinsurance "0.2" (re-asked), then 20, OOP 3000, not a family plan ...
    answers = ["1", "", "2", "1", "500", "1", "2", "0.2", "20", "3000", "n", "1", "12"]
    r = runner.invoke(app, ["guide"], input="\n".join(answers) + "\n", env=ENV)
    assert "did you mean 20%?" in r.output
    assert "--coinsurance 20" in r.output


# ---------------------------------------------------------- 9. pre-tax money and Medicare


def test_medicare_tips_offer_an_fsa_only(runner) -> None:
    r = runner.invoke(app, ["tips", "iv", "--insurance", "medicare", "--format", "json"], env=ENV)
    assert r.exit_code == 0, r.output
    found = {t["id"]: t for t in json.loads(r.stdout)["tips"]}
    pretax = found["pay-pretax"]
    assert "FSA" in pretax["title"] and "HSA" not in pretax["title"]
    assert "cannot contribute to an HSA" in pretax["how"]


# ---------------------------------------------------------- 10. tips say how sure they are


def test_discounts_only_where_the_sources_support_them() -> None:
    group = BOOK.discounts["group"]
    assert "iv" not in group.applies_to and "im" in group.applies_to


def test_timing_tip_never_suggests_a_long_wait_and_asks_the_prescriber(runner) -> None:
    plan = ["--insurance", "commercial", "--covered", "--deductible", "2000"]
    plan += ["--coinsurance", "20", "--oop-max", "6000"]
    near = runner.invoke(
        app, ["tips", "iv", *plan, "--start", "2026-12-14", "--format", "json"], env=ENV
    )
    found = {t["id"]: t for t in json.loads(near.stdout)["tips"]}
    assert "prescriber that a later start is safe" in found["timing"]["how"]
    far = runner.invoke(
        app, ["tips", "iv", *plan, "--start", "2027-09-01", "--format", "json"], env=ENV
    )
    for tip in json.loads(far.stdout)["tips"]:
        if tip["id"] == "timing":
            start = dt.date.fromisoformat(tip["title"].split()[2])
            assert start - dt.date(2027, 9, 1) <= dt.timedelta(weeks=8)


def test_weak_tips_say_so_and_rank_after_strong_ones_of_similar_size() -> None:
    from ketacost.whatif.tip import WEAK_RANK_WEIGHT, Evidence, Tip

    strong = Tip(
        "a", "discount", "A", "", Triple(D(90), D(90), D(90)), (), None, Evidence(("sourced",), 3)
    )
    weak = Tip(
        "b",
        "discount",
        "B",
        "",
        Triple(D(100), D(100), D(100)),
        (),
        None,
        Evidence(("assumption",), 2),
    )
    assert weak.evidence.weak and not strong.evidence.weak
    assert weak.rank_value == D(100) * WEAK_RANK_WEIGHT < strong.rank_value
    assert "assumption" in weak.evidence.words()
    assert Evidence(("sourced",), 1).weak  # one source is thin


def test_route_tip_names_the_other_treatments_evidence(runner) -> None:
    r = runner.invoke(app, ["tips", "iv", "--format", "json"], env=ENV)
    route = next(t for t in json.loads(r.stdout)["tips"] if t["kind"] == "route")
    assert route["title"].startswith("Ask your prescriber whether")
    assert "source(s) for" in route["how"] and route["evidence"]["sources"] >= 1


# ---------------------------------------------------------- 11. financial help everywhere


@pytest.mark.parametrize("treatment", ["iv", "im", "kap", "spravato", "oral", "nasal"])
def test_every_self_pay_route_gets_a_financial_help_tip(treatment: str) -> None:
    sc = Scenario(treatment=treatment, start=dt.date(2027, 3, 1)).resolved(BOOK)
    base = apply_money(BOOK, build(BOOK, sc, today=dt.date(2027, 3, 1)))
    found = [t for t in tips(BOOK, sc, base, today=dt.date(2027, 3, 1)) if t.kind == "help"]
    assert found, treatment
    assert all(t.sources and t.saves.typical > 0 for t in found)


# ---------------------------------------------------------- 12. calendars a clinic keeps


def _dates(runner, treatment: str, start: str) -> list[dt.date]:
    r = runner.invoke(app, ["schedule", treatment, "--start", start, "--format", "json"], env=ENV)
    assert r.exit_code == 0, r.output
    return [dt.date.fromisoformat(v["date"]) for v in json.loads(r.stdout)["visits"]]


@pytest.mark.parametrize("treatment", ["nasal", "oral"])
def test_home_fills_never_skip_a_month(runner, treatment: str) -> None:
    days = _dates(runner, treatment, "2026-11-27")
    gaps = {(b - a).days for a, b in itertools.pairwise(days)}
    assert max(gaps) <= 28, gaps
    months = {(d.year, d.month) for d in days}
    y, m = days[0].year, days[0].month
    while (y, m) <= (days[-1].year, days[-1].month):
        assert (y, m) in months
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@pytest.mark.parametrize("treatment", ["iv", "im", "kap", "spravato"])
def test_clinic_visits_fall_on_business_days(runner, treatment: str) -> None:
    days = _dates(runner, treatment, "2026-11-27")
    assert days == sorted(set(days))
    for day in days:
        assert day.weekday() < 5 and not is_holiday(day), day
    doc_ = doc(runner, treatment)
    assert any("business day" in a for a in doc_["assumptions"])


def test_holiday_table_matches_the_holidays_package() -> None:
    us = holidays.country_holidays("US", years=range(FIRST_YEAR, LAST_YEAR + 1))
    day = dt.date(FIRST_YEAR, 1, 1)
    while day.year <= LAST_YEAR:
        assert is_holiday(day) == (day in us), day
        day += dt.timedelta(days=1)


# ------------------------------------------- property: every format adds up, fixed = one

money = st.integers(min_value=0, max_value=300_000).map(lambda c: D(c) / 100)


@st.composite
def insured(draw) -> Scenario:
    treatment = draw(st.sampled_from(["iv", "spravato", "kap", "im"]))
    payer = draw(st.sampled_from(["commercial", "commercial-out", "medicare", "medicaid"]))
    fields: dict = {
        "treatment": treatment,
        "start": draw(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31))),
        "months": draw(st.integers(1, 24)),
        "covered": True,
        "insurance": payer.removesuffix("-out"),
    }
    if payer == "commercial-out":
        fields["network"] = "out"
    if draw(st.booleans()):
        fields["price"] = draw(money.filter(lambda m: m > 0))
    ded = draw(money)
    fields["deductible"] = ded
    fields["annual_deductible"] = ded + draw(money)
    if payer == "medicare":
        fields["medigap"] = draw(st.sampled_from(["none", "G", "N"]))
    elif payer.startswith("commercial"):
        oop = ded + draw(money)
        fields["oop_max"] = oop
        fields["annual_oop_max"] = max(oop, fields["annual_deductible"]) + draw(money)
        if draw(st.booleans()):
            fields["copay"] = draw(st.sampled_from([D(0), D(25), D(50)]))
        else:
            fields["coinsurance"] = D(draw(st.integers(0, 50)))
        fields["plan_year_start"] = draw(st.sampled_from([(1, 1), (7, 1), (10, 1)]))
        fields["assistance"] = draw(st.booleans())
        fields["fsa"] = draw(st.booleans())
    fixed = draw(st.booleans())
    if fixed:
        fields["price"] = fields.get("price") or D("800.00")
        fields["sessions"] = draw(st.integers(1, 12))
        fields["maintenance"] = False
        fields["consult"] = D("0")
        if treatment == "spravato":
            fields["dose"] = 84
        if payer != "commercial-out":
            fields["allowed"] = fields["price"]
    sc = Scenario(**fields)
    sc.check_plan()
    sc.check_payment()
    return sc.resolved(BOOK)


def _md_money(cell: str) -> Decimal:
    return D(cell.replace("$", "").replace(",", "").strip())


@given(insured())
def test_every_format_adds_up_and_columns_are_ordered(sc: Scenario) -> None:
    est = apply_money(BOOK, build(BOOK, sc, today=sc.start))
    fixed = sc.sessions is not None and not sc.maintenance and sc.price is not None
    d = estimate_doc(est)
    for key in ("billed", "insurer", "assistance", "patient", "tax_savings", "net"):
        low, typical, high = (D(d["totals"][key][c]) for c in CASES)
        assert low <= typical <= high, key
        if fixed:
            assert low == typical == high, key
    for key in ("billed", "insurer", "assistance", "patient"):
        for c in CASES:
            lines = [*d["phases"], *d["fees"]]
            assert sum(D(x[key][c]) for x in lines) == D(d["totals"][key][c]), (key, c)
    for key in ("billed", "patient"):
        assert sum(D(m[key]) for m in d["by_month"]) == D(d["totals"][key]["typical"])
    rows = list(csv.DictReader(io.StringIO(estimate_csv(est))))
    total = next(r for r in rows if r["kind"] == "total")
    for key in ("billed", "insurer", "assistance", "patient"):
        for c in CASES:
            parts = sum(D(r[f"{key}_{c}"]) for r in rows if r["kind"] != "total")
            assert parts == D(total[f"{key}_{c}"]) == D(d["totals"][key][c]), (key, c)
    md = estimate_md(est)
    cells = [
        [x.strip() for x in line.strip("|").split("|")]
        for line in md.splitlines()
        if line.startswith("| ") and "$" in line
    ]
    you_pay = next(r for r in cells if r[0].startswith("**You pay"))
    label_rows = [r for r in cells if re.search(r"\(sources|Consultation", r[0])]
    for i, c in enumerate(CASES, start=2):
        assert sum(_md_money(r[i]) for r in label_rows) == _md_money(you_pay[i])
        assert _md_money(you_pay[i]) == D(d["totals"]["patient"][c])
