"""`ketacost estimate`: cost per phase, who pays what, tips; also a Good Faith Estimate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ketacost.cli.context import Run
from ketacost.cli.deliver import deliver, warn
from ketacost.cli.formats import ESTIMATE_FORMATS, GFE_FORMATS, Format, gfe_kind, pick
from ketacost.cli.params import command_line, define

EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  ketacost estimate iv\n\n"
    "  ketacost estimate iv --price 500 --sessions 6 --no-maintenance --consult 0\n\n"
    "  ketacost estimate spravato --insurance commercial --deductible 500\n\n"
    "  ketacost estimate iv --format html -o quote.html --patient 'A. Patient'\n\n"
    "  ketacost estimate iv --format gfe -o gfe.md --patient 'A. Patient' --dob 1980-05-01\n\n"
    "  ketacost estimate spravato --format gfe-html -o gfe.html --price 1200 --dose 84 "
    "--clinic-name 'Example Clinic' --npi 1234567893 --tin 12-3456789 --diagnosis F33.2"
)


def register(app: typer.Typer) -> None:
    define(
        app,
        "estimate",
        run,
        doc="Cost range per treatment phase, split between insurer and you, with sources.",
        epilog=EPILOG,
        formats=ESTIMATE_FORMATS,
    )


def _check_dob(dob: str | None, today: Any) -> str | None:
    if dob is None:
        return None
    from ketacost.engine.goodfaith import parse_dob

    return parse_dob(dob, today).isoformat()


def _gfe_who(ctx: Run, params: dict[str, Any]) -> dict[str, Any]:
    """Who the GFE is from and for: the options, else the config file, checked."""
    from ketacost.config import config_path
    from ketacost.engine.goodfaith import Provider, check_icd10, check_npi, check_text, check_tin
    from ketacost.options import BY_NAME

    settings = ctx.settings()
    where = str(config_path())

    def pick_one(name: str, check: Any) -> Any:
        option = BY_NAME[name]
        given = params.get(name)
        if given is not None:
            return check(given, option.says)
        configured = ctx.configured(name)
        if configured is None:
            return None
        return check(str(configured), f"{where}: {option.config}")

    state = params.get("state") or settings.clinic.state or settings.state
    provider = Provider(
        name=pick_one("clinic_name", check_text),
        npi=pick_one("npi", check_npi),
        tin=pick_one("tin", check_tin),
        address=pick_one("clinic_address", check_text),
        phone=settings.clinic.phone,
        state=state.strip().upper() if state else None,
    )
    given = params.get("diagnosis") or []
    codes = [check_icd10(x) for x in given] or [
        check_icd10(x, f"{where}: diagnosis") for x in ctx.configured("diagnosis")
    ]
    patient = params.get("patient")
    return {
        "provider": provider,
        "patient": check_text(patient, "--patient") if patient is not None else None,
        "diagnoses": tuple(dict.fromkeys(codes)),
    }


def run(ctx: Run, params: dict[str, Any]) -> None:
    """The estimate command's work, from its parameters (also used by `guide`)."""
    from ketacost.api import quote

    scenario = ctx.scenario(params)
    fmt, pricing, dob = params.get("fmt"), params.get("pricing"), params.get("dob")
    output: Path | None = params.get("output")
    force, patient = params.get("force", False), params.get("patient")
    settings = ctx.settings()
    chosen = pick(fmt, ESTIMATE_FORMATS, settings, output)
    birth = _check_dob(dob, ctx.today())
    book, book_path = ctx.book(pricing)
    who: dict[str, Any] | None = None
    if chosen.value in GFE_FORMATS:
        from ketacost.engine.goodfaith import check_self_pay, needs_clinic_prices

        check_self_pay(scenario.insurance)
        needs_clinic_prices(scenario.price is not None, book_path)
        who = _gfe_who(ctx, params)
    resolved = scenario.resolved(book)
    est = quote(book, resolved, book_path=book_path, today=ctx.today())
    warn(est.warnings)
    show_tips = params.get("tips")
    if not (ctx.configured("tips") if show_tips is None else show_tips):
        from ketacost import records

        est = records.replace(est, tips=())

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
            est, clinic=settings.clinic, patient=patient, dob=birth, today=ctx.today()
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
            today=ctx.today(),
            national=national,
        )
        if doc.confirm:
            warn([f"confirm before sending: {len(doc.confirm)} figure(s) are not the clinic's"])
        kind = gfe_kind(chosen, output)
        render = {"html": gfe.gfe_html, "json": gfe.gfe_json}.get(kind, gfe.gfe_markdown)
        return render(doc)

    deliver(
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
