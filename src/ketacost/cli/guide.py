"""`ketacost guide`: a plain-language interview that ends in the equivalent command.

Every answer is checked on the spot and asked again, kindly, when it cannot be used.
The interview only collects options; the estimate itself is the ordinary command's.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from ketacost.amounts import parse_money, parse_percent
from ketacost.i18n import N_, _, t
from ketacost.scenario import check_rate

T = TypeVar("T")

TREATMENTS = [
    ("iv", N_("IV ketamine infusions at a clinic")),
    ("im", N_("IM ketamine injections at a clinic")),
    ("kap", N_("Ketamine-assisted psychotherapy")),
    ("spravato", N_("Spravato (esketamine) nasal spray at a certified clinic")),
    ("oral", N_("At-home oral ketamine through a telehealth program")),
    ("nasal", N_("Compounded ketamine nasal spray at home")),
    ("compare", N_("Not sure yet: show me all of them side by side")),
]
# Plans with which nobody can contribute to an HSA (IRS Publication 969), as scenario.py
# refuses `--hsa` with them.
NO_HSA = ("medicare", "medicare-advantage", "medicaid")

INSURANCE = [
    ("none", N_("No insurance, or paying myself")),
    ("commercial", N_("Insurance through work or the marketplace")),
    ("medicare", "Medicare"),
    ("medicaid", "Medicaid"),
    ("medicare-advantage", N_("A Medicare Advantage plan (Medicare through a private insurer)")),
]
# Answers in either language: a Spanish speaker types "sí", and may not bother with the
# accent; "s" is also "skip" for an amount, where yes means nothing.
YES = ("y", "yes", "s", "sí", "si")
NO = ("n", "no")
SKIP_AMOUNT = ("", "skip", "s", "don't know", "dont know", "?", "omitir", "no sé", "no se")
SKIP_PERCENT = ("", "skip", "s", "?", "omitir", "no sé", "no se")


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
            # "sí" typed as i + combining accent is the same answer as the composed one.
            raw = unicodedata.normalize("NFC", self.ask(prompt)).strip()
            try:
                return convert(raw)
            except ValueError:
                self.say(retry)

    def choose(self, question: str, choices: list[tuple[str, str]], default: int = 1) -> str:
        """`question` in the current language; each choice is (the CLI's word, its
        English label), the label shown translated."""
        self.say(question)
        for n, (_key, text) in enumerate(choices, start=1):
            self.say(f"  {n}. {_(text)}")

        def pick(raw: str) -> str:
            if raw == "":
                return choices[default - 1][0]
            if raw.isdigit() and 1 <= int(raw) <= len(choices):
                return choices[int(raw) - 1][0]
            for key, _text in choices:
                if raw.lower() == key:
                    return key
            raise ValueError(raw)

        return self._until(
            t("Your choice [1-{last}, Enter for {default}]", last=len(choices), default=default),
            pick,
            t("Please type a number from 1 to {last}.", last=len(choices)),
        )

    def yes_no(self, question: str, default: bool) -> bool:
        hint = _("Y/n") if default else _("y/N")

        def answer(raw: str) -> bool:
            if raw == "":
                return default
            if raw.lower() in YES:
                return True
            if raw.lower() in NO:
                return False
            raise ValueError(raw)

        return self._until(f"{question} [{hint}]", answer, _("Please answer yes or no."))

    def amount(self, question: str, explain: str) -> str | None:
        self.say(explain)

        def money(raw: str) -> str | None:
            if raw.lower() in SKIP_AMOUNT:
                return None
            return f"{parse_money(raw, 'the amount'):.2f}"

        return self._until(
            t("{question} (an amount, or Enter to skip)", question=question),
            money,
            _("Please enter an amount like 1500 or $1,500, or press Enter to skip."),
        )

    def percent(self, question: str, explain: str) -> str | None:
        self.say(explain)

        def pct(raw: str) -> str | None:
            if raw.lower() in SKIP_PERCENT:
                return None
            value = parse_percent(raw, "the percentage")
            given = f"{value.normalize():f}"
            try:
                check_rate(value, "The percentage")
            except ValueError:
                # The rule is the estimate's; the words are the guide's, as check_rate's
                # message is an English error: "did you mean 20%?", then re-ask.
                meant = f"{(value * 100).normalize():f}"
                self.say(
                    t(
                        "The percentage {value} is ambiguous; give a percentage from 1 to 100 "
                        "(did you mean {meant}%?), or 0 for none",
                        value=given,
                        meant=meant,
                    )
                )
                raise
            return given

        return self._until(
            t("{question} (e.g. 20, or Enter to skip)", question=question),
            pct,
            _("Please enter a percentage from 0 to 100, like 20, or press Enter to skip."),
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
            _("How many months should the estimate cover? [Enter for 12]"),
            whole,
            _("Please enter a number of months from 1 to 60."),
        )

    def benefit_design(self, a: Answers) -> None:
        """A family plan's deductible, and who pays for Spravato's drug: questions whose
        answers change a commercial plan's bill the most."""
        if self.yes_no(
            "\n" + _("Does your plan cover your family too (a family deductible)?"), default=False
        ):
            fam = self.amount(
                _("How much of the family deductible is left this year?"),
                _(
                    "On a family plan your costs count toward your own deductible and the "
                    "family's; the plan starts paying for you when either is met."
                ),
            )
            if fam is not None:
                a.options["--family-deductible"] = fam
        if a.treatment == "spravato":
            benefit = self.choose(
                "\n" + _("Who provides the Spravato medicine itself?"),
                [
                    ("medical", N_("The clinic buys and bills it (medical benefit)")),
                    (
                        "pharmacy",
                        N_("A specialty pharmacy sends it to the clinic (pharmacy benefit)"),
                    ),
                ],
            )
            if benefit == "pharmacy":
                a.options["--drug-benefit"] = "pharmacy"
                copay = self.amount(
                    _("What is your plan's copay for a specialty drug?"),
                    _(
                        "Your plan's summary lists it under 'Specialty drugs'; skip if it "
                        "charges a percentage instead, and your medical coinsurance is used."
                    ),
                )
                if copay is not None:
                    a.options["--rx-copay"] = copay

    def run(self) -> Answers:
        a = Answers()
        self.say(
            _(
                "A few questions about your situation; press Enter to accept a default. "
                "This estimates cost only; it is not medical advice."
            )
            + "\n"
        )
        choice = self.choose(_("Which treatment are you looking at?"), TREATMENTS)
        if choice == "compare":
            a.command = "compare"
        else:
            a.treatment = choice
        if choice != "compare":
            price = self.amount(
                "\n" + _("Has the clinic told you its price per session?"),
                _(
                    "If the clinic quoted a price, the estimate uses it; if not, the price "
                    "book's range of US prices is used."
                ),
            )
            if price is not None:
                a.options["--price"] = price
        if choice == "spravato":
            dose = self.choose(
                "\n" + _("Which Spravato dose were you prescribed?"),
                [("unsure", N_("Not sure yet")), ("56", "56 mg"), ("84", "84 mg")],
            )
            if dose != "unsure":
                a.options["--dose"] = dose
        insurance = self.choose("\n" + _("How will you pay?"), INSURANCE)
        if insurance != "none":
            a.options["--insurance"] = insurance
        if insurance == "commercial":
            self._commercial(a)
            self.benefit_design(a)
        elif insurance == "medicare":
            gap = self.choose(
                "\n" + _("Do you have a Medicare supplement (Medigap) plan?"),
                [("none", N_("No, or not sure")), ("G", "Plan G"), ("N", "Plan N")],
            )
            if gap != "none":
                a.options["--medigap"] = gap
        accounts = [("no", N_("No, or not sure"))]
        # An HSA the estimate would refuse (IRS Pub 969) is not offered: taking it would
        # end the interview in an error after every question was answered.
        refused = None
        if insurance not in NO_HSA and self.hsa_refused is not None:
            refused = self.hsa_refused(a)
        if insurance in NO_HSA:
            self.say(
                "\n"
                + _(
                    "An HSA is not offered: nobody on Medicare can put money into one, and "
                    "Medicaid is not a high-deductible plan. A health FSA through work can be."
                )
            )
            question = _("Will you pay from a health FSA (pre-tax money)?")
        elif refused is not None:
            # The estimate's refusal is an English error message, quoted as it is.
            reason = refused.removeprefix("--hsa ").split(" (use --fsa", 1)[0]
            self.say(
                "\n"
                + t(
                    "An HSA is not offered: it {reason}. A health FSA through work can be.",
                    reason=reason,
                )
            )
            question = _("Will you pay from a health FSA (pre-tax money)?")
        else:
            accounts.append(("hsa", N_("Yes, from an HSA")))
            question = "\n" + _("Will you pay with pre-tax money (an HSA or FSA)?")
        accounts.append(("fsa", N_("Yes, from a health FSA")))
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
            "\n"
            + _(
                "If you know your plan's figures, the estimate follows your plan; "
                "skip any you don't know and a typical plan is assumed."
            )
        )
        network = self.choose(
            "\n" + _("Is the clinic in your plan's network?"),
            [
                ("in", N_("Yes, in network (or not sure)")),
                ("out", N_("No: I pay the clinic and send the plan a claim (superbill)")),
            ],
        )
        if network == "out":
            a.options["--network"] = "out"
        annual = self.amount(
            _("What is your plan's full deductible for a year?"),
            _("The deductible is what you pay each year before the plan starts sharing costs."),
        )
        ded = annual
        if annual is not None:
            met = self.choose(
                "\n" + _("Have you already paid part of this year's deductible?"),
                [
                    ("no", N_("No, none of it yet (or not sure)")),
                    ("yes", N_("Yes, part of it")),
                ],
            )
            if met == "yes":
                left = self.amount(
                    _("How much of your deductible is left this year?"),
                    _("What is left is the full deductible less what you have paid so far."),
                )
                if left is not None and Decimal(left) > Decimal(annual):
                    self.say(_("(More is left than the full deductible; the full one is used.)"))
                    left = annual
                ded = left if left is not None else annual
        share = self.choose(
            "\n" + _("After the deductible, what do you pay for a visit?"),
            [
                ("unsure", N_("Not sure")),
                ("coinsurance", N_("A percentage of the bill (coinsurance), e.g. 20%")),
                ("copay", N_("A fixed amount (a copay), e.g. $40")),
            ],
        )
        coins = copay = None
        if share == "coinsurance":
            coins = self.percent(
                _("What coinsurance do you pay after the deductible?"),
                _("Coinsurance is your share of each bill after the deductible, e.g. 20%."),
            )
        elif share == "copay":
            copay = self.amount(
                _("What is your copay per visit?"),
                _("A copay is a fixed amount you pay at each visit after the deductible."),
            )
        oop = self.amount(
            _("How much of your out-of-pocket maximum is left this year?"),
            _(
                "The out-of-pocket maximum caps what you pay in a plan year; after it the "
                "plan pays in full."
            ),
        )
        for name, value in (
            ("--deductible", ded),
            # Given even when nothing is paid yet: without it the estimate takes the
            # book's typical deductible after the plan year resets.
            ("--annual-deductible", annual),
            ("--coinsurance", coins),
            ("--copay", copay),
            ("--oop-max", oop),
        ):
            if value is not None:
                a.options[name] = value
        if ded is not None and oop is not None and Decimal(oop) < Decimal(ded):
            self.say(
                _(
                    "(Your out-of-pocket maximum is below the deductible, so the "
                    "maximum is taken as equal to it.)"
                )
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
