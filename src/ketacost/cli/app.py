"""The command line: thin typer commands over the core modules.

Results go to stdout, errors and warnings to stderr. A KetacostError becomes one short
line and exit code 2; anything unexpected becomes one line, a hint and exit code 1.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ketacost import __version__
from ketacost.cli import coerce as clitypes
from ketacost.cli import lighthelp
from ketacost.errors import KetacostError

clitypes.install()  # option values without building pydantic validators (typer >= 0.29)
lighthelp.install()  # help and usage errors without rich's Markdown and traceback modules

F = TypeVar("F", bound=Callable[..., Any])

# Options of the whole program, accepted before or after the command:
# `ketacost --no-color estimate iv` and `ketacost estimate iv --no-color` are the same.
GLOBAL_FLAGS = ("--no-color",)
GLOBAL_VALUED = ("--lang",)


def hoist_globals(args: list[str]) -> list[str]:
    """Move the program's own options found after the command to the front, where the
    root callback reads them. Nothing after a lone `--` moves."""
    if not args or args[0].startswith("-"):
        return list(args)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if a in GLOBAL_FLAGS or a.startswith(tuple(f"{v}=" for v in GLOBAL_VALUED)):
            front.append(a)
        elif a in GLOBAL_VALUED and i + 1 < len(args):
            front += [a, args[i + 1]]
            i += 1
        else:
            rest.append(a)
        i += 1
    return front + rest


_show_type = typer.core.TyperOption.display_type_rich


def _type_unless_flag(self: Any, ctx: Any) -> str | None:
    """Help shows what a value looks like; a flag (--hsa, --force) takes none, so its
    column stays empty rather than saying `<bool>`."""
    if getattr(self, "is_flag", False):
        return None
    return _show_type(self, ctx)


typer.core.TyperOption.display_type_rich = _type_unless_flag  # type: ignore[method-assign]


class _Group(typer.core.TyperGroup):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_globals(args))


app = typer.Typer(
    cls=_Group,
    name="ketacost",
    help=(
        "Estimate what ketamine treatment for depression will cost a patient in the US: "
        "cost ranges per treatment phase, with the source of every figure.\n\n"
        "A cost estimate, not medical advice."
    ),
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    gfe = "gfe"
    gfe_html = "gfe-html"
    gfe_markdown = "gfe-markdown"
    gfe_json = "gfe-json"
    ics = "ics"


def _say_error(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")


# The exit code of a program whose reader went away (`ketacost batch big.csv | head`),
# as a shell reports one that SIGPIPE ended: 128 + 13.
BROKEN_PIPE_EXIT = 141


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away: send what is still buffered nowhere, so neither
    this run nor Python's exit prints a complaint about it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def handled(func: F) -> F:
    """Turn domain errors into one line + exit 2, and bugs into one line + exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            _quiet_broken_pipe()
            raise typer.Exit(BROKEN_PIPE_EXIT) from None
        except KetacostError as exc:
            _say_error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("KETACOST_DEBUG"):
                raise
            _say_error(
                f"internal error ({type(exc).__name__}: {exc}). "
                "Set KETACOST_DEBUG=1 to see the traceback, and please report it."
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketacost {__version__}")
        raise typer.Exit()


OVERVIEW = """ketacost {version}: what ketamine treatment for depression costs you, in the US.

Try:
  ketacost guide                                   answer a few questions, get an estimate
  ketacost estimate spravato --insurance commercial
  ketacost compare --insurance commercial          every treatment side by side

More: ketacost --help, or ketacost COMMAND --help. A cost estimate, not medical advice.
"""


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
    no_color: bool = typer.Option(
        False,
        "--no-color",
        help="No colour in the output (as NO_COLOR=1 does).",
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        metavar="en|es",
        show_default=False,
        help="Language of estimates, tips, schedules, handouts and Good Faith Estimates: "
        "en or es (Spanish). Env: KETACOST_LANG. Default: your config file's, else en.",
    ),
) -> None:
    """Estimate what ketamine treatment for depression costs a US patient."""
    global _LANG_GIVEN
    from ketacost import i18n

    if no_color:
        os.environ["NO_COLOR"] = "1"
    # Each run starts from English: --lang, else KETACOST_LANG, else the config file's.
    i18n.set_language(None)
    _LANG_GIVEN = False
    try:
        if lang is not None:
            i18n.set_language(lang)
            _LANG_GIVEN = True
        elif os.environ.get("KETACOST_LANG"):
            i18n.set_language(os.environ["KETACOST_LANG"])
            _LANG_GIVEN = True
    except KetacostError as exc:
        _say_error(exc.message)
        raise typer.Exit(2) from None
    if ctx.invoked_subcommand is None:
        typer.echo(OVERVIEW.format(version=__version__), nl=False)


def _today() -> Any:
    """Today, or the date in KETACOST_TODAY (for a quote as of a given day, and for
    reproducible screenshots and tests)."""
    import datetime as dt

    text = os.environ.get("KETACOST_TODAY")
    if not text:
        return dt.date.today()
    from ketacost.scenario import parse_date

    return parse_date(text, "KETACOST_TODAY")


# ----------------------------------------------------------------------- shared options

PRICING_HELP = "A custom price book (YAML). Env: KETACOST_PRICING. Default: the bundled book."


def _pricing_option() -> Any:
    return typer.Option(
        None,
        "--pricing",
        metavar="FILE",
        envvar="KETACOST_PRICING",
        help=PRICING_HELP,
        show_envvar=False,
        rich_help_panel="Price",
    )


def _format_option(*allowed: str) -> Any:
    return typer.Option(
        None,
        "--format",
        "-f",
        case_sensitive=False,
        metavar="FORMAT",
        help=f"Output format: {', '.join(allowed)}. Default: from -o's extension, else "
        "your config file's, else table.",
        show_default=False,
        rich_help_panel="Output",
    )


_LANG_GIVEN = False


def _settings() -> Any:
    from ketacost.config import load_settings

    settings = load_settings()
    if not _LANG_GIVEN and settings.lang is not None:
        from ketacost import i18n

        i18n.set_language(settings.lang)
    return settings


# What -o's extension says the file is; .pdf is the HTML printed by Chromium.
EXTENSION_FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ics": "ics",
    ".pdf": "html",
}
# The formats each extension can hold (a GFE is HTML, Markdown or JSON).
EXTENSION_FITS = {
    "html": {"html", "gfe", "gfe-html"},
    "markdown": {"markdown", "gfe", "gfe-markdown"},
    "json": {"json", "gfe", "gfe-json"},
    "csv": {"csv"},
    "jsonl": {"jsonl"},
    "ics": {"ics"},
}


def format_for(
    given: str | None, allowed: tuple[str, ...], output: Path | None, default: str | None
) -> str:
    """The output format: --format; else what -o's extension says; else the config
    file's default; else table. A --format that does not fit -o's extension is refused
    rather than written into the wrong kind of file."""
    from ketacost.errors import InputError

    suffix = output.suffix.lower() if output is not None else ""
    implied = EXTENSION_FORMATS.get(suffix)
    shown = output.name if output is not None else ""
    if given is not None:
        if given not in allowed:
            raise InputError(
                f"--format {given} is not available here; choose from: {', '.join(allowed)}",
                param="--format",
            )
        if implied is not None and given not in EXTENSION_FITS[implied]:
            raise InputError(
                f"--format {given} does not match -o {shown}: name the file for what it "
                f"holds, or drop --format to write {implied} ({suffix})",
                param="--format",
            )
        return given
    if implied is not None:
        if implied not in allowed:
            fits = sorted(s for s, f in EXTENSION_FORMATS.items() if f in allowed)
            raise InputError(
                f"-o {shown}: this command cannot write {suffix} files; use one of "
                f"{', '.join(fits) or 'no extension'}, or --format",
                param="--output",
            )
        return implied
    return default if default in allowed else "table"


