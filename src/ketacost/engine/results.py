"""What an estimate is made of: the result types the engine builds and reports format.

Every number a report shows is a field or a property of one of these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from ketacost.amounts import ZERO, Triple, cents, zero_money
from ketacost.book.pricebook import CASES, Case, Source
from ketacost.engine.costshare import Line
from ketacost.engine.insurance import ResolvedPlan
from ketacost.records import record
from ketacost.scenario import Scenario

if TYPE_CHECKING:  # whatif attaches the tips to a built estimate
    from ketacost.whatif.tip import Tip

STALE_AFTER_DAYS = 365


@record
class Split:
    """Who pays what, as low / typical / high. patient + insurer + assistance == billed."""

    billed: Triple[Decimal]
    insurer: Triple[Decimal]
    assistance: Triple[Decimal]
    patient: Triple[Decimal]
    upfront: Triple[Decimal]  # paid to the clinic on the day
    reimbursed: Triple[Decimal]  # paid back later (out-of-network superbill)

    def __add__(self, other: Split) -> Split:
        return Split(*(a + b for a, b in zip(self.parts(), other.parts(), strict=True)))

    def parts(self) -> tuple[Triple[Decimal], ...]:
        return (
            self.billed,
            self.insurer,
            self.assistance,
            self.patient,
            self.upfront,
            self.reimbursed,
        )


def empty_split() -> Split:
    return Split(*(zero_money() for _ in range(6)))


@record
class PhaseLine:
    id: str
    label: str
    sessions: Triple[int]
    unit_price: Triple[Decimal]  # list price of a regular session, before discounts
    discount: Triple[Decimal]  # money taken off the whole phase
    split: Split
    first: dt.date | None  # typical case
    last: dt.date | None
    interval_weeks: Triple[int] | None
    refs: tuple[int, ...]

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed


@record
class FeeLine:
    id: str
    label: str
    split: Split
    refs: tuple[int, ...]

    @property
    def sessions(self) -> Triple[int]:
        """A fee is not a session: none, in every case."""
        return Triple(0, 0, 0)

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed


@record
class Totals:
    sessions: Triple[int]
    split: Split
    tax_savings: Triple[Decimal]

    @property
    def billed(self) -> Triple[Decimal]:
        return self.split.billed

    @property
    def insurer(self) -> Triple[Decimal]:
        return self.split.insurer

    @property
    def assistance(self) -> Triple[Decimal]:
        return self.split.assistance

    @property
    def patient(self) -> Triple[Decimal]:
        return self.split.patient

    @property
    def net(self) -> Triple[Decimal]:
        return Triple(*(p - t for p, t in zip(self.patient, self.tax_savings, strict=True)))


@record
class IndirectTotals:
    """Costs around each visit, per case. Added to the total only when `included`."""

    visits: Triple[int]
    rides: Triple[Decimal]
    travel: Triple[Decimal]
    time_off: Triple[Decimal]
    included: bool

    @property
    def total(self) -> Triple[Decimal]:
        return self.rides + self.travel + self.time_off


@record
class FinanceSummary:
    """The patient's total financed, per case."""

    label: str
    months: int
    apr: Decimal
    deferred: bool
    monthly_payment: Triple[Decimal]
    total_interest: Triple[Decimal]
    total_paid: Triple[Decimal]
    triggered: tuple[bool, bool, bool]


@record
class MonthLine:
    """One calendar month of the typical scenario: what falls due in it."""

    month: str  # YYYY-MM
    sessions: int
    billed: Decimal
    insurer: Decimal
    assistance: Decimal
    patient: Decimal


@record
class Practical:
    """What a visit takes, beyond money (typical minutes, ride home)."""

    visit_minutes: Triple[int]
    observation_minutes: Triple[int]
    needs_ride: bool
    ride_note: str | None


