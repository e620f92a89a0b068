"""Shell completion of treatment ids, discount ids and financing presets, read from the
price book a run would use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _book_for_completion() -> Any:
    """The price book completions read from: --pricing is not parsed yet, so the env
    var, the config file or the national book."""
    from ketacost.cli.context import Run

    try:
        return Run().book(None)[0]
    except Exception:  # a broken book must not break the shell
        return None


def _complete(names: Callable[[Any], list[str]]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        book = _book_for_completion()
        if book is None:
            return []
        return [n for n in names(book) if n.startswith(incomplete.lower())]

    return complete


complete_treatment = _complete(
    lambda b: [n for tid, t in b.treatments.items() for n in (tid, *t.aliases)]
)
complete_discount = _complete(lambda b: list(b.discounts))
complete_preset = _complete(lambda b: list(b.financing))

BY_SOURCE = {
    "treatment": complete_treatment,
    "discount": complete_discount,
    "preset": complete_preset,
}
