"""Hospital price-transparency files (CMS `hospital-price-transparency`, schema v3):
the CSV tall and wide layouts and the JSON format, streamed row by row or item by item.

Each kept code carries the gross charge, the discounted cash price, the minimum and
maximum negotiated charges, and per payer and plan the negotiated dollar amount,
percentage or algorithm, the methodology, and (new in v3) the median, 10th and 90th
percentile allowed amounts with their count.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ketacost.rates.book import RatesError
from ketacost.rates.source import Progress, open_bytes
from ketacost.rates.tic import Result, _strs, check_version, money, source_of

SUPPORTED_MAJOR = ("3",)
PAYER_FIELDS = {
    "negotiated_dollar": "dollar",
    "negotiated_percentage": "percentage",
    "negotiated_algorithm": "algorithm",
    "methodology": "methodology",
    "median_amount": "median",
    "10th_percentile": "p10",
    "90th_percentile": "p90",
    "count": "count",
    "additional_payer_notes": "notes",
}
MONEY_FIELDS = ("dollar", "percentage", "median", "p10", "p90")


def _norm(header: str) -> str:
    return "|".join(part.strip() for part in header.strip().lstrip("\ufeff").split("|"))


def _npi_check(npis: list[str], npi: str, shown: str) -> None:
    if not npis:
        raise RatesError(
            f"{shown}: no type_2_npi in the hospital's header; NPI {npi} cannot be matched",
            param="--npi",
        )
    if npi not in npis:
        raise RatesError(
            f"{shown}: NPI {npi} is not in this file (the hospital lists "
            f"{', '.join(npis[:5])}{' ...' if len(npis) > 5 else ''})",
            param="--npi",
        )


def _payer(fields: dict[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in MONEY_FIELDS:
            amount = money(value)
            if amount is not None:
                out[key] = str(amount)
        elif key in ("payer", "plan", "algorithm", "methodology", "count", "notes"):
            out[key] = str(value).strip()[:500]
    return out if "payer" in out else None


class _Charges:
    """Kept charges, merged per code, type, setting, modifiers and description."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: dict[tuple[Any, ...], Result] = {}

    def add(
        self,
        code: str,
        code_type: str,
        setting: str,
        modifiers: list[str],
        description: str | None,
        general: dict[str, Any],
        payer: dict[str, Any] | None,
    ) -> None:
        setting = setting.strip().lower() if setting else "both"
        if setting not in ("inpatient", "outpatient", "both"):
            setting = "both"
        key = (code, code_type, setting, tuple(modifiers), description)
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = {
                "code": code,
                "code_type": code_type,
                "description": (description or None) and description[:500],
                "setting": setting,
                "modifiers": modifiers,
                "payers": [],
                "source": self.name,
            }
        for field in ("gross", "discounted_cash", "minimum", "maximum"):
            amount = money(general.get(field))
            if amount is not None and field not in row:
                row[field] = str(amount)
        if payer is not None and payer not in row["payers"]:
            row["payers"].append(payer)


def _codes(pairs: list[tuple[Any, Any]], codes: frozenset[str]) -> list[tuple[str, str]]:
    out = []
    for code, kind in pairs:
        text = str(code or "").strip().upper()
        if text in codes:
            out.append((text, str(kind or "unknown").strip().upper()))
    return out


