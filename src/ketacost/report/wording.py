"""Words and rows every renderer shares, so the formats say the same thing: the
disclaimer, ranges, session counts, what a tip saves, the payer, the month note."""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import Triple, fmt_money
from ketacost.book.pricebook import Source
from ketacost.engine.results import Estimate
from ketacost.i18n import N_, _, book, fmt_date, fmt_month, t

DISCLAIMER = N_("A cost estimate, not medical advice.")
# What follows the disclaimer, by report: the table, the Markdown and the HTML estimate
# each close with their own sentence (each one translated as a whole).
ASK_PRESCRIBER = N_("Ask your prescriber which treatment suits you.")
PRESCRIBER_SAYS = N_("Which treatment suits you is for your prescriber to say.")
PRESCRIBER_AND_WRITTEN_ESTIMATE = N_(
    "Which treatment suits you is for your prescriber to say. Prices vary by clinic; "
    "ask for a written estimate."
)


def money_range(m: Triple[Decimal]) -> str:
    """'$500.00' when the cases agree, else '$300.00 to $1,000.00'."""
    if m.is_point:
        return fmt_money(m.typical)
    return t("{low} to {high}", low=fmt_money(m.low), high=fmt_money(m.high))


def low_to_high(m: Triple[Decimal]) -> str:
    """'$300.00 to $1,000.00' always, in English: the compare tables, written in English."""
    return f"{fmt_money(m.low)} to {fmt_money(m.high)}"


def count_dots(n: Triple[int]) -> str:
    """A count in the terminal table: '6', or '4 · 6 · 8' (low, typical, high)."""
    return str(n.typical) if n.is_point else f"{n.low} · {n.typical} · {n.high}"


def count_range(n: Triple[int]) -> str:
    """A count in Markdown: '6', or '4 to 8 (typical 6)'."""
    if n.is_point:
        return str(n.typical)
    return t("{low} to {high} (typical {typical})", **n.json_count())


def count_range_short(n: Triple[int]) -> str:
    """A count in an HTML table cell, where space is short: '6', or '4 to 8 (6)'."""
    return str(n.typical) if n.is_point else t("{low} to {high} ({typical})", **n.json_count())


def saves_about(saves: Triple[Decimal]) -> str:
    """'saves about $120.00': the typical saving of a tip."""
    return t("saves about {amount}", amount=fmt_money(saves.typical))


def saves_range(saves: Triple[Decimal]) -> str:
    """' ($80.00 to $150.00)' after `saves_about`, or nothing when the cases agree."""
    if saves.is_point:
        return ""
    return t(" ({low} to {high})", low=fmt_money(saves.low), high=fmt_money(saves.high))


