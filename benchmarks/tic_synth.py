"""Synthetic Transparency in Coverage files of any size, for benchmarks and tests.

Writes a schema-valid in-network-rates file (the CMS `in-network-rates` schema, version
2.0.0 fields): the plan header, `provider_references` before or after `in_network`
(both orders occur in real files), many provider groups and billing codes. One group
holds the target NPI; the target codes get known rates there, so a test can check an
extraction to the cent.

    python benchmarks/tic_synth.py OUT.json --mb 100 [--refs after] [--gzip]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TARGET_NPI = 1234567893
TARGET_TIN = "12-3456789"
# The target group's rates, per code (and modifier). Other groups get random rates.
TARGET_RATES: dict[str, str] = {
    "G2082": "912.37",
    "G2083": "1297.44",
    "J0013": "16.125",
    "99213": "88.10",
    "96365": "151.08",
}
TARGET_GROUP = 7


def _code_type(code: str) -> str:
    return "CPT" if code[0].isdigit() else "HCPCS"


def _header(plan: str, last_updated: str) -> dict[str, Any]:
    return {
        "reporting_entity_name": "Synthetic Health Insurance Co",
        "reporting_entity_type": "health insurance issuer",
        "plan_name": plan,
        "issuer_name": "Synthetic Health Insurance Co",
        "plan_id_type": "hios",
        "plan_id": "1234567890",
        "plan_market_type": "group",
        "last_updated_on": last_updated,
        "version": "2.0.0",
    }


def _npi(rng: random.Random) -> int:
    """A random 10-digit number that is not the target (check digits do not matter here)."""
    while True:
        n = rng.randrange(1_000_000_000, 2_000_000_000)
        if n != TARGET_NPI:
            return n


def provider_reference(gid: int, rng: random.Random, npis: int) -> dict[str, Any]:
    group_npis = [_npi(rng) for _ in range(npis)]
    tin = f"{rng.randrange(10, 99)}-{rng.randrange(1000000, 9999999)}"
    if gid == TARGET_GROUP:
        group_npis[len(group_npis) // 2] = TARGET_NPI
        tin = TARGET_TIN
    return {
        "provider_group_id": gid,
        "network_name": ["Synthetic PPO Network"],
        "provider_groups": [
            {"npi": group_npis, "tin": {"type": "ein", "value": tin, "business_name": f"G{gid}"}}
        ],
    }


def _price(rate: str, billing_class: str = "professional") -> dict[str, Any]:
    return {
        "negotiated_type": "negotiated",
        "negotiated_rate": _Raw(rate),
        "expiration_date": "9999-12-31",
        "service_code": ["11"],
        "billing_class": billing_class,
        "setting": "outpatient",
    }


class _Raw(str):
    """A number written as given (no float rounding)."""


def _dump(obj: Any) -> str:
    """JSON with _Raw strings written as bare numbers."""
    if isinstance(obj, _Raw):
        return str(obj)
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(_dump(v) for v in obj) + "]"
    return json.dumps(obj)


def in_network_item(code: str, rng: random.Random, groups: int, target: bool) -> dict[str, Any]:
    rates = []
    for _ in range(rng.randint(3, 8)):
        refs = sorted(rng.sample(range(1, groups + 1), k=min(groups, rng.randint(1, 4))))
        refs = [g for g in refs if g != TARGET_GROUP] or [1 if TARGET_GROUP != 1 else 2]
        rates.append(
            {
                "provider_references": refs,
                "negotiated_prices": [_price(f"{rng.randrange(2000, 200000) / 100:.2f}")],
            }
        )
    if target and code in TARGET_RATES:
        rates.insert(
            rng.randrange(len(rates) + 1),
            {
                "provider_references": [TARGET_GROUP],
                "negotiated_prices": [_price(TARGET_RATES[code])],
            },
        )
    return {
        "negotiation_arrangement": "ffs",
        "name": f"Service {code}",
        "billing_code_type": _code_type(code),
        "billing_code_type_version": "2026",
        "billing_code": code,
        "description": f"Synthetic description of {code}",
        "negotiated_rates": rates,
    }


def _filler_codes(rng: random.Random) -> Iterator[str]:
    while True:
        yield str(rng.randrange(10000, 99999))


def write(
    out: IO[str],
    *,
    mb: float,
    refs: str = "before",
    groups: int = 200,
    npis_per_group: int = 20,
    seed: int = 19,
    plan: str = "Synthetic PPO",
    last_updated: str = "2026-10-01",
) -> int:
    """Write about `mb` megabytes of JSON; returns the characters written."""
    rng = random.Random(seed)
    budget = int(mb * 1_000_000)
    written = 0

    def put(text: str) -> None:
        nonlocal written
        out.write(text)
        written += len(text)

    head = _dump(_header(plan, last_updated))[:-1]
    put(head)
    ref_text = ",".join(
        _dump(provider_reference(g, rng, npis_per_group)) for g in range(1, groups + 1)
    )
    if refs == "before":
        put(f',"provider_references":[{ref_text}]')
    put(',"in_network":[')
    first = True
    targets = list(TARGET_RATES)
    filler = _filler_codes(rng)
    count = 0
    reserve = len(ref_text) + 100 if refs == "after" else 100
    while first or written < budget - reserve:
        # The target codes appear early, in the middle and late in the array.
        if count in (3, 50) or (count > 50 and rng.random() < 0.0005):
            code = targets[count % len(targets)] if count < 60 else rng.choice(targets)
            targets_here = True
        else:
            code, targets_here = next(filler), False
        item = in_network_item(code, rng, groups, targets_here)
        put(("" if first else ",") + _dump(item))
        first = False
        count += 1
    # every target code at least once, at the end
    for code in TARGET_RATES:
        put("," + _dump(in_network_item(code, rng, groups, True)))
    put("]")
    if refs == "after":
        put(f',"provider_references":[{ref_text}]')
    put("}")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=10.0, help="approximate size (uncompressed)")
    ap.add_argument("--refs", choices=("before", "after"), default="before")
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--gzip", action="store_true")
    args = ap.parse_args()
    if args.gzip:
        with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=3) as handle:
            write(handle, mb=args.mb, refs=args.refs, groups=args.groups)
    else:
        with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as handle:
            write(handle, mb=args.mb, refs=args.refs, groups=args.groups)


if __name__ == "__main__":
    main()
