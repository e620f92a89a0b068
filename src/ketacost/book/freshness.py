"""How old each figure in the price book is, and which ones are too old to trust quietly.

A figure is dated by the *older* of two dates:

- `checked`: when its value was last confirmed against its sources;
- what it rests on: for a figure derived from others (`derived_from`), the oldest date of
  those inputs (a derivation is only as current as its oldest part); otherwise the
  newest publication date among its own sources. Sources that state no date do not
  make a figure newer or older; a figure with no dated source at all is dated by
  `checked` alone.

A figure more than STALE_AFTER_MONTHS older than the quote date is *stale*: a report
that uses it names it and its age in the assumptions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ketacost.book.pricebook import Node, PriceBook, Referenced, iter_figures
from ketacost.records import record

STALE_AFTER_MONTHS = 24


@record
class Dated:
    path: str
    node: Referenced
    date: dt.date  # the older of `checked` and what it rests on
    why: str  # "checked" or "published" or "derived from <path>"


def months_between(old: dt.date, new: dt.date) -> int:
    """Whole calendar months from `old` to `new` (0 when `new` is not later)."""
    months = (new.year - old.year) * 12 + (new.month - old.month)
    if new.day < old.day:
        months -= 1
    return max(months, 0)


def age_text(old: dt.date, today: dt.date) -> str:
    """'7 years old', '5 months old', '12 days old'."""
    from ketacost.i18n import _, t

    months = months_between(old, today)
    if months >= 24:
        return t("{n} years old", n=months // 12)
    if months >= 1:
        return t("{n} months old", n=months) if months != 1 else _("1 month old")
    days = max((today - old).days, 0)
    return t("{n} days old", n=days) if days != 1 else _("1 day old")


class Dates:
    """The date of every figure in one book, with derived figures resolved through their
    inputs. Build it once per book."""

    def __init__(self, book: PriceBook) -> None:
        self.by_path: dict[str, Node] = dict(iter_figures(book))
        self.path_of: dict[int, str] = {id(n): p for p, n in self.by_path.items()}
        self._memo: dict[str, Dated] = {}

    def of_path(self, path: str) -> Dated:
        hit = self._memo.get(path)
        if hit is not None:
            return hit
        node = self.by_path[path]
        self._memo[path] = Dated(path, node, node.checked, "checked")  # cycle guard
        rests: Dated | None = None
        for dep in node.derived_from:
            if dep not in self.by_path:
                continue  # the data test reports a broken reference
            d = self.of_path(dep)
            if rests is None or d.date < rests.date:
                rests = Dated(path, node, d.date, f"derived from {dep}")
        if rests is None and node.newest_published is not None:
            rests = Dated(path, node, node.newest_published, "published")
        out = Dated(path, node, node.checked, "checked")
        if rests is not None and rests.date < node.checked:
            out = rests
        self._memo[path] = out
        return out

    def of(self, node: Referenced) -> Dated | None:
        path = self.path_of.get(id(node))
        return None if path is None else self.of_path(path)

    def used(self, nodes: Iterable[Referenced | None]) -> list[Dated]:
        seen: dict[str, Dated] = {}
        for n in nodes:
            if n is None:
                continue
            d = self.of(n)
            if d is not None:
                seen.setdefault(d.path, d)
        return sorted(seen.values(), key=lambda d: (d.date, d.path))


def is_stale(d: Dated, today: dt.date) -> bool:
    return months_between(d.date, today) > STALE_AFTER_MONTHS


def stale_note(d: Dated, today: dt.date) -> str:
    """One assumption line naming a stale figure and its age."""
    from ketacost.i18n import book, fmt_date, language, t

    what = d.node.description.rstrip(".")
    when = fmt_date(d.date)
    if d.why == "published":
        basis = t("its newest source was published {date}", date=when)
    elif d.why == "checked":
        basis = t("it was last checked {date}", date=when)
    else:
        source = d.why.removeprefix("derived from ")
        basis = t("it is derived from {source}, which dates from {date}", source=source, date=when)
    age = age_text(d.date, today)
    shown = book(what)
    if language() != "en" and shown == " ".join(what.split()):
        # The figure's own description has no translation: name it by its path only.
        return t(
            "Old figure: {path} — {basis}, {age}; it may have changed, so confirm it with "
            "the clinic or plan.",
            path=d.path,
            basis=basis,
            age=age,
        )
    return t(
        "Old figure: {what} ({path}) — {basis}, {age}; it may have changed, so confirm it "
        "with the clinic or plan.",
        what=shown,
        path=d.path,
        basis=basis,
        age=age,
    )