def read_csv(
    path: Path,
    shown: str,
    name: str,
    codes: frozenset[str],
    npi: str,
    progress: Progress | None,
) -> tuple[dict[str, Any], list[Result], str]:
    """A v3 CSV (tall or wide). Returns the source, the kept charges and the layout."""
    csv.field_size_limit(1 << 24)
    with open_bytes(path, shown, progress) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            reader = csv.reader(text)
            head_keys = [_norm(h).lower() for h in next(reader, [])]
            head_vals = next(reader, [])
            raw_cols = [_norm(h) for h in next(reader, [])]
            columns = [c.lower() for c in raw_cols]
            general = dict(zip(head_keys, head_vals, strict=False))
            if "hospital_name" not in general or "description" not in columns:
                raise RatesError(
                    f"{shown}: not a hospital price-transparency CSV (the CMS v3 template's "
                    "first three rows: header names, header values, column names)",
                    param="FILE",
                )
            check_version(general, shown, SUPPORTED_MAJOR, "hospital price-transparency")
            npis = [n.strip() for n in str(general.get("type_2_npi", "")).split("|") if n.strip()]
            _npi_check(npis, npi, shown)
            header = {
                "hospital_name": general.get("hospital_name"),
                "last_updated_on": general.get("last_updated_on"),
                "version": general.get("version"),
            }
            wide = any(c.startswith("standard_charge|") and c.count("|") >= 3 for c in columns)
            kind = "hospital-csv-wide" if wide else "hospital-csv-tall"
            source = source_of(header, shown, kind, name)
            index = {c: i for i, c in enumerate(columns)}
            code_cols = sorted(
                (int(c.split("|")[1]), i)
                for c, i in index.items()
                if c.count("|") == 1 and c.startswith("code|") and c.split("|")[1].isdigit()
            )
            type_cols = {int(c.split("|")[1]): i for c, i in index.items() if c.endswith("|type")}
            # wide: (payer, plan) -> {field: column index}
            payer_cols: dict[tuple[str, str], dict[str, int]] = {}
            if wide:
                for i, col in enumerate(raw_cols):
                    parts = col.split("|")
                    first, last = parts[0].lower(), parts[-1].lower()
                    if first == "standard_charge" and len(parts) == 4:
                        field = PAYER_FIELDS.get(last)
                    elif len(parts) == 3 and first in PAYER_FIELDS:
                        field = PAYER_FIELDS[first]
                    else:
                        continue
                    if field:
                        payer_cols.setdefault((parts[1], parts[2]), {})[field] = i
            charges = _Charges(name)

            def cell(row: list[str], col: str) -> str:
                i = index.get(col)
                return row[i].strip() if i is not None and i < len(row) else ""

            for row in reader:
                pairs = [
                    (row[i] if i < len(row) else "", _at(row, type_cols.get(n)))
                    for n, i in code_cols
                ]
                hits = _codes(pairs, codes)
                if not hits:
                    continue
                general_row = {
                    "gross": cell(row, "standard_charge|gross"),
                    "discounted_cash": cell(row, "standard_charge|discounted_cash"),
                    "minimum": cell(row, "standard_charge|min"),
                    "maximum": cell(row, "standard_charge|max"),
                }
                modifiers = [m.strip() for m in cell(row, "modifiers").split("|") if m.strip()]
                payers: list[dict[str, Any] | None] = []
                if wide:
                    for (payer_name, plan_name), fields in payer_cols.items():
                        values = {f: _at(row, i) for f, i in fields.items()}
                        if not any(v.strip() for v in values.values()):
                            continue
                        payers.append(_payer({"payer": payer_name, "plan": plan_name, **values}))
                else:
                    values = {
                        f: cell(row, c if c in index else f"standard_charge|{c}")
                        for c, f in PAYER_FIELDS.items()
                    }
                    payers.append(
                        _payer(
                            {
                                "payer": cell(row, "payer_name"),
                                "plan": cell(row, "plan_name"),
                                **values,
                            }
                        )
                    )
                for code, code_type in hits:
                    for payer in payers or [None]:
                        charges.add(
                            code,
                            code_type,
                            cell(row, "setting"),
                            modifiers,
                            cell(row, "description"),
                            general_row,
                            payer,
                        )
        except csv.Error as exc:
            raise RatesError(f"{shown}: not a readable CSV file ({exc})", param="FILE") from None
        finally:
            text.detach()
    return source, list(charges.rows.values()), kind


def _at(row: list[str], i: int | None) -> str:
    return row[i] if i is not None and i < len(row) else ""


def read_json(
    path: Path,
    shown: str,
    name: str,
    codes: frozenset[str],
    npi: str,
    header: dict[str, Any],
    progress: Progress | None,
) -> tuple[dict[str, Any], list[Result]]:
    """A v3 JSON file: `standard_charge_information` items, streamed."""
    from ketacost.rates.tic import _ijson, _json_error

    ijson = _ijson()

    check_version(header, shown, SUPPORTED_MAJOR, "hospital price-transparency")
    _npi_check(header.get("type_2_npi") or [], npi, shown)
    source = source_of(header, shown, "hospital-json", name)
    charges = _Charges(name)
    with open_bytes(path, shown, progress) as stream:
        try:
            items = ijson.items(stream, "standard_charge_information.item", use_float=False)
            for item in items:
                if not isinstance(item, dict):
                    continue
                pairs = [
                    (c.get("code"), c.get("type"))
                    for c in item.get("code_information") or []
                    if isinstance(c, dict)
                ]
                hits = _codes(pairs, codes)
                if not hits:
                    continue
                for std in item.get("standard_charges") or []:
                    if not isinstance(std, dict):
                        continue
                    general = {
                        "gross": std.get("gross_charge"),
                        "discounted_cash": std.get("discounted_cash"),
                        "minimum": std.get("minimum"),
                        "maximum": std.get("maximum"),
                    }
                    payers = [
                        _payer(
                            {
                                "payer": p.get("payer_name"),
                                "plan": p.get("plan_name"),
                                "dollar": p.get("standard_charge_dollar"),
                                "percentage": p.get("standard_charge_percentage"),
                                "algorithm": p.get("standard_charge_algorithm"),
                                "methodology": p.get("methodology"),
                                "median": p.get("median_amount"),
                                "p10": p.get("10th_percentile"),
                                "p90": p.get("90th_percentile"),
                                "count": p.get("count"),
                                "notes": p.get("additional_payer_notes"),
                            }
                        )
                        for p in std.get("payers_information") or []
                        if isinstance(p, dict)
                    ]
                    for code, code_type in hits:
                        for payer in payers or [None]:
                            charges.add(
                                code,
                                code_type,
                                str(std.get("setting") or "both"),
                                _strs(std.get("modifier_code")),
                                str(item.get("description") or "") or None,
                                general,
                                payer,
                            )
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    return source, list(charges.rows.values())
