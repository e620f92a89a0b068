"""Renderers only format: the numbers come from result objects, the shared words from
report/wording.py."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import ketacost
from ketacost.amounts import Triple
from ketacost.engine.visits import calendar_totals, visit_calendar
from ketacost.report.wording import DISCLAIMER, count_dots, count_range, money_range

SRC = Path(__file__).resolve().parent.parent / "src" / "ketacost"
D = Decimal

# Where the disclaimer's sentence may still be written out, and why: the CLI's own
# --help text and overview are printed before (and without) importing any report module.
CLI_HELP_COPIES = {"cli/app.py": 2}


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_the_disclaimer_is_written_once() -> None:
    found: dict[str, int] = {}
    for path in SRC.rglob("*.py"):
        n = sum(DISCLAIMER in s for s in _strings(path))
        if n:
            found[path.relative_to(SRC).as_posix()] = n
    assert found == {"report/wording.py": 1, **CLI_HELP_COPIES}


def test_renderers_do_no_money_arithmetic() -> None:
    """No sums, rounding or cents in report/: totals, months and counts are fields or
    properties of the result objects."""
    banned = {"sum", "cents", "round", "quantize", "HUNDRED"}
    for path in (SRC / "report").glob("*.py"):
        names = {
            n.id if isinstance(n, ast.Name) else n.attr
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, (ast.Name, ast.Attribute))
        }
        assert not names & banned, (path.name, names & banned)


def test_shared_wording() -> None:
    assert money_range(Triple(D("500"), D("500"), D("500"))) == "$500.00"
    assert money_range(Triple(D("300"), D("590"), D("1000"))) == "$300.00 to $1,000.00"
    assert count_dots(Triple(4, 6, 8)) == "4 · 6 · 8"
    assert count_range(Triple(4, 6, 8)) == "4 to 8 (typical 6)"
    assert count_range(Triple(6, 6, 6)) == "6"


def test_result_properties_the_renderers_use() -> None:
    est = ketacost.estimate(
        "iv",
        price="500",
        sessions=6,
        maintenance=False,
        consult="0",
        start="2027-03-01",
        months=12,
        include_indirect=True,
        with_tips=False,
    )
    assert est.last_day == dt.date(2028, 2, 29)
    assert est.indirect is not None and est.with_indirect is not None
    assert est.with_indirect.typical == est.totals.net.typical + est.indirect.total.typical
    assert est.indirect.total.typical > 0
    visits = visit_calendar(est)
    totals = calendar_totals(visits)
    assert (totals.visits, totals.billed, totals.patient) == (6, D("3000.00"), D("3000.00"))
    plain = ketacost.estimate("iv", price="500", sessions=6, maintenance=False, with_tips=False)
    assert plain.indirect is None and plain.with_indirect is None
    assert plain.fees and all(f.sessions == Triple(0, 0, 0) for f in plain.fees)