def age_words(days: int) -> str:
    """How old the price book is: '12 days old', '14 months old'."""
    if days < 0:
        return _("dated in the future")
    if days < 60:
        return t("{n} days old", n=days)
    return t("{n} months old", n=days // 30)


def horizon(est: Estimate) -> str:
    """ "12 months from 27 Nov 2026 to 26 Nov 2027": the span every report heads with."""
    return t(
        "{months} months from {start} to {last}",
        months=est.scenario.months,
        start=fmt_date(est.scenario.start),
        last=fmt_date(est.last_day),
    )


def oldest_label(est: Estimate) -> str:
    """'oldest figure used: 2019-03-22, 7 years old (treatments.spravato.drug.device_price)'."""
    if est.oldest_figure is None:
        return ""
    path, date, age = est.oldest_figure
    return t("oldest figure used: {date}, {age} ({path})", date=fmt_date(date), age=age, path=path)


def payer_label(est: Estimate) -> str:
    sc = est.scenario
    if sc.insurance == "none":
        return _("self-pay")
    where = ""
    if sc.insurance == "commercial":
        where = _(", in network") if sc.network == "in" else _(", out of network (superbill)")
    gap = f" + Medigap {sc.medigap}" if sc.medigap != "none" else ""
    payer = {
        "commercial": N_("commercial"),
        "medicare": N_("medicare"),
        "medicare-advantage": N_("medicare-advantage"),
        "medicaid": N_("medicaid"),
    }
    return f"{_(payer.get(sc.insurance, sc.insurance))}{gap}{where}"


def split_rows(est: Estimate) -> list[tuple[str, Triple[Decimal]]]:
    """The totals section, in reading order: who pays what, then what you pay. The
    names are English keys (renderers compare them); show them through `_()`."""
    t, sc = est.totals, est.scenario
    rows: list[tuple[str, Triple[Decimal]]] = []
    if sc.insurance != "none":
        rows.append((N_("Billed"), t.billed))
        if any(est.secondary_paid):
            rows.append((N_("Primary plan pays"), est.primary_paid))
            rows.append((N_("Secondary plan pays"), est.secondary_paid))
        else:
            rows.append((N_("Insurer pays"), t.insurer))
        if any(t.assistance):
            rows.append((N_("Savings program"), t.assistance))
        if sc.network == "out":
            rows.append((N_("Paid up front"), t.split.upfront))
            rows.append((N_("Reimbursed later"), t.split.reimbursed))
    rows.append((N_("You pay (net)") if sc.network == "out" else N_("You pay"), t.patient))
    if any(t.tax_savings):
        saved = N_("Tax saved (HSA)") if sc.hsa else N_("Tax saved (FSA)")
        rows.append((saved, Triple(*(-x for x in t.tax_savings))))
        rows.append((N_("Net after tax"), t.net))
    rows.append((AVERAGE_MONTH, est.per_month()))
    return rows


AVERAGE_MONTH = N_("Average a month")


def _month_name(key: str) -> str:
    year, month = key.split("-")
    return fmt_month(int(year), int(month))


def month_note(est: Estimate) -> str:
    """The months a patient budgets for: the first, the dearest, and the average (which
    is not a bill), from the typical scenario's month-by-month figures."""
    first, high = est.first_month, est.highest_month
    if first is None or high is None:
        return ""
    return t(
        "Typical month by month: first month ({first}) {first_pays}; highest month "
        "({high}) {high_pays}; average {average} a month over the horizon. "
        "'ketacost schedule' lists every visit.",
        first=_month_name(first.month),
        first_pays=fmt_money(first.patient),
        high=_month_name(high.month),
        high_pays=fmt_money(high.patient),
        average=fmt_money(est.per_month().typical),
    )


def ref_ranges(nums: tuple[int, ...] | list[int]) -> str:
    """'1-4,7' for 1, 2, 3, 4, 7: compact source references."""
    runs: list[list[int]] = []
    for n in sorted(nums):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _minutes(n: Triple[int]) -> str:
    if n.is_point:
        return t("{n} min", n=n.typical)
    return t("{n} min ({low} to {high})", n=n.typical, low=n.low, high=n.high)


def at_home(est: Estimate) -> bool:
    return "home" in est.setting.lower()


def practical_lines(est: Estimate) -> list[str]:
    """What a visit takes beyond money, in every format of an estimate: how long, how
    long the patient is watched, the ride home, and the price book's own note (for a
    home treatment: who must be there, and no driving)."""
    pr = est.practical
    home = at_home(est)
    per, minutes = _(est.session_label), _minutes(pr.visit_minutes)
    if home:
        visit = t("Taken at home: about {minutes} of your time per {per}", minutes=minutes, per=per)
    else:
        visit = t("Each {per}: about {minutes}", per=per, minutes=minutes)
    if pr.observation_minutes.typical:
        watched = _minutes(pr.observation_minutes)
        visit += t(", including {minutes} of observation", minutes=watched)
    visit += "."
    lines = [visit]
    if pr.needs_ride:
        lines.append(_("You need a ride home."))
    elif not home:
        lines.append(_("No ride home needed."))
    if pr.ride_note:
        lines.append(book(pr.ride_note))
    if home:
        lines.append(_("Do not drive after a dose until the next day."))
    return lines


def source_when(s: Source) -> str:
    """A source's date as a reader wants it (as `Source.when`), in the language."""
    if s.published is not None:
        return fmt_date(s.published)
    return t("no date; read {date}", date=fmt_date(s.accessed))