def _pick(
    fmt: Format | None, allowed: tuple[str, ...], settings: Any, output: Path | None = None
) -> Format:
    """The output format: the option, else -o's extension, else the config file's
    default, else table."""
    given = fmt.value if fmt is not None else None
    return Format(format_for(given, allowed, output, settings.format))


def _load_book(path: Path | None, settings: Any = None) -> tuple[Any, str | None]:
    """The price book: --pricing (or KETACOST_PRICING), else the config file's, else the
    bundled national book."""
    from ketacost.book import pricebook

    if path is None and settings is not None and settings.pricing is not None:
        path = settings.pricing
    book = pricebook.load(path)
    return book, (str(path) if path is not None else None)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    # emoji=False: no cell holds an emoji code, and looking them up loads rich's
    # table of 3,600 emoji names (~4 ms) on the first plain-string cell.
    return Console(stderr=stderr, highlight=False, emoji=False)


def _warn(lines: list[str] | tuple[str, ...]) -> None:
    for line in lines:
        sys.stderr.write(f"Warning: {line}\n")


# ------------------------------------------------------------ scenario options, shared
# Each option is declared once and reused by every command that takes a scenario.


def _opt(
    *names: str,
    panel: str,
    help: str,
    metavar: str | None = None,
    complete: Callable[[str], list[str]] | None = None,
) -> Any:
    return typer.Option(
        *names,
        metavar=metavar,
        help=help,
        show_default=False,
        rich_help_panel=panel,
        autocompletion=complete,
    )


S, P, I = "Schedule", "Price", "Insurance"  # noqa: E741


def _book_for_completion() -> Any:
    """The price book completions read from: --pricing is not parsed yet, so the env
    var, the config file or the national book."""
    try:
        return _load_book(None, _settings())[0]
    except Exception:  # a broken book must not break the shell
        return None


