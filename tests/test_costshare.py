"""The cost-sharing engine, edge by edge, and its invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ketacost.engine.costshare import Claim, Line, PlanTerms, Program, adjudicate, plan_year_of

D = Decimal
DAY = dt.date(2026, 3, 2)


def terms(
    deductible: str = "1000",
    coins: str = "20",
    copay: str | None = None,
    oop: str | None = "2000",
    annual_ded: str | None = None,
    annual_oop: str | None = None,
    start: tuple[int, int] = (1, 1),
    as_of: dt.date = DAY,
) -> PlanTerms:
    return PlanTerms(
        deductible=D(deductible),
        coinsurance=D(coins),
        copay=None if copay is None else D(copay),
        oop_max=None if oop is None else D(oop),
        annual_deductible=D(annual_ded or deductible),
        annual_oop_max=None if oop is None else D(annual_oop or oop),
        year_start=start,
        as_of=as_of,
    )


def claims(
    *amounts: str,
    covered: bool = True,
    start: dt.date = DAY,
    every: int = 7,
    drug: bool = False,
    charge: str | None = None,
) -> list[Claim]:
    return [
        Claim(
            date=start + dt.timedelta(days=every * i),
            charge=D(charge or a),
            allowed=D(a),
            covered=covered,
            drug=drug,
        )
        for i, a in enumerate(amounts)
    ]


def col(lines: list[Line], name: str) -> list[Decimal]:
    return [getattr(x, name) for x in lines]


def test_the_issue_example() -> None:
    lines = adjudicate(claims(*["500.00"] * 6), terms())
    assert col(lines, "patient") == [D(500), D(500), D(100), D(100), D(100), D(100)]
    assert sum(col(lines, "patient")) == D("1400.00")
    assert sum(col(lines, "plan_pays")) == D("1600.00")


def test_claim_smaller_than_the_remaining_deductible() -> None:
    (line,) = adjudicate(claims("300.00"), terms(deductible="1000"))
    assert (line.deductible, line.patient, line.plan_pays) == (D(300), D(300), D(0))


def test_claim_crossing_the_deductible() -> None:
    (line,) = adjudicate(claims("500.00"), terms(deductible="200"))
    # 200 deductible + 20% of the other 300
    assert (line.deductible, line.patient, line.plan_pays) == (D(200), D(260), D(240))


def test_claim_crossing_the_oop_max() -> None:
    first, second = adjudicate(claims("1000.00", "2000.00"), terms(deductible="0", oop="300"))
    assert first.patient == D(200)
    assert second.patient == D(100)  # only 100 left under the cap
    assert second.plan_pays == D(1900)


def test_oop_max_already_met() -> None:
    lines = adjudicate(claims("800.00", "800.00"), terms(deductible="500", oop="0"))
    assert col(lines, "patient") == [D(0), D(0)]
    assert col(lines, "plan_pays") == [D(800), D(800)]


def test_copay_after_the_deductible_and_larger_than_allowed() -> None:
    a, b, c = adjudicate(
        claims("100.00", "40.00", "300.00"), terms(deductible="60", coins="0", copay="50", oop=None)
    )
    assert a.patient == D(60) + D(40)  # 60 deductible, then min(50 copay, 40 left)
    assert b.patient == D(40)  # copay larger than the allowed amount: pays the allowed
    assert b.plan_pays == D(0)
    assert c.patient == D(50)


def test_not_covered_pays_the_charge_and_accumulates_nothing() -> None:
    lines = adjudicate(claims("500.00", "500.00", covered=False), terms())
    assert col(lines, "patient") == [D(500), D(500)]
    assert col(lines, "not_covered") == [D(500), D(500)]
    assert sum(col(lines, "deductible")) == 0 and sum(col(lines, "plan_pays")) == 0


def test_out_of_network_balance_bill_is_outside_the_oop_max() -> None:
    # charge 1000, allowed 600: balance bill 400 stays with the patient
    lines = adjudicate(
        claims("600.00", "600.00", charge="1000.00"),
        terms(deductible="600", oop="700"),
        network="out",
    )
    a, b = lines
    assert a.upfront == D(1000) and a.reimbursed == D(0) and a.balance_bill == D(400)
    assert a.patient == D(1000)
    # the second claim: 20% of 600 = 120, but only 100 of the OOP max is left
    assert b.cost_share == D(100)
    assert b.reimbursed == D(500)
    assert b.patient == D(100) + D(400)  # the balance bill does not stop at the cap
    assert sum(x.cost_share for x in lines) <= D(700)


def test_out_of_network_allowed_above_the_charge_is_capped() -> None:
    (line,) = adjudicate(claims("900.00", charge="500.00"), terms(deductible="0"), network="out")
    assert line.balance_bill == 0 and line.reimbursed == D(400)


def test_plan_year_reset_in_the_middle_of_a_course() -> None:
    start = dt.date(2026, 12, 15)
    lines = adjudicate(
        claims(*["500.00"] * 4, start=start),
        terms(deductible="0", oop="2000", annual_ded="1000", as_of=start),
    )
    assert [x.claim.date.year for x in lines] == [2026, 2026, 2026, 2027]
    assert col(lines, "patient") == [D(100), D(100), D(100), D(500)]
    assert [x.plan_year_reset for x in lines] == [False, False, False, True]


def test_non_calendar_plan_year() -> None:
    assert plan_year_of(dt.date(2026, 6, 30), (7, 1)) == 2025
    assert plan_year_of(dt.date(2026, 7, 1), (7, 1)) == 2026
    start = dt.date(2026, 6, 24)
    lines = adjudicate(
        claims("300.00", "300.00", start=start),
        terms(deductible="0", annual_ded="1000", start=(7, 1), as_of=start),
    )
    assert col(lines, "patient") == [D(60), D(300)]


def test_medicare_without_and_with_medigap() -> None:
    medicare = terms(deductible="283", coins="20", oop=None)
    rate = "906.51"
    plain = adjudicate(claims(rate, rate), medicare)
    # 283 + 20% of 623.51 = 124.702 -> 124.70; then 20% of 906.51 = 181.302 -> 181.30
    assert col(plain, "patient") == [D("407.70"), D("181.30")]
    g = adjudicate(claims(rate, rate), medicare, medigap="G")
    assert col(g, "patient") == [D("283.00"), D("0.00")]
    assert col(g, "supplement") == [D("124.70"), D("181.30")]
    n = adjudicate(claims(rate, rate), medicare, medigap="N")
    assert col(n, "patient") == [D("303.00"), D("20.00")]
    for line in plain + g + n:
        assert line.patient + line.insurer + line.assistance == line.billed


def test_program_lowers_the_drug_share_to_its_floor_until_the_cap() -> None:
    program = Program(floor=D("10.00"), annual_cap=D("500.00"))
    lines = adjudicate(
        claims("590.00", "590.00", "590.00", drug=True),
        terms(deductible="0", coins="50", oop=None),
        program=program,
    )
    # each share is 295: the program pays 285, then the last 215 of the cap, then nothing
    assert col(lines, "assistance") == [D(285), D(215), D(0)]
    assert col(lines, "patient") == [D(10), D(80), D(295)]


def test_program_cap_resets_with_the_calendar_year() -> None:
    program = Program(floor=D("10.00"), annual_cap=D("285.00"))
    start = dt.date(2026, 12, 24)
    lines = adjudicate(
        claims("590.00", "590.00", drug=True, start=start, every=14),
        terms(deductible="0", coins="50", oop=None, as_of=start),
        program=program,
    )
    assert col(lines, "assistance") == [D(285), D(285)]


def test_program_skips_non_drug_lines() -> None:
    program = Program(floor=D("10.00"), annual_cap=D("7150.00"))
    (line,) = adjudicate(claims("460.00"), terms(deductible="0"), program=program)
    assert line.assistance == 0


# ------------------------------------------------------------------ properties

amount = st.decimals(min_value=0, max_value=3000, places=2)
percent = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def plans(draw: st.DrawFn) -> tuple[PlanTerms, str, str, Program | None]:
    ded = draw(amount)
    oop = draw(st.one_of(st.none(), amount.map(lambda x: x + ded)))
    copay = draw(st.one_of(st.just(D(0)), amount))
    annual_ded = draw(amount.map(lambda x: x + ded))
    annual_oop = None if oop is None else draw(amount.map(lambda x: x + oop + annual_ded))
    t = PlanTerms(
        deductible=ded,
        coinsurance=draw(percent),
        copay=copay,
        oop_max=oop,
        annual_deductible=annual_ded,
        annual_oop_max=annual_oop,
        year_start=draw(st.sampled_from([(1, 1), (7, 1), (10, 15)])),
        as_of=dt.date(2026, 1, 1),
    )
    network = draw(st.sampled_from(["in", "out"]))
    medigap = draw(st.sampled_from(["none", "G", "N"])) if oop is None else "none"
    program = draw(st.one_of(st.none(), st.builds(Program, floor=amount, annual_cap=amount)))
    return t, network, medigap, program


@st.composite
def claim_lists(draw: st.DrawFn) -> list[Claim]:
    n = draw(st.integers(0, 30))
    out = []
    day = dt.date(2026, 1, 1)
    for _ in range(n):
        day += dt.timedelta(days=draw(st.integers(0, 40)))
        charge = draw(amount)
        out.append(
            Claim(
                date=day,
                charge=charge,
                allowed=draw(amount),
                covered=draw(st.booleans()),
                drug=draw(st.booleans()),
                visit=draw(st.booleans()),
            )
        )
    return out


@given(plan=plans(), cl=claim_lists())
def test_invariants(plan: tuple[PlanTerms, str, str, Program | None], cl: list[Claim]) -> None:
    t, network, medigap, program = plan
    lines = adjudicate(
        cl,
        t,
        network=network,
        medigap=medigap,
        program=program,
    )
    assert len(lines) == len(cl)
    shared_by_year: dict[int, Decimal] = {}
    for line in lines:
        c = line.claim
        # everything is in cents and nothing is negative
        for v in (
            line.billed,
            line.patient,
            line.insurer,
            line.assistance,
            line.cost_share,
            line.balance_bill,
            line.upfront,
            line.reimbursed,
        ):
            assert v >= 0 and v == v.quantize(D("0.01"))
        # the split adds up to what was billed
        assert line.patient + line.insurer + line.assistance == line.billed
        # the patient never pays more than the clinic charged (in network: than billed)
        assert line.patient <= (c.charge if network == "out" or not c.covered else line.billed)
        if network == "out":
            assert line.upfront == line.billed
            assert line.patient == line.upfront - line.reimbursed - line.assistance
        year = line.claim.date.year * 1000 + (1 if line.plan_year_reset else 0)
        shared_by_year[year] = shared_by_year.get(year, D(0)) + line.cost_share
    if t.oop_max is not None:
        # within the first plan year the cost share stays within the OOP max remaining
        from ketacost.engine.costshare import plan_year_of as py

        first = py(t.as_of, t.year_start)
        total = sum((x.cost_share for x in lines if py(x.claim.date, t.year_start) == first), D(0))
        assert total <= t.oop_max
        for y in {py(x.claim.date, t.year_start) for x in lines} - {first}:
            assert t.annual_oop_max is not None
            total = sum((x.cost_share for x in lines if py(x.claim.date, t.year_start) == y), D(0))
            assert total <= t.annual_oop_max


@given(plan=plans(), cl=claim_lists(), extra=amount)
def test_a_higher_allowed_amount_never_lowers_what_the_patient_pays(
    plan: tuple[PlanTerms, str, str, Program | None], cl: list[Claim], extra: Decimal
) -> None:
    t, network, medigap, _ = plan
    if not cl:
        return
    base = adjudicate(cl, t, network=network, medigap=medigap)
    bumped = [
        cl[0].__class__(
            **{**cl[0].__dict__, "allowed": cl[0].allowed + extra, "charge": cl[0].charge + extra}
        ),
        *cl[1:],
    ]
    more = adjudicate(bumped, t, network=network, medigap=medigap)
    assert sum(x.patient for x in more) >= sum(x.patient for x in base)
