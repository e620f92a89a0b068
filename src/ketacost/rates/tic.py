"""Transparency in Coverage files (CMS `price-transparency-guide`, schema 1.x and 2.x):
in-network rates and out-of-network allowed amounts, streamed with ijson.

An in-network file names providers through `provider_references` (groups of NPIs under
a TIN, by id), which may come before or after the `in_network` array, or inline in a
rate's `provider_groups`. It is read in two streaming passes: first the references, to
the small set of group ids that include the provider; then the rates, keeping only the
asked codes for those groups. Memory stays flat whatever the order or the file size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ketacost.rates.book import RatesError
from ketacost.rates.source import Progress, open_bytes

SUPPORTED_MAJOR = ("1", "2")
NEGOTIATED_TYPES = ("negotiated", "derived", "fee schedule", "percentage", "per diem")
BIG_ARRAYS = (
    "in_network",
    "provider_references",
    "out_of_network",
    "reporting_structure",
    "standard_charge_information",
)
HEADER_KEYS = (
    "reporting_entity_name",
    "reporting_entity_type",
    "plan_name",
    "issuer_name",
    "plan_id",
    "plan_id_type",
    "plan_market_type",
    "plan_sponsor_name",
    "last_updated_on",
    "version",
    # hospital JSON
    "hospital_name",
)
Result = dict[str, Any]


def _ijson() -> Any:
    import ijson  # type: ignore[import-untyped]

    return ijson


def _json_error(shown: str, exc: Exception) -> RatesError:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "premature EOF" in text or type(exc).__name__ == "IncompleteJSONError":
        return RatesError(
            f"{shown}: not valid JSON: it ends early (truncated); download it again",
            param="FILE",
        )
    return RatesError(
        f"{shown}: not valid JSON ({text.split('(right here)')[0].strip()[:80]}); the file "
        "may be damaged",
        param="FILE",
    )


def probe(path: Path, shown: str) -> tuple[dict[str, Any], list[str]]:
    """The top-level scalar fields before the first large array, and the top-level keys
    seen up to there. Real files put the header first; when a required field is not
    there, the whole file's top level is read (slower, still streaming)."""
    ijson = _ijson()
    header: dict[str, Any] = {}
    keys: list[str] = []
    with open_bytes(path, shown) as stream:
        try:
            events = ijson.parse(stream, use_float=False)
            first = next(events, None)
            if first is None or first[1] != "start_map":
                raise RatesError(
                    f"{shown}: not a price-transparency file (its JSON is not an object "
                    "with a plan or hospital header)",
                    param="FILE",
                )
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    keys.append(value)
                    if value in BIG_ARRAYS:
                        break
                elif event in ("string", "number") and prefix in HEADER_KEYS:
                    header[prefix] = value
                elif event in ("string", "number") and prefix == "type_2_npi.item":
                    header.setdefault("type_2_npi", []).append(str(value).strip())
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    if ("version" not in header or "last_updated_on" not in header) and keys:
        header.update(_full_header(path, shown, header))
    return header, keys


def _full_header(path: Path, shown: str, known: dict[str, Any]) -> dict[str, Any]:
    ijson = _ijson()
    found: dict[str, Any] = {}
    with open_bytes(path, shown) as stream:
        try:
            for prefix, event, value in ijson.parse(stream, use_float=False):
                if event in ("string", "number") and prefix in HEADER_KEYS:
                    found[prefix] = value
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    return {k: v for k, v in found.items() if k not in known}


def check_version(header: dict[str, Any], shown: str, majors: tuple[str, ...], what: str) -> str:
    version = str(header.get("version", "")).strip()
    if not version:
        raise RatesError(f"{shown}: no 'version' field; not a {what} file", param="FILE")
    if version.lstrip("vV").split(".")[0] not in majors:
        wanted = " or ".join(f"{m}.x" for m in majors)
        raise RatesError(
            f"{shown}: schema version {version} is not supported (this reads {what} "
            f"schema {wanted})",
            param="FILE",
        )
    return version


def check_date(value: Any, shown: str, field: str) -> dt.date:
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    parts = text.split("/")  # hospital CSVs often write M/D/YYYY
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        try:
            return dt.date(int(parts[2]), int(parts[0]), int(parts[1]))
        except ValueError:
            pass
    raise RatesError(f"{shown}: '{field}' is not a date (got '{text[:40]}')", param="FILE")


