"""The plain `Scenario` against the pydantic model that stated its rules before
(scenario_model.ScenarioModel): the same fields or the same refusal, with the same
message, for random values valid and invalid; and a CLI run that imports no pydantic."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ketacost import config
from ketacost.errors import InputError
from ketacost.scenario import FIELDS, Scenario, input_error, plain_fields
from ketacost.scenario_model import ScenarioModel

# (`ketacost.scenario` is also the public API's function of that name)
scenario = importlib.import_module("ketacost.scenario")

MONEYISH = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=-1, max_value=101, places=3),
    st.integers(-5, 200),
    st.floats(allow_nan=True),
    st.sampled_from(["12", "abc", "", "1e3", "NaN", True]),
)
INTISH = st.one_of(
    st.integers(-3, 120),
    st.booleans(),
    st.sampled_from(["12", "x", 12.0, 12.5, Decimal(3), None]),
)
DATEISH = st.one_of(
    st.dates(dt.date(1990, 1, 1), dt.date(2110, 12, 31)),
    st.datetimes(dt.datetime(1999, 1, 1), dt.datetime(2101, 1, 1)),
    st.sampled_from(["2026-01-05", "soon", 20260105, None]),
)
FLAGISH = st.one_of(st.booleans(), st.sampled_from([None, 0, 1, 2, "yes", "no", "true", ""]))
TEXTISH = st.one_of(st.text(max_size=8), st.sampled_from([None, 3, b"x", ("a",)]))


class _Pair(NamedTuple):  # a tuple subclass: pydantic makes a plain tuple of it
    first: object
    second: object


def _values_for(name: str, rule: object) -> st.SearchStrategy[Any]:
    if rule in (scenario.MONEY, scenario.PERCENT):
        return st.one_of(st.none(), MONEYISH)
    if rule is scenario.FLAG:
        return FLAGISH
    if rule is scenario.TEXT:
        return TEXTISH
    if isinstance(rule, range):
        return INTISH
    if isinstance(rule, tuple):
        odd = ["IN", " out", "g", "Medicare", 56.0, "56", True]
        return st.one_of(st.sampled_from(rule), st.sampled_from(odd), st.none())
    if rule == "date":
        return DATEISH
    if rule == "texts":
        return st.one_of(
            st.lists(st.text(max_size=6), max_size=3).map(tuple),
            st.lists(st.text(max_size=6), max_size=3),
            st.sampled_from([("a", 1), "abc", None, frozenset({"a"}), _Pair("a", "b")]),
        )
    if rule == "month-day":
        return st.one_of(
            st.tuples(st.integers(-1, 13), st.integers(0, 32)),
            st.sampled_from([(7,), (7, 1, 1), [7, 1], ("7", "1"), (True, 1), "07-01", _Pair(7, 1)]),
        )
    if rule == "state":
        return st.one_of(
            st.sampled_from(["NY", "ny", " tx ", "ZZ", "N Y", "PR", "", None, 5]),
            st.text(max_size=3),
        )
    return st.sampled_from([None, "plan.yaml", {"insurer": "x"}])  # secondary_plan


def _scenario_dicts() -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: _values_for(name, rule) for name, (_, rule) in FIELDS.items()}
    fields["treatment"] = st.one_of(st.sampled_from(["iv", "spravato"]), TEXTISH)
    optional = st.fixed_dictionaries(
        {},
        optional={**fields, "bogus": st.just(1)},  # an unknown field: refused
    )
    return optional


def _outcome(build: Any, values: dict[str, Any]) -> tuple[str, object]:
    try:
        fields = build(values)
    except ValidationError as exc:
        err = input_error(exc)
        return "refused", (err.message, err.param)
    return "built", {k: (type(v), repr(v)) for k, v in fields.items()}


def _pydantic(values: dict[str, Any]) -> dict[str, Any]:
    return dict(ScenarioModel.model_validate(values).__dict__)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    s = Scenario(**values)
    return {name: getattr(s, name) for name in FIELDS}


def test_the_fields_are_the_models() -> None:
    assert tuple(FIELDS) == tuple(ScenarioModel.model_fields) == Scenario.model_fields
    for name, (default, _) in FIELDS.items():
        info = ScenarioModel.model_fields[name]
        if default is scenario.REQUIRED:
            assert info.is_required(), name
        elif default is not scenario.TODAY:
            assert info.default == default and type(info.default) is type(default), name


def test_the_bounds_and_choices_are_the_models() -> None:
    import typing

    for name, (_, rule) in FIELDS.items():
        info = ScenarioModel.model_fields[name]
        if isinstance(rule, range):
            ge = next(m.ge for m in info.metadata if hasattr(m, "ge"))
            le = next(m.le for m in info.metadata if hasattr(m, "le"))
            assert (rule.start, rule.stop - 1) == (ge, le), name
        elif isinstance(rule, tuple):
            literal = next(a for a in typing.get_args(info.annotation) if a is not type(None))
            assert rule == typing.get_args(literal) or rule == typing.get_args(info.annotation)


@given(_scenario_dicts())
def test_plain_checks_agree_with_pydantic(values: dict[str, Any]) -> None:
    accepted = plain_fields(values)
    expected = _outcome(_pydantic, values)
    if accepted is not None:
        # whatever the plain checks vouch for, pydantic takes the same way
        assert expected == ("built", {k: (type(v), repr(v)) for k, v in accepted.items()})
    assert _outcome(_plain, values) == expected


VALID = st.fixed_dictionaries(
    {"treatment": st.sampled_from(["iv", "spravato", "esketamine"])},
    optional={
        "months": st.integers(1, 60),
        "start": st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
        "price": st.decimals(min_value=0, max_value=10**5, places=2),
        "coinsurance": st.decimals(min_value=0, max_value=100, places=1),
        "insurance": st.sampled_from(["none", "commercial", "medicare"]),
        "discounts": st.lists(st.sampled_from(["veteran", "package"]), max_size=2).map(tuple),
        "plan_year_start": st.tuples(st.integers(1, 12), st.integers(1, 28)),
        "state": st.sampled_from(["NY", " ca", "tx"]),
        "hsa": st.booleans(),
        "dose": st.sampled_from([56, 84, None]),
    },
)


@given(VALID)
def test_valid_values_take_the_plain_path(values: dict[str, Any]) -> None:
    # The equality above is not won by always deferring: a CLI run's values pass plainly.
    assert plain_fields(values) is not None


# Options as the CLI passes them to from_options: text for amounts and dates.
MONEY_TEXT = st.sampled_from(["0", "250", "$1,200", "1200.005", "-5", "abc", "5000", "1e2", ""])
PERCENT_TEXT = st.sampled_from(["0", "20", "20%", "0.5", "100", "150", "-1", "x"])
OPTION_TEXT: dict[str, st.SearchStrategy[Any]] = {
    "months": st.one_of(st.integers(-1, 70), st.sampled_from(["6", "x"])),
    "start": st.sampled_from(["2026-12-01", "1999-01-01", "2026-02-30", " 2027-01-04 "]),
    "sessions": st.integers(0, 101),
    "maintenance_weeks": st.integers(0, 53),
    "no_maintenance": st.booleans(),
    "price": MONEY_TEXT,
    "dose": st.sampled_from(["56", "84", "70", 56]),
    "discount": st.lists(st.sampled_from(["veteran", "package", "nope"]), max_size=2),
    "insurance": st.sampled_from(
        ["none", "commercial", "Medicare", "medicare-advantage", "medicaid", "uninsured", "x"]
    ),
    "network": st.sampled_from(["in", "out", "OUT", "sideways"]),
    "covered": st.sampled_from([True, False, None]),
    "allowed": MONEY_TEXT,
    "deductible": MONEY_TEXT,
    "oop_max": MONEY_TEXT,
    "annual_deductible": MONEY_TEXT,
    "annual_oop_max": MONEY_TEXT,
    "coinsurance": PERCENT_TEXT,
    "copay": MONEY_TEXT,
    "medigap": st.sampled_from(["none", "G", "n", "Q"]),
    "plan_year_start": st.sampled_from(["01-01", "07-01", "02-29", "13-01", "x"]),
    "hsa": st.booleans(),
    "hsa_payroll": st.booleans(),
    "fsa": st.booleans(),
    "family": st.booleans(),
    "tax_rate": PERCENT_TEXT,
    "account_balance": MONEY_TEXT,
    "hourly_wage": MONEY_TEXT,
    "state": st.sampled_from(["NY", "ca", "ZZ", "New York"]),
    "drug_benefit": st.sampled_from(["medical", "pharmacy", "x"]),
    "drug_network": st.sampled_from(["in", "out", None]),
    "rx_copay": MONEY_TEXT,
    "rx_coinsurance": PERCENT_TEXT,
    "accumulator": st.booleans(),
    "family_deductible": MONEY_TEXT,
    "family_oop_max": MONEY_TEXT,
    "annual_family_deductible": MONEY_TEXT,
    "family_kind": st.sampled_from(["embedded", "aggregate", "x"]),
    "observation_rebate": st.booleans(),
}


def _from_options(raw: dict[str, Any]) -> tuple[str, object]:
    try:
        s = Scenario.from_options(**raw)
    except InputError as exc:
        return "refused", (exc.message, exc.param)
    return "built", {name: (type(v), repr(v)) for name, v in zip(FIELDS, s._values(), strict=True)}


@given(
    st.sampled_from(["iv", "spravato", "IV"]),
    st.fixed_dictionaries({}, optional=OPTION_TEXT),
)
def test_from_options_as_with_pydantic(treatment: str, raw: dict[str, Any]) -> None:
    new = _from_options({"treatment": treatment, **raw})
    # the path before: every value decided by the pydantic model
    with mock.patch.object(scenario, "plain_fields", lambda values: None):
        old = _from_options({"treatment": treatment, **raw})
    assert new == old


def test_a_scenario_is_a_read_only_value() -> None:
    import copy
    import pickle

    s = Scenario(treatment="iv", start=dt.date(2027, 1, 4), price=Decimal("300"))
    with pytest.raises(AttributeError):
        s.months = 3  # type: ignore[misc]
    assert s.model_copy(update={"months": 3}).months == 3 and s.months == 12
    assert pickle.loads(pickle.dumps(s)) == s == copy.deepcopy(s)
    assert hash(s) == hash(s.model_copy())
    assert s != s.model_copy(update={"price": Decimal("301")})
    with pytest.raises(ValidationError):
        Scenario(treatment="iv", months=0)


COMMANDS = [
    ["estimate", "iv"],
    ["estimate", "iv", "--format", "json"],
    ["estimate", "spravato", "--insurance", "commercial"],
    ["tips", "iv"],
    ["compare"],
    ["schedule", "spravato"],
    ["prices"],
]
_RUN = (
    "import sys\n"
    "sys.argv = ['ketacost', *sys.argv[1:]]\n"
    "from ketacost.launcher import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    sys.stderr.write('\\nPYDANTIC ' + repr(sorted(m for m in sys.modules\n"
    "        if m.split('.')[0] in ('pydantic', 'pydantic_core')\n"
    "        and m != 'pydantic.plugin._loader')) + '\\n')\n"  # the launcher's stub
)


@pytest.mark.parametrize("config", ["none", "empty", "settings"])
def test_a_default_cli_run_imports_no_pydantic(tmp_path: Path, config: str) -> None:
    env = {**os.environ, "NO_COLOR": "1", "KETACOST_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("KETACOST_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    if config != "none":
        path = tmp_path / "config.yaml"
        text = "" if config == "empty" else "state: NY\ntips: true\nclinic:\n  name: Example\n"
        path.write_text(text, encoding="utf-8")
        env["KETACOST_CONFIG"] = str(path)
    # the first run fills the price book's cache (a miss validates the YAML with pydantic)
    subprocess.run([sys.executable, "-c", _RUN, "prices"], env=env, capture_output=True, check=True)
    for args in COMMANDS:
        result = subprocess.run(
            [sys.executable, "-c", _RUN, *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr.rsplit("PYDANTIC ", 1)[-1].strip() == "[]", args


# The config file: the plain records against config_schema's models.
SHORTISH = st.one_of(
    st.text(max_size=6),
    st.sampled_from([" Dr. A ", "a\t", "\u00a0x", "x\x1f", "y" * 200, " " + "y" * 200, 7]),
)
PATTERNISH = st.one_of(
    st.sampled_from(["NY", "ny", "N", "NYC", "1234567890", "12-3456789", "123456789", " NY"]),
    st.sampled_from(["\u0661" * 10, "12345678901", "12-345678", "NY\n", 5, None]),
    st.text(alphabet="0123456789-A", max_size=11),
)
CLINICISH = st.fixed_dictionaries(
    {},
    optional={
        "name": SHORTISH,
        "npi": PATTERNISH,
        "tin": PATTERNISH,
        "address": st.one_of(SHORTISH, st.none()),
        "phone": SHORTISH,
        "state": PATTERNISH,
        "fax": st.just("1"),
    },
)
CONFIGISH = st.fixed_dictionaries(
    {},
    optional={
        "pricing": st.one_of(st.sampled_from(["book.yaml", "/x/b.yaml", "", 3, None])),
        "format": st.sampled_from(["table", "json", "JSON", "pdf", None, 1]),
        "state": PATTERNISH,
        "clinic": st.one_of(CLINICISH, st.sampled_from([None, "x", []])),
        "diagnosis": st.one_of(
            st.lists(SHORTISH, max_size=3), st.sampled_from([None, "F32.9", ("F32.9",)])
        ),
        "tips": st.sampled_from([True, False, None, "yes", 1, 0]),
        "lang": st.sampled_from(["en", "es", "fr", None, "EN"]),
        "colour": st.just("blue"),
    },
)


def _settings_outcome(build: Any, data: dict[str, Any]) -> tuple[str, object]:
    try:
        settings = build(data)
    except config.ConfigError as exc:
        return "refused", exc.message
    return "built", {
        n: (type(getattr(settings, n)), repr(getattr(settings, n))) for n in settings.FIELDS
    }


@given(CONFIGISH)
def test_plain_settings_agree_with_the_schema(data: dict[str, Any]) -> None:
    expected = _settings_outcome(lambda d: config._checked_settings(d, "f"), data)
    plain = config.plain_settings(data)
    if plain is not None:
        assert _settings_outcome(lambda d: plain, data) == expected


@given(CONFIGISH)
def test_load_settings_as_with_the_schema(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    import yaml

    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    new = _settings_outcome(lambda _: config.load_settings(path), data)
    with mock.patch.object(config, "plain_settings", lambda d: None):
        old = _settings_outcome(lambda _: config.load_settings(path), data)
    assert new == old


def test_a_typical_config_file_takes_the_plain_path() -> None:
    data = {
        "pricing": "book.yaml",
        "format": "json",
        "state": "NY",
        "clinic": {"name": " Example ", "npi": "1234567890", "tin": "12-3456789", "state": "NY"},
        "diagnosis": ["F32.9", "F33.1"],
        "tips": False,
        "lang": "es",
    }
    assert config.plain_settings(data) == config._checked_settings(data, "f")
    assert config.plain_settings(data) is not None
