"""What one run of the program shares, built once: the language, the config file's
settings, today's date, the price book and the consoles. The root callback makes it;
every command reads it with `of(ctx)`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ketacost.records import record

if TYPE_CHECKING:
    from ketacost.config import Settings


@record(frozen=False)
class Run:
    """One run. `lang_given`: --lang or KETACOST_LANG chose the language, so the
    config file's `lang:` does not."""

    lang_given: bool = False
    _settings: Settings | None = None
    _today: dt.date | None = None

    def settings(self) -> Settings:
        """The config file's settings, read on first use (a run that needs none, such
        as `validate`, never reads it); its `lang:` applies unless one was given."""
        if self._settings is None:
            from ketacost.config import load_settings

            self._settings = load_settings()
            if not self.lang_given and self._settings.lang is not None:
                from ketacost import i18n

                i18n.set_language(self._settings.lang)
        return self._settings

    def configured(self, name: str) -> Any:
        """The config file's value for option `name` (its key in the options table:
        `state`, `clinic.npi`), or None."""
        from ketacost.options import BY_NAME

        key = BY_NAME[name].config
        value: Any = self.settings() if key is not None else None
        for part in (key or "").split("."):
            value = getattr(value, part, None)
        return value

    def today(self) -> dt.date:
        """Today, or the date in KETACOST_TODAY (for a quote as of a given day, and for
        reproducible screenshots and tests)."""
        if self._today is None:
            text = os.environ.get("KETACOST_TODAY")
            if not text:
                self._today = dt.date.today()
            else:
                from ketacost.scenario import parse_date

                self._today = parse_date(text, "KETACOST_TODAY")
        return self._today

    def book(self, path: Path | None) -> tuple[Any, str | None]:
        """The price book: --pricing (or KETACOST_PRICING), else the config file's, else
        the bundled national book; and the path it came from, if not the bundled one."""
        from ketacost.book import pricebook

        if path is None:
            path = self.configured("pricing")
        return pricebook.load(path), (str(path) if path is not None else None)

    def scenario(self, params: dict[str, Any]) -> Any:
        """The validated Scenario from a command's parameters: the start defaults to
        today and the state to the config file's."""
        from ketacost.options import BY_NAME, scenario_values
        from ketacost.scenario import Scenario

        values = scenario_values({k: v for k, v in params.items() if k in BY_NAME})
        if values.get("start") is None:
            values["start"] = self.today()
        if values.get("state") is None:
            values["state"] = self.configured("state")
        return Scenario.from_options(**values)


def of(ctx: Any) -> Run:
    """This run's context, from a command's typer.Context (the root callback made it)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Run):
        root.obj = Run()
    run: Run = root.obj
    return run


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    # emoji=False: no cell holds an emoji code, and looking them up loads rich's
    # table of 3,600 emoji names (~4 ms) on the first plain-string cell.
    made = Console(stderr=stderr, highlight=False, emoji=False)
    # rich ends the program with status 1 when the reader goes away; the edge ends it
    # quietly with 141, as for every other output.
    from ketacost.cli.edge import reader_gone

    made.on_broken_pipe = reader_gone  # type: ignore[method-assign]
    return made
