"""Which output format a command writes: --format, else -o's extension, else the
config file's default, else table."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ketacost.errors import InputError


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


def choice(allowed: tuple[str, ...]) -> type[Enum]:
    """The `--format` choice of a command that writes `allowed`: typer checks a value
    against it, so a refusal lists only what this command can write."""
    if allowed == tuple(f.value for f in Format):
        return Format
    found = _CHOICES.get(allowed)
    if found is None:
        members = [(f.name, f.value) for f in Format if f.value in allowed]
        make: Any = Enum  # the functional API, with members known only here
        found = _CHOICES[allowed] = make("Format", members, type=str)
    return found


# One choice per list of formats: two commands with the same list share it.
_CHOICES: dict[tuple[str, ...], type[Enum]] = {}


class BatchFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


GFE_FORMATS = ("gfe", "gfe-html", "gfe-markdown", "gfe-json")
ESTIMATE_FORMATS = ("table", "json", "csv", "markdown", "html", *GFE_FORMATS)
LIST_FORMATS = ("table", "json", "csv", "markdown", "html")
SCHEDULE_FORMATS = ("table", "json", "csv", "markdown", "html", "ics")
FINANCE_FORMATS = ("table", "json")

if TYPE_CHECKING:
    FinanceFormat = Enum
else:
    # finance's and prices' --format: typer refuses any value but these.
    FinanceFormat = choice(FINANCE_FORMATS)

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
            names = [s for s, f in EXTENSION_FORMATS.items() if given in EXTENSION_FITS[f]]
            raise InputError(
                f"--format {given} does not match -o {shown}: name the file for what it "
                f"holds ({', '.join(names)}), or drop --format to write {implied} ({suffix})",
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


def pick(
    fmt: Enum | None, allowed: tuple[str, ...], settings: Any, output: Path | None = None
) -> Format:
    """The output format: the option (a member of the command's `choice`), else -o's
    extension, else the config file's default, else table."""
    given = str(fmt.value) if fmt is not None else None
    return Format(format_for(given, allowed, output, settings.format))


def gfe_kind(fmt: Format, output: Path | None) -> str:
    """gfe-html, gfe-markdown, gfe-json; plain gfe follows -o's extension (.html/.htm:
    HTML, .json: JSON), else Markdown."""
    if fmt is not Format.gfe:
        return str(fmt.value).removeprefix("gfe-")
    suffix = (output.suffix if output is not None else "").lower()
    return {".html": "html", ".htm": "html", ".pdf": "html", ".json": "json"}.get(
        suffix, "markdown"
    )