def _complete(names: Callable[[Any], list[str]]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        book = _book_for_completion()
        if book is None:
            return []
        return [n for n in names(book) if n.startswith(incomplete.lower())]

    return complete


complete_treatment = _complete(
    lambda b: [n for tid, t in b.treatments.items() for n in (tid, *t.aliases)]
)
complete_discount = _complete(lambda b: list(b.discounts))
complete_preset = _complete(lambda b: list(b.financing))


TreatmentArg = Annotated[
    str,
    typer.Argument(
        metavar="TREATMENT",
        help="iv, im, kap, spravato, oral or nasal (aliases accepted).",
        show_default=False,
        autocompletion=complete_treatment,
    ),
]
MonthsOpt = Annotated[
    int, typer.Option("--months", metavar="N", help="Horizon in months (1-60).", rich_help_panel=S)
]
StartOpt = Annotated[
    str | None,
    _opt("--start", metavar="DATE", panel=S, help="First session, YYYY-MM-DD. Default: today."),
]
SessionsOpt = Annotated[
    int | None,
    _opt(
        "--sessions",
        metavar="N",
        panel=S,
        help="Sessions in the first (induction) phase; replaces the protocol's count.",
    ),
]
MaintenanceWeeksOpt = Annotated[
    int | None,
    _opt(
        "--maintenance-weeks",
        metavar="WEEKS",
        panel=S,
        help="Weeks between maintenance sessions (spravato: 1 or 2, from week 9).",
    ),
]
NoMaintenanceOpt = Annotated[
    bool,
    typer.Option(
        "--no-maintenance",
        help="Induction only: leave out maintenance sessions.",
        rich_help_panel=S,
    ),
]
PriceOpt = Annotated[
    str | None,
    _opt(
        "--price",
        metavar="AMOUNT",
        panel=P,
        help="The clinic's quoted price per session, all-in (replaces the book's range).",
    ),
]
ConsultOpt = Annotated[
    str | None,
    _opt("--consult", metavar="AMOUNT", panel=P, help="One-time consultation fee; 0 for none."),
]
DoseOpt = Annotated[
    int | None,
    _opt("--dose", metavar="MG", panel=P, help="Spravato dose in mg: 56 or 84."),
]
DiscountOpt = Annotated[
    list[str] | None,
    _opt(
        "--discount",
        metavar="ID",
        panel=P,
        help="A discount id from the price book (repeatable); see 'ketacost prices'.",
        complete=complete_discount,
    ),
]
InsuranceOpt = Annotated[
    str,
    typer.Option(
        "--insurance",
        metavar="PAYER",
        rich_help_panel=I,
        help="none (also: self-pay, uninsured), commercial, medicare, medicare-advantage "
        "or medicaid.",
    ),
]
CoveredOpt = Annotated[
    bool | None,
    _opt(
        "--covered/--not-covered",
        panel=I,
        help="Override the price book's coverage default for this payer.",
    ),
]
NetworkOpt = Annotated[
    str,
    typer.Option(
        "--network",
        metavar="in|out",
        rich_help_panel=I,
        help="in, or out: pay the clinic and claim back with a superbill.",
    ),
]
AllowedOpt = Annotated[
    str | None,
    _opt(
        "--allowed",
        metavar="AMOUNT",
        panel=I,
        help="The plan's allowed amount per session, all-in.",
    ),
]
DeductibleOpt = Annotated[
    str | None,
    _opt("--deductible", metavar="AMOUNT", panel=I, help="Deductible remaining this plan year."),
]
CoinsuranceOpt = Annotated[
    str | None,
    _opt(
        "--coinsurance",
        metavar="PCT",
        panel=I,
        help="Your share after the deductible, e.g. 20 or 20%.",
    ),
]
CopayOpt = Annotated[
    str | None,
    _opt(
        "--copay",
        metavar="AMOUNT",
        panel=I,
        help="Copay per session after the deductible (instead of coinsurance).",
    ),
]
OopMaxOpt = Annotated[
    str | None,
    _opt(
        "--oop-max",
        metavar="AMOUNT",
        panel=I,
        help="Out-of-pocket maximum remaining this plan year.",
    ),
]
MedigapOpt = Annotated[
    str,
    typer.Option(
        "--medigap",
        metavar="none|G|N",
        rich_help_panel=I,
        help="Medicare supplement: G pays the 20%; N pays it less up to $20 a visit.",
    ),
]
PlanYearStartOpt = Annotated[
    str | None,
    _opt(
        "--plan-year-start",
        metavar="MM-DD",
        panel=I,
        help="When the deductible resets. Default: 01-01.",
    ),
]
AnnualDeductibleOpt = Annotated[
    str | None,
    _opt(
        "--annual-deductible",
        metavar="AMOUNT",
        panel=I,
        help="Full deductible after the plan year resets. Default: --deductible.",
    ),
]
AnnualOopMaxOpt = Annotated[
    str | None,
    _opt(
        "--annual-oop-max",
        metavar="AMOUNT",
        panel=I,
        help="Full out-of-pocket maximum after the reset. Default: --oop-max.",
    ),
]
StateOpt = Annotated[
    str | None,
    _opt(
        "--state",
        metavar="XX",
        panel=I,
        help="Your two-letter US state, where a rule or program depends on it (e.g. the "
        "Spravato observation rebate). Default: the config file's.",
    ),
]
B = "Benefit design"
PlanOpt = Annotated[
    str | None,
    _opt(
        "--plan",
        metavar="FILE",
        panel=B,
        help="A plan file copied from your Summary of Benefits and Coverage (see "
        "'ketacost plan --template'); plan options given here override it.",
    ),
]
DrugBenefitOpt = Annotated[
    str | None,
    _opt(
        "--drug-benefit",
        metavar="medical|pharmacy",
        panel=B,
        help="Spravato: billed by the clinic (medical) or dispensed by a pharmacy (pharmacy "
        "terms for the drug).",
    ),
]
DrugNetworkOpt = Annotated[
    str | None,
    _opt(
        "--drug-network",
        metavar="in|out",
        panel=B,
        help="Network status of the drug when it differs from the visit's (--network).",
    ),
]
RxCopayOpt = Annotated[
    str | None,
    _opt("--rx-copay", metavar="AMOUNT", panel=B, help="Pharmacy copay per fill (treatment)."),
]
RxCoinsuranceOpt = Annotated[
    str | None,
    _opt("--rx-coinsurance", metavar="PCT", panel=B, help="Pharmacy coinsurance, e.g. 25."),
]
RxDeductibleOpt = Annotated[
    str | None,
    _opt(
        "--rx-deductible",
        metavar="AMOUNT",
        panel=B,
        help="A separate pharmacy deductible remaining (default: integrated with the medical).",
    ),
]
AnnualRxDeductibleOpt = Annotated[
    str | None,
    _opt(
        "--annual-rx-deductible",
        metavar="AMOUNT",
        panel=B,
        help="The full pharmacy deductible after the plan year resets.",
    ),
]
AccumulatorOpt = Annotated[
    bool,
    typer.Option(
        "--accumulator",
        rich_help_panel=B,
        help="Copay accumulator: manufacturer help does not count toward your deductible "
        "or maximum.",
    ),
]
FamilyDeductibleOpt = Annotated[
    str | None,
    _opt(
        "--family-deductible",
        metavar="AMOUNT",
        panel=B,
        help="Family deductible remaining this plan year.",
    ),
]
FamilyOopMaxOpt = Annotated[
    str | None,
    _opt(
        "--family-oop-max",
        metavar="AMOUNT",
        panel=B,
        help="Family out-of-pocket maximum remaining this plan year.",
    ),
]
AnnualFamilyDeductibleOpt = Annotated[
    str | None,
    _opt(
        "--annual-family-deductible",
        metavar="AMOUNT",
        panel=B,
        help="The full family deductible after the plan year resets.",
    ),
]
AnnualFamilyOopMaxOpt = Annotated[
    str | None,
    _opt(
        "--annual-family-oop-max",
        metavar="AMOUNT",
        panel=B,
        help="The full family out-of-pocket maximum after the plan year resets.",
    ),
]
FamilyKindOpt = Annotated[
    str | None,
    _opt(
        "--family-kind",
        metavar="embedded|aggregate",
        panel=B,
        help="embedded (default): your own limits apply inside the family ones; aggregate: "
        "only the family deductible.",
    ),
]
SecondaryOpt = Annotated[
    str | None,
    _opt(
        "--secondary",
        metavar="FILE",
        panel=B,
        help="A second plan (plan file) that pays after the first.",
    ),
]
ObservationRebateOpt = Annotated[
    bool,
    typer.Option(
        "--observation-rebate",
        rich_help_panel=I,
        help="Spravato on a commercial plan: include the observation rebate (its yearly "
        "limit is not published).",
    ),
]
AssistanceOpt = Annotated[
    bool,
    typer.Option(
        "--assistance/--no-assistance",
        rich_help_panel=I,
        help="Spravato manufacturer savings program where eligible (commercial plans).",
    ),
]

RatesOpt = Annotated[
    str | None,
    _opt(
        "--rates",
        metavar="RATES.yaml",
        panel=I,
        help="A rate book from 'ketacost rates extract': your plan's real negotiated rates "
        "(or a hospital's cash prices) as the allowed amounts.",
    ),
]


Y = "Payment"
HsaOpt = Annotated[
    bool, typer.Option("--hsa", rich_help_panel=Y, help="Pay with pre-tax money from an HSA.")
]
HsaPayrollOpt = Annotated[
    bool,
    typer.Option(
        "--hsa-payroll",
        rich_help_panel=Y,
        help="HSA money goes in through an employer's payroll (saves payroll tax too).",
    ),
]
FsaOpt = Annotated[
    bool, typer.Option("--fsa", rich_help_panel=Y, help="Pay with pre-tax money from a health FSA.")
]
FamilyOpt = Annotated[
    bool,
    typer.Option("--family", rich_help_panel=Y, help="Family HSA coverage (the higher limit)."),
]
TaxRateOpt = Annotated[
    str | None,
    _opt(
        "--tax-rate",
        metavar="PCT",
        panel=Y,
        help="Combined marginal tax rate saved by paying pre-tax, e.g. 30.",
    ),
]
AccountBalanceOpt = Annotated[
    str | None,
    _opt(
        "--account-balance",
        metavar="AMOUNT",
        panel=Y,
        help="Money in the HSA/FSA now (default: the year's contribution limit).",
    ),
]
FinanceOpt = Annotated[
    str | None,
    _opt(
        "--finance",
        metavar="PRESET|MONTHS@APR",
        panel=Y,
        help="Add a monthly payment: a preset such as carecredit_12, or e.g. 12@9.9.",
        complete=complete_preset,
    ),
]
IncludeIndirectOpt = Annotated[
    bool,
    typer.Option(
        "--include-indirect",
        rich_help_panel=Y,
        help="Add rides, travel and time off work to the total.",
    ),
]
HourlyWageOpt = Annotated[
    str | None,
    _opt(
        "--hourly-wage",
        metavar="AMOUNT",
        panel=Y,
        help="Your hourly pay, to price time off work for each visit.",
    ),
]


def _scenario(params: dict[str, Any]) -> Any:
    """Build the validated Scenario from a command's parameters (its `locals()`)."""
    from ketacost.scenario import Scenario

    wanted = {*Scenario.model_fields, "no_maintenance", "discount"}
    options = {k: v for k, v in params.items() if k in wanted}
    if options.get("start") is None:
        options["start"] = _today()
    if options.get("state") is None:
        options["state"] = _settings().state
    no_maintenance = options.pop("no_maintenance", False)
    discount = options.pop("discount", None)
    return Scenario.from_options(
        **options, maintenance=not no_maintenance, discounts=tuple(discount or ())
    )


# ------------------------------------------------------------------- output, shared

OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        rich_help_panel="Output",
        help="Write to FILE instead of the screen (atomically; an existing file is kept "
        "unless --force).",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", rich_help_panel="Output", help="Replace FILE if it exists.")
]
PatientOpt = Annotated[
    str | None,
    _opt(
        "--patient",
        metavar="NAME",
        panel="Output",
        help="Patient name for the handout or Good Faith Estimate.",
    ),
]
DobOpt = Annotated[
    str | None,
    _opt(
        "--dob",
        metavar="DATE",
        panel="Output",
        help="Patient date of birth (YYYY-MM-DD or MM/DD/YYYY) for the Good Faith Estimate.",
    ),
]
TipsOpt = Annotated[
    bool | None,
    _opt(
        "--tips/--no-tips",
        panel="Output",
        help="Savings tips in the estimate; --no-tips for a handout without them. "
        "Default: on, or your config file's 'tips:'.",
    ),
]
G = "Good Faith Estimate"
ClinicNameOpt = Annotated[
    str | None,
    _opt("--clinic-name", metavar="NAME", panel=G, help="Provider or facility. Default: config."),
]
ClinicAddressOpt = Annotated[
    str | None,
    _opt(
        "--clinic-address",
        metavar="ADDRESS",
        panel=G,
        help="Where care is given (street, city, state). Default: config.",
    ),
]
NpiOpt = Annotated[
    str | None,
    _opt(
        "--npi", metavar="NPI", panel=G, help="The provider's 10-digit NPI (check digit checked)."
    ),
]
TinOpt = Annotated[
    str | None,
    _opt("--tin", metavar="TIN", panel=G, help="The provider's TIN, e.g. an EIN 12-3456789."),
]
DiagnosisOpt = Annotated[
    list[str] | None,
    _opt(
        "--diagnosis",
        metavar="ICD10",
        panel=G,
        help="An ICD-10-CM diagnosis code such as F33.2; repeat for more. Default: config.",
    ),
]
GFE_FORMATS = ("gfe", "gfe-html", "gfe-markdown", "gfe-json")


