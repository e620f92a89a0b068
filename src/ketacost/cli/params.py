"""Typer parameters made from the options table (`ketacost.options`), so no command
signature lists them: `define` registers a command whose signature is built from the
table, and `command_line` writes the one-line command for the same patient."""

from __future__ import annotations

import inspect
import shlex
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ketacost.cli.context import Run, of
from ketacost.cli.edge import handled
from ketacost.cli.formats import choice
from ketacost.options import Option, for_command

# Options that shape a file, not the quote: a follow-up command leaves them out.
_NOT_CARRIED = frozenset({"treatment", "fmt", "output", "force"})


def _annotation(o: Option, formats: Sequence[str] = ()) -> Any:
    optional = o.default is None
    base: Any
    if o.kind == "count":
        base = int
    elif o.kind in ("flag", "switch"):
        base = bool
    elif o.kind == "list":
        return list[str] | None
    elif o.kind == "book":
        return Path
    elif o.kind == "output":
        return Path | None
    elif o.kind == "format":
        return choice(tuple(formats)) | None
    else:
        base = str
    return base | None if optional else base


def typer_info(o: Option, formats: Sequence[str] = ()) -> Any:
    """The typer.Argument or typer.Option for one option."""
    from ketacost.cli.complete import BY_SOURCE

    complete = BY_SOURCE[o.complete] if o.complete else None
    if o.kind == "treatment":
        return typer.Argument(
            metavar=o.metavar, help=o.help, show_default=False, autocompletion=complete
        )
    decls = (o.decl,) if o.kind == "switch" else o.flags
    extra: dict[str, Any] = {}
    if o.env is not None:
        extra.update(envvar=o.env, show_envvar=False)
    if o.kind == "format":
        extra["case_sensitive"] = False
    return typer.Option(
        *decls,
        metavar=o.metavar,
        help=o.help.format(formats=", ".join(formats)),
        show_default=o.show_default,
        rich_help_panel=o.panel,
        autocompletion=complete,
        **extra,
    )


def parameter(name: str, annotation: Any, info: Any, default: Any = inspect.Parameter.empty) -> Any:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, info],
    )


def table_parameters(command: str, formats: Sequence[str] = ()) -> list[inspect.Parameter]:
    params = []
    for o in for_command(command):
        default = inspect.Parameter.empty if o.kind == "treatment" else o.default
        annotation = _annotation(o, formats)
        params.append(parameter(o.name, annotation, typer_info(o, formats), default))
    return params


def define(
    app: typer.Typer,
    name: str,
    run: Callable[[Run, dict[str, Any]], None],
    *,
    doc: str,
    epilog: str,
    formats: Sequence[str] = (),
    before: Sequence[inspect.Parameter] = (),
) -> None:
    """Register `name` on `app`: its parameters are the table's options for it (after
    `before`), and `run` gets the run's context and their values by name."""

    def command(ctx: typer.Context, **values: Any) -> None:
        run(of(ctx), values)

    context = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )
    params = [context, *before, *table_parameters(name, formats)]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = command.__qualname__ = name
    command.__doc__ = doc
    app.command(name=name, epilog=epilog)(handled(command))


def command_line(command: str, treatment: str, params: dict[str, Any]) -> str:
    """The one-line command that runs `command` for the same patient: every option of
    that command whose value here differs from its default, quoted for a shell."""
    words = ["ketacost", command, treatment]
    for o in for_command(command):
        if o.name in _NOT_CARRIED:
            continue
        value = params.get(o.name)
        if value is None or value == o.default:
            continue
        if isinstance(value, Enum):
            value = value.value
        if o.kind in ("flag", "switch"):
            if value:
                words.append(o.flags[0])
            elif len(o.flags) > 1:
                words.append(o.flags[1])
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            words += [o.flags[0], str(v)]
    from ketacost import i18n

    if i18n.language() != "en":  # a global option: carry it, or the tips come in English
        words += ["--lang", i18n.language()]
    return " ".join(shlex.quote(w) for w in words)


def _table_info(name: str, formats: Sequence[str] = ()) -> Any:
    from ketacost.options import BY_NAME

    return typer_info(BY_NAME[name], formats)


# The table's options for commands whose other parameters are their own.
PricingOpt = Annotated[Path | None, _table_info("pricing")]
OutputOpt = Annotated[Path | None, _table_info("output")]
ForceOpt = Annotated[bool, _table_info("force")]


def format_info(formats: Sequence[str]) -> Any:
    """--format listing a command's own formats."""
    return _table_info("fmt", formats)
