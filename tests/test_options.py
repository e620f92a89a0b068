"""The options table (ketacost/options.py) is the one place options are declared: the
commands' parameters, the batch columns, the scenario's fields, the config keys, the
guide's flags and the README's tables all agree with it."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import typer

import ketacost
from ketacost import batch, options
from ketacost.config import Clinic, Settings
from ketacost.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


def _readme_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "readme_options", ROOT / "scripts/readme_options.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_options_tables_are_the_table() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count("<!-- options: ") == 4
    assert _readme_script().current(text) == text, "run scripts/readme_options.py"  # type: ignore[attr-defined]


def test_the_readme_check_fails_when_a_table_is_stale(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = text.replace("| `--months N` |", "| `--months COUNT` |", 1)
    assert stale != text
    assert _readme_script().current(stale) == text  # type: ignore[attr-defined]


def test_every_readme_section_has_every_option_once() -> None:
    shown = [
        o.name
        for s in ("estimate", "insurance", "benefits", "paying")
        for o in options.OPTIONS
        if o.readme == s
    ]
    documented = {o.name for o in options.SCENARIO} - {"treatment"}
    assert documented <= set(shown) and len(shown) == len(set(shown))


def _command(name: str) -> object:
    from ketacost.cli.app import build

    group = typer.main.get_command(build((name,)))
    return group.commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["estimate", "tips", "compare", "schedule"])
def test_each_scenario_command_takes_the_tables_options_in_its_order(name: str) -> None:
    params = [p.name for p in _command(name).params]  # type: ignore[attr-defined]
    expected = [o.name for o in options.for_command(name)]
    extra = ["treatments"] if name == "compare" else []
    assert params == ["ctx", *extra, *expected] or params == [*extra, *expected]


@pytest.mark.parametrize("name", ["estimate", "tips", "compare", "schedule"])
def test_help_and_flags_come_from_the_table(name: str) -> None:
    for param in _command(name).params:  # type: ignore[attr-defined]
        option = options.BY_NAME.get(param.name)
        if option is None:
            continue
        if option.kind != "format":
            assert param.help == option.help
        if option.kind != "treatment":
            assert (*param.opts, *param.secondary_opts) == option.flags


def test_the_scenario_fields_are_the_tables() -> None:
    fields = set(Scenario.model_fields) - {"secondary_plan"}
    assert fields == set(options.BY_FIELD)


def test_the_batch_columns_are_the_tables() -> None:
    assert set(batch.OPTION_COLUMNS) == {o.name for o in options.OPTIONS if o.column}
    assert batch.OPTION_COLUMNS[0] == "treatment"
    assert {"months", "sessions", "maintenance_weeks", "dose"} == batch.INT_COLUMNS
    assert "no_maintenance" in batch.BOOL_COLUMNS and "assistance" in batch.BOOL_COLUMNS


def test_the_config_keys_are_the_tables() -> None:
    top = {k.split(".")[0] for k in options.CONFIG_KEYS}
    assert top == set(Settings.model_fields)
    nested = {k.split(".")[1] for k in options.CONFIG_KEYS if "." in k}
    # The clinic's phone and state are for the handout only: no option sets them.
    assert nested == set(Clinic.model_fields) - {"phone", "state"}


def test_the_guide_only_gives_options_of_the_table() -> None:
    source = (ROOT / "src/ketacost/cli/guide.py").read_text(encoding="utf-8")
    flags = set(re.findall(r'"(--[a-z-]+)"', source)) | {"--hsa", "--fsa"}  # f"--{account}"
    assert flags <= set(options.BY_FLAG)
    assert {o.says for o in options.OPTIONS if o.guide and o.kind != "treatment"} == flags


def test_no_command_module_lists_a_scenario_option() -> None:
    cli = ROOT / "src/ketacost/cli"
    # (guide.py writes the command line it prints with the flags: checked above)
    for path in set(cli.rglob("*.py")) - {cli / "guide.py"}:
        text = path.read_text(encoding="utf-8")
        for flag in ("--oop-max", "--deductible", "--no-maintenance", "--hsa-payroll", "--rates"):
            assert f'"{flag}"' not in text, f"{path.name} declares {flag}"


# Domain rules through the API: its keywords are the option names.


def test_api_keywords_are_the_option_names() -> None:
    a = ketacost.estimate(
        "iv", price="500", sessions=6, no_maintenance=True, consult="0", start="2027-03-01"
    )
    b = ketacost.estimate(
        "iv", price="500", sessions=6, maintenance=False, consult="0", start="2027-03-01"
    )
    assert a.totals.patient == b.totals.patient
    assert a.totals.patient.typical == Decimal("3000.00")


def test_a_discount_keyword_is_a_list_as_on_the_command_line() -> None:
    one = ketacost.estimate("iv", price="500", discount=["package"], start="2027-03-01")
    same = ketacost.estimate("iv", price="500", discounts=("package",), start="2027-03-01")
    assert one.totals.billed == same.totals.billed


def test_a_batch_row_and_the_api_give_the_same_scenario() -> None:
    cells = {
        "treatment": "iv",
        "no_maintenance": "yes",
        "discount": "package;group",
        "covered": "no",
    }
    cells |= {"insurance": "commercial", "start": "2027-03-01", "coinsurance": "20%"}
    from_batch = batch.scenario_from_cells(cells)
    from_api = Scenario.from_options(
        treatment="iv",
        no_maintenance=True,
        discount=["package", "group"],
        covered=False,
        insurance="commercial",
        start="2027-03-01",
        coinsurance="20%",
    )
    assert from_batch == from_api
    assert from_api.maintenance is False and from_api.discounts == ("package", "group")


def test_an_unknown_keyword_is_refused_by_name() -> None:
    with pytest.raises(ketacost.InputError, match="colour"):
        ketacost.estimate("iv", colour="red")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("oop_max", "-1", "--oop-max"),
        ("rx_coinsurance", "0.5", "--rx-coinsurance"),
        ("family_kind", "bogus", "--family-kind"),
        ("plan_year_start", "02-30", "--plan-year-start"),
    ],
)
def test_messages_name_the_option_the_table_says(field: str, value: str, says: str) -> None:
    extra = {"drug_benefit": "pharmacy"} if field.startswith("rx_") else {}
    with pytest.raises(ketacost.KetacostError) as info:
        Scenario.from_options(
            treatment="spravato", insurance="commercial", **{field: value}, **extra
        )
    assert info.value.message.startswith(says)


def test_a_run_imports_only_its_own_command() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['ketacost', 'estimate', 'iv', '--format', 'json']\n"
        "from ketacost.cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('ketacost.cli.commands.')),"
        " file=sys.stderr)\n"
    )
    env = {**os.environ, "KETACOST_TODAY": "2026-11-27"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stderr.strip().splitlines()[-1] == "['ketacost.cli.commands.estimate']"
