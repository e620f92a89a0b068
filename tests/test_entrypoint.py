"""Real subprocess runs of the installed `ketacost` entry point and `python -m ketacost`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def entry_point() -> str:
    found = shutil.which("ketacost", path=str(BIN)) or shutil.which("ketacost")
    assert found, "the ketacost console script is not installed next to this Python"
    return found


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, env=env, cwd=cwd, check=False
    )


def test_installed_entry_point_estimates_from_the_bundled_book(tmp_path: Path) -> None:
    # Run from an empty folder: the price book must come from the package, not the cwd.
    result = run(
        entry_point(),
        "estimate",
        "iv",
        "--price",
        "500",
        "--sessions",
        "6",
        "--no-maintenance",
        "--consult",
        "0",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["totals"]["patient"] == {"low": "3000.00", "typical": "3000.00", "high": "3000.00"}
    assert result.stderr == ""


def test_installed_entry_point_prints_a_table(tmp_path: Path) -> None:
    result = run(entry_point(), "estimate", "iv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "You pay" in result.stdout and "not medical advice" in result.stdout


def test_bad_input_exits_2_without_a_traceback() -> None:
    result = run(entry_point(), "estimate", "ivv")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: unknown treatment 'ivv'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--version"], ["estimate", "--help"]])
def test_python_dash_m(args: list[str]) -> None:
    result = run(sys.executable, "-m", "ketacost", *args)
    assert result.returncode == 0, result.stderr
    assert "ketacost" in result.stdout


def test_80_columns_never_break_a_number(tmp_path: Path) -> None:
    """The issue's check: NO_COLOR=1 COLUMNS=80 ketacost estimate spravato --insurance
    commercial shows every number whole."""
    import re

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "KETACOST_TODAY": "2026-11-27"}
    args = [entry_point(), "estimate", "spravato", "--insurance", "commercial"]
    table = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=tmp_path, check=True
    ).stdout
    doc = json.loads(
        subprocess.run(
            [*args, "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=True,
        ).stdout
    )
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "\x1b[" not in table
    for key in ("billed", "insurer", "assistance", "patient"):
        for case in ("low", "typical", "high"):
            amount = float(doc["totals"][key][case])
            assert f"${amount:,.2f}" in table, (key, case)
    for phase in doc["phases"]:
        for case in ("low", "typical", "high"):
            assert f"${float(phase['patient'][case]):,.2f}" in table
    # every dollar amount on screen is whole: complete thousands groups and cents
    for token in re.findall(r"-?\$[\d,.]*[\d]", table):
        assert re.fullmatch(r"-?\$\d{1,3}(,\d{3})*(\.\d{2})?", token), token


# A run through the launcher that reports, after the command, which modules it imported.
_IMPORTED = (
    "import sys\n"
    "sys.argv = ['ketacost', *sys.argv[1:]]\n"
    "from ketacost.launcher import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    sys.stderr.write('\\nIMPORTED ' + ' '.join(sorted(sys.modules)) + '\\n')\n"
)


def _imported(*args: str, **env: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTED, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **env},
        check=False,
    )
    line = result.stderr.rsplit("IMPORTED ", 1)[-1]
    return set(line.split())


def test_with_plugins_off_pydantic_loads_no_package_metadata() -> None:
    # Typer's own validator still runs for a value the plain path refuses (--months abc);
    # a default run imports no pydantic at all (tests/test_scenario_plain.py).
    mods = _imported("estimate", "iv", "--months", "abc")
    assert "pydantic.main" in mods and "importlib.metadata" not in mods
    bad = run(entry_point(), "estimate", "iv", "--months", "abc")
    assert bad.returncode == 2 and "Input should be a valid integer" in bad.stderr


def test_a_default_run_leaves_out_what_it_does_not_need(tmp_path: Path) -> None:
    # Each of these cost 2-5 ms of every run's start-up (issue 17); the book is found
    # next to the package, hashed with _blake2, and the folders worked out in userdirs.
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": "", "XDG_CONFIG_HOME": ""}
    env.update(KETACOST_CACHE_DIR="", KETACOST_CONFIG="")  # the user's own folders
    _imported("estimate", "iv", **env)  # the first run caches the book
    assert len(list((home / ".cache" / "ketacost").glob("book-*.json"))) == 1
    mods = _imported("estimate", "iv", **env)
    assert "ketacost.engine.estimate" in mods  # the run did happen
    dropped = {"importlib.resources", "zipfile", "tempfile", "platformdirs", "_hashlib"}
    assert sorted(dropped & mods) == []
    assert not {m for m in mods if m.startswith(("pydantic.main", "yaml"))}


@pytest.mark.parametrize("setting", ["0", "some_plugin"])
def test_with_plugins_on_pydantic_looks_them_up(setting: str) -> None:
    mods = _imported("estimate", "iv", "--months", "abc", PYDANTIC_DISABLE_PLUGINS=setting)
    assert "pydantic.main" in mods and "importlib.metadata" in mods


def _screen(args: list[str], first: str = "") -> tuple[int, str, str]:
    code = f"{first}\n{_IMPORTED}"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
        check=False,
    )
    return result.returncode, result.stdout, result.stderr.rsplit("\nIMPORTED ", 1)[0]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["estimate", "--help"], ["estimate", "iv", "--months", "abc"], ["nosuch"]],
)
def test_help_and_usage_errors_read_the_same_without_rich_markdown(args: list[str]) -> None:
    light = _screen(args)
    # typer's rich_utils imported before the CLI: the stand-ins never come into play.
    full = _screen(args, first="import typer.rich_utils")
    assert light == full and (light[1] or light[2])
    mods = _imported(*args)
    assert "typer.rich_utils" in mods
    assert not {"rich.markdown", "rich.traceback", "markdown_it", "pygments"} & mods


def test_the_stand_ins_give_the_real_classes_when_used() -> None:
    code = (
        "from ketacost.cli import lighthelp\n"
        "lighthelp.install()\n"
        "import typer.rich_utils as ru, sys\n"
        "assert 'rich.markdown' not in sys.modules\n"
        "md = ru.Markdown('# x')\n"
        "import rich.markdown, rich.traceback\n"
        "assert type(md) is rich.markdown.Markdown and isinstance(md, ru.Markdown)\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError as exc:\n"
        "    tb = ru.Traceback.from_exception(type(exc), exc, exc.__traceback__)\n"
        "assert type(tb) is rich.traceback.Traceback\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "ok\n", result.stderr


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_command_listing_reads_as_the_full_apps_help(flag: str) -> None:
    from typer.testing import CliRunner

    from ketacost.cli.app import _listing, app

    full = CliRunner().invoke(app, [flag])
    light = CliRunner().invoke(_listing(), [flag])
    assert full.exit_code == light.exit_code == 0
    assert light.stdout == full.stdout and "estimate" in full.stdout
    assert run(entry_point(), flag).stdout == full.stdout


@pytest.mark.parametrize(
    ("args", "collector"),
    [
        (["estimate", "iv"], False),
        (["--no-color", "prices"], False),
        (["batch", "-"], True),
        (["--no-color", "batch", "-"], True),
        (["rates", "--help"], True),
    ],
)
def test_the_collector_stays_on_for_runs_that_grow_with_their_input(
    args: list[str], collector: bool
) -> None:
    code = (
        "import gc, sys\n"
        "sys.argv = ['ketacost', *sys.argv[1:]]\n"
        "from ketacost.launcher import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(f'\\nGC {gc.isenabled()}\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        input="treatment\niv\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
        check=False,
    )
    assert result.stderr.rsplit("\nGC ", 1)[-1].strip() == str(collector)


def test_root_help_names_every_environment_variable_the_code_reads() -> None:
    src = Path(__file__).resolve().parent.parent / "src" / "ketacost"
    read = set()
    for path in src.rglob("*.py"):
        read |= set(re.findall(r"KETACOST_[A-Z_]+", path.read_text(encoding="utf-8")))
    read.discard("KETACOST_COMPLETE")  # typer's completion hook: the shell sets it
    shown = run(entry_point(), "--help")
    text = " ".join(shown.stdout.split())
    assert read and sorted(v for v in read if v not in text) == []


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """A run whose stdout is a pipe nobody reads from any more."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [entry_point(), *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("estimate", "--help"),
        ("prices",),
        ("prices", "--format", "json"),
        ("estimate", "iv"),
    ],
)
def test_a_reader_gone_away_ends_every_output_quietly_with_141(args: tuple[str, ...]) -> None:
    done = _into_closed_pipe(*args)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_closed_stdout_ends_as_a_reader_gone_away(tmp_path: Path) -> None:
    # `>&-`: no traceback, and no exit 0 for results that went nowhere (a script would
    # take the quotes as written); a run that writes only to -o FILE is done as usual.
    out = tmp_path / "q.json"
    rows = tmp_path / "rows.csv"
    rows.write_text("treatment,months\niv,6\n", encoding="utf-8")
    cmd = f'"{entry_point()}"'
    script = (
        f"{cmd} estimate iv >&- ; echo rc=$?; {cmd} batch '{rows}' >&- ; echo rc=$?; "
        f"{cmd} --version >&- ; echo rc=$?; {cmd} estimate iv -o '{out}' >&- ; echo rc=$?"
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["rc=141", "rc=141", "rc=141", "rc=0"], done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["treatment"] == "iv"
