"""The Python API: what the CLI does, as functions, without typer or rich."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import ketacost
from ketacost import api

ROOT = Path(__file__).resolve().parent.parent


def test_the_api_module_examples_run() -> None:
    failed, tried = doctest.testmod(api)
    assert tried >= 2 and failed == 0


def test_the_readme_api_examples_run() -> None:
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False)
    assert result.attempted >= 5 and result.failed == 0


def test_api_imports_neither_typer_nor_rich() -> None:
    code = (
        "import sys, ketacost\n"
        "e = ketacost.estimate('spravato', insurance='commercial', start='2027-03-01')\n"
        "ketacost.compare(start='2027-03-01'); ketacost.schedule('iv', start='2027-03-01')\n"
        "ketacost.finance('1000', months=10, apr='0')\n"
        "print(sorted(m for m in ('typer', 'rich', 'click') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_keywords_are_the_cli_options() -> None:
    est = ketacost.estimate(
        "iv", price="500", sessions=6, maintenance=False, consult="0", start="2027-03-01"
    )
    assert est.totals.patient.typical == Decimal("3000.00")
    same = ketacost.estimate(
        "iv", price=Decimal(500), sessions=6, maintenance=False, consult=0, start="2027-03-01"
    )
    assert same.totals == est.totals


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"insurance": "commercial", "coinsurance": "0.2"}, "did you mean 20%"),
        ({"insurance": "medicare", "hsa": True}, "Medicare"),
        ({"deductible": "500"}, "--deductible needs --insurance"),
        ({"price": 500.0}, "not float"),
    ],
)
def test_errors_are_ketacost_errors_with_the_clis_messages(kwargs, needle) -> None:
    with pytest.raises(ketacost.KetacostError, match=needle):
        ketacost.estimate("iv", **kwargs)


def test_unknown_treatment_is_an_input_error() -> None:
    with pytest.raises(ketacost.InputError, match="unknown treatment"):
        ketacost.estimate("ivv")


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"pricing": "clinic.yaml"}, "pricing: the Python API takes the scenario's options"),
        ({"lang": "fr"}, "not the command line's --lang"),
        ({"tips": False}, "pass with_tips=False"),
        ({"output": "x.json"}, "not the command line's --output"),
        ({"npi": "1234567890"}, "not the command line's --npi"),
        ({"no_maintenance": True, "maintenance": True}, "no_maintenance and maintenance"),
    ],
)
def test_an_option_the_api_cannot_honour_is_refused_not_dropped(kwargs, says) -> None:
    """A clinic's price book given as `pricing=` used to be ignored without a word,
    quoting national prices."""
    with pytest.raises(ketacost.InputError, match=re.escape(says)):
        ketacost.estimate("iv", **kwargs)


def test_a_single_text_where_a_list_is_wanted_is_one_item() -> None:
    one = ketacost.estimate("iv", discount="package", start="2027-03-01", with_tips=False)
    listed = ketacost.estimate("iv", discount=["package"], start="2027-03-01", with_tips=False)
    assert one.totals == listed.totals
    rows = ketacost.compare(treatments="iv,spravato", start="2027-03-01")
    assert sorted(r.treatment for r in rows) == ["iv", "spravato"]