@record
class Estimate:
    treatment: str
    treatment_name: str
    session_label: str
    setting: str
    scenario: Scenario
    end: dt.date  # horizon end, exclusive
    as_of: dt.date
    book_age_days: int
    book_path: str | None
    overrides: tuple[str, ...]  # figures a clinic book gave; the rest is national
    phases: tuple[PhaseLine, ...]
    fees: tuple[FeeLine, ...]
    totals: Totals
    practical: Practical
    sources: tuple[Source, ...]
    plan: ResolvedPlan  # the typical case's plan terms and coverage
    # What each case's patient pays and when (for pre-tax money, whose limits are per
    # calendar year), and on how many days there is a visit (for the costs around them).
    payments: tuple[tuple[tuple[dt.date, Decimal], ...], ...]  # low, typical, high
    visit_days: Triple[int]
    # The assumptions in the order the reports print them: the scenario's, then the
    # money steps' (paying.money), then the savings program's cap and old figures.
    scenario_notes: tuple[str, ...]
    closing_notes: tuple[str, ...]
    money_notes: tuple[str, ...] = ()
    # Warnings likewise: the plan's, the money steps', the price book's age.
    plan_warnings: tuple[str, ...] = ()
    money_warnings: tuple[str, ...] = ()
    book_warnings: tuple[str, ...] = ()
    indirect: IndirectTotals | None = None  # rides, travel, time off (when asked for)
    financing: FinanceSummary | None = None
    lines: tuple[Line, ...] = ()  # the typical case's adjudicated claim lines, in date order
    # The typical scenario month by month, every month of the horizon; sums to the totals.
    by_month: tuple[MonthLine, ...] = ()
    secondary_paid: Triple[Decimal] = zero_money()
    # Typical scenario: the day the savings program's yearly cap ran out, and what the
    # patient pays from that day to the end of the horizon.
    program_runs_out: dt.date | None = None
    patient_after_program: Decimal = ZERO
    tips: tuple[Tip, ...] = ()
    # The oldest figure the estimate used: (path, date, age in words), and the figures
    # older than freshness.STALE_AFTER_MONTHS (also named in the assumptions).
    oldest_figure: tuple[str, dt.date, str] | None = None
    stale_figures: tuple[str, ...] = ()

    @property
    def assumptions(self) -> tuple[str, ...]:
        return (*self.scenario_notes, *self.money_notes, *self.closing_notes)

    @property
    def warnings(self) -> tuple[str, ...]:
        return (*self.plan_warnings, *self.money_warnings, *self.book_warnings)

    @property
    def payments_by_case(self) -> dict[Case, tuple[tuple[dt.date, Decimal], ...]]:
        return dict(zip(CASES, self.payments, strict=True))

    @property
    def last_day(self) -> dt.date:
        """The horizon's last day (`end` is the day after it)."""
        return self.end - dt.timedelta(days=1)

    @property
    def with_indirect(self) -> Triple[Decimal] | None:
        """What you pay after any tax saving plus the costs around the visits, when
        those are included in the total; None otherwise."""
        if self.indirect is None or not self.indirect.included:
            return None
        return self.totals.net + self.indirect.total

    @property
    def stale(self) -> bool:
        return self.book_age_days > STALE_AFTER_DAYS or bool(self.stale_figures)

    def per_month(self) -> Triple[Decimal]:
        """The average month: what you pay (after any tax saving) spread evenly over the
        horizon's months. Not a bill: see `first_month` and `highest_month`."""
        m = Decimal(self.scenario.months)
        return Triple(*(cents(x / m) for x in self.totals.net))

    @property
    def primary_paid(self) -> Triple[Decimal]:
        """What the primary plan (and any Medigap) paid: the insurer total less what a
        secondary plan paid."""
        return Triple(
            *(i - s for i, s in zip(self.totals.insurer, self.secondary_paid, strict=True))
        )

    @property
    def first_month(self) -> MonthLine | None:
        return self.by_month[0] if self.by_month else None

    @property
    def first_month_patient(self) -> Decimal:
        """What you pay in the first calendar month (typical scenario)."""
        return self.by_month[0].patient if self.by_month else ZERO

    @property
    def highest_month(self) -> MonthLine | None:
        """The month you pay most in (the earliest of equals), typical scenario."""
        if not self.by_month:
            return None
        return max(self.by_month, key=lambda m: (m.patient, -self.by_month.index(m)))


@record
class BatchFigures:
    """What one batch row reports beyond the totals: the first series (the first phase
    with sessions, e.g. induction) and the first calendar month (typical), as the
    estimate's phases and `first_month` have them, and the average month."""

    split: Split
    tax_savings: Triple[Decimal]
    months: int
    first_series: Triple[Decimal]  # what the patient pays for it
    first_month: str  # YYYY-MM
    first_month_patient: Decimal

    @property
    def net(self) -> Triple[Decimal]:
        return Triple(*(p - t for p, t in zip(self.split.patient, self.tax_savings, strict=True)))

    def per_month(self) -> Triple[Decimal]:
        """As `Estimate.per_month`: the net spread evenly over the horizon."""
        m = Decimal(self.months)
        return Triple(*(cents(x / m) for x in self.net))


Cents3 = tuple[int, int, int]


class BatchCents(NamedTuple):
    """`BatchFigures` in integer cents, as the batch's fast paths make them: a plain
    tuple, since a batch makes one per row and writes it out at once."""

    split: tuple[Cents3, Cents3, Cents3, Cents3, Cents3, Cents3]  # as Split's parts
    tax_savings: Triple[Decimal]  # (as `tax_savings_of` words its sign: -0.00 may show)
    months: int
    first_series: Cents3
    first_month: str  # YYYY-MM
    first_month_patient: int

    def figures(self) -> BatchFigures:
        """The same figures as `BatchFigures`."""
        return BatchFigures(
            Split(*(Triple(*map(_money, part)) for part in self.split)),
            self.tax_savings,
            self.months,
            Triple(*map(_money, self.first_series)),
            self.first_month,
            _money(self.first_month_patient),
        )


def _money(c: int) -> Decimal:
    return Decimal(c).scaleb(-2)
