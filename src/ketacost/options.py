"""Every option a scenario command takes, declared once.

Each row says what the option is called on the command line, in Python, in a batch file
and in the config file, what it means (the help text and the README's wording), which
commands take it and where its help is shown. The CLI builds its typer parameters from
this table (`ketacost.cli.params`), `batch` its columns, `scenario` its field-to-option
names and kinds, the guide its flag mapping, and `scripts/readme_options.py` the README's
options tables (`tests/test_options.py` keeps them equal). Nothing here imports typer,
rich or pydantic: the API and the batch loop read it too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

Kind = Literal[
    "treatment",  # the TREATMENT argument
    "count",  # a whole number
    "date",  # YYYY-MM-DD
    "month_day",  # MM-DD
    "money",  # an amount: 500, $1,250.50
    "percent",  # 20 or 20%
    "choice",  # one word of `choices`
    "text",  # free text (a state code, a preset, a name)
    "file",  # a file named by a scenario (a plan file, a rate book)
    "flag",  # on when given (--hsa)
    "switch",  # --covered/--not-covered: on, off or not given
    "list",  # repeatable (--discount)
    "book",  # the price book to read (--pricing)
    "output",  # the file to write (-o)
    "format",  # the output format (--format)
]

# The help panels, in the order help shows them.
SCHEDULE, PRICE, INSURANCE, BENEFITS, PAYMENT = (
    "Schedule",
    "Price",
    "Insurance",
    "Benefit design",
    "Payment",
)
OUTPUT, GFE = "Output", "Good Faith Estimate"

# The commands that quote a scenario.
ESTIMATE, TIPS, COMPARE, SCHEDULE_CMD = "estimate", "tips", "compare", "schedule"
QUOTING = frozenset({ESTIMATE, TIPS, COMPARE, SCHEDULE_CMD})
ONE_TREATMENT = frozenset({ESTIMATE, TIPS, SCHEDULE_CMD})  # all but compare
NOT_SCHEDULE = frozenset({ESTIMATE, TIPS, COMPARE})
PAYING = frozenset({ESTIMATE, TIPS, COMPARE})  # a schedule shows visits, not accounts


class Option:
    """One option. `name` is the keyword (Python, typer parameter, batch column).

    A plain class, not a dataclass: every run reads this table, and generating a
    dataclass's methods costs ~1.2 ms of each run's start-up. Its rows are never
    changed after the table is made."""

    __slots__ = (
        "aliases",
        "choices",
        "column",
        "commands",
        "complete",
        "config",
        "decl",
        "default",
        "env",
        "field",
        "guide",
        "help",
        "kind",
        "meaning",
        "metavar",
        "name",
        "needs_insurer",
        "panel",
        "per_treatment",
        "readme",
        "same_row",
        "show_default",
    )

    def __init__(
        self,
        name: str,
        decl: str,  # as typer declares it: "--oop-max", "--covered/--not-covered"
        kind: Kind,
        help: str,
        panel: str | None,  # None: typer's plain "Options" panel
        commands: frozenset[str],
        *,
        metavar: str | None = None,
        default: object = None,
        # The Scenario field it sets (None: it shapes the output, not the quote).
        field: str | None = None,
        choices: tuple[str, ...] = (),
        # Typer shows "[default: ...]" for these (they were declared without hiding it).
        show_default: bool = False,
        column: bool = False,  # a batch file column of the same name
        config: str | None = None,  # the config file key that gives its default
        env: str | None = None,  # the environment variable that gives its value
        complete: str | None = None,  # shell completion: "treatment", "discount", "preset"
        # Plan figures that mean nothing without an insurer (in the order errors name them).
        needs_insurer: bool = False,
        # Belongs to one treatment (its price, dose...) or is not part of the medical
        # comparison: what-if routes to another treatment and `compare` leave it out.
        per_treatment: bool = False,
        guide: bool = False,  # the guide asks about it
        # The README's options table ("estimate", "insurance", "benefits", "paying") and
        # what it says there; `same_row` joins the row above.
        readme: str | None = None,
        meaning: str = "",
        same_row: bool = False,
        aliases: Mapping[str, str] | None = None,  # words for a choice
    ) -> None:
        self.name, self.decl, self.kind, self.help = name, decl, kind, help
        self.panel, self.commands, self.metavar, self.default = panel, commands, metavar, default
        self.field, self.choices, self.show_default = field, choices, show_default
        self.column, self.config, self.env, self.complete = column, config, env, complete
        self.needs_insurer, self.per_treatment, self.guide = needs_insurer, per_treatment, guide
        self.readme, self.meaning, self.same_row = readme, meaning, same_row
        self.aliases: Mapping[str, str] = aliases or {}

    def __repr__(self) -> str:
        return f"Option({self.name!r}, {self.decl!r})"

    @property
    def flags(self) -> tuple[str, ...]:
        """The words that set it: ("--covered", "--not-covered")."""
        return tuple(self.decl.split("/"))

    @property
    def says(self) -> str:
        """How messages name it: the flag that changes it from its default."""
        flags = self.flags
        return flags[1] if len(flags) > 1 and self.default is True else flags[0]

    @property
    def inverted(self) -> bool:
        """Given, it turns its field off (--no-maintenance sets maintenance=False)."""
        return self.field is not None and self.field != self.name and self.kind == "flag"


def _o(
    name: str, decl: str, kind: Kind, panel: str | None, commands: frozenset[str], **kw: object
) -> Option:
    kw.setdefault("field", name if panel not in (OUTPUT, GFE) else None)
    return Option(name, decl, kind, panel=panel, commands=commands, **kw)  # type: ignore[arg-type]


INSURERS = ("none", "commercial", "medicare", "medicare-advantage", "medicaid")

OPTIONS: tuple[Option, ...] = (
    _o(
        "treatment",
        "TREATMENT",
        "treatment",
        SCHEDULE,
        ONE_TREATMENT,
        help="iv, im, kap, spravato, oral or nasal (aliases accepted).",
        metavar="TREATMENT",
        complete="treatment",
        column=True,
        guide=True,
    ),
    _o(
        "months",
        "--months",
        "count",
        SCHEDULE,
        QUOTING,
        help="Horizon in months (1-60).",
        metavar="N",
        default=12,
        show_default=True,
        column=True,
        guide=True,
        readme="estimate",
        meaning="horizon, 1 to 60 months (default 12)",
    ),
    _o(
        "start",
        "--start",
        "date",
        SCHEDULE,
        QUOTING,
        help="First session, YYYY-MM-DD. Default: today.",
        metavar="DATE",
        column=True,
        readme="estimate",
        meaning="first session (default today)",
    ),
    _o(
        "sessions",
        "--sessions",
        "count",
        SCHEDULE,
        ONE_TREATMENT,
        help="Sessions in the first (induction) phase; replaces the protocol's count.",
        metavar="N",
        column=True,
        per_treatment=True,
        readme="estimate",
        meaning="sessions in the first (induction) phase, at the protocol's pace",
    ),
    _o(
        "maintenance_weeks",
        "--maintenance-weeks",
        "count",
        SCHEDULE,
        ONE_TREATMENT,
        help="Weeks between maintenance sessions (spravato: 1 or 2, from week 9).",
        metavar="WEEKS",
        column=True,
        per_treatment=True,
        readme="estimate",
        meaning="weeks between maintenance sessions (Spravato: 1 or 2, from week 9)",
    ),
    _o(
        "no_maintenance",
        "--no-maintenance",
        "flag",
        SCHEDULE,
        QUOTING,
        help="Induction only: leave out maintenance sessions.",
        default=False,
        field="maintenance",
        show_default=True,
        column=True,
        readme="estimate",
        meaning="induction only",
    ),
    _o(
        "price",
        "--price",
        "money",
        PRICE,
        ONE_TREATMENT,
        help="The clinic's quoted price per session, all-in (replaces the book's range).",
        metavar="AMOUNT",
        column=True,
        per_treatment=True,
        guide=True,
        readme="estimate",
        meaning="your clinic's quoted price per session, all-in (e.g. `500`, `$1,250.50`)",
    ),
    _o(
        "consult",
        "--consult",
        "money",
        PRICE,
        ONE_TREATMENT,
        help="One-time consultation fee; 0 for none.",
        metavar="AMOUNT",
        column=True,
        per_treatment=True,
        readme="estimate",
        meaning="one-time consultation fee (`0` for none)",
    ),
    _o(
        "dose",
        "--dose",
        "count",
        PRICE,
        ONE_TREATMENT,
        help="Spravato dose in mg: 56 or 84.",
        metavar="MG",
        column=True,
        per_treatment=True,
        guide=True,
        readme="estimate",
        meaning="Spravato dose in mg: `56` or `84`",
    ),
    _o(
        "discount",
        "--discount",
        "list",
        PRICE,
        ONE_TREATMENT,
        help="A discount id from the price book (repeatable); see 'ketacost prices'.",
        metavar="ID",
        field="discounts",
        complete="discount",
        column=True,
        per_treatment=True,
        readme="estimate",
        meaning="a discount from the price book, repeatable: `package`, `group`, "
        "`prompt_pay`, `sliding_scale`",
    ),
    _o(
        "insurance",
        "--insurance",
        "choice",
        INSURANCE,
        QUOTING,
        help="none (also: self-pay, uninsured), commercial, medicare, medicare-advantage "
        "or medicaid.",
        metavar="PAYER",
        default="none",
        choices=INSURERS,
        aliases={
            "self-pay": "none",
            "selfpay": "none",
            "self pay": "none",
            "self_pay": "none",
            "uninsured": "none",
            "cash": "none",
        },
        show_default=True,
        column=True,
        guide=True,
        readme="insurance",
        meaning="who pays alongside you: `none`, `commercial`, `medicare`, `medicaid` "
        "(`self-pay` and `uninsured` mean `none`, in batch files too); the default is "
        "`none`, self-pay",
    ),
    _o(
        "covered",
        "--covered/--not-covered",
        "switch",
        INSURANCE,
        QUOTING,
        help="Override the price book's coverage default for this payer.",
        column=True,
        needs_insurer=True,
        readme="insurance",
        meaning="override the price book's coverage default (IV ketamine is usually "
        "excluded; Spravato usually covered with prior authorization)",
    ),
    _o(
        "network",
        "--network",
        "choice",
        INSURANCE,
        QUOTING,
        help="in, or out: pay the clinic and claim back with a superbill.",
        metavar="in|out",
        default="in",
        choices=("in", "out"),
        show_default=True,
        column=True,
        guide=True,
        readme="insurance",
        meaning="`out`: you pay the clinic and claim back with a superbill",
    ),
    _o(
        "allowed",
        "--allowed",
        "money",
        INSURANCE,
        ONE_TREATMENT,
        help="The plan's allowed amount per session, all-in.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        per_treatment=True,
        readme="insurance",
        meaning="the plan's allowed amount per session",
    ),
    _o(
        "deductible",
        "--deductible",
        "money",
        INSURANCE,
        QUOTING,
        help="Deductible remaining this plan year.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="insurance",
        meaning="what *remains* of your deductible this plan year",
    ),
    _o(
        "coinsurance",
        "--coinsurance",
        "percent",
        INSURANCE,
        QUOTING,
        help="Your share after the deductible, e.g. 20 or 20%.",
        metavar="PCT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="insurance",
        meaning="your share after the deductible: a percentage of each claim, or one copay "
        "per visit (`--copay 0` is a $0 copay: the visit costs nothing once the deductible "
        "is met). Give one, not both. A coinsurance or tax rate between 0 and 1 (`0.2`) is "
        'refused with "did you mean 20%?"',
    ),
    _o(
        "copay",
        "--copay",
        "money",
        INSURANCE,
        QUOTING,
        help="Copay per session after the deductible (instead of coinsurance).",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="insurance",
        same_row=True,
    ),
    _o(
        "oop_max",
        "--oop-max",
        "money",
        INSURANCE,
        QUOTING,
        help="Out-of-pocket maximum remaining this plan year.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="insurance",
        meaning="what *remains* of your out-of-pocket maximum this plan year",
    ),
    _o(
        "medigap",
        "--medigap",
        "choice",
        INSURANCE,
        QUOTING,
        help="Medicare supplement: G pays the 20%; N pays it less up to $20 a visit.",
        metavar="none|G|N",
        default="none",
        choices=("none", "G", "N"),
        show_default=True,
        column=True,
        guide=True,
        readme="insurance",
        meaning="Medicare supplement",
    ),
    _o(
        "plan_year_start",
        "--plan-year-start",
        "month_day",
        INSURANCE,
        QUOTING,
        help="When the deductible resets. Default: 01-01.",
        metavar="MM-DD",
        column=True,
        needs_insurer=True,
        readme="insurance",
        meaning="when the plan year resets and what applies after it",
    ),
    _o(
        "annual_deductible",
        "--annual-deductible",
        "money",
        INSURANCE,
        QUOTING,
        help="Full deductible after the plan year resets. Default: the price book's typical "
        "deductible, or --deductible if that is more.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="insurance",
        same_row=True,
    ),
    _o(
        "annual_oop_max",
        "--annual-oop-max",
        "money",
        INSURANCE,
        QUOTING,
        help="Full out-of-pocket maximum after the reset. Default: the price book's typical "
        "maximum, or --oop-max if that is more.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="insurance",
        same_row=True,
    ),
    _o(
        "assistance",
        "--assistance/--no-assistance",
        "switch",
        INSURANCE,
        QUOTING,
        help="Spravato manufacturer savings program where eligible (commercial plans).",
        default=True,
        show_default=True,
        column=True,
        readme="insurance",
        meaning="the Spravato manufacturer savings program where eligible (on unless "
        "`--no-assistance`)",
    ),
    _o(
        "state",
        "--state",
        "text",
        INSURANCE,
        QUOTING,
        help="Your two-letter US state, where a rule or program depends on it (e.g. the "
        "Spravato observation rebate). Default: the config file's.",
        metavar="XX",
        column=True,
        config="state",
        readme="insurance",
        meaning="your two-letter US state: with `--observation-rebate`, the states where "
        "it is not valid (MA, MI, MN, RI); with Medicare, G2082/G2083 priced for the "
        "state's payment locality",
    ),
    _o(
        "observation_rebate",
        "--observation-rebate",
        "flag",
        INSURANCE,
        ONE_TREATMENT,
        help="Spravato on a commercial plan: include the observation rebate (its yearly "
        "limit is not published).",
        default=False,
        show_default=True,
        column=True,
        per_treatment=True,
        readme="insurance",
        meaning="include the Spravato observation rebate (commercial plans; its yearly limit "
        "is not published, so it is off unless asked for, and a tip shows what it could save)",
    ),
    _o(
        "plan",
        "--plan",
        "file",
        BENEFITS,
        QUOTING,
        help="A plan file copied from your Summary of Benefits and Coverage (see "
        "'ketacost plan --template'); plan options given here override it.",
        metavar="FILE",
        column=True,
        readme="benefits",
        meaning="a plan file copied from your Summary of Benefits and Coverage; every plan "
        "option given on the command line overrides it",
    ),
    _o(
        "drug_benefit",
        "--drug-benefit",
        "choice",
        BENEFITS,
        QUOTING,
        help="Spravato: billed by the clinic (medical) or dispensed by a pharmacy (pharmacy "
        "terms for the drug).",
        metavar="medical|pharmacy",
        choices=("medical", "pharmacy"),
        column=True,
        guide=True,
        readme="benefits",
        meaning="Spravato: the clinic bills the drug (medical) or a specialty pharmacy "
        "dispenses it (pharmacy: the drug line is paid under the pharmacy terms below, the "
        "visit under the medical terms; one shared out-of-pocket maximum)",
    ),
    _o(
        "drug_network",
        "--drug-network",
        "choice",
        BENEFITS,
        QUOTING,
        help="Network status of the drug when it differs from the visit's (--network).",
        metavar="in|out",
        choices=("in", "out"),
        column=True,
        needs_insurer=True,
        readme="benefits",
        meaning="the drug's network status when it differs from the visit's `--network` (\"in "
        'network for the visit, out for the drug"); the out-of-network line is paid under '
        "the book's typical out-of-network benefit with its own deductible and maximum, and "
        "its balance bill counts toward nothing",
    ),
    _o(
        "rx_copay",
        "--rx-copay",
        "money",
        BENEFITS,
        QUOTING,
        help="Pharmacy copay per fill (treatment).",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="benefits",
        meaning="the pharmacy terms; without `--rx-deductible` the pharmacy deductible is the "
        "medical one (integrated)",
    ),
    _o(
        "rx_coinsurance",
        "--rx-coinsurance",
        "percent",
        BENEFITS,
        QUOTING,
        help="Pharmacy coinsurance, e.g. 25.",
        metavar="PCT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "rx_deductible",
        "--rx-deductible",
        "money",
        BENEFITS,
        QUOTING,
        help="A separate pharmacy deductible remaining (default: integrated with the medical).",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "annual_rx_deductible",
        "--annual-rx-deductible",
        "money",
        BENEFITS,
        QUOTING,
        help="The full pharmacy deductible after the plan year resets.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "accumulator",
        "--accumulator",
        "flag",
        BENEFITS,
        QUOTING,
        help="Copay accumulator: manufacturer help does not count toward your deductible "
        "or maximum.",
        default=False,
        show_default=True,
        column=True,
        needs_insurer=True,
        readme="benefits",
        meaning="a copay-accumulator plan: the manufacturer program's payments count toward "
        "neither the deductible nor the maximum; the report shows the day the program's "
        "yearly cap runs out and what you pay after it",
    ),
    _o(
        "family_deductible",
        "--family-deductible",
        "money",
        BENEFITS,
        QUOTING,
        help="Family deductible remaining this plan year.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        guide=True,
        readme="benefits",
        meaning="family limits (the first two: what remains this plan year; the annual ones: "
        "after it resets)",
    ),
    _o(
        "family_oop_max",
        "--family-oop-max",
        "money",
        BENEFITS,
        QUOTING,
        help="Family out-of-pocket maximum remaining this plan year.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "annual_family_deductible",
        "--annual-family-deductible",
        "money",
        BENEFITS,
        QUOTING,
        help="The full family deductible after the plan year resets.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "annual_family_oop_max",
        "--annual-family-oop-max",
        "money",
        BENEFITS,
        QUOTING,
        help="The full family out-of-pocket maximum after the plan year resets.",
        metavar="AMOUNT",
        column=True,
        needs_insurer=True,
        readme="benefits",
        same_row=True,
    ),
    _o(
        "family_kind",
        "--family-kind",
        "choice",
        BENEFITS,
        QUOTING,
        help="embedded (default): your own limits apply inside the family ones; aggregate: "
        "only the family deductible.",
        metavar="embedded|aggregate",
        choices=("embedded", "aggregate"),
        column=True,
        readme="benefits",
        meaning="`embedded` (default: your own limits apply inside the family ones) or "
        "`aggregate` (only the family deductible)",
    ),
    _o(
        "secondary",
        "--secondary",
        "file",
        BENEFITS,
        QUOTING,
        help="A second plan (plan file) that pays after the first.",
        metavar="FILE",
        column=True,
        needs_insurer=True,
        readme="benefits",
        meaning="a second plan (a plan file) that pays after the first",
    ),
    _o(
        "hsa",
        "--hsa",
        "flag",
        PAYMENT,
        PAYING,
        help="Pay with pre-tax money from an HSA.",
        default=False,
        show_default=True,
        column=True,
        guide=True,
        readme="paying",
        meaning="pay with pre-tax money from an HSA; the saving is capped by the year's "
        "contribution limit (2026: $4,400 self-only, $8,750 family). `--hsa` with "
        "`--insurance medicare` is refused: nobody enrolled in Medicare can contribute to an "
        "HSA (IRS Pub 969)",
    ),
    _o(
        "hsa_payroll",
        "--hsa-payroll",
        "flag",
        PAYMENT,
        PAYING,
        help="HSA money goes in through an employer's payroll (saves payroll tax too).",
        default=False,
        show_default=True,
        column=True,
        readme="paying",
        meaning="your HSA money goes in through an employer's payroll, so it saves payroll tax too",
    ),
    _o(
        "fsa",
        "--fsa",
        "flag",
        PAYMENT,
        PAYING,
        help="Pay with pre-tax money from a health FSA.",
        default=False,
        show_default=True,
        column=True,
        guide=True,
        readme="paying",
        meaning="pay with pre-tax money from a health FSA (2026 limit: $3,400)",
    ),
    _o(
        "family",
        "--family",
        "flag",
        PAYMENT,
        PAYING,
        help="Family HSA coverage (the higher limit).",
        default=False,
        show_default=True,
        column=True,
        readme="paying",
        meaning="family HSA coverage (the higher limit)",
    ),
    _o(
        "tax_rate",
        "--tax-rate",
        "percent",
        PAYMENT,
        PAYING,
        help="Combined marginal tax rate saved by paying pre-tax, e.g. 30.",
        metavar="PCT",
        column=True,
        readme="paying",
        meaning="your combined marginal rate (default: an assumed income-tax rate, plus 7.65% "
        "payroll tax only for money put in through payroll: an FSA, or an HSA with "
        "`--hsa-payroll`; the report says which rate it used)",
    ),
    _o(
        "account_balance",
        "--account-balance",
        "money",
        PAYMENT,
        PAYING,
        help="Money in the HSA/FSA now (default: the year's contribution limit).",
        metavar="AMOUNT",
        column=True,
        readme="paying",
        meaning="what is in the account now, if less than the limit",
    ),
    _o(
        "finance",
        "--finance",
        "text",
        PAYMENT,
        frozenset({ESTIMATE, TIPS}),
        help="Add a monthly payment: a preset such as carecredit_12, or e.g. 12@9.9.",
        metavar="PRESET|MONTHS@APR",
        complete="preset",
        per_treatment=True,
        readme="paying",
        meaning="add a monthly-payment line, e.g. `carecredit_12` or `12@9.9`",
    ),
    _o(
        "include_indirect",
        "--include-indirect",
        "flag",
        PAYMENT,
        frozenset({ESTIMATE}),
        help="Add rides, travel and time off work to the total.",
        default=False,
        show_default=True,
        per_treatment=True,
        readme="paying",
        meaning="add rides home, travel and time off work to the total (they are shown apart "
        "otherwise)",
    ),
    _o(
        "hourly_wage",
        "--hourly-wage",
        "money",
        PAYMENT,
        frozenset({ESTIMATE}),
        help="Your hourly pay, to price time off work for each visit.",
        metavar="AMOUNT",
        per_treatment=True,
        readme="paying",
        meaning="price the time off work around each visit",
    ),
    _o(
        "rates",
        "--rates",
        "file",
        INSURANCE,
        QUOTING,
        help="A rate book from 'ketacost rates extract': your plan's real negotiated rates "
        "(or a hospital's cash prices) as the allowed amounts.",
        metavar="RATES.yaml",
        column=True,
        readme="insurance",
        meaning="a rate book from `ketacost rates extract`: the plan's negotiated rates for "
        "your clinic as the allowed amounts (also on `compare`, `schedule`, `tips`, and a "
        "`rates` column in `batch`)",
    ),
    # Options that shape the output or name the book, not the scenario.
    _o(
        "pricing",
        "--pricing",
        "book",
        PRICE,
        QUOTING,
        help="A custom price book (YAML). Env: KETACOST_PRICING. Default: the bundled book.",
        metavar="FILE",
        field=None,
        show_default=True,
        config="pricing",
        env="KETACOST_PRICING",
        readme="estimate",
        meaning="a custom price book (env `KETACOST_PRICING`, or `pricing:` in the config file)",
    ),
    _o(
        "fmt",
        "--format/-f",
        "format",
        OUTPUT,
        QUOTING,
        # Each command lists its own formats in place of {formats}.
        help="Output format: {formats}. Default: from -o's extension, else your config "
        "file's, else table.",
        metavar="FORMAT",
        config="format",
        readme="estimate",
        meaning="`table|json|csv|markdown|html|gfe`: table for people, JSON for scripts, "
        "files for counselors; `gfe`, `gfe-html`, `gfe-markdown`, `gfe-json`: a Good Faith "
        "Estimate (see For counselors). Without `--format`, `-o` picks it from the file's "
        "extension",
    ),
    _o(
        "output",
        "--output/-o",
        "output",
        OUTPUT,
        QUOTING,
        help="Write to FILE instead of the screen (atomically; an existing file is kept "
        "unless --force).",
        metavar="FILE",
        show_default=True,
        readme="paying",
        meaning="write to a file atomically; an existing file is never replaced without `--force`",
    ),
    _o(
        "force",
        "--force",
        "flag",
        OUTPUT,
        QUOTING,
        help="Replace FILE if it exists.",
        default=False,
        show_default=True,
        readme="paying",
        same_row=True,
    ),
    _o(
        "tips",
        "--tips/--no-tips",
        "switch",
        OUTPUT,
        frozenset({ESTIMATE}),
        help="Savings tips in the estimate; --no-tips for a handout without them. "
        "Default: on, or your config file's 'tips:'.",
        config="tips",
        readme="estimate",
        meaning="`--no-tips` leaves the savings tips out (a handout); `tips: false` in the "
        "config file makes it the default, `--tips` brings them back",
    ),
    _o(
        "patient",
        "--patient",
        "text",
        OUTPUT,
        frozenset({ESTIMATE}),
        help="Patient name for the handout or Good Faith Estimate.",
        metavar="NAME",
    ),
    _o(
        "dob",
        "--dob",
        "date",
        OUTPUT,
        frozenset({ESTIMATE}),
        help="Patient date of birth (YYYY-MM-DD or MM/DD/YYYY) for the Good Faith Estimate.",
        metavar="DATE",
    ),
    _o(
        "clinic_name",
        "--clinic-name",
        "text",
        GFE,
        frozenset({ESTIMATE}),
        help="Provider or facility. Default: config.",
        metavar="NAME",
        config="clinic.name",
    ),
    _o(
        "clinic_address",
        "--clinic-address",
        "text",
        GFE,
        frozenset({ESTIMATE}),
        help="Where care is given (street, city, state). Default: config.",
        metavar="ADDRESS",
        config="clinic.address",
    ),
    _o(
        "npi",
        "--npi",
        "text",
        GFE,
        frozenset({ESTIMATE}),
        help="The provider's 10-digit NPI (check digit checked).",
        metavar="NPI",
        config="clinic.npi",
    ),
    _o(
        "tin",
        "--tin",
        "text",
        GFE,
        frozenset({ESTIMATE}),
        help="The provider's TIN, e.g. an EIN 12-3456789.",
        metavar="TIN",
        config="clinic.tin",
    ),
    _o(
        "diagnosis",
        "--diagnosis",
        "list",
        GFE,
        frozenset({ESTIMATE}),
        help="An ICD-10-CM diagnosis code such as F33.2; repeat for more. Default: config.",
        metavar="ICD10",
        config="diagnosis",
    ),
    # The program's own option: before or after the command (`ketacost --lang es ...`).
    _o(
        "lang",
        "--lang",
        "choice",
        None,  # the root's own options panel
        frozenset(),
        help="Language of estimates, tips, schedules, handouts and Good Faith Estimates: "
        "en or es (Spanish). Env: KETACOST_LANG. Default: your config file's, else en.",
        metavar="en|es",
        field=None,
        choices=("en", "es"),
        config="lang",
        env="KETACOST_LANG",
        guide=True,  # the guide's one-line command carries it
        readme="estimate",
        meaning="the language of what is printed (also `KETACOST_LANG`, or `lang:` in the "
        "config file); like `--no-color`, it goes before or after the command",
    ),
)


def _scenario_order(rows: tuple[Option, ...]) -> tuple[Option, ...]:
    """The order a scenario's values are read and batch columns listed: the table's,
    with the pre-tax options before `state`, as they were before the benefit-design
    options existed (so of two bad values, the same one is named as before)."""
    paying = [o for o in rows if o.panel == PAYMENT]
    rest = [o for o in rows if o.panel != PAYMENT]
    at = next(i for i, o in enumerate(rest) if o.name == "state")
    return (*rest[:at], *paying, *rest[at:])


BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}
BY_FLAG: dict[str, Option] = {f: o for o in OPTIONS for f in o.flags if f.startswith("-")}
SCENARIO: tuple[Option, ...] = _scenario_order(tuple(o for o in OPTIONS if o.field is not None))
BY_FIELD: dict[str, Option] = {o.field: o for o in SCENARIO if o.field is not None}

# Scenario field -> how a message names it ("oop_max" -> "--oop-max").
SAYS: dict[str, str] = {o.field: o.says for o in SCENARIO if o.field is not None}
MONEY_FIELDS = tuple(o.name for o in SCENARIO if o.kind == "money")
PERCENT_FIELDS = tuple(o.name for o in SCENARIO if o.kind == "percent")
COUNT_FIELDS = tuple(o.name for o in SCENARIO if o.kind == "count")
CHOICES: dict[str, tuple[str, ...]] = {o.name: o.choices for o in SCENARIO if o.choices}
ALIASES: dict[str, Mapping[str, str]] = {o.name: o.aliases for o in SCENARIO if o.aliases}
NEEDS_INSURER = tuple(o.name for o in SCENARIO if o.needs_insurer)
PER_TREATMENT = frozenset(
    {"treatment", *(o.field for o in SCENARIO if o.per_treatment and o.field is not None)}
)
# The config file's keys that give an option's default ("clinic.name": a nested key).
CONFIG_KEYS = tuple(o.config for o in OPTIONS if o.config is not None)


def for_command(command: str) -> tuple[Option, ...]:
    """The options `command` takes, in the order its help lists them."""
    return tuple(o for o in OPTIONS if command in o.commands)


def batch_columns() -> tuple[str, ...]:
    """The batch file's scenario columns."""
    return tuple(o.name for o in SCENARIO if o.column)