def _emit(text: str, output: Path | None, force: bool) -> None:
    """Results to stdout, or to a file written atomically."""
    if output is None:
        sys.stdout.write(text)
        return
    from ketacost.cli.output import open_atomic, write_atomic

    if output.suffix.lower() == ".pdf":  # format_for let only HTML through
        from ketacost.report.pdf import html_to_pdf
        from ketacost.safeio import shown

        data = html_to_pdf(text, shown(output))
        with open_atomic(output, force=force) as handle:
            handle.flush()
            handle.buffer.write(data)
    else:
        write_atomic(output, text, force=force)
    sys.stderr.write(f"Wrote {output}\n")


def _render_text(renderable: Any) -> str:
    """A rich renderable as plain text (for -o FILE): no colour, a fixed width."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(
        file=buf,
        width=100,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    ).print(renderable, soft_wrap=False)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _deliver(
    fmt: Format,
    table: Callable[[], Any],
    texts: dict[Format, Callable[[], str]],
    output: Path | None,
    force: bool,
) -> None:
    """One place where every command's result leaves: screen, or a file."""
    if fmt is Format.table:
        if output is None:
            from ketacost.report.table import print_to

            print_to(_console(), table())
            return
        text = _render_text(table())
    else:
        text = texts[fmt]()
    _emit(text, output, force)


# Options that shape a file, not the quote: a follow-up command leaves them out.
_NOT_CARRIED = {"fmt", "output", "force"}


def command_line(command: str, treatment: str, params: dict[str, Any]) -> str:
    """The one-line command that runs `command` for the same patient: every option of
    that command whose value here differs from its default, quoted for a shell."""
    import shlex

    # Only that command's click form: building every command's costs ~20-40 ms a run.
    group = typer.main.get_command(_only(command))
    cmd = group.commands[command]  # type: ignore[attr-defined]
    words = ["ketacost", command, treatment]
    for param in cmd.params:
        name = param.name
        if name is None or name == "treatment" or name in _NOT_CARRIED:
            continue
        if not param.opts or not param.opts[0].startswith("-"):
            continue
        value = params.get(name)
        if value is None or value == param.default:
            continue
        if isinstance(value, Enum):
            value = value.value
        if getattr(param, "is_flag", False):
            if value:
                words.append(param.opts[0])
            elif param.secondary_opts:
                words.append(param.secondary_opts[0])
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            words += [param.opts[0], str(v)]
    from ketacost import i18n

    if i18n.language() != "en":  # a global option: carry it, or the tips come in English
        words += ["--lang", i18n.language()]
    return " ".join(shlex.quote(w) for w in words)


def _check_dob(dob: str | None) -> str | None:
    if dob is None:
        return None
    from ketacost.engine.goodfaith import parse_dob

    return parse_dob(dob, _today()).isoformat()


def _gfe_render(fmt: Format, output: Path | None) -> str:
    """gfe-html, gfe-markdown, gfe-json; plain gfe follows -o's extension (.html/.htm:
    HTML, .json: JSON), else Markdown."""
    if fmt is not Format.gfe:
        return str(fmt.value).removeprefix("gfe-")
    suffix = (output.suffix if output is not None else "").lower()
    return {".html": "html", ".htm": "html", ".pdf": "html", ".json": "json"}.get(
        suffix, "markdown"
    )


def _gfe_who(params: dict[str, Any], settings: Any) -> dict[str, Any]:
    """Who the GFE is from and for: the options, else the config file, checked."""
    from ketacost.config import config_path
    from ketacost.engine.goodfaith import Provider, check_icd10, check_npi, check_text, check_tin

    c = settings.clinic
    where = str(config_path())

    def pick(option: str, name: str, config_value: Any, check: Any) -> Any:
        given = params.get(name)
        if given is not None:
            return check(given, option)
        if config_value is None:
            return None
        return check(str(config_value), f"{where}: clinic.{name.removeprefix('clinic_')}")

    state = params.get("state") or c.state or settings.state
    provider = Provider(
        name=pick("--clinic-name", "clinic_name", c.name, check_text),
        npi=pick("--npi", "npi", c.npi, check_npi),
        tin=pick("--tin", "tin", c.tin, check_tin),
        address=pick("--clinic-address", "clinic_address", c.address, check_text),
        phone=c.phone,
        state=state.strip().upper() if state else None,
    )
    given = params.get("diagnosis") or []
    codes = [check_icd10(x) for x in given] or [
        check_icd10(x, f"{where}: diagnosis") for x in settings.diagnosis
    ]
    patient = params.get("patient")
    return {
        "provider": provider,
        "patient": check_text(patient, "--patient") if patient is not None else None,
        "diagnoses": tuple(dict.fromkeys(codes)),
    }


# ----------------------------------------------------------------------------- estimate

ESTIMATE_FORMATS = ("table", "json", "csv", "markdown", "html", *GFE_FORMATS)


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost estimate iv\n\n"
        "  ketacost estimate iv --price 500 --sessions 6 --no-maintenance --consult 0\n\n"
        "  ketacost estimate spravato --insurance commercial --deductible 500\n\n"
        "  ketacost estimate iv --format html -o quote.html --patient 'A. Patient'\n\n"
        "  ketacost estimate iv --format gfe -o gfe.md --patient 'A. Patient' --dob 1980-05-01\n\n"
        "  ketacost estimate spravato --format gfe-html -o gfe.html --price 1200 --dose 84 "
        "--clinic-name 'Example Clinic' --npi 1234567893 --tin 12-3456789 --diagnosis F33.2"
    ),
)
@handled
def estimate(
    treatment: TreatmentArg,
    months: MonthsOpt = 12,
    start: StartOpt = None,
    sessions: SessionsOpt = None,
    maintenance_weeks: MaintenanceWeeksOpt = None,
    no_maintenance: NoMaintenanceOpt = False,
    price: PriceOpt = None,
    consult: ConsultOpt = None,
    dose: DoseOpt = None,
    discount: DiscountOpt = None,
    insurance: InsuranceOpt = "none",
    covered: CoveredOpt = None,
    network: NetworkOpt = "in",
    allowed: AllowedOpt = None,
    deductible: DeductibleOpt = None,
    coinsurance: CoinsuranceOpt = None,
    copay: CopayOpt = None,
    oop_max: OopMaxOpt = None,
    medigap: MedigapOpt = "none",
    plan_year_start: PlanYearStartOpt = None,
    annual_deductible: AnnualDeductibleOpt = None,
    annual_oop_max: AnnualOopMaxOpt = None,
    assistance: AssistanceOpt = True,
    state: StateOpt = None,
    observation_rebate: ObservationRebateOpt = False,
    plan: PlanOpt = None,
    drug_benefit: DrugBenefitOpt = None,
    drug_network: DrugNetworkOpt = None,
    rx_copay: RxCopayOpt = None,
    rx_coinsurance: RxCoinsuranceOpt = None,
    rx_deductible: RxDeductibleOpt = None,
    annual_rx_deductible: AnnualRxDeductibleOpt = None,
    accumulator: AccumulatorOpt = False,
    family_deductible: FamilyDeductibleOpt = None,
    family_oop_max: FamilyOopMaxOpt = None,
    annual_family_deductible: AnnualFamilyDeductibleOpt = None,
    annual_family_oop_max: AnnualFamilyOopMaxOpt = None,
    family_kind: FamilyKindOpt = None,
    secondary: SecondaryOpt = None,
    hsa: HsaOpt = False,
    hsa_payroll: HsaPayrollOpt = False,
    fsa: FsaOpt = False,
    family: FamilyOpt = False,
    tax_rate: TaxRateOpt = None,
    account_balance: AccountBalanceOpt = None,
    finance: FinanceOpt = None,
    include_indirect: IncludeIndirectOpt = False,
    hourly_wage: HourlyWageOpt = None,
    rates: RatesOpt = None,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*ESTIMATE_FORMATS),
    output: OutputOpt = None,
    force: ForceOpt = False,
    tips: TipsOpt = None,
    patient: PatientOpt = None,
    dob: DobOpt = None,
    clinic_name: ClinicNameOpt = None,
    clinic_address: ClinicAddressOpt = None,
    npi: NpiOpt = None,
    tin: TinOpt = None,
    diagnosis: DiagnosisOpt = None,
) -> None:
    """Cost range per treatment phase, split between insurer and you, with sources."""
    _run_estimate(locals())


