"""The guided interview: scripted through CliRunner, and once through a real terminal."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from ketacost.cli.app import app

ENV = {"KETACOST_TODAY": "2026-11-27"}


def guide(runner, answers: list[str]):
    return runner.invoke(app, ["guide"], input="\n".join(answers) + "\n", env=ENV)


def printed_command(stderr: str) -> list[str]:
    """The command the guide printed, in either language: its own line, never wrapped."""
    line = next(line for line in stderr.splitlines() if line.startswith("  ketacost "))
    args = shlex.split(line)
    assert args[0] == "ketacost"
    return args[1:]


def test_scripted_guide_matches_the_command_it_prints(runner) -> None:
    # Spravato 84 mg, no quoted price, commercial plan in network with known figures
    # (a $1,500 deductible, $500 of it left), 20% coinsurance, no HSA, 6 months
    # ... not a family plan, the clinic bills the drug (medical benefit)
    result = guide(
        runner,
        ["4", "", "3", "2", "1", "1500", "2", "500", "2", "20", "3000", "n", "1", "1", "6"],
    )
    assert result.exit_code == 0, result.output
    args = printed_command(result.stderr)
    assert args == [
        "estimate",
        "spravato",
        "--dose",
        "84",
        "--insurance",
        "commercial",
        "--deductible",
        "500.00",
        "--annual-deductible",
        "1500.00",
        "--coinsurance",
        "20",
        "--oop-max",
        "3000.00",
        "--months",
        "6",
    ]
    again = runner.invoke(app, [*args, "--format", "json"], env=ENV)
    doc = json.loads(again.stdout)
    you_pay = next(line for line in result.stdout.splitlines() if line.startswith("You pay"))
    for case in ("low", "typical", "high"):
        amount = float(doc["totals"]["patient"][case])
        assert f"${amount:,.2f}" in you_pay


def test_guide_asks_again_kindly_and_skips_to_the_typical_plan(runner) -> None:
    result = guide(
        runner,
        [
            "ketamine",
            "9",
            "1",
            "",
            "two",
            "2",
            "",
            "abc",
            "",
            "",
            "",
            "",
            "maybe",
            "1",
            "0",
            "61",
            "",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Please type a number from 1 to 7." in result.stderr
    assert "Please enter an amount like 1500" in result.stderr
    assert "Please enter a number of months from 1 to 60." in result.stderr
    args = printed_command(result.stderr)
    assert args == ["estimate", "iv", "--insurance", "commercial"]
    assert "the price book's typical plan" in result.stdout


def test_not_sure_compares_every_treatment(runner) -> None:
    result = guide(runner, ["7", "", "", ""])
    assert result.exit_code == 0, result.output
    assert printed_command(result.stderr) == ["compare"]
    assert "Every treatment, same situation" in result.stdout


def test_guide_stopped_early_is_a_short_error(runner) -> None:
    result = runner.invoke(app, ["guide"], input="1\n")
    assert result.exit_code == 2 and "stopped before all questions" in result.stderr


@pytest.mark.slow
def test_guide_in_a_real_terminal(tmp_path: Path) -> None:
    import pexpect

    exe = shutil.which("ketacost", path=str(Path(sys.executable).parent))
    assert exe
    child = pexpect.spawn(
        exe,
        ["guide"],
        env={
            "TERM": "xterm",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "PATH": "/usr/bin:/bin",
            "KETACOST_TODAY": "2026-11-27",
            "KETACOST_CACHE_DIR": str(tmp_path),
        },
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 100),
    )
    for prompt, answer in [
        ("Your choice", "1"),
        ("price per session", ""),
        ("Your choice", "1"),
        ("Your choice", ""),
        ("How many months", ""),
    ]:
        child.expect(prompt)
        child.sendline(answer)
    child.expect("in one line:")
    child.expect("ketacost estimate iv")
    child.expect("You pay")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_guide_asks_price_network_copay_and_wraps(runner) -> None:
    # IV at a quoted $450, commercial out of network, a $2,000 deductible not yet
    # touched, a $40 copay, no out-of-pocket figure, no HSA, 12 months
    result = guide(runner, ["1", "450", "2", "2", "2000", "1", "3", "40", "", "", "", ""])
    assert result.exit_code == 0, result.output
    assert printed_command(result.stderr) == [
        "estimate",
        "iv",
        "--price",
        "450.00",
        "--insurance",
        "commercial",
        "--network",
        "out",
        "--deductible",
        "2000.00",
        "--copay",
        "40.00",
    ]
    for asked in (
        "price per session",
        "in your plan's network",
        "full deductible",
        "already paid part",
        "copay",
    ):
        assert asked in result.stderr


def test_guide_lines_wrap_between_words_at_the_terminal_width() -> None:
    import io

    from rich.console import Console

    from ketacost.cli.guide import Interview, rich_io

    buf = io.StringIO()
    console = Console(file=buf, width=40, color_system=None, force_terminal=False)
    _, say = rich_io(console)
    answers = iter(["4", "", "2", "2"])
    Interview(lambda prompt: next(answers, ""), say).run()
    lines = buf.getvalue().splitlines()
    assert lines and max(len(line) for line in lines) <= 40
    assert "network?" in buf.getvalue()


@pytest.mark.parametrize(("choice", "plan"), [("3", "medicare"), ("4", "medicaid")])
def test_guide_offers_no_hsa_where_the_estimate_would_refuse_it(runner, choice, plan) -> None:
    """With Medicare or Medicaid the pre-tax question offers an FSA only: offering an
    HSA ended the interview in an error after every question was answered."""
    answers = ["1", "", choice, *([""] if plan == "medicare" else []), "2", ""]
    result = guide(runner, answers)
    assert result.exit_code == 0, result.stderr
    assert "An HSA is not offered" in result.stderr
    assert printed_command(result.stderr)[-2:] == [plan, "--fsa"]


def test_guide_offers_no_hsa_for_a_plan_below_the_hdhp_minimum(runner) -> None:
    """A commercial plan whose deductible is below the IRS minimum for an HSA: the
    estimate would refuse --hsa, so the guide offers an FSA only and says why."""
    # IV, no price, commercial in network, a $500 deductible with $200 of it left, not
    # sure of the share, no out-of-pocket figure, not a family plan, then an FSA
    answers = ["1", "", "2", "1", "500", "2", "200", "1", "", "n", "2", ""]
    result = guide(runner, answers)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "An HSA is not offered: it needs a high-deductible health plan" in said
    assert "below the IRS minimum" in said
    args = printed_command(result.stderr)
    assert "--fsa" in args and "--hsa" not in args


def test_guide_still_offers_an_hsa_with_a_high_deductible_plan(runner) -> None:
    answers = ["1", "", "2", "1", "3400", "2", "200", "1", "", "n", "2", ""]
    result = guide(runner, answers)
    assert result.exit_code == 0, result.stderr
    assert "An HSA is not offered" not in result.stderr
    assert "--hsa" in printed_command(result.stderr)


def test_guide_in_spanish_prints_the_command_in_spanish_too(runner) -> None:
    result = runner.invoke(app, ["--lang", "es", "guide"], input="1\n\n1\n1\n\n", env=ENV)
    assert result.exit_code == 0, result.stderr
    args = printed_command(result.stderr)
    assert args[-2:] == ["--lang", "es"]
    again = runner.invoke(app, args, env=ENV)
    assert again.exit_code == 0 and again.stdout == result.stdout
