"""Words and rows every renderer shares, so the formats say the same thing."""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import Triple
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
    rows.append(("Per month", est.per_month()))
    return rows


def ref_ranges(nums: tuple[int, ...] | list[int]) -> str:
    """'1-4,7' for 1, 2, 3, 4, 7: compact source references."""
    runs: list[list[int]] = []
    for n in sorted(nums):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