def _run_estimate(params: dict[str, Any]) -> None:
    """The estimate command's work, from its parameters (also used by `guide`)."""
    from ketacost.engine.estimate import build
    from ketacost.paying.money import apply as apply_money
    from ketacost.whatif.savings import with_tips

    scenario = _scenario(params)
    fmt, pricing, dob = params.get("fmt"), params.get("pricing"), params.get("dob")
    output, force, patient = params.get("output"), params.get("force", False), params.get("patient")
    settings = _settings()
    chosen = _pick(fmt, ESTIMATE_FORMATS, settings, output)
    birth = _check_dob(dob)
    book, book_path = _load_book(pricing, settings)
    who: dict[str, Any] | None = None
    if chosen.value in GFE_FORMATS:
        from ketacost.engine.goodfaith import check_self_pay, needs_clinic_prices

        check_self_pay(scenario.insurance)
        needs_clinic_prices(scenario.price is not None, book_path)
        who = _gfe_who(params, settings)
    resolved = scenario.resolved(book)
    est = with_tips(
        book,
        resolved,
        apply_money(book, build(book, resolved, book_path=book_path, today=_today())),
        today=_today(),
    )
    _warn(est.warnings)
    show_tips = params.get("tips")
    if not (settings.tips if show_tips is None else show_tips):
        import dataclasses

        est = dataclasses.replace(est, tips=())

    def table() -> Any:
        from ketacost.report.table import estimate_renderable

        more = command_line("tips", est.treatment, params)
        return estimate_renderable(est, tips_command=more)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, estimate_doc

        return dumps(estimate_doc(est))

    def as_csv() -> str:
        from ketacost.report.csvout import estimate_csv

        return estimate_csv(est)

    def as_md() -> str:
        from ketacost.report.markdown import estimate_md

        return estimate_md(est)

    def as_html() -> str:
        from ketacost.report.html import estimate_html

        return estimate_html(
            est, clinic=settings.clinic, patient=patient, dob=birth, today=_today()
        )

    def as_gfe() -> str:
        import datetime as dt

        from ketacost.book import pricebook
        from ketacost.engine.goodfaith import build_gfe
        from ketacost.report import gfe

        assert who is not None
        national = pricebook.load() if book_path is not None else None
        doc = build_gfe(
            book,
            est,
            **who,
            dob=dt.date.fromisoformat(birth) if birth else None,
            today=_today(),
            national=national,
        )
        if doc.confirm:
            _warn([f"confirm before sending: {len(doc.confirm)} figure(s) are not the clinic's"])
        kind = _gfe_render(chosen, output)
        render = {"html": gfe.gfe_html, "json": gfe.gfe_json}.get(kind, gfe.gfe_markdown)
        return render(doc)

    _deliver(
        chosen,
        table,
        {
            Format.json: as_json,
            Format.csv: as_csv,
            Format.markdown: as_md,
            Format.html: as_html,
            Format.gfe: as_gfe,
            Format.gfe_html: as_gfe,
            Format.gfe_markdown: as_gfe,
            Format.gfe_json: as_gfe,
        },
        output,
        force,
    )


# --------------------------------------------------------------------------------- tips

