"""`ketacost guide`: a plain-language interview that ends in the equivalent command.

Every answer is checked on the spot and asked again, kindly, when it cannot be used.
The interview only collects options; the estimate itself is the ordinary command's.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from ketacost.amounts import parse_money, parse_percent
from ketacost.scenario import check_rate

T = TypeVar("T")

TREATMENTS = [
    ("iv", "IV ketamine infusions at a clinic"),
    ("im", "IM ketamine injections at a clinic"),
    ("kap", "Ketamine-assisted psychotherapy"),
    ("spravato", "Spravato (esketamine) nasal spray at a certified clinic"),
    ("oral", "At-home oral ketamine through a telehealth program"),
    ("nasal", "Compounded ketamine nasal spray at home"),
    ("compare", "Not sure yet: show me all of them side by side"),
]
# Plans with which nobody can contribute to an HSA (IRS Publication 969), as scenario.py
# refuses `--hsa` with them.
NO_HSA = ("medicare", "medicare-advantage", "medicaid")

INSURANCE = [
    ("none", "No insurance, or paying myself"),
    ("commercial", "Insurance through work or the marketplace"),
    ("medicare", "Medicare"),
    ("medicaid", "Medicaid"),
    ("medicare-advantage", "A Medicare Advantage plan (Medicare through a private insurer)"),
]


@dataclass
class Answers:
    """What the interview gathered: the command and its options, as the CLI spells them."""

    command: str = "estimate"
    treatment: str | None = None
    options: dict[str, str | None] = field(default_factory=dict)

    def argv(self) -> list[str]:
        args = [self.command] + ([self.treatment] if self.treatment else [])
        for name, value in self.options.items():
            args += [name] if value is None else [name, value]
        return args

    def command_line(self, lang: str = "en") -> str:
        """The one line that gives the same estimate again, in the same language."""
        words = [*self.argv(), *(["--lang", lang] if lang != "en" else [])]
        return "ketacost " + " ".join(shlex.quote(a) for a in words)

    def params(self) -> dict[str, Any]:
        """The command's parameters, by option name (a flag without a value is on)."""
        from ketacost.options import BY_FLAG

        values: dict[str, Any] = {"treatment": self.treatment}
        for flag, value in self.options.items():
            option = BY_FLAG[flag]
            if value is None:
                values[option.name] = True
            else:
                values[option.name] = int(value) if option.kind == "count" else value
        return values


