"""Three fixed scenarios in every format, compared exactly with tests/golden/.

Regenerate with `.venv/bin/python scripts/goldens.py` and review the diff like code."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("goldens", ROOT / "scripts" / "goldens.py")
assert spec and spec.loader
goldens = importlib.util.module_from_spec(spec)
spec.loader.exec_module(goldens)

CASES = list(itertools.product(goldens.SCENARIOS, goldens.FORMATS))


@pytest.mark.parametrize(("scenario", "fmt"), CASES)
def test_output_matches_its_golden_file(scenario: str, fmt: str) -> None:
    path = goldens.path_of(scenario, fmt)
    fresh = goldens.render(scenario, fmt)
    assert path.exists(), f"{path.name} is missing; run scripts/goldens.py"
    assert fresh == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the output; if the change is intended, run "
        ".venv/bin/python scripts/goldens.py and review the diff"
    )


def test_a_one_cent_fee_change_shows_in_every_money_format(monkeypatch) -> None:
    """A consultation fee a cent dearer changes the JSON, CSV, Markdown and GFE."""
    scenario = [*goldens.SCENARIOS["selfpay-iv"]]
    scenario[scenario.index("--consult") + 1] = "300.01"
    monkeypatch.setitem(goldens.SCENARIOS, "selfpay-iv", scenario)
    for fmt in ("json", "csv", "markdown", "gfe"):
        fresh = goldens.render("selfpay-iv", fmt)
        committed = goldens.path_of("selfpay-iv", fmt).read_text(encoding="utf-8")
        assert fresh != committed, fmt
        assert "300.01" in fresh, fmt