LIST_FORMATS = ("table", "json", "csv", "markdown", "html")


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost tips iv --insurance commercial\n\n"
        "  ketacost tips spravato --insurance commercial --no-assistance --format json"
    ),
)
@handled
def tips(
    treatment: TreatmentArg,
    months: MonthsOpt = 12,
    start: StartOpt = None,
    sessions: SessionsOpt = None,
    maintenance_weeks: MaintenanceWeeksOpt = None,
    no_maintenance: NoMaintenanceOpt = False,
    price: PriceOpt = None,
    consult: ConsultOpt = None,
    dose: DoseOpt = None,
    discount: DiscountOpt = None,
    insurance: InsuranceOpt = "none",
    covered: CoveredOpt = None,
    network: NetworkOpt = "in",
    allowed: AllowedOpt = None,
    deductible: DeductibleOpt = None,
    coinsurance: CoinsuranceOpt = None,
    copay: CopayOpt = None,
    oop_max: OopMaxOpt = None,
    medigap: MedigapOpt = "none",
    plan_year_start: PlanYearStartOpt = None,
    annual_deductible: AnnualDeductibleOpt = None,
    annual_oop_max: AnnualOopMaxOpt = None,
    assistance: AssistanceOpt = True,
    state: StateOpt = None,
    observation_rebate: ObservationRebateOpt = False,
    plan: PlanOpt = None,
    drug_benefit: DrugBenefitOpt = None,
    drug_network: DrugNetworkOpt = None,
    rx_copay: RxCopayOpt = None,
    rx_coinsurance: RxCoinsuranceOpt = None,
    rx_deductible: RxDeductibleOpt = None,
    annual_rx_deductible: AnnualRxDeductibleOpt = None,
    accumulator: AccumulatorOpt = False,
    family_deductible: FamilyDeductibleOpt = None,
    family_oop_max: FamilyOopMaxOpt = None,
    annual_family_deductible: AnnualFamilyDeductibleOpt = None,
    annual_family_oop_max: AnnualFamilyOopMaxOpt = None,
    family_kind: FamilyKindOpt = None,
    secondary: SecondaryOpt = None,
    hsa: HsaOpt = False,
    hsa_payroll: HsaPayrollOpt = False,
    fsa: FsaOpt = False,
    family: FamilyOpt = False,
    tax_rate: TaxRateOpt = None,
    account_balance: AccountBalanceOpt = None,
    finance: FinanceOpt = None,
    rates: RatesOpt = None,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*LIST_FORMATS),
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Savings tips for your situation, ranked by the dollars they save."""
    from ketacost.engine.estimate import build
    from ketacost.paying.money import apply as apply_money
    from ketacost.whatif.savings import with_tips

    scenario = _scenario(locals())
    settings = _settings()
    chosen = _pick(fmt, LIST_FORMATS, settings, output)
    book, book_path = _load_book(pricing, settings)
    resolved = scenario.resolved(book)
    est = with_tips(
        book,
        resolved,
        apply_money(book, build(book, resolved, book_path=book_path, today=_today())),
        today=_today(),
    )
    _warn(est.warnings)

    def table() -> Any:
        from ketacost.i18n import t
        from ketacost.report.table import tips_renderable

        heading = t("Ways to pay less for {name}", name=est.treatment_name)
        return tips_renderable(est.tips, heading=heading)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, tips_doc

        return dumps(tips_doc(est))

    def as_csv() -> str:
        from ketacost.report.csvout import tips_csv

        return tips_csv(est.tips)

    def as_md() -> str:
        from ketacost.report.markdown import tips_doc_md

        return tips_doc_md(est)

    def as_html() -> str:
        from ketacost.report.html import tips_html

        return tips_html(est)

    _deliver(
        chosen,
        table,
        {Format.json: as_json, Format.csv: as_csv, Format.markdown: as_md, Format.html: as_html},
        output,
        force,
    )


# ------------------------------------------------------------------------------ compare


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost compare\n\n"
        "  ketacost compare --insurance commercial --deductible 1500\n\n"
        "  ketacost compare --treatments iv,spravato --format json"
    ),
)
@handled
def compare(
    treatments: Annotated[
        str | None,
        _opt(
            "--treatments",
            metavar="IDS",
            panel="Schedule",
            help="Only these, comma-separated, e.g. iv,spravato.",
        ),
    ] = None,
    months: MonthsOpt = 12,
    start: StartOpt = None,
    no_maintenance: NoMaintenanceOpt = False,
    insurance: InsuranceOpt = "none",
    covered: CoveredOpt = None,
    network: NetworkOpt = "in",
    deductible: DeductibleOpt = None,
    coinsurance: CoinsuranceOpt = None,
    copay: CopayOpt = None,
    oop_max: OopMaxOpt = None,
    medigap: MedigapOpt = "none",
    plan_year_start: PlanYearStartOpt = None,
    annual_deductible: AnnualDeductibleOpt = None,
    annual_oop_max: AnnualOopMaxOpt = None,
    assistance: AssistanceOpt = True,
    state: StateOpt = None,
    plan: PlanOpt = None,
    drug_benefit: DrugBenefitOpt = None,
    drug_network: DrugNetworkOpt = None,
    rx_copay: RxCopayOpt = None,
    rx_coinsurance: RxCoinsuranceOpt = None,
    rx_deductible: RxDeductibleOpt = None,
    annual_rx_deductible: AnnualRxDeductibleOpt = None,
    accumulator: AccumulatorOpt = False,
    family_deductible: FamilyDeductibleOpt = None,
    family_oop_max: FamilyOopMaxOpt = None,
    annual_family_deductible: AnnualFamilyDeductibleOpt = None,
    annual_family_oop_max: AnnualFamilyOopMaxOpt = None,
    family_kind: FamilyKindOpt = None,
    secondary: SecondaryOpt = None,
    hsa: HsaOpt = False,
    hsa_payroll: HsaPayrollOpt = False,
    fsa: FsaOpt = False,
    family: FamilyOpt = False,
    tax_rate: TaxRateOpt = None,
    account_balance: AccountBalanceOpt = None,
    rates: RatesOpt = None,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*LIST_FORMATS),
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """All six treatments side by side for the same situation, cheapest first."""
    _run_compare(locals())


def _run_compare(given: dict[str, Any]) -> None:
    """The compare command's work, from its parameters (also used by `guide`)."""
    from ketacost.whatif.compare import compare as compare_rows

    params = dict(given)
    params["treatment"] = "iv"  # a placeholder: each row sets its own
    fmt, pricing, treatments = params.get("fmt"), params.get("pricing"), params.get("treatments")
    output, force = params.get("output"), params.get("force", False)
    scenario = _scenario(params)
    settings = _settings()
    chosen = _pick(fmt, LIST_FORMATS, settings, output)
    book, _ = _load_book(pricing, settings)
    wanted = [t for t in (treatments or "").split(",") if t.strip()] or None
    rows = compare_rows(book, scenario, wanted, today=_today())
    _warn(sorted({w for row in rows for w in row.estimate.warnings}))
    where = "self-pay" if scenario.insurance == "none" else scenario.insurance
    situation = f"{where}, {scenario.months} months from {scenario.start.isoformat()}"

    def table() -> Any:
        from ketacost.report.table import compare_renderable

        return compare_renderable(rows, situation)

    def as_json() -> str:
        from ketacost.report.jsonout import compare_doc, dumps

        return dumps(compare_doc(rows))

    def as_csv() -> str:
        from ketacost.report.csvout import compare_csv

        return compare_csv(rows)

    def as_md() -> str:
        from ketacost.report.markdown import compare_md

        return compare_md(rows, situation)

    def as_html() -> str:
        from ketacost.report.html import compare_html

        return compare_html(rows, situation, today=_today())

    _deliver(
        chosen,
        table,
        {Format.json: as_json, Format.csv: as_csv, Format.markdown: as_md, Format.html: as_html},
        output,
        force,
    )


# ----------------------------------------------------------------------------- schedule

