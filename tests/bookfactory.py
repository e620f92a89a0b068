"""A small, valid price book built in code, so tests do not depend on bundled prices."""

from __future__ import annotations

import copy
from typing import Any

import yaml

# libyaml writes and reads the same YAML as PyYAML's pure-Python classes (checked on this
# book and the bundled one), three to five times faster; a price book is large.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump(data: Any) -> str:
    """YAML text, as `yaml.safe_dump(data, sort_keys=False)` writes it."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False)


def load(text: str) -> Any:
    """YAML data, as `yaml.safe_load(text)` reads it."""
    return yaml.load(text, Loader=_LOADER)


SRC = [
    {
        "title": "Test source",
        "url": "https://example.org/source",
        "published": "2026-01-01",
        "accessed": "2026-11-01",
    }
]
CHECKED = "2026-11-01"


def fig(
    low: Any,
    typical: Any = None,
    high: Any = None,
    unit: str = "USD/session",
    basis: str = "sourced",
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "description": "A test figure.",
        "unit": unit,
        "basis": basis,
        "checked": CHECKED,
        "sources": copy.deepcopy(SRC),
    }
    if typical is None:
        node["value"] = low
    else:
        node.update(low=low, typical=typical, high=high)
    if basis != "sourced":
        node["note"] = "Test reason."
    return node


def flag(value: bool) -> dict[str, Any]:
    return {
        "description": "A test fact.",
        "value": value,
        "basis": "sourced",
        "checked": CHECKED,
        "sources": copy.deepcopy(SRC),
    }


def _practical() -> dict[str, Any]:
    return {
        "visit_minutes": fig(60, unit="minutes"),
        "observation_minutes": fig(30, unit="minutes"),
        "needs_ride": flag(True),
    }


def _coverage(covered: bool = False) -> dict[str, Any]:
    return {p: flag(covered) for p in ("commercial", "medicare", "medicaid")}


def treatment(
    price: tuple[str, str, str] = ("300.00", "500.00", "800.00"),
    induction: tuple[int, int, int] = (4, 6, 8),
    span: tuple[int, int, int] = (2, 3, 6),
    interval: tuple[int, int, int] | None = (2, 4, 12),
    consult: tuple[str, str, str] = ("0.00", "200.00", "300.00"),
) -> dict[str, Any]:
    phases: list[dict[str, Any]] = [
        {
            "id": "induction",
            "label": "Induction",
            "sessions": fig(*induction, unit="sessions"),
            "span_weeks": fig(*span, unit="weeks"),
        }
    ]
    if interval is not None:
        phases.append(
            {
                "id": "maintenance",
                "label": "Maintenance",
                "first_after_interval": True,
                "interval_weeks": fig(*interval, unit="weeks"),
            }
        )
    return {
        "name": "Test treatment",
        "setting": "clinic",
        "summary": "A test.",
        "session_items": {"session": fig(*price)},
        "consult_fee": fig(*consult, unit="USD"),
        "phases": phases,
        "practical": _practical(),
        "coverage": _coverage(),
    }


def spravato() -> dict[str, Any]:
    t = treatment(price=("300.00", "450.00", "700.00"), consult=("0.00", "0.00", "0.00"))
    t["name"] = "Spravato"
    t["session_items"] = {"administration": fig("300.00", "450.00", "700.00")}
    t["phases"] = [
        {
            "id": "induction",
            "label": "Weeks 1-4",
            "sessions": fig(8, unit="sessions"),
            "span_weeks": fig(4, unit="weeks"),
        },
        {
            "id": "optimization",
            "label": "Weeks 5-8",
            "sessions": fig(4, unit="sessions"),
            "span_weeks": fig(4, unit="weeks"),
        },
        {"id": "maintenance", "label": "Week 9 on", "interval_weeks": fig(1, 2, 2, unit="weeks")},
    ]
    t["drug"] = {
        "device_price": fig("295.00", unit="USD/device"),
        "devices_per_dose": {56: fig(2, unit="devices"), 84: fig(3, unit="devices")},
        "dose_mg": fig(56, 56, 84, unit="mg"),
        "first_session_dose_mg": fig(56, unit="mg"),
    }
    t["coverage"] = _coverage(True)
    return t


def book(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Test book",
        "currency": "USD",
        "region": "Testland",
        "as_of": "2026-11-01",
        "treatments": {
            "iv": treatment(),
            "im": treatment(),
            "kap": treatment(),
            "spravato": spravato(),
            "oral": treatment(),
            "nasal": treatment(),
        },
        "discounts": {
            "package": {
                "name": "Package",
                "how": "Ask for the series price.",
                "applies_to": ["iv", "im"],
                "phases": ["induction"],
                "percent_off": fig("0", "10", "20", unit="percent"),
            },
            "cash": {
                "name": "Cash",
                "how": "Ask.",
                "applies_to": ["iv"],
                "percent_off": fig("5", unit="percent"),
            },
        },
        "insurance": {
            "typical_plan": {
                "description": "A test plan.",
                "deductible": fig("2000.00", unit="USD"),
                "coinsurance": fig("20", unit="percent"),
                "copay": fig("0.00", unit="USD"),
                "oop_max": fig("6000.00", unit="USD"),
            },
            "medicare": {
                "part_b_deductible": fig("283.00", unit="USD"),
                "part_b_coinsurance": fig("20", unit="percent"),
                "g2082_rate": fig("906.51"),
                "g2083_rate": fig("1289.82"),
            },
            "spravato_savings": {
                "name": "Savings",
                "eligible_payers": ["commercial"],
                "per_treatment_floor": fig("10.00", unit="USD/treatment"),
                "annual_cap": fig("7150.00", unit="USD/year"),
            },
        },
    }
    data.update(overrides)
    return data
