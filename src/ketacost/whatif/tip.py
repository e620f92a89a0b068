"""A savings tip: what it says, what it saves, and how sure that is."""

from __future__ import annotations

from decimal import Decimal

from ketacost.amounts import Triple
from ketacost.book.pricebook import Source
from ketacost.i18n import N_, _, t
from ketacost.records import record
from ketacost.scenario import Scenario

# A tip resting on an assumption or on a single source ranks as if it saved this share
# of its amount: after well-sourced tips of similar size (within about a quarter).
WEAK_RANK_WEIGHT = Decimal("0.75")


@record
class Evidence:
    """How sure a tip is: the basis of the figures it rests on and how many sources."""

    basis: tuple[str, ...]  # distinct bases, in the order sourced, derived, assumption
    sources: int

    @property
    def weak(self) -> bool:
        return "assumption" in self.basis or self.sources < 2

    def words(self) -> str:
        names = {"sourced": N_("sourced"), "derived": N_("derived"), "assumption": N_("assumption")}
        kinds = _(" and ").join(_(names[b]) for b in self.basis) if self.basis else _("sourced")
        n = t("{n} sources", n=self.sources) if self.sources != 1 else _("1 source")
        if "assumption" in self.basis:
            return t(
                "Evidence: rests partly on an assumption ({n}); treat the saving as rough.", n=n
            )
        if self.sources < 2:
            return t("Evidence: a single source ({kinds}); treat the saving as rough.", kinds=kinds)
        return t("Evidence: {kinds} figures, {n}.", kinds=kinds, n=n)


@record
class Tip:
    id: str
    kind: str  # discount | program | superbill | pretax | timing | financing | route | help
    title: str
    how: str
    saves: Triple[Decimal]
    sources: tuple[Source, ...]
    scenario: Scenario | None = None  # the changed scenario the saving was computed on
    evidence: Evidence = Evidence((), 0)

    @property
    def rank_value(self) -> Decimal:
        weight = WEAK_RANK_WEIGHT if self.evidence.weak else Decimal(1)
        return self.saves.typical * weight
