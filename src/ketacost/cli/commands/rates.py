"""`ketacost rates ...`: its commands live in `ketacost.rates.cli`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from ketacost.rates.cli import rates_app

    app.add_typer(rates_app, name="rates")
