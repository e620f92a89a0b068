"""A clinic's own price book on top of the national one.

A clinic book says `extends: national` and gives only what differs, usually its own
session prices and fees. Each figure it gives replaces the national figure whole (a
figure is never half-merged: its range, basis and sources belong together); lists such
as a treatment's phases are replaced whole too. Everything else is inherited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketacost.errors import PriceBookError

FIGURE_KEYS = frozenset({"low", "typical", "high", "value", "code"})


def _is_leaf(node: Any) -> bool:
    return not isinstance(node, dict) or bool(FIGURE_KEYS & set(node))


def _merge(base: Any, over: Any, path: str, changed: list[str]) -> Any:
    if isinstance(base, dict) and isinstance(over, dict) and not _is_leaf(over):
        out = dict(base)
        for key, value in over.items():
            here = f"{path}.{key}" if path else str(key)
            out[key] = _merge(base.get(key), value, here, changed) if key in base else value
            if key not in base:
                changed.append(here)
        return out
    if over != base:  # a figure copied unchanged from the template is not the clinic's own
        changed.append(path)
    return over


def extend(data: dict[str, Any], where: str, national: Any) -> dict[str, Any]:
    """The clinic book `data` laid over the national book; records what it changed."""
    parent = data.get("extends")
    if parent != "national":
        raise PriceBookError(
            f"{where}: extends: only 'national' (the bundled book) is known, not {parent!r}"
        )
    over = {k: v for k, v in data.items() if k != "extends"}
    changed: list[str] = []
    merged = _merge(national, over, "", changed)
    meta = {"title", "region", "as_of", "notes", "currency"}
    merged["overridden"] = [p for p in changed if p not in meta]
    return dict(merged)


def template_text(today: dt.date | None = None) -> str:
    """A clinic book to start from: the national session prices and fees to edit."""
    import yaml

    from ketacost.book.files import bundled_path
    from ketacost.book.yamlsafe import parse

    national = parse(bundled_path().read_text(encoding="utf-8"), "the national book")
    day = (today or dt.date.today()).isoformat()
    treatments = {
        tid: {"session_items": t["session_items"], "consult_fee": t["consult_fee"]}
        for tid, t in national["treatments"].items()
    }
    doc = {
        "extends": "national",
        "title": "Our clinic's prices",
        "region": "Our clinic",
        "as_of": day,
        "treatments": treatments,
    }
    head = (
        "# A clinic price book. Edit the figures you charge; delete the ones you do not.\n"
        "# Anything left out is inherited from the national book. For each figure you\n"
        "# change, set basis (sourced / derived / assumption), a note where needed,\n"
        "# checked (the day you confirmed the value) and a source such as your own fee\n"
        "# schedule, with published (its date, or null) and accessed. A figure more than\n"
        "# 24 months old is named in every report that uses it. Check it with:\n"
        "#   ketacost validate my-clinic.yaml\n"
    )
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=88)
    return head + body
