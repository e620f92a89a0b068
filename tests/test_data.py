"""The data test (issue 13): every source is dated, every figure is checked, has a unit
from the fixed list and is read by the code, and every derivation recomputes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from ketacost.book import pricebook
from ketacost.book.freshness import Dates, age_text, is_stale, months_between
from ketacost.book.pricebook import UNITS, Figure, iter_figures
from ketacost.cli.app import app

import bookfactory

START = "2026-12-01"


@pytest.fixture(scope="module")
def book() -> pricebook.PriceBook:
    return pricebook.load()


def test_every_source_has_accessed_and_published_is_a_date_or_null() -> None:
    raw = pricebook.bundled_path().read_text(encoding="utf-8")
    assert "undated" not in raw
    data = bookfactory.load(raw)
    seen = 0

    def walk(node: Any, path: str) -> None:
        nonlocal seen
        if isinstance(node, dict):
            if "sources" in node:
                assert isinstance(node.get("checked"), dt.date), f"{path}: no checked date"
                for s in node["sources"]:
                    seen += 1
                    assert isinstance(s.get("accessed"), dt.date), f"{path}: no accessed"
                    assert "published" in s, f"{path}: no published key"
                    assert s["published"] is None or isinstance(s["published"], dt.date), path
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}.{i}")

    walk(data, "")
    assert seen > 250


def test_every_figure_has_a_known_unit_and_a_checked_date(book: pricebook.PriceBook) -> None:
    for path, node in iter_figures(book):
        assert isinstance(node.checked, dt.date), path
        if isinstance(node, Figure):
            assert node.unit in UNITS, f"{path}: unit {node.unit!r}"


def test_an_unknown_unit_is_refused() -> None:
    data = bookfactory.book()
    data["treatments"]["iv"]["session_items"]["session"]["unit"] = "USD/sesion"
    with pytest.raises(pricebook.PriceBookError, match="USD/sesion"):
        pricebook.validate(data, "test")


def test_the_string_undated_is_refused() -> None:
    data = bookfactory.book()
    data["treatments"]["iv"]["consult_fee"]["sources"][0]["published"] = "undated"
    with pytest.raises(pricebook.PriceBookError, match="published"):
        pricebook.validate(data, "test")


# --------------------------------------------------------------- every figure is read

SCENARIOS: list[list[str]] = []
for _t in ("iv", "im", "kap", "spravato", "oral", "nasal"):
    SCENARIOS += [
        [_t],
        [_t, "--include-indirect", "--hourly-wage", "30"],
        [_t, "--insurance", "commercial", "--covered", "--hsa"],
        [_t, "--insurance", "commercial", "--covered", "--network", "out", "--fsa"],
        [_t, "--insurance", "medicare", "--covered"],
        [_t, "--insurance", "medicaid", "--covered"],
    ]
SCENARIOS += [
    ["spravato", "--insurance", "medicare", "--covered", "--state", "CA"],
    ["iv", "--hsa", "--family"],
    ["iv", "--discount", "package", "--discount", "prompt_pay"],
    ["im", "--discount", "group"],
    ["kap", "--discount", "sliding_scale"],
    ["spravato", "--insurance", "medicare-advantage"],
    [
        "iv",
        "--insurance",
        "commercial",
        "--hsa",
        "--annual-deductible",
        "2000",
        "--oop-max",
        "6000",
    ],
    [
        "iv",
        "--insurance",
        "commercial",
        "--hsa",
        "--family",
        "--annual-deductible",
        "3500",
        "--annual-family-deductible",
        "7000",
        "--annual-family-oop-max",
        "14000",
    ],
] + [["iv", "--finance", p] for p in ("carecredit_6", "carecredit_12", "carecredit_24")]


def _key(fig: Figure) -> tuple[Any, ...]:
    return (fig.description, fig.unit, fig.low, fig.typical, fig.high, fig.value)


@pytest.mark.slow
def test_every_figure_in_the_book_is_read_by_the_code(runner, monkeypatch, book, tmp_path) -> None:
    read: set[tuple[Any, ...]] = set()
    original = Figure.get

    def spy(self: Figure, case: Any) -> Decimal:
        read.add(_key(self))
        return original(self, case)

    monkeypatch.setattr(Figure, "get", spy)
    presets = list(book.financing)
    runs = SCENARIOS + [["iv", "--finance", p] for p in presets]
    # A clinic whose patients may drive home prices travel by the mile.
    drive = tmp_path / "drive.yaml"
    drive.write_text(
        "extends: national\ntreatments:\n  iv:\n    practical:\n      needs_ride:\n"
        "        description: Patients may drive home.\n        value: false\n"
        "        basis: assumption\n        note: Test clinic.\n        checked: 2026-11-01\n"
        "        sources:\n          - title: Test\n            url: https://clinic.example.com\n"
        "            published: null\n            accessed: 2026-11-01\n",
        encoding="utf-8",
    )
    runs.append(["iv", "--pricing", str(drive), "--include-indirect"])
    for args in runs:
        result = runner.invoke(
            app, ["estimate", *args, "--start", START, "--format", "json"], env={}
        )
        assert result.exit_code == 0, (args, result.output)
    unused = [
        path
        for path, node in iter_figures(book)
        if isinstance(node, Figure) and _key(node) not in read
    ]
    assert unused == []


# ------------------------------------------------------------ derivations recompute

NUM = r"\$?\d[\d,]*(?:\.\d+)?"
EXPR = re.compile(rf"(?<![\w.$,])(?<![-+x/] )({NUM}(?:\s*[-+x/]\s*{NUM})+)\s*=\s*({NUM})(%?)")


def _d(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def _eval(expr: str) -> Decimal:
    tokens = re.findall(rf"{NUM}|[-+x/]", expr)
    # x and / first, then + and -, left to right
    terms: list[Any] = [_d(tokens[0])]
    for op, num in zip(tokens[1::2], tokens[2::2], strict=True):
        n = _d(num)
        if op == "x":
            terms[-1] *= n
        elif op == "/":
            terms[-1] /= n
        else:
            terms += [op, n]
    total = terms[0]
    for op, n in zip(terms[1::2], terms[2::2], strict=True):
        total = total + n if op == "+" else total - n
    return total


def test_every_arithmetic_step_in_a_derived_note_recomputes(book) -> None:
    checked = 0
    problems = []
    for path, node in iter_figures(book):
        if node.basis != "derived" or not node.note:
            continue
        note = " ".join(node.note.split())
        for m in EXPR.finditer(note):
            expr, shown, pct = m.group(1), _d(m.group(2)), m.group(3)
            value = _eval(expr)
            if pct and abs(value) < 1:
                value *= 100
            exp = Decimal(1).scaleb(_d(m.group(2)).as_tuple().exponent)
            if value.quantize(exp, ROUND_HALF_UP) != shown:
                problems.append(f"{path}: {expr} = {value}, note says {shown}")
            checked += 1
    assert problems == []
    assert checked > 25


def test_derived_from_names_real_figures_that_the_note_names(book) -> None:
    paths = dict(iter_figures(book))
    for path, node in paths.items():
        for dep in node.derived_from:
            assert dep in paths, f"{path}: derived_from {dep} is not in the book"
            assert dep in " ".join((node.note or "").split()), f"{path}: note omits {dep}"
        if node.derived_from:
            assert node.basis == "derived", path


def test_spravato_administration_recomputes_from_the_figures_it_names(book) -> None:
    t = book.treatments["spravato"]
    assert t.drug is not None
    admin = t.session_items["administration"]
    device = t.drug.device_price.get("typical")
    n56 = t.drug.devices_per_dose[56].get("typical")
    n84 = t.drug.devices_per_dose[84].get("typical")
    # each case: the dated all-in price the note quotes (Neolytix 2026), less the drug at
    # the dose it belongs to
    assert admin.get("low") == Decimal("900.00") - n56 * device
    assert admin.get("typical") == Decimal("1240.00") - n84 * device
    assert admin.get("high") == Decimal("1600.00") - n84 * device
    # so a typical treatment at the typical dose is the dated all-in figure
    assert t.drug.dose_mg.get("typical") == 84
    assert pricebook.spravato_all_in(book, 84)["typical"] == Decimal("1240.00")


# ------------------------------------------------------------------------ staleness


def test_months_and_ages() -> None:
    assert months_between(dt.date(2019, 3, 22), dt.date(2026, 11, 27)) == 92
    assert months_between(dt.date(2024, 11, 28), dt.date(2026, 11, 27)) == 23
    assert age_text(dt.date(2019, 3, 22), dt.date(2026, 11, 27)) == "7 years old"
    assert age_text(dt.date(2026, 10, 1), dt.date(2026, 11, 27)) == "1 month old"


def test_a_derived_figure_is_as_old_as_its_oldest_input(book) -> None:
    dates = Dates(book)
    today = dt.date(2026, 11, 27)
    admin = dates.of_path("treatments.spravato.session_items.administration")
    assert admin.date == dt.date(2019, 3, 22) and "device_price" in admin.why
    assert is_stale(admin, today)
    # a 2026 figure is not stale
    assert not is_stale(dates.of_path("insurance.medicare.g2083_rate"), today)


def test_a_stale_figure_is_named_with_its_age_and_a_fresh_one_is_not(runner) -> None:
    import json

    env = {"KETACOST_TODAY": "2026-11-27"}
    doc = json.loads(
        runner.invoke(
            app, ["estimate", "spravato", "--start", START, "--format", "json"], env=env
        ).stdout
    )
    notes = [a for a in doc["assumptions"] if a.startswith("Old figure")]
    assert any("device_price" in a and "7 years old" in a for a in notes)
    assert doc["price_book"]["oldest_figure"]["date"] == "2019-03-22"
    per = [a for a in doc["assumptions"] if a.startswith("Typical price per treatment")]
    assert per and "84 mg: drug 3 x $295.00 = $885.00" in per[0] and "$1,240.00" in per[0]
    # the same estimate quoted in 2020 names nothing as old
    env = {"KETACOST_TODAY": "2020-06-01"}
    doc = json.loads(
        runner.invoke(
            app, ["estimate", "spravato", "--start", START, "--format", "json"], env=env
        ).stdout
    )
    assert not [a for a in doc["assumptions"] if a.startswith("Old figure")]


def test_a_clinic_books_own_old_figure_is_named(runner, tmp_path) -> None:
    import json

    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(
        "extends: national\n"
        "treatments:\n"
        "  iv:\n"
        "    session_items:\n"
        "      infusion:\n"
        "        description: Our infusion price.\n"
        "        unit: USD/session\n"
        '        value: "450.00"\n'
        "        basis: sourced\n"
        "        checked: 2022-01-10\n"
        "        sources:\n"
        "          - title: Our fee schedule\n"
        "            url: https://clinic.example.com/fees\n"
        "            published: 2022-01-01\n"
        "            accessed: 2022-01-10\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["estimate", "iv", "--pricing", str(clinic), "--start", START, "--format", "json"],
        env={"KETACOST_TODAY": "2026-11-27"},
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert any("Our infusion price" in a and "4 years old" in a for a in doc["assumptions"])


# ---------------------------------------------------------------- Medicare locality


def test_national_g_code_rates_recompute_from_cms_rvus(book) -> None:
    m = book.insurance.medicare
    assert m.conversion_factor is not None and m.g2082_rvus and m.g2083_rvus
    cf = m.conversion_factor.get("typical")
    for rvus, rate in ((m.g2082_rvus, m.g2082_rate), (m.g2083_rvus, m.g2083_rate)):
        total = rvus.work.get("typical") + rvus.pe.get("typical") + rvus.mp.get("typical")
        assert (total * cf).quantize(Decimal("0.01"), ROUND_HALF_UP) == rate.get("typical")
    assert m.g2082_rate.get("typical") == Decimal("952.59")
    assert m.g2083_rate.get("typical") == Decimal("1356.08")


def test_a_state_with_one_locality_uses_its_indices(book) -> None:
    from ketacost.book.locality import allowed, for_state

    m = book.insurance.medicare
    al = for_state(m, "AL")
    assert al is not None and al.count == 1
    loc = al.picked["typical"]
    assert (loc.work, loc.pe, loc.mp) == (Decimal("1.000"), Decimal("0.875"), Decimal("0.566"))
    # (0.70 x 1.000 + 27.75 x 0.875 + 0.07 x 0.566) x 33.4009 = 835.72
    assert allowed(m, "G2082", "AL", "typical") == Decimal("835.72")
    assert allowed(m, "G2082", "AL", "low") == allowed(m, "G2082", "AL", "high")
    assert allowed(m, "G2082", None, "typical") == Decimal("952.59")


def test_a_state_with_several_localities_spans_them(book) -> None:
    from ketacost.book.locality import allowed, for_state

    m = book.insurance.medicare
    ca = for_state(m, "CA")
    assert ca is not None and ca.count > 1
    assert ca.picked["typical"].name.startswith("REST OF")
    lo, ty, hi = (allowed(m, "G2083", "CA", c) for c in ("low", "typical", "high"))
    assert lo <= ty <= hi and lo < hi


def test_the_report_names_the_locality_and_the_total_follows_it(runner) -> None:
    import json

    def doc(*extra: str) -> dict[str, Any]:
        args = ["estimate", "spravato", "--insurance", "medicare", "--start", START]
        result = runner.invoke(app, [*args, *extra, "--format", "json"], env={})
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    national, alabama = doc(), doc("--state", "AL")
    assert any(a.startswith("Medicare rates: national") for a in national["assumptions"])
    assert any("Medicare locality for AL: Alabama" in a for a in alabama["assumptions"])
    assert Decimal(alabama["totals"]["patient"]["typical"]) < Decimal(
        national["totals"]["patient"]["typical"]
    )


# ------------------------------------------------------------------------ prices


def test_prices_json_dates_every_source_and_figure(runner) -> None:
    import json

    result = runner.invoke(app, ["prices", "--format", "json"], env={})
    assert result.exit_code == 0, result.output
    assert "undated" not in result.stdout
    doc = json.loads(result.stdout)
    for fig in doc["figures"]:
        assert dt.date.fromisoformat(fig["checked"]), fig["path"]
        for s in fig["sources"]:
            assert dt.date.fromisoformat(s["accessed"]), fig["path"]
            assert s["published"] is None or dt.date.fromisoformat(s["published"])
    mileage = next(f for f in doc["figures"] if f["path"] == "indirect.mileage_rate")
    assert mileage["value"] == "0.205"
    per = doc["spravato_per_treatment"]
    assert per["84mg"]["typical"] == "1240.00" and per["56mg"]["typical"] == "945.00"


def test_prices_table_keeps_names_whole_and_money_at_its_precision(book) -> None:
    from rich.console import Console

    from ketacost.report.table import prices_renderable

    console = Console(width=80, record=True, color_system=None)
    console.print(prices_renderable(book, None))
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    for path, _node in iter_figures(book):
        parts = path.split(".")
        name = ".".join(parts[2:] if parts[0] == "treatments" else parts[1:])
        assert any(line.startswith(name + "  ") for line in lines), name
    assert "$0.205" in text
    assert "84 mg: $1,195.00 · $1,240.00 · $1,600.00" in text
    assert "rests on 2019-03-22" in text  # the Spravato administration row
