"""Savings tips through the integer-cents claim loop (whatif.savings.totals_of) are the
tips the claim-by-claim engine gives: the same tips, savings and scenarios, to the cent,
on random rows of every plan kind the loop covers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from ketacost.engine.estimate import build
from ketacost.engine.fastpaths import claim_totals
from ketacost.errors import KetacostError
from ketacost.paying.money import apply as apply_money
from ketacost.scenario import Scenario
from ketacost.whatif import savings
from test_fastclaims import BOOK, _scenario, rows

TODAY = dt.date(2026, 11, 27)


def _both(sc: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any], int]:
    base = apply_money(BOOK, build(BOOK, sc))
    calls = {"fast": 0}
    real = savings.fast_claim_totals

    def counted(*args: Any) -> Any:
        got = real(*args)
        calls["fast"] += got is not None
        return got

    with monkeypatch.context() as m:
        m.setattr(savings, "fast_claim_totals", counted)
        fast = savings.tips(BOOK, sc, base, today=TODAY)
    with monkeypatch.context() as m:
        m.setattr(savings, "fast_claim_totals", lambda *args: None)
        slow = savings.tips(BOOK, sc, base, today=TODAY)
    return fast, slow, calls["fast"]


@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(cells=rows())
def test_tips_are_the_claim_engines_to_the_cent(
    cells: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = _scenario(cells)
    try:
        fast, slow, _ = _both(sc, monkeypatch)
    except KetacostError:
        assume(False)
    assert fast == slow


@pytest.mark.parametrize(
    "options",
    [
        {"treatment": "iv"},
        {"treatment": "spravato", "insurance": "commercial"},
        {"treatment": "spravato", "insurance": "medicare", "medigap": "G"},
        {"treatment": "kap", "hsa": True},
        {"treatment": "spravato", "insurance": "commercial", "family_deductible": "3000"},
    ],
)
def test_the_commands_tips_equal_and_the_fast_path_is_taken(
    options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = Scenario.from_options(**options).resolved(BOOK)
    fast, slow, taken = _both(sc, monkeypatch)
    assert fast == slow and fast
    # A family deductible is outside the loop: every run goes claim by claim.
    assert (taken == 0) == ("family_deductible" in options)


def test_totals_of_is_claim_totals() -> None:
    sc = Scenario.from_options(treatment="spravato", insurance="commercial").resolved(BOOK)
    assert savings.totals_of(BOOK, sc, {}) == claim_totals(BOOK, sc)
