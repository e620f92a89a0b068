"""Rich tables for the terminal. Imported only when a table is printed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ketacost.amounts import fmt_money, fmt_pct, fmt_price
from ketacost.book.pricebook import (
    Figure,
    Flag,
    GpciTable,
    Node,
    PriceBook,
    ServiceCode,
    Source,
    iter_figures,
)
from ketacost.engine.results import Estimate
from ketacost.engine.visits import Visit, calendar_totals, monthly_running
from ketacost.i18n import _, book, fmt_date, fmt_weekday_date, t
from ketacost.paying.financing import FinancePlan
from ketacost.report.fasttable import FastTable
from ketacost.report.wording import (
    ASK_PRESCRIBER,
    AVERAGE_MONTH,
    DISCLAIMER,
    age_words,
    count_dots,
    horizon,
    low_to_high,
    money_range,
    month_note,
    oldest_label,
    payer_label,
    practical_lines,
    ref_ranges,
    saves_about,
    source_when,
    split_rows,
)
from ketacost.whatif.compare import Row
from ketacost.whatif.tip import Tip


def _refs(nums: Iterable[int]) -> str:
    text = ref_ranges(list(nums))
    return f" [{text}]" if text else ""


def source_text(s: Source) -> Text:
    line = Text(s.title)
    line.append(f" — {s.url}", style="cyan")
    line.append(f" ({source_when(s)})", style="dim")
    return line


def estimate_renderable(est: Estimate, tips_command: str = "ketacost tips") -> RenderableType:
    head = Text()
    head.append(f"{est.treatment_name}", style="bold")
    head.append(t(" — cost estimate, {payer}", payer=payer_label(est)) + "\n")
    head.append(horizon(est))
    head.append(f" · {book(est.setting)}\n", style="dim")
    head.append(
        t(
            "Price book as of {date} ({age})",
            date=fmt_date(est.as_of),
            age=age_words(est.book_age_days),
        ),
        style="yellow" if est.stale else "dim",
    )
    if est.oldest_figure is not None:
        head.append(f"; {oldest_label(est)}", style="yellow" if est.stale_figures else "dim")
    head.append("\n" + " ".join(practical_lines(est)) + "\n", style="dim")

    table = FastTable(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title=_("What you pay"),
        title_justify="left",
        title_style="bold",
    )
    table.add_column(_("Phase"), overflow="fold")
    table.add_column(_("Sessions"), justify="right", no_wrap=True)
    table.add_column(_("Low"), justify="right", no_wrap=True)
    table.add_column(_("Typical"), justify="right", no_wrap=True)
    table.add_column(_("High"), justify="right", no_wrap=True)

    for p in est.phases:
        label = Text(p.label, style="bold")
        label.append(_refs(p.refs), style="dim")
        detail = "\n" + t(
            "{price} per {per}", price=money_range(p.unit_price), per=est.session_label
        )
        if p.interval_weeks is not None:
            gap = p.interval_weeks
            weeks = (
                str(gap.typical)
                if gap.is_point
                else t("{low} to {high}", low=gap.high, high=gap.low)
            )
            detail += t(", every {weeks} wk", weeks=weeks)
        if any(p.discount):
            detail += t(", less {amount} discount", amount=money_range(p.discount))
        label.append(detail, style="dim")
        table.add_row(label, count_dots(p.sessions), *(fmt_money(x) for x in p.split.patient))
    for f in est.fees:
        label = Text(f.label, style="bold")
        label.append(_refs(f.refs), style="dim")
        table.add_row(label, "", *(fmt_money(x) for x in f.split.patient))
    tot = est.totals
    table.add_section()
    for name, tri in split_rows(est):
        strong = name.startswith(("You pay", "Net after tax"))
        style = "bold" if strong else ("dim" if name == AVERAGE_MONTH else "")
        first_total = "Billed" if est.scenario.insurance != "none" else "You pay"
        count = count_dots(tot.sessions) if name == first_total else ""
        table.add_row(
            Text(_(name), style=style), count, *(Text(fmt_money(x), style=style) for x in tri)
        )
    indirect = est.indirect
    if indirect is not None:
        table.add_section()
        table.add_row(Text(_("Around each visit"), style="bold"), count_dots(indirect.visits))
        for name, tri in (
            (_("Rides home"), indirect.rides),
            (_("Travel"), indirect.travel),
            (_("Time off work"), indirect.time_off),
        ):
            if any(tri):
                table.add_row(f"  {name}", "", *(fmt_money(x) for x in tri))
        if est.with_indirect is not None:
            table.add_row(
                Text(_("Total with these"), style="bold"),
                "",
                *(Text(fmt_money(x), style="bold") for x in est.with_indirect),
            )
    fin = est.financing
    if fin is not None:
        table.add_section()
        table.add_row(Text(t("Financed: {label}", label=fin.label), style="bold"))
        table.add_row(
            "  " + t("Monthly, {n} months", n=fin.months),
            "",
            *(fmt_money(x) for x in fin.monthly_payment),
        )
        table.add_row("  " + _("Interest"), "", *(fmt_money(x) for x in fin.total_interest))
        table.add_row("  " + _("Total paid"), "", *(fmt_money(x) for x in fin.total_paid))

    months = Text(month_note(est), style="dim")
    notes = _hanging([("•", Text(a)) for a in est.assumptions])
    refs = _hanging([(f"[{n}]", source_text(s)) for n, s in enumerate(est.sources, start=1)])
    footer = Text(
        f"\n{_(DISCLAIMER)} " + _(ASK_PRESCRIBER),
        style="italic",
    )
    tips: list[RenderableType] = []
    if est.tips:
        tips = [Text(""), tips_renderable(est.tips, limit=3, more_command=tips_command)]
    return Group(
        head,
        table,
        months,
        *tips,
        Text("\n" + _("Assumptions"), style="bold"),
        notes,
        Text("\n" + _("Sources"), style="bold"),
        refs,
        footer,
    )


def _hanging(rows: list[tuple[str, Text]]) -> Table:
    """A marker column and a text column, so wrapped lines stay indented."""
    grid = FastTable.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for marker, text in rows:
        grid.add_row(Text(marker), text)  # a Text: "[1]" is no markup to look for
    return grid


def prices_renderable(book: PriceBook, treatment: str | None) -> RenderableType:
    """Every figure as a short block: its name and range on one line, then where it
    comes from and how old that is. Names are never broken: a line that does not fit
    wraps between words, and the longest name is far shorter than 80 columns."""
    head = Text(f"{book.title}\n", style="bold")
    head.append(f"{book.region} · {book.currency} · as of {book.as_of.isoformat()}", style="dim")
    head.append(
        "\nRanges read low · typical · high. For gaps between sessions and for discounts "
        "the low value is the dearer case.",
        style="dim",
    )
    from ketacost.book.freshness import Dates

    dates = Dates(book)
    rows: list[RenderableType] = []
    group = None
    for path, node in iter_figures(book):
        if treatment is not None and not path.startswith(f"treatments.{treatment}."):
            continue
        parts = path.split(".")
        depth = 2 if parts[0] == "treatments" else 1
        here, name = ".".join(parts[:depth]), ".".join(parts[depth:])
        if here != group:
            if group == "treatments.spravato":
                rows.extend(_spravato_rows(book))
            group = here
            rows.append(Text(f"\n{here}", style="bold underline"))
        line = Text(name, style="bold")
        line.append(f"  {_figure_range(node)}")
        unit = _unit(node)
        if unit not in ("code", "yes/no", "index"):
            line.append(f" {unit}", style="dim")
        line.append(f" · {node.basis}", style="dim")
        rows.append(line)
        if node.derived_from:
            rests = dates.of_path(path)
            rows.append(
                _detail(f"from {', '.join(node.derived_from)} · rests on {rests.date.isoformat()}")
            )
        src = node.sources[0]
        more = f" +{len(node.sources) - 1}" if len(node.sources) > 1 else ""
        newest = node.newest_published
        dated = f"newest {newest.isoformat()}" if newest else "no dated source"
        rows.append(
            _detail(f"{_domain(src.url)}{more} · {dated} · checked {node.checked.isoformat()}")
        )
    if group == "treatments.spravato":
        rows.extend(_spravato_rows(book))
    foot = Text("Full titles, links and notes: ketacost prices --format json", style="dim")
    return Group(head, *rows, foot)


def _detail(text: str) -> RenderableType:
    """A dim line under a figure, indented; wrapped lines keep the indent."""
    return Padding(Text(text, style="dim"), (0, 0, 0, 2))


def _spravato_rows(book: PriceBook) -> list[RenderableType]:
    from ketacost.book.pricebook import spravato_all_in

    out: list[RenderableType] = [Text("per treatment, all in", style="bold")]
    for mg in (56, 84):
        v = spravato_all_in(book, mg)
        line = Text(f"{mg} mg: ")
        line.append(" · ".join(fmt_money(v[c]) for c in ("low", "typical", "high")))
        line.append(" (drug + administration and observation)", style="dim")
        out.append(Padding(line, (0, 0, 0, 2)))
    return out


def _domain(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def _unit(node: Node) -> str:
    if isinstance(node, Figure):
        return node.unit
    if isinstance(node, GpciTable):
        return "index"
    return "code" if isinstance(node, ServiceCode) else "yes/no"


def _figure_range(node: Node) -> str:
    if isinstance(node, ServiceCode):
        return node.code
    if isinstance(node, GpciTable):
        return f"{len(node.localities)} localities"
    if isinstance(node, Flag):
        return "yes" if node.value else "no"
    money = node.unit.startswith("USD")

    def show(x: Decimal) -> str:
        return fmt_price(x) if money else f"{x:,}"

    if node.value is not None:
        return show(node.value)
    return " · ".join(show(node.get(c)) for c in ("low", "typical", "high"))


def finance_renderable(
    plan: FinancePlan, preset: str | None, notes: list[str], warnings: list[str]
) -> RenderableType:
    kind = "deferred-interest promotion" if plan.deferred else "installment plan"
    head = Text(f"Financing {fmt_money(plan.amount)}", style="bold")
    head.append(f" — {kind}, {plan.months} months at {fmt_pct(plan.apr)} APR")
    if preset:
        head.append(f" ({preset})", style="dim")
    summary = FastTable.grid(padding=(0, 2))
    summary.add_column()
    summary.add_column(justify="right")
    summary.add_row("Monthly payment", Text(fmt_money(plan.monthly_payment), style="bold"))
    summary.add_row("Total interest", fmt_money(plan.total_interest))
    summary.add_row("Total paid", Text(fmt_money(plan.total_paid), style="bold"))
    summary.add_row("Months to pay", str(plan.months_to_pay))
    table = FastTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in ("Month", "Payment", "Interest", "Principal", "Balance"):
        table.add_column(name, justify="right", no_wrap=True)
    for m in plan.schedule:
        table.add_row(
            str(m.month),
            fmt_money(m.payment),
            fmt_money(m.interest),
            fmt_money(m.principal),
            fmt_money(m.balance),
        )
    parts: list[RenderableType] = [head, Text(""), summary, Text(""), table]
    for w in warnings:
        parts.append(Text(f"Warning: {w}", style="bold yellow"))
    if notes:
        parts.append(_hanging([("•", Text(n)) for n in notes]))
    return Group(*parts)


def schedule_renderable(est: Estimate, visits: list[Visit]) -> RenderableType:
    sc = est.scenario
    head = Text(f"{est.treatment_name}", style="bold")
    head.append(t(" — visit calendar, {payer}, typical scenario", payer=payer_label(est)) + "\n")
    head.append(
        t(
            "{n} visits from {start} · price book as of {date}",
            n=calendar_totals(visits).visits,
            start=fmt_date(sc.start),
            date=fmt_date(est.as_of),
        ),
        style="dim",
    )
    table = FastTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Visit"), overflow="fold")
    table.add_column(_("Billed"), justify="right", no_wrap=True)
    table.add_column(_("You pay"), justify="right", no_wrap=True)
    table.add_column(_("Running"), justify="right", no_wrap=True)
    for v in visits:
        if v.plan_year_reset:
            table.add_row(
                "",
                "",
                Text(_("New plan year: the deductible starts again"), style="bold yellow"),
            )
        what = Text(" + ".join(v.phases))
        bits = []
        if v.visit_minutes is not None:
            bits.append(t("{n} min", n=v.visit_minutes))
        if v.observation_minutes:
            bits.append(t("{n} observed", n=v.observation_minutes))
        if v.needs_ride:
            bits.append(_("ride"))
        if bits:
            what.append(f" ({', '.join(bits)})", style="dim")
        table.add_row(
            str(v.number),
            fmt_weekday_date(v.date),
            what,
            fmt_money(v.billed),
            fmt_money(v.patient),
            fmt_money(v.running_total),
        )
    chart = _bar_chart(monthly_running(visits, sc.start, est.end))
    return Group(
        head,
        table,
        Text(_("Running total by month"), style="bold"),
        chart,
        Text(f"\n{_(DISCLAIMER)}", style="italic"),
    )


def _bar_chart(months: list[tuple[str, Decimal]], width: int = 30) -> Table:
    top = max((v for _, v in months), default=Decimal(0))
    grid = FastTable.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for label, value in months:
        cells = int(value / top * width) if top > 0 else 0
        grid.add_row(
            label, Text("█" * cells + "·" * (width - cells), style="cyan"), fmt_money(value)
        )
    return grid


def tips_renderable(
    tips: tuple[Tip, ...] | list[Tip],
    limit: int | None = None,
    heading: str | None = None,
    more_command: str = "ketacost tips",
) -> RenderableType:
    heading = heading if heading is not None else _("Ways to pay less")
    shown = list(tips)[:limit] if limit else list(tips)
    if not shown:
        return Text(
            t("{heading}: none found that save money in this situation.", heading=heading),
            style="dim",
        )
    grid = FastTable.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for n, tip in enumerate(shown, start=1):
        body = Text()
        body.append(tip.title, style="bold")
        saves = tip.saves
        body.append(" — " + saves_about(saves))
        if saves.low < 0:
            body.append(
                t(
                    " (up to {high}; in some scenarios it costs more)",
                    high=fmt_money(saves.high),
                ),
                style="dim",
            )
        elif not saves.is_point:
            body.append(
                t(" ({low} to {high})", low=fmt_money(saves.low), high=fmt_money(saves.high)),
                style="dim",
            )
        body.append(f"\n{tip.how}")
        if tip.sources:
            body.append(
                "\n" + _("Source:") + " " + "; ".join(_domain(s.url) for s in tip.sources[:3]),
                style="dim",
            )
        grid.add_row(f"{n}.", body)
    more = len(tips) - len(shown)
    parts: list[RenderableType] = [Text(heading, style="bold"), grid]
    if more > 0:
        parts.append(Text(t("... and {n} more:", n=more), style="dim"))
        parts.append(ShellCommand(more_command))
    return Group(*parts)


class ShellCommand:
    """A command line that pastes as it stands: wrapped only between words, each
    broken line ending in a shell continuation (a backslash)."""

    def __init__(self, command: str, indent: str = "  ") -> None:
        self.command, self.indent = command, indent

    def __rich_console__(self, console: Any, options: Any) -> Any:
        import shlex

        width = max(20, options.max_width - len(self.indent) - 2)
        words = shlex.split(self.command)
        lines: list[str] = []
        current = ""
        for word in (shlex.quote(w) for w in words):
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = "  " + word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
        for n, line in enumerate(lines):
            tail = " \\" if n < len(lines) - 1 else ""
            yield Text(f"{self.indent}{line}{tail}", style="dim", no_wrap=True)


def compare_renderable(rows: list[Row], situation: str) -> RenderableType:
    head = Text("Every treatment, same situation", style="bold")
    head.append(f" — {situation}\n")
    table = FastTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    # The name column takes the slack; the figures never wrap.
    table.add_column("Treatment", overflow="fold", ratio=1, min_width=18)
    table.add_column("Visits", justify="right", no_wrap=True)
    table.add_column("Billed", justify="right", no_wrap=True)
    table.add_column("You pay", justify="right", no_wrap=True)
    table.add_column("1st month", justify="right", no_wrap=True)
    table.add_column("Avg/month", justify="right", no_wrap=True)
    for row in rows:
        est = row.estimate
        t = est.totals
        name = Text(est.treatment_name, style="bold")
        if row.cheapest:
            name.append(" (lowest)", style="bold green")
        details = [
            f"{est.setting}; {row.coverage}",
            f"you pay {low_to_high(t.net)}",
        ]
        if any(t.insurer):
            details.append(f"insurer pays {fmt_money(t.insurer.typical)}")
        if any(t.assistance):
            details.append(f"savings program pays {fmt_money(t.assistance.typical)}")
        name.append("\n" + "\n".join(details), style="dim")
        table.add_row(
            name,
            str(t.sessions.typical),
            fmt_money(t.billed.typical),
            Text(fmt_money(t.net.typical), style="bold"),
            fmt_money(est.first_month_patient),
            fmt_money(est.per_month().typical),
        )
        table.add_row()
    note = Text(
        "Typical figures, with each treatment's range from the cheapest to the dearest "
        "scenario. 1st month: what falls due in the first calendar month; Avg/month: the "
        "total spread evenly over the horizon, not a bill. Which treatment suits you is a "
        "question for your prescriber.",
        style="dim",
    )
    return Group(head, table, note, Text(DISCLAIMER, style="italic"))


def print_to(console: Console, renderable: RenderableType) -> None:
    console.print(renderable, soft_wrap=False)