def scenario_values(given: dict[str, Any]) -> dict[str, Any]:
    """Scenario fields from option values keyed by option name (a command's parameters,
    a batch row, the API's keywords): `no_maintenance` becomes `maintenance`, `discount`
    `discounts`; options that are not the scenario's (`fmt`, `output`) are left out;
    any other name (`maintenance`, `discounts`) passes as it is."""
    values: dict[str, Any] = {}
    for key, value in given.items():
        option = BY_NAME.get(key)
        if option is None:  # a field name, or a mistake the Scenario refuses by name
            values[key] = value
            continue
        if option.field is None:
            continue
        if option.inverted:
            if value is not None:
                values[option.field] = not value
        elif option.kind == "list":
            if value is not None:
                values[option.field] = tuple(value)
        else:
            values[option.field] = value
    return values


def readme_rows(section: str) -> Iterator[tuple[str, str]]:
    """The rows of one README options table: (the options, what they mean)."""
    row: list[Option] = []
    for o in OPTIONS:
        if o.readme != section:
            continue
        if o.same_row and row:
            row.append(o)
            continue
        if row:
            yield _label(row), row[0].meaning
        row = [o]
    if row:
        yield _label(row), row[0].meaning


def _label(row: list[Option]) -> str:
    words = []
    for o in row:
        if o.kind == "switch":
            words.append(" / ".join(f"`{f}`" for f in o.flags))
        else:
            words.append(f"`{o.says}{' ' + o.metavar if o.metavar else ''}`")
    return ", ".join(words)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bare | would end the cell


def readme_table(section: str) -> str:
    """One README options table, as Markdown."""
    lines = ["| option | meaning |", "|---|---|"]
    lines += [f"| {_cell(label)} | {_cell(meaning)} |" for label, meaning in readme_rows(section)]
    return "\n".join(lines) + "\n"