SCHEDULE_FORMATS = ("table", "json", "csv", "markdown", "html", "ics")


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost schedule spravato --insurance commercial\n\n"
        "  ketacost schedule iv --start 2026-12-01 --format csv\n\n"
        "  ketacost schedule spravato --format ics -o visits.ics"
    ),
)
@handled
def schedule(
    treatment: TreatmentArg,
    months: MonthsOpt = 12,
    start: StartOpt = None,
    sessions: SessionsOpt = None,
    maintenance_weeks: MaintenanceWeeksOpt = None,
    no_maintenance: NoMaintenanceOpt = False,
    price: PriceOpt = None,
    consult: ConsultOpt = None,
    dose: DoseOpt = None,
    discount: DiscountOpt = None,
    insurance: InsuranceOpt = "none",
    covered: CoveredOpt = None,
    network: NetworkOpt = "in",
    allowed: AllowedOpt = None,
    deductible: DeductibleOpt = None,
    coinsurance: CoinsuranceOpt = None,
    copay: CopayOpt = None,
    oop_max: OopMaxOpt = None,
    medigap: MedigapOpt = "none",
    plan_year_start: PlanYearStartOpt = None,
    annual_deductible: AnnualDeductibleOpt = None,
    annual_oop_max: AnnualOopMaxOpt = None,
    assistance: AssistanceOpt = True,
    state: StateOpt = None,
    observation_rebate: ObservationRebateOpt = False,
    plan: PlanOpt = None,
    drug_benefit: DrugBenefitOpt = None,
    drug_network: DrugNetworkOpt = None,
    rx_copay: RxCopayOpt = None,
    rx_coinsurance: RxCoinsuranceOpt = None,
    rx_deductible: RxDeductibleOpt = None,
    annual_rx_deductible: AnnualRxDeductibleOpt = None,
    accumulator: AccumulatorOpt = False,
    family_deductible: FamilyDeductibleOpt = None,
    family_oop_max: FamilyOopMaxOpt = None,
    annual_family_deductible: AnnualFamilyDeductibleOpt = None,
    annual_family_oop_max: AnnualFamilyOopMaxOpt = None,
    family_kind: FamilyKindOpt = None,
    secondary: SecondaryOpt = None,
    rates: RatesOpt = None,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*SCHEDULE_FORMATS),
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Dated visit calendar with what you pay at each visit and the running total."""
    from ketacost.engine.estimate import build
    from ketacost.engine.visits import visit_calendar
    from ketacost.paying.money import apply as apply_money

    scenario = _scenario(locals())
    settings = _settings()
    chosen = _pick(fmt, SCHEDULE_FORMATS, settings, output)
    book, book_path = _load_book(pricing, settings)
    est = apply_money(
        book, build(book, scenario.resolved(book), book_path=book_path, today=_today())
    )
    _warn(est.warnings)
    visits = visit_calendar(est)

    def table() -> Any:
        from ketacost.report.table import schedule_renderable

        return schedule_renderable(est, visits)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, schedule_doc

        return dumps(schedule_doc(est, visits))

    def as_csv() -> str:
        from ketacost.report.csvout import schedule_csv

        return schedule_csv(visits)

    def as_md() -> str:
        from ketacost.report.markdown import schedule_md

        return schedule_md(est, visits)

    def as_html() -> str:
        from ketacost.report.html import schedule_html

        return schedule_html(est, visits)

    def as_ics() -> str:
        import datetime as dt

        from ketacost.report.ics import calendar_ics

        # Stamped now, or at midnight UTC of KETACOST_TODAY so a pinned quote repeats.
        stamp = dt.datetime.now(dt.timezone.utc)
        if os.environ.get("KETACOST_TODAY"):
            stamp = dt.datetime.combine(_today(), dt.time(), dt.timezone.utc)
        return calendar_ics(est, visits, stamp)

    _deliver(
        chosen,
        table,
        {
            Format.json: as_json,
            Format.csv: as_csv,
            Format.markdown: as_md,
            Format.html: as_html,
            Format.ics: as_ics,
        },
        output,
        force,
    )


# ------------------------------------------------------------------------------ finance

FINANCE_FORMATS = ("table", "json")


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost finance 1200 --months 12 --apr 0\n\n"
        "  ketacost finance 3540 --preset carecredit_12\n\n"
        "  ketacost finance 2400 --months 12 --apr 32.99 --deferred --payment 150"
    ),
)
@handled
def finance(
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="The amount to finance.", show_default=False)
    ],
    months: Annotated[
        int | None,
        _opt("--months", metavar="N", panel="Payment", help="Length of the plan or promotion."),
    ] = None,
    apr: Annotated[
        str | None,
        _opt(
            "--apr",
            metavar="PCT",
            panel="Payment",
            help="Yearly interest rate, e.g. 26.99. Default: 0.",
        ),
    ] = None,
    deferred: Annotated[
        bool,
        typer.Option(
            "--deferred",
            rich_help_panel="Payment",
            help="A 'no interest if paid in full' promotion: miss it and interest is charged "
            "back to the purchase date.",
        ),
    ] = False,
    payment: Annotated[
        str | None,
        _opt(
            "--payment",
            metavar="AMOUNT",
            panel="Payment",
            help="Your monthly payment. Default: what clears the balance in time.",
        ),
    ] = None,
    preset: Annotated[
        str | None,
        _opt(
            "--preset",
            metavar="ID",
            panel="Payment",
            help="A financing plan from the price book, e.g. carecredit_12; see 'ketacost prices'.",
            complete=complete_preset,
        ),
    ] = None,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*FINANCE_FORMATS),
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """A payment plan: monthly payment, interest, total, month by month."""
    from ketacost.paying.financing import plan_from_options

    settings = _settings()
    chosen = _pick(fmt, FINANCE_FORMATS, settings, output)
    book = _load_book(pricing, settings)[0] if preset is not None else None
    plan, notes = plan_from_options(
        book,
        amount=amount,
        months=months,
        apr=apr,
        deferred=deferred,
        payment=payment,
        preset=preset,
    )
    warnings = []
    if plan.deferred_interest_triggered:
        warnings.append(
            f"this promotion is not paid off in {plan.months} months: "
            f"${plan.back_interest:,.2f} of interest is charged back to the purchase date."
        )
    _warn(warnings)

    def table() -> Any:
        from ketacost.report.table import finance_renderable

        return finance_renderable(plan, preset, notes, warnings)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, finance_doc

        return dumps(finance_doc(plan, preset, notes, warnings))

    _deliver(chosen, table, {Format.json: as_json}, output, force)


# -------------------------------------------------------------------------------- batch


class BatchFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost batch patients.csv -o quotes.csv\n\n"
        "  ketacost batch patients.csv --format jsonl > quotes.jsonl\n\n"
        "  cat patients.csv | ketacost batch -\n\n"
        "Columns use the option names: treatment, months, start, sessions, price, consult, "
        "dose, discount, insurance, covered, network, allowed, deductible, coinsurance, "
        "copay, oop_max, medigap, plan_year_start, hsa, ... plus a free id column and any "
        "x_ column, passed through."
    ),
)
@handled
def batch(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE.csv", help="Patients, one per row; - reads stdin.", show_default=False
        ),
    ],
    pricing: Path = _pricing_option(),
    fmt: Annotated[
        BatchFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            metavar="FORMAT",
            show_default=False,
            rich_help_panel="Output",
            help="csv (the input columns plus the quote) or jsonl. Default: from -o's "
            "extension, else csv.",
        ),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """One quote per row of a CSV file. Exit code 1 if any row failed (the rest are written)."""
    import contextlib

    from ketacost import batch as batching
    from ketacost.errors import InputError

    settings = _settings()
    kind: Any = format_for(fmt.value if fmt else None, ("csv", "jsonl"), output, "csv")
    book, _ = _load_book(pricing, settings)
    with contextlib.ExitStack() as stack:
        lines = batching.Lines(stack.enter_context(_batch_input(file)))
        if output is None:
            sink: Any = sys.stdout
        else:
            from ketacost.cli.output import open_atomic

            sink = stack.enter_context(open_atomic(output, force=force))
        progress = stack.enter_context(_progress()) if sys.stderr.isatty() else None
        try:
            base = None if str(file) == "-" else Path(file).parent
            rows, failed = batching.run(book, lines, sink, kind, progress=progress, base=base)
        except InputError as exc:
            shown = "stdin" if file == "-" else file
            raise InputError(f"FILE {shown}: {exc.message}", param="FILE") from None
    if output is not None:
        sys.stderr.write(f"Wrote {output}\n")
    sys.stderr.write(f"{rows} row(s) quoted, {failed} with errors.\n")
    if failed:
        raise typer.Exit(1)


@contextlib.contextmanager
def _batch_input(file: str) -> Any:
    """The batch file (a regular file, never a device or a FIFO) or stdin for "-", as
    text decoded the same way for both: UTF-8 with bad bytes kept as surrogates, for
    batch.Lines to refuse with their line number after the rows before them are done."""
    import io

    from ketacost import safeio
    from ketacost.errors import InputError

    def text(raw: Any) -> io.TextIOWrapper:
        return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")

    if file == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise InputError("FILE -: stdin is closed; give a file name", param="FILE")
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:  # a text-only stdin (an embedding program): already decoded
            yield sys.stdin
            return
        wrapper = text(raw)
        try:
            yield wrapper
        finally:
            wrapper.detach()  # stdin stays open for whoever owns it
        return
    try:
        fd = safeio.open_regular(file)
    except safeio.ReadError as exc:
        shown = repr(file) if "NUL" in exc.reason else safeio.shown(file)
        raise InputError(f"FILE {shown}: {exc.reason}", param="FILE") from None
    with text(io.FileIO(fd, "rb")) as handle:
        yield handle


@contextlib.contextmanager
def _progress() -> Any:
    """A rich progress line on stderr; yields the callback batch.run calls."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} rows quoted"),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=None)
        yield lambda done: bar.update(task, completed=done)


# -------------------------------------------------------------------------------- guide