def source_of(header: dict[str, Any], shown: str, kind: str, name: str) -> dict[str, Any]:
    def text(key: str) -> str | None:
        value = header.get(key)
        return str(value).strip() or None if value is not None else None

    entity = text("reporting_entity_name") or text("hospital_name")
    if entity is None:
        raise RatesError(f"{shown}: no reporting_entity_name or hospital_name", param="FILE")
    return {
        "file": name,
        "kind": kind,
        "entity": entity,
        "plan": text("plan_name"),
        "issuer": text("issuer_name"),
        "plan_id": text("plan_id"),
        "market": text("plan_market_type"),
        "last_updated_on": check_date(header.get("last_updated_on"), shown, "last_updated_on"),
        "version": str(header.get("version")).strip(),
    }


def money(value: Any) -> Decimal | None:
    """A JSON number (ijson gives Decimal or int with use_float=False) or a numeric
    string, as Decimal; None when it is not a non-negative amount."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        out = Decimal(value)
    elif isinstance(value, str):
        try:
            out = Decimal(value.strip().replace("$", "").replace(",", ""))
        except ArithmeticError:
            return None
    else:
        return None
    return out if out.is_finite() and out >= 0 else None


def _digits(text: Any) -> str:
    return "".join(ch for ch in str(text) if ch.isdigit())


def group_matches(group: Any, npi: str, tin: str | None) -> bool:
    """A providers object (npi list + tin) that includes the provider. With a TIN, a
    TIN-level contract (`"npi": [0]`) counts too."""
    if not isinstance(group, dict):
        return False
    gtin: dict[str, Any] = group["tin"] if isinstance(group.get("tin"), dict) else {}
    if tin is not None and _digits(gtin.get("value", "")) != _digits(tin):
        return False
    npis = {str(n).strip() for n in (group.get("npi") or [])}
    return npi in npis or (tin is not None and npis == {"0"})


def _tin_of(group: dict[str, Any]) -> str | None:
    gtin = group.get("tin")
    if isinstance(gtin, dict) and gtin.get("value") not in (None, ""):
        return str(gtin["value"])
    return None


def _strs(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if str(value).strip() else []


def _refs_up_front(stream: Any) -> Any:
    """The provider references of a file that puts them before the rates: built from
    the parser's events up to the end of the array, and no further (the rest of the
    file is the rates pass's)."""
    ijson = _ijson()
    from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

    builder = None
    for prefix, event, value in ijson.parse(stream, use_float=False):
        if prefix == "provider_references" and event == "end_array":
            return
        if prefix == "provider_references.item" and event == "start_map":
            builder = ObjectBuilder()
        if builder is not None:
            builder.event(event, value)
            if prefix == "provider_references.item" and event == "end_map":
                yield builder.value
                builder = None


def provider_groups(
    path: Path,
    shown: str,
    npi: str,
    tin: str | None,
    progress: Progress | None,
    up_front: bool = False,
) -> tuple[dict[Any, dict[str, Any]], int, int]:
    """Pass 1: the provider_group_ids whose groups include the provider; and how many
    references the file has, and how many point to remote files (not fetched). When
    the references come first (`up_front`), the pass stops where they end."""
    ijson = _ijson()
    found: dict[Any, dict[str, Any]] = {}
    total = remote = 0
    with open_bytes(path, shown, progress) as stream:
        try:
            refs = (
                _refs_up_front(stream)
                if up_front
                else ijson.items(stream, "provider_references.item", use_float=False)
            )
            for ref in refs:
                total += 1
                if not isinstance(ref, dict):
                    continue
                groups = ref.get("provider_groups")
                if not groups and ref.get("location"):
                    remote += 1
                for group in groups or []:
                    if group_matches(group, npi, tin):
                        found[ref.get("provider_group_id")] = {
                            "tin": _tin_of(group),
                            "network": _strs(ref.get("network_name")),
                        }
                        break
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    return found, total, remote


def _price(
    item: dict[str, Any], price: Any, who: dict[str, Any], name: str, notes: Callable[[str], None]
) -> Result | None:
    if not isinstance(price, dict):
        return None
    rate = money(price.get("negotiated_rate"))
    kind = str(price.get("negotiated_type", "")).strip().lower()
    try:
        expires = dt.date.fromisoformat(str(price.get("expiration_date", "")).strip()[:10])
    except ValueError:
        notes("a negotiated price without a valid expiration_date was skipped")
        return None
    if rate is None:
        notes("a negotiated price without a numeric negotiated_rate was skipped")
        return None
    setting = str(price.get("setting") or "both").strip().lower()
    billing_class = str(price.get("billing_class") or "both").strip().lower()
    arrangement = str(item.get("negotiation_arrangement") or "ffs").strip().lower()
    if (
        kind not in NEGOTIATED_TYPES
        or setting not in ("inpatient", "outpatient", "both")
        or billing_class not in ("professional", "institutional", "both")
        or arrangement not in ("ffs", "bundle", "capitation")
    ):
        notes("a negotiated price with a type, setting or class outside the schema was skipped")
        return None
    return {
        "code": str(item.get("billing_code", "")).strip().upper(),
        "code_type": str(item.get("billing_code_type") or "").strip() or "unknown",
        "modifiers": _strs(price.get("billing_code_modifier")),
        "rate": str(rate),
        "negotiated_type": kind,
        "setting": setting,
        "billing_class": billing_class,
        "service_codes": _strs(price.get("service_code")),
        "expiration_date": expires.isoformat(),
        "arrangement": arrangement,
        "tin": who.get("tin"),
        "network": who.get("network", []),
        "source": name,
    }


