"""`ketacost guide`: the interview (`ketacost.cli.guide`), then the ordinary command."""

from __future__ import annotations

from typing import Any

import typer

from ketacost.cli.context import console, of
from ketacost.cli.edge import handled
from ketacost.cli.params import PricingOpt
from ketacost.i18n import _, language

EPILOG = (
    "[bold]Example[/bold]\n\n"
    "  ketacost guide\n\n"
    "Answer in plain words or numbers; press Enter to accept a default. At the end the "
    "guide prints the estimate and the one-line command that gives it again."
)


def register(app: typer.Typer) -> None:
    app.command(name="guide", epilog=EPILOG)(handled(guide))


def guide(ctx: typer.Context, pricing: PricingOpt = None) -> None:
    """Answer a few plain questions and get your estimate: no options to learn."""
    import sys

    from ketacost.cli.commands import compare, estimate
    from ketacost.cli.guide import Answers, Interview, rich_io
    from ketacost.errors import InputError

    if sys.stdin is None or sys.stdin.closed:  # `ketacost guide <&-`: no one to answer
        raise InputError("the guide asks questions: it needs answers on standard input")
    # The config file first: its language is the interview's from the first question,
    # and a broken one stops the guide before any question is asked.
    of(ctx).settings()
    out = console(stderr=True)
    ask, say = rich_io(out)

    def hsa_refused(so_far: Answers) -> str | None:
        """The estimate's own refusal of --hsa with these answers, or None."""
        trial = Answers(so_far.command, so_far.treatment or "iv", {**so_far.options, "--hsa": None})
        run = of(ctx)
        try:
            run.scenario({"pricing": pricing, **trial.params()}).resolved(run.book(pricing)[0])
        except InputError as exc:
            return exc.message if exc.param == "--hsa" else None
        return None

    try:
        answers = Interview(ask, say, hsa_refused).run()
    except (EOFError, KeyboardInterrupt):
        raise InputError(
            "the guide stopped before all questions were answered", param="guide"
        ) from None
    params: dict[str, Any] = {"pricing": pricing, **answers.params()}
    say("\n" + _("The same estimate next time, in one line:"))
    # The command itself is never wrapped: it is copied and pasted as one line.
    line = answers.command_line(language())
    out.print(f"  {line}\n", soft_wrap=True, markup=False, highlight=False)
    if answers.command == "compare":
        compare.run(of(ctx), params)
    else:
        estimate.run(of(ctx), params)
