"""The command line: the root of the typer app, and `main`, which registers only the
command a run invokes.

Each command is a module in `ketacost.cli.commands`; a scenario command's options come
from the options table (`ketacost.options`, through `ketacost.cli.params`). Results
leave through `ketacost.cli.deliver`, errors through `ketacost.cli.edge`; a run's shared
state (language, config file, today, price book) is `ketacost.cli.context.Run`.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import Annotated, Any

import typer

from ketacost import __version__
from ketacost.cli import coerce, lighthelp
from ketacost.cli.context import Run
from ketacost.cli.edge import BROKEN_PIPE_EXIT, quiet_broken_pipe, say_error
from ketacost.cli.params import typer_info
from ketacost.errors import KetacostError
from ketacost.options import BY_NAME

coerce.install()  # option values without building pydantic validators (typer >= 0.29)
lighthelp.install()  # help and usage errors without rich's Markdown and traceback modules

# In the order `--help` lists them; each is `ketacost.cli.commands.<name>`.
COMMANDS = (
    "estimate",
    "tips",
    "compare",
    "schedule",
    "finance",
    "batch",
    "guide",
    "prices",
    "plan",
    "validate",
    "rates",
)

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


OVERVIEW = """ketacost {version}: what ketamine treatment for depression costs you, in the US.

Try:
  ketacost guide                                   answer a few questions, get an estimate
  ketacost estimate spravato --insurance commercial
  ketacost compare --insurance commercial          every treatment side by side

More: ketacost --help, or ketacost COMMAND --help. A cost estimate, not medical advice.
"""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ketacost {__version__}")
        raise typer.Exit()


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
    lang: Annotated[str | None, typer_info(BY_NAME["lang"])] = None,
) -> None:
    """Estimate what ketamine treatment for depression costs a US patient."""
    from ketacost import i18n

    if no_color:
        os.environ["NO_COLOR"] = "1"
    # Each run starts from English: --lang, else KETACOST_LANG, else the config file's.
    i18n.set_language(None)
    run = Run()
    try:
        if lang is not None:
            i18n.set_language(lang)
            run.lang_given = True
        elif os.environ.get("KETACOST_LANG"):
            i18n.set_language(os.environ["KETACOST_LANG"])
            run.lang_given = True
    except KetacostError as exc:
        say_error(exc.message)
        raise typer.Exit(2) from None
    ctx.obj = run
    if ctx.invoked_subcommand is None:
        typer.echo(OVERVIEW.format(version=__version__), nl=False)


# The environment variables no option's help names (the README's table has them all).
ENVIRONMENT = (
    "[bold]Environment[/bold]: KETACOST_PRICING (a price book instead of the bundled one), "
    "KETACOST_CONFIG (where the config file is), KETACOST_LANG (en or es), KETACOST_TODAY "
    "(quote as of YYYY-MM-DD), KETACOST_CACHE_DIR (where checked price books are cached; "
    "off: no cache), KETACOST_CHROMIUM (the browser that prints PDFs), KETACOST_DEBUG=1 "
    "(an internal error's traceback), NO_COLOR."
)


def build(names: tuple[str, ...] = COMMANDS) -> typer.Typer:
    """The app with `names` registered. Typer turns every registered command into a
    click command on each run (~28 ms for all of them); a run of one command needs only
    its own, and imports only its module. Usage lines and errors read the same."""
    app = typer.Typer(
        cls=_Group,
        name="ketacost",
        help=(
            "Estimate what ketamine treatment for depression will cost a patient in the US: "
            "cost ranges per treatment phase, with the source of every figure.\n\n"
            "A cost estimate, not medical advice."
        ),
        epilog=ENVIRONMENT,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
        invoke_without_command=True,
        pretty_exceptions_enable=False,
        add_completion=True,
    )
    app.callback()(_root)
    for name in names:
        importlib.import_module(f"ketacost.cli.commands.{name}").register(app)
    return app


@functools.cache
def _full() -> typer.Typer:
    return build()


def __getattr__(name: str) -> Any:
    # `from ketacost.cli.app import app`: every command (tests, screenshots, --help).
    if name == "app":
        return _full()
    raise AttributeError(name)


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

    slim = build()
    slim.registered_commands = [bare(c) for c in slim.registered_commands]
    return slim


def main() -> None:
    args = sys.argv[1:]
    first = next((a for a in args if not a.startswith("-")), None)
    # Only when the command comes first: `ketacost --no-color estimate ...` and the
    # shell-completion machinery go through the full app.
    try:
        if (
            args
            and args[0] == first
            and first in COMMANDS
            and "_KETACOST_COMPLETE" not in os.environ
        ):
            build((first,))()
        elif args in (["--help"], ["-h"]):
            _listing()()
        else:
            build()()
    except BrokenPipeError:
        quiet_broken_pipe()
        sys.exit(BROKEN_PIPE_EXIT)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
            sys.exit(BROKEN_PIPE_EXIT)
