"""Words and rows every renderer shares, so the formats say the same thing."""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import Triple, fmt_money
from ketacost.estimate import Estimate


def oldest_label(est: Estimate) -> str:
    """'oldest figure used: 2019-03-22, 7 years old (treatments.spravato.drug.device_price)'."""
    if est.oldest_figure is None:
        return ""
    path, date, age = est.oldest_figure
    return f"oldest figure used: {date.isoformat()}, {age} ({path})"


def payer_label(est: Estimate) -> str:
    sc = est.scenario
    if sc.insurance == "none":
        return "self-pay"
    where = ""
    if sc.insurance == "commercial":
        where = ", in network" if sc.network == "in" else ", out of network (superbill)"
    gap = f" + Medigap {sc.medigap}" if sc.medigap != "none" else ""
    return f"{sc.insurance}{gap}{where}"


def split_rows(est: Estimate) -> list[tuple[str, Triple[Decimal]]]:
    """The totals section, in reading order: who pays what, then what you pay."""
    t, sc = est.totals, est.scenario
    rows: list[tuple[str, Triple[Decimal]]] = []
    if sc.insurance != "none":
        rows.append(("Billed", t.billed))
        if any(est.secondary_paid):
            primary = Triple(*(i - s for i, s in zip(t.insurer, est.secondary_paid, strict=True)))
            rows.append(("Primary plan pays", primary))
            rows.append(("Secondary plan pays", est.secondary_paid))
        else:
            rows.append(("Insurer pays", t.insurer))
        if any(t.assistance):
            rows.append(("Savings program", t.assistance))
        if sc.network == "out":
            rows.append(("Paid up front", t.split.upfront))
            rows.append(("Reimbursed later", t.split.reimbursed))
    rows.append(("You pay (net)" if sc.network == "out" else "You pay", t.patient))
    if any(t.tax_savings):
        account = "HSA" if sc.hsa else "FSA"
        rows.append((f"Tax saved ({account})", Triple(*(-x for x in t.tax_savings))))
        rows.append(("Net after tax", t.net))
    rows.append((AVERAGE_MONTH, est.per_month()))
    return rows


AVERAGE_MONTH = "Average a month"


def _month_name(key: str) -> str:
    import calendar

    year, month = key.split("-")
    return f"{calendar.month_abbr[int(month)]} {year}"


def month_note(est: Estimate) -> str:
    """The months a patient budgets for: the first, the dearest, and the average (which
    is not a bill), from the typical scenario's month-by-month figures."""
    first, high = est.first_month, est.highest_month
    if first is None or high is None:
        return ""
    return (
        f"Typical month by month: first month ({_month_name(first.month)}) "
        f"{fmt_money(first.patient)}; highest month ({_month_name(high.month)}) "
        f"{fmt_money(high.patient)}; average {fmt_money(est.per_month().typical)} a month "
        "over the horizon. 'ketacost schedule' lists every visit."
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