@app.command(
    epilog=(
        "[bold]Example[/bold]\n\n"
        "  ketacost guide\n\n"
        "Answer in plain words or numbers; press Enter to accept a default. At the end the "
        "guide prints the estimate and the one-line command that gives it again."
    ),
)
@handled
def guide(pricing: Path = _pricing_option()) -> None:
    """Answer a few plain questions and get your estimate: no options to learn."""
    from ketacost.cli.guide import Interview, rich_io
    from ketacost.errors import InputError

    console = _console(stderr=True)
    ask, say = rich_io(console)
    try:
        answers = Interview(ask, say).run()
    except (EOFError, KeyboardInterrupt):
        raise InputError(
            "the guide stopped before all questions were answered", param="guide"
        ) from None
    params: dict[str, Any] = {"pricing": pricing, "treatment": answers.treatment}
    for name, value in answers.options.items():
        key = name.removeprefix("--").replace("-", "_")
        params[key] = True if value is None else value
    if "months" in params:
        params["months"] = int(params["months"])
    say("\nThe same estimate next time, in one line:")
    # The command itself is never wrapped: it is copied and pasted as one line.
    console.print(f"  {answers.command_line()}\n", soft_wrap=True, markup=False, highlight=False)
    if answers.command == "compare":
        _run_compare(params)
    else:
        _run_estimate(params)


# ------------------------------------------------------------------------------- prices


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost prices\n\n"
        "  ketacost prices spravato --format json\n\n"
        "  ketacost prices --template > my-clinic.yaml"
    ),
)
@handled
def prices(
    treatment: str = typer.Argument(
        None,
        metavar="TREATMENT",
        help="Show only this treatment's figures.",
        show_default=False,
    ),
    template: Annotated[
        bool,
        typer.Option(
            "--template",
            rich_help_panel="Output",
            help="Print a clinic price book to start from: the national book's prices to edit, "
            "everything else inherited.",
        ),
    ] = False,
    pricing: Path = _pricing_option(),
    fmt: Format | None = _format_option(*FINANCE_FORMATS),
) -> None:
    """The price book: every figure with its range, unit, basis and sources."""
    from ketacost.book.pricebook import resolve_treatment

    if template:
        from ketacost.book.clinic import template_text
        from ketacost.errors import InputError

        if fmt is not None:  # the template is YAML with comments: no other format
            raise InputError(
                f"--format {fmt.value} cannot be used with --template, which prints a "
                "clinic price book in YAML; drop --format",
                param="--format",
            )

        sys.stdout.write(template_text())
        return
    settings = _settings()
    chosen = _pick(fmt, FINANCE_FORMATS, settings)
    book, _ = _load_book(pricing, settings)
    tid = resolve_treatment(book, treatment) if treatment else None

    def table() -> Any:
        from ketacost.report.table import prices_renderable

        return prices_renderable(book, tid)

    def as_json() -> str:
        from ketacost.report.jsonout import dumps, prices_doc

        return dumps(prices_doc(book, tid))

    _deliver(chosen, table, {Format.json: as_json}, None, False)


# --------------------------------------------------------------------------------- plan


@app.command(
    name="plan",
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  ketacost plan --template > my-plan.yaml\n\n"
        "  ketacost plan --typical hdhp > my-plan.yaml\n\n"
        "  ketacost plan my-plan.yaml\n\n"
        "  ketacost estimate spravato --plan my-plan.yaml"
    ),
)
@handled
def plan_command(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="A plan file to check.", show_default=False),
    ] = None,
    template: Annotated[
        bool,
        typer.Option(
            "--template",
            rich_help_panel="Output",
            help="Print a commented plan file to fill in from your SBC.",
        ),
    ] = False,
    typical: Annotated[
        str | None,
        typer.Option(
            "--typical",
            metavar="ID",
            rich_help_panel="Output",
            help="Print one of the price book's typical plans as a plan file: hdhp, silver, "
            "employer-ppo, medicare-advantage.",
            show_default=False,
        ),
    ] = None,
    pricing: Path = _pricing_option(),
) -> None:
    """A health plan file: print a template to fill in, or check one."""
    from ketacost.errors import InputError
    from ketacost.planfile import TEMPLATE, load_plan, template_from_book

    if template:
        sys.stdout.write(TEMPLATE)
        return
    if typical is not None:
        book, _ = _load_book(pricing, _settings())
        sys.stdout.write(template_from_book(book, typical))
        return
    if file is None:
        raise InputError(
            "give a plan FILE to check, --template to print one to fill in, or --typical ID",
            param="FILE",
        )
    pf = load_plan(file, "FILE")
    fields = pf.scenario_fields()
    shown = ", ".join(f"{k}={_shown_value(v)}" for k, v in fields.items())
    typer.echo(f"{file}: OK — {pf.type}; {shown}")


def _shown_value(v: Any) -> str:
    if isinstance(v, tuple):
        return "-".join(f"{x:02d}" for x in v)
    return str(v)


# ----------------------------------------------------------------------------- validate


@app.command(
    epilog="[bold]Example[/bold]\n\n  ketacost validate my-clinic.yaml",
)
@handled
def validate(
    file: Path = typer.Argument(
        ..., metavar="FILE", help="The price book to check.", show_default=False
    ),
) -> None:
    """Check a custom price book: every problem, each with its field path."""
    from ketacost.book import pricebook

    book = pricebook.load(file, all_errors=True)
    count = sum(1 for _ in pricebook.iter_figures(book))
    typer.echo(f"{file}: OK — {count} figures, as of {book.as_of.isoformat()}")
    if book.overridden:
        typer.echo(
            f"Clinic figures ({len(book.overridden)}): {', '.join(book.overridden)}; "
            "everything else from the national book."
        )


# -------------------------------------------------------------------------------- rates
# `ketacost rates extract`: its own module; the group costs one small import here.
from ketacost.rates.cli import rates_app  # noqa: E402

app.add_typer(rates_app, name="rates")


def _group_name(group: Any) -> str:
    return str(group.name or (group.typer_instance.info.name if group.typer_instance else ""))


def _only(name: str) -> typer.Typer:
    """The app with just one command registered. Typer turns every registered command
    into a click command on each run (~28 ms for all of them); a run of one command
    needs only its own. Usage lines and errors read the same."""
    import copy

    slim = copy.copy(app)
    slim.registered_commands = [
        c
        for c in app.registered_commands
        if (c.name or (c.callback.__name__ if c.callback else "")) == name
    ]
    slim.registered_groups = [g for g in app.registered_groups if _group_name(g) == name]
    return slim


def _listing() -> typer.Typer:
    """The app for `ketacost --help`: every command with its name and help text but no
    options. That screen lists commands, never their options, and working out every
    command's options is most of what typer does for it (~20 ms)."""
    import copy

    def bare(info: Any) -> Any:
        callback = info.callback
        if callback is None:
            return info

        def listed() -> None:  # pragma: no cover - never run, only listed
            pass

        listed.__name__ = callback.__name__  # typer names a command after its function
        listed.__doc__ = callback.__doc__
        new = copy.copy(info)
        new.callback = listed
        return new

    slim = copy.copy(app)
    slim.registered_commands = [bare(c) for c in app.registered_commands]
    return slim


def main() -> None:
    args = sys.argv[1:]
    first = next((a for a in args if not a.startswith("-")), None)
    known = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    known |= {_group_name(g) for g in app.registered_groups}
    # Only when the command comes first: `ketacost --no-color estimate ...` and the
    # shell-completion machinery go through the full app.
    try:
        if args and args[0] == first and first in known and "_KETACOST_COMPLETE" not in os.environ:
            _only(first)()
        elif args in (["--help"], ["-h"]):
            _listing()()
        else:
            app()
    except BrokenPipeError:
        _quiet_broken_pipe()
        sys.exit(BROKEN_PIPE_EXIT)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
            sys.exit(BROKEN_PIPE_EXIT)