def in_network_rates(
    path: Path,
    shown: str,
    name: str,
    codes: frozenset[str],
    groups: dict[Any, dict[str, Any]],
    npi: str,
    tin: str | None,
    progress: Progress | None,
) -> tuple[list[Result], bool, list[str]]:
    """Pass 2: the asked codes' negotiated prices for the provider. Returns the prices,
    whether the provider appeared inline in any rate, and notes."""
    ijson = _ijson()
    out: list[Result] = []
    notes: list[str] = []
    inline_seen = False

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    with open_bytes(path, shown, progress) as stream:
        try:
            for item in ijson.items(stream, "in_network.item", use_float=False):
                if not isinstance(item, dict):
                    continue
                code = str(item.get("billing_code", "")).strip().upper()
                if code not in codes:
                    continue
                for rate in item.get("negotiated_rates") or []:
                    if not isinstance(rate, dict):
                        continue
                    who = None
                    for ref in rate.get("provider_references") or []:
                        if ref in groups:
                            who = groups[ref]
                            break
                    if who is None:
                        for group in rate.get("provider_groups") or []:
                            if group_matches(group, npi, tin):
                                who = {"tin": _tin_of(group), "network": []}
                                inline_seen = True
                                break
                    if who is None:
                        continue
                    for price in rate.get("negotiated_prices") or []:
                        row = _price(item, price, who, name, note)
                        if row is not None:
                            out.append(row)
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    return out, inline_seen, notes


def allowed_amounts(
    path: Path,
    shown: str,
    name: str,
    codes: frozenset[str],
    npi: str,
    tin: str | None,
    progress: Progress | None,
) -> list[Result]:
    """Out-of-network allowed amounts for the asked codes where the provider (its NPI,
    and its TIN when given) is among the billing providers; equal amounts are counted."""
    ijson = _ijson()
    merged: dict[tuple[Any, ...], Result] = {}
    with open_bytes(path, shown, progress) as stream:
        try:
            for item in ijson.items(stream, "out_of_network.item", use_float=False):
                if not isinstance(item, dict):
                    continue
                code = str(item.get("billing_code", "")).strip().upper()
                if code not in codes:
                    continue
                for entry in item.get("allowed_amounts") or []:
                    if not isinstance(entry, dict):
                        continue
                    etin = _tin_of(entry)
                    if tin is not None and _digits(etin or "") != _digits(tin):
                        continue
                    for payment in entry.get("payments") or []:
                        amount = money(payment.get("allowed_amount"))
                        if amount is None:
                            continue
                        charges = [
                            money(p.get("billed_charge"))
                            for p in payment.get("providers") or []
                            if isinstance(p, dict)
                            and npi in {str(n).strip() for n in p.get("npi") or []}
                        ]
                        if not charges:
                            continue
                        row_key = (
                            code,
                            tuple(_strs(payment.get("billing_code_modifier"))),
                            str(entry.get("billing_class") or "professional").lower(),
                            tuple(_strs(entry.get("service_code"))),
                            entry.get("setting"),
                            etin,
                            amount,
                        )
                        row = merged.get(row_key)
                        if row is None:
                            setting = entry.get("setting")
                            row = merged[row_key] = {
                                "code": code,
                                "code_type": str(item.get("billing_code_type") or "unknown"),
                                "modifiers": list(row_key[1]),
                                "billing_class": row_key[2],
                                "service_codes": list(row_key[3]),
                                "setting": str(setting).lower() if setting else None,
                                "tin": etin,
                                "amount": str(amount),
                                "count": 0,
                                "billed_charges": [],
                                "source": name,
                            }
                        row["count"] += len(charges)
                        row["billed_charges"].extend(str(c) for c in charges if c is not None)
        except ijson.JSONError as exc:
            raise _json_error(shown, exc) from None
    return list(merged.values())
