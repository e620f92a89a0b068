"""The guided interview: scripted through CliRunner, and once through a real terminal."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketacost.cli.app import app

ENV = {"KETACOST_TODAY": "2026-11-27"}
ROOT = Path(__file__).resolve().parents[1]


def guide(runner, answers: list[str]):
    return runner.invoke(app, ["guide"], input="\n".join(answers) + "\n", env=ENV)


def _terminal(args: list[str], tmp_path: Path) -> Any:
    """`ketacost ARGS` in a real terminal (pexpect), 100 columns, no colour."""
    import pexpect

    exe = shutil.which("ketacost", path=str(Path(sys.executable).parent))
    assert exe
    return pexpect.spawn(
        exe,
        args,
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

    child = _terminal(["guide"], tmp_path)
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
        "--annual-deductible",
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


# Scripted answers that between them reach every question, choice, retry and note of
# the interview: each is typed the same in English and in Spanish (numbers and amounts
# are the same in both languages, and "sí" is a yes in both).
EVERY_BRANCH = {
    "spravato, out of network, family, pharmacy, retries": [
        *["ketamine", "9", "4", "abc", "", "1", "2", "2", "1000", "2", "2000"],
        *["2", "0.2", "20", "100", "maybe", "sí", "", "2", "50", "2", "61", "24"],
    ],
    "in network, copay, no family": ["1", "450", "2", "1", "2000", "1", "3", "40", "", "", "", ""],
    "medicare with plan G": ["1", "", "3", "2", "2", ""],
    "medicaid, compare": ["7", "4", "", ""],
    "plan below the HDHP minimum": ["1", "", "2", "1", "500", "2", "200", "1", "", "n", "2", ""],
}
REFUSAL = (
    "--hsa needs a high-deductible health plan: a self-only deductible of 500.00 "
    "(--annual-deductible) is below the IRS minimum of 1,700.00 for 2026, so the plan is "
    "not HSA-eligible (use --fsa for a health FSA)"
)
REASON = REFUSAL.removeprefix("--hsa ").split(" (use --fsa", 1)[0]
# Words of English prose that no Spanish line of the interview has.
ENGLISH_WORDS = re.compile(
    r"\b(the|you|your|and|with|of|from|is|are|this|which|what|how|will|please|an|or|to"
    r"|for|yes|not|sure|skip|amount|choice|e\.g)\b",
    re.IGNORECASE,
)
# Choices that are names, the same in both languages.
NAMES = {"Medicare", "Medicaid", "56 mg", "84 mg", "Plan G", "Plan N"}


def interview_texts(lang: str, answers: list[str]) -> tuple[list[str], list[str]]:
    """Every prompt and every line said, with these answers, in `lang`."""
    from ketacost import i18n
    from ketacost.cli.guide import Answers, Interview

    def refused(so_far: Answers) -> str | None:
        # As the estimate decides: a full deductible below the IRS minimum for an HSA.
        annual = so_far.options.get("--annual-deductible")
        return REFUSAL if annual is not None and Decimal(annual) < 1700 else None

    prompts: list[str] = []
    said: list[str] = []
    typed = iter(answers)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    i18n.set_language(lang)
    try:
        Interview(ask, said.append, refused).run()
    finally:
        i18n.set_language(None)
    assert next(typed, None) is None, "every scripted answer was asked for"
    return prompts, said


@pytest.mark.parametrize("script", list(EVERY_BRANCH))
def test_the_spanish_interview_asks_and_says_nothing_in_english(script) -> None:
    answers = EVERY_BRANCH[script]
    en_prompts, en_said = interview_texts("en", answers)
    es_prompts, es_said = interview_texts("es", answers)
    # The same questions in the same order, each one in Spanish.
    assert len(es_prompts) == len(en_prompts) and len(es_said) == len(en_said)
    english = {" ".join(text.split()) for text in [*en_prompts, *en_said]}
    for text in [*es_prompts, *es_said]:
        words = " ".join(text.split())
        choice = re.fullmatch(r"\d+\. (.+)", words)
        if choice and choice[1] in NAMES:
            continue  # "  3. Medicare"
        assert words not in english, words
        # The estimate's own refusal is an English error message, quoted as it is.
        assert not ENGLISH_WORDS.search(words.replace(REASON, "")), words
    if script == "plan below the HDHP minimum":
        note = next(text for text in es_said if REASON in text)
        assert note.strip().startswith("No se le ofrece una HSA")


def test_the_spanish_prompts_hint_in_spanish() -> None:
    prompts, _ = interview_texts(
        "es", EVERY_BRANCH["spravato, out of network, family, pharmacy, retries"]
    )
    assert "¿Su plan cubre también a su familia (un deducible familiar)? [s/N]" in [
        p.strip() for p in prompts
    ]
    assert "Su opción [1-7, Enter para 1]" in prompts
    en_prompts, _ = interview_texts("en", EVERY_BRANCH["in network, copay, no family"])
    assert "Does your plan cover your family too (a family deductible)? [y/N]" in [
        p.strip() for p in en_prompts
    ]


@pytest.mark.parametrize(
    ("typed", "family"),
    [
        *[
            (word, True)
            for word in ["s", "S", "sí", "Sí", "SÍ", "si", "SI", "si\u0301", "y", "yes"]
        ],
        *[(word, False) for word in ["n", "N", "no", "No", ""]],
    ],
)
def test_yes_no_takes_spanish_answers(typed: str, family: bool) -> None:
    from ketacost import i18n
    from ketacost.cli.guide import Interview

    said: list[str] = []
    i18n.set_language("es")
    try:
        answers = iter(["quizás", typed])
        got = Interview(lambda _prompt: next(answers), said.append).yes_no("¿?", default=False)
    finally:
        i18n.set_language(None)
    assert got is family
    assert said == ["Por favor, responda sí o no."]


def english_messages_of_the_guide() -> list[re.Pattern[str]]:
    """The guide's English messages, from the catalog's extraction, as patterns whose
    {fields} match anything."""
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "scripts" / "catalog.py")
    assert spec and spec.loader
    catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalog)
    found = []
    for msgid, where in catalog.code_messages().items():
        if any(w.startswith(("cli/guide.py", "cli/commands/guide.py")) for w in where):
            parts = re.split(r"\{\w*\}", " ".join(msgid.split()))
            found.append(re.compile(".+?".join(re.escape(part) for part in parts)))
    return found


def test_the_guide_in_spanish_through_the_cli_gives_the_estimate_it_prints(runner) -> None:
    answers = EVERY_BRANCH["spravato, out of network, family, pharmacy, retries"]
    result = runner.invoke(app, ["--lang", "es", "guide"], input="\n".join(answers) + "\n", env=ENV)
    assert result.exit_code == 0, result.stderr
    interview = result.stderr.split("  ketacost ", 1)[0]
    folded = " ".join(interview.split())
    patterns = english_messages_of_the_guide()
    assert len(patterns) > 50
    left = [p.pattern for p in patterns if p.search(folded)]
    assert not left, left
    assert "El mismo cálculo la próxima vez, en una sola línea:" in folded
    args = printed_command(result.stderr)
    assert args == [
        "estimate",
        "spravato",
        "--insurance",
        "commercial",
        "--network",
        "out",
        "--deductible",
        "1000.00",
        "--annual-deductible",
        "1000.00",
        "--coinsurance",
        "20",
        "--oop-max",
        "1000.00",
        "--drug-benefit",
        "pharmacy",
        "--rx-copay",
        "50.00",
        "--fsa",
        "--months",
        "24",
        "--lang",
        "es",
    ]
    again = runner.invoke(app, args, env=ENV)
    assert again.exit_code == 0 and again.stdout == result.stdout
    assert "Lo que usted paga" in again.stdout


def test_the_guide_quotes_the_estimates_english_refusal_in_a_spanish_sentence(runner) -> None:
    answers = EVERY_BRANCH["plan below the HDHP minimum"]
    result = runner.invoke(app, ["--lang", "es", "guide"], input="\n".join(answers) + "\n", env=ENV)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "No se le ofrece una HSA porque el cálculo la rechazaría (motivo, en inglés: it " in said
    assert "needs a high-deductible health plan" in said
    args = printed_command(result.stderr)
    assert "--fsa" in args and "--hsa" not in args and args[-2:] == ["--lang", "es"]


@pytest.mark.parametrize("typed", ["", "omitir", "no sé", "No se", "s", "skip", "?"])
def test_an_amount_or_a_percentage_is_skipped_in_spanish_words_too(typed: str) -> None:
    from ketacost.cli.guide import Interview

    answers = iter([typed, typed])
    interview = Interview(lambda _prompt: next(answers), lambda _text: None)
    assert interview.amount("?", "") is None
    assert interview.percent("?", "") is None


@pytest.mark.slow
def test_the_guide_in_spanish_in_a_real_terminal(tmp_path: Path) -> None:
    """Accented answers typed at a real terminal: "sí", "no sé"."""
    import pexpect

    child = _terminal(["--lang", "es", "guide"], tmp_path)
    for prompt, answer in [
        ("Su opción", "2"),
        ("precio por sesión", "omitir"),
        ("Su opción", "2"),
        ("Su opción", "1"),
        ("deducible completo", ""),
        ("Su opción", "1"),
        ("máximo de gastos de bolsillo", "no sé"),
        (r"\[s/N\]", "sí"),
        ("deducible familiar este año", "1200"),
        ("Su opción", "1"),
        ("Cuántos meses", ""),
    ]:
        child.expect(prompt)
        child.sendline(answer)
    child.expect("en una sola línea:")
    child.expect(
        "ketacost estimate im --insurance commercial --family-deductible 1200.00 --lang es"
    )
    child.expect("Lo que usted paga")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_config_files_language_holds_from_the_first_question(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("lang: es\n", encoding="utf-8")
    env = {**ENV, "KETACOST_CONFIG": str(config)}
    answers = ["1", "", "2", "1", "500", "1", "1", "", "n", "2", ""]
    result = runner.invoke(app, ["guide"], input="\n".join(answers) + "\n", env=env)
    assert result.exit_code == 0, result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert "Which treatment" not in result.stderr and "press Enter" not in first, first
    assert printed_command(result.stderr)[-2:] == ["--lang", "es"]


def test_a_broken_config_file_stops_the_guide_before_any_question(runner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("format: [\n", encoding="utf-8")
    result = runner.invoke(app, ["guide"], input="1\n", env={**ENV, "KETACOST_CONFIG": str(config)})
    assert result.exit_code == 2 and "config.yaml" in result.stderr
    assert "Which treatment" not in result.stderr


def test_the_full_deductible_is_passed_even_when_none_of_it_is_paid(runner) -> None:
    # $500 full, none paid: without --annual-deductible the estimate would take the
    # book's typical deductible after the January reset, and accept an HSA.
    answers = ["1", "", "2", "1", "500", "1", "1", "", "n", "2", ""]
    result = guide(runner, answers)
    assert result.exit_code == 0, result.stderr
    args = printed_command(result.stderr)
    at = args.index("--annual-deductible")
    assert args[at + 1] == "500.00" and args[args.index("--deductible") + 1] == "500.00"
    assert "An HSA is not offered" in result.stderr and "--fsa" in args


def test_the_guide_with_no_standard_input_is_a_short_error() -> None:
    import subprocess

    ketacost = Path(sys.executable).parent / "ketacost"
    done = subprocess.run(
        ["bash", "-c", f'"{ketacost}" guide <&-'], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "Error: the guide asks questions: it needs answers on standard input"
    )