class Interview:
    """Asks through `ask(prompt) -> str` and speaks through `say(text)`."""

    def __init__(
        self,
        ask: Callable[[str], str],
        say: Callable[[str], None],
        hsa_refused: Callable[[Answers], str | None] | None = None,
    ) -> None:
        """`hsa_refused(answers)`: why the estimate would refuse `--hsa` with the answers
        given so far (a plan's deductible below the IRS minimum), or None."""
        self.ask, self.say = ask, say
        self.hsa_refused = hsa_refused

    def _until(self, prompt: str, convert: Callable[[str], T], retry: str) -> T:
        while True:
            raw = self.ask(prompt).strip()
            try:
                return convert(raw)
            except ValueError:
                self.say(retry)

    def choose(self, question: str, choices: list[tuple[str, str]], default: int = 1) -> str:
        self.say(question)
        for n, (_, text) in enumerate(choices, start=1):
            self.say(f"  {n}. {text}")

        def pick(raw: str) -> str:
            if raw == "":
                return choices[default - 1][0]
            if raw.isdigit() and 1 <= int(raw) <= len(choices):
                return choices[int(raw) - 1][0]
            for key, _ in choices:
                if raw.lower() == key:
                    return key
            raise ValueError(raw)

        return self._until(
            f"Your choice [1-{len(choices)}, Enter for {default}]",
            pick,
            f"Please type a number from 1 to {len(choices)}.",
        )

    def yes_no(self, question: str, default: bool) -> bool:
        hint = "Y/n" if default else "y/N"

        def answer(raw: str) -> bool:
            if raw == "":
                return default
            if raw.lower() in ("y", "yes"):
                return True
            if raw.lower() in ("n", "no"):
                return False
            raise ValueError(raw)

        return self._until(f"{question} [{hint}]", answer, "Please answer yes or no.")

    def amount(self, question: str, explain: str) -> str | None:
        self.say(explain)

        def money(raw: str) -> str | None:
            if raw.lower() in ("", "skip", "s", "don't know", "dont know", "?"):
                return None
            return f"{parse_money(raw, 'the amount'):.2f}"

        return self._until(
            f"{question} (an amount, or Enter to skip)",
            money,
            "Please enter an amount like 1500 or $1,500, or press Enter to skip.",
        )

    def percent(self, question: str, explain: str) -> str | None:
        self.say(explain)

        def pct(raw: str) -> str | None:
            if raw.lower() in ("", "skip", "s", "?"):
                return None
            value = parse_percent(raw, "the percentage")
            try:
                check_rate(value, "The percentage")
            except ValueError as exc:
                self.say(str(exc).replace(": ", " ", 1))  # "did you mean 20%?", then re-ask
                raise
            return f"{value.normalize():f}"

        return self._until(
            f"{question} (e.g. 20, or Enter to skip)",
            pct,
            "Please enter a percentage from 0 to 100, like 20, or press Enter to skip.",
        )

    def months(self) -> int:
        def whole(raw: str) -> int:
            if raw == "":
                return 12
            n = int(raw)
            if not 1 <= n <= 60:
                raise ValueError(raw)
            return n

        return self._until(
            "How many months should the estimate cover? [Enter for 12]",
            whole,
            "Please enter a number of months from 1 to 60.",
        )

    def benefit_design(self, a: Answers) -> None:
        """A family plan's deductible, and who pays for Spravato's drug: questions whose
        answers change a commercial plan's bill the most."""
        if self.yes_no(
            "\nDoes your plan cover your family too (a family deductible)?", default=False
        ):
            fam = self.amount(
                "How much of the family deductible is left this year?",
                "On a family plan your costs count toward your own deductible and the "
                "family's; the plan starts paying for you when either is met.",
            )
            if fam is not None:
                a.options["--family-deductible"] = fam
        if a.treatment == "spravato":
            benefit = self.choose(
                "\nWho provides the Spravato medicine itself?",
                [
                    ("medical", "The clinic buys and bills it (medical benefit)"),
                    ("pharmacy", "A specialty pharmacy sends it to the clinic (pharmacy benefit)"),
                ],
            )
            if benefit == "pharmacy":
                a.options["--drug-benefit"] = "pharmacy"
                copay = self.amount(
                    "What is your plan's copay for a specialty drug?",
                    "Your plan's summary lists it under 'Specialty drugs'; skip if it "
                    "charges a percentage instead, and your medical coinsurance is used.",
                )
                if copay is not None:
                    a.options["--rx-copay"] = copay

    def run(self) -> Answers:
        a = Answers()
        self.say(
            "A few questions about your situation; press Enter to accept a default. "
            "This estimates cost only; it is not medical advice.\n"
        )
        choice = self.choose("Which treatment are you looking at?", TREATMENTS)
        if choice == "compare":
            a.command = "compare"
        else:
            a.treatment = choice
        if choice != "compare":
            price = self.amount(
                "\nHas the clinic told you its price per session?",
                "If the clinic quoted a price, the estimate uses it; if not, the price "
                "book's range of US prices is used.",
            )
            if price is not None:
                a.options["--price"] = price
        if choice == "spravato":
            dose = self.choose(
                "\nWhich Spravato dose were you prescribed?",
                [("unsure", "Not sure yet"), ("56", "56 mg"), ("84", "84 mg")],
            )
            if dose != "unsure":
                a.options["--dose"] = dose
        insurance = self.choose("\nHow will you pay?", INSURANCE)
        if insurance != "none":
            a.options["--insurance"] = insurance
        if insurance == "commercial":
            self._commercial(a)
            self.benefit_design(a)
        elif insurance == "medicare":
            gap = self.choose(
                "\nDo you have a Medicare supplement (Medigap) plan?",
                [("none", "No, or not sure"), ("G", "Plan G"), ("N", "Plan N")],
            )
            if gap != "none":
                a.options["--medigap"] = gap
        accounts = [("no", "No, or not sure")]
        # An HSA the estimate would refuse (IRS Pub 969) is not offered: taking it would
        # end the interview in an error after every question was answered.
        refused = None
        if insurance not in NO_HSA and self.hsa_refused is not None:
            refused = self.hsa_refused(a)
        if insurance in NO_HSA:
            self.say(
                "\nAn HSA is not offered: nobody on Medicare can put money into one, and "
                "Medicaid is not a high-deductible plan. A health FSA through work can be."
            )
            question = "Will you pay from a health FSA (pre-tax money)?"
        elif refused is not None:
            reason = refused.removeprefix("--hsa ").split(" (use --fsa", 1)[0]
            self.say(f"\nAn HSA is not offered: it {reason}. A health FSA through work can be.")
            question = "Will you pay from a health FSA (pre-tax money)?"
        else:
            accounts.append(("hsa", "Yes, from an HSA"))
            question = "\nWill you pay with pre-tax money (an HSA or FSA)?"
        accounts.append(("fsa", "Yes, from a health FSA"))
        account = self.choose(question, accounts)
        if account != "no":
            a.options[f"--{account}"] = None
        months = self.months()
        if months != 12:
            a.options["--months"] = str(months)
        return a

    def _commercial(self, a: Answers) -> None:
        """A plan through work or the marketplace: network, deductible (the full one and
        what is left of it this year), copay or coinsurance, out-of-pocket maximum."""
        self.say(
            "\nIf you know your plan's figures, the estimate follows your plan; "
            "skip any you don't know and a typical plan is assumed."
        )
        network = self.choose(
            "\nIs the clinic in your plan's network?",
            [
                ("in", "Yes, in network (or not sure)"),
                ("out", "No: I pay the clinic and send the plan a claim (superbill)"),
            ],
        )
        if network == "out":
            a.options["--network"] = "out"
        annual = self.amount(
            "What is your plan's full deductible for a year?",
            "The deductible is what you pay each year before the plan starts sharing costs.",
        )
        ded = annual
        if annual is not None:
            met = self.choose(
                "\nHave you already paid part of this year's deductible?",
                [("no", "No, none of it yet (or not sure)"), ("yes", "Yes, part of it")],
            )
            if met == "yes":
                left = self.amount(
                    "How much of your deductible is left this year?",
                    "What is left is the full deductible less what you have paid so far.",
                )
                if left is not None and Decimal(left) > Decimal(annual):
                    self.say("(More is left than the full deductible; the full one is used.)")
                    left = annual
                ded = left if left is not None else annual
        share = self.choose(
            "\nAfter the deductible, what do you pay for a visit?",
            [
                ("unsure", "Not sure"),
                ("coinsurance", "A percentage of the bill (coinsurance), e.g. 20%"),
                ("copay", "A fixed amount (a copay), e.g. $40"),
            ],
        )
        coins = copay = None
        if share == "coinsurance":
            coins = self.percent(
                "What coinsurance do you pay after the deductible?",
                "Coinsurance is your share of each bill after the deductible, e.g. 20%.",
            )
        elif share == "copay":
            copay = self.amount(
                "What is your copay per visit?",
                "A copay is a fixed amount you pay at each visit after the deductible.",
            )
        oop = self.amount(
            "How much of your out-of-pocket maximum is left this year?",
            "The out-of-pocket maximum caps what you pay in a plan year; after it the "
            "plan pays in full.",
        )
        for name, value in (
            ("--deductible", ded),
            ("--annual-deductible", annual if ded != annual else None),
            ("--coinsurance", coins),
            ("--copay", copay),
            ("--oop-max", oop),
        ):
            if value is not None:
                a.options[name] = value
        if ded is not None and oop is not None and Decimal(oop) < Decimal(ded):
            self.say(
                "(Your out-of-pocket maximum is below the deductible, so the "
                "maximum is taken as equal to it.)"
            )
            a.options["--oop-max"] = ded


def rich_io(console: Any) -> tuple[Callable[[str], str], Callable[[str], None]]:
    """Prompts and messages through a rich console (stderr, so stdout stays the result)."""
    from rich.markup import escape
    from rich.prompt import Prompt

    def ask(prompt: str) -> str:
        return Prompt.ask(
            f"[bold]{escape(prompt)}[/bold]", console=console, default="", show_default=False
        )

    def say(text: str) -> None:
        # Wrapped between words at the terminal's width, never cut mid-word.
        console.print(text, highlight=False, markup=False, soft_wrap=False)

    return ask, say
