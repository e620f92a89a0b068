"""`ketacost rates extract`: price-transparency files in, a small rate book out.

Each file is an independent job (`extract_file`, plain data in and out, so a pool of
processes or a batch engine elsewhere can run it); `build_book` merges the jobs'
results into one validated rate book.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ketacost.rates.book import RateBook, RatesError
from ketacost.rates.source import kind_of
from ketacost.records import record

# The codes extracted when the price book has no billing section (it always has one:
# these are the ones it uses today).
FALLBACK_CODES = (
    "G2082",
    "G2083",
    "J0013",
    "S0013",
    "J3490",
    "96365",
    "96366",
    "96372",
    "99204",
    "99213",
    "99214",
    "99415",
    "99416",
    "90791",
    "90792",
    "90837",
)
# A reporter: start(total_bytes) then update(bytes_done) for one file's passes.
Reporter = Callable[[int, int], None]


@record
class Job:
    path: str  # as given on the command line
    name: str  # the file's name in the rate book (provenance)
    codes: tuple[str, ...]
    npi: str
    tin: str | None


def default_codes(book: Any) -> list[str]:
    """The codes the price book's billing section uses, else the fallback list."""
    billing = getattr(book, "billing", None)
    codes = list(billing.codes) if billing is not None else list(FALLBACK_CODES)
    return sorted(set(codes))


def extract_file(job: Job, report: Reporter | None = None) -> dict[str, Any]:
    """One file's share of the rate book: its source, the kept rates, notes."""
    from ketacost.rates import hospital, tic

    path, shown = Path(job.path), job.path
    codes = frozenset(job.codes)
    kind = kind_of(path, shown)
    size = path.stat().st_size
    out: dict[str, Any] = {"negotiated": [], "allowed_amounts": [], "hospital": [], "notes": []}

    def progress(offset: int, total: int) -> Callable[[int], None] | None:
        if report is None:
            return None
        return lambda done: report(total, offset + done)

    if kind == "csv":
        source, rows, _ = hospital.read_csv(
            path, shown, job.name, codes, job.npi, progress(0, size)
        )
        out.update(source=source, hospital=rows)
        return out
    header, keys = tic.probe(path, shown)
    if "reporting_structure" in keys:
        raise RatesError(
            f"{shown}: a table-of-contents file; download the in-network-rates and "
            "allowed-amounts files it lists for your plan and extract from those",
            param="FILE",
        )
    if "in_network" in keys or "provider_references" in keys:
        tic.check_version(header, shown, tic.SUPPORTED_MAJOR, "Transparency in Coverage")
        out["source"] = tic.source_of(header, shown, "tic-in-network", job.name)
        # References before the rates (the probe stopped at them): the first pass ends
        # where they end; after the rates: the first pass reads the whole file.
        up_front = keys[-1] == "provider_references"
        first = 0 if up_front else size
        groups, _, remote = tic.provider_groups(
            path, shown, job.npi, job.tin, progress(0, first + size), up_front=up_front
        )
        rows, inline, notes = tic.in_network_rates(
            path, shown, job.name, codes, groups, job.npi, job.tin, progress(first, first + size)
        )
        if not groups and not inline:
            under = f" under TIN {job.tin}" if job.tin else ""
            far = (
                f"; {remote} provider reference(s) point to separate files, which are not "
                "fetched: download them and extract from those"
                if remote
                else ""
            )
            raise RatesError(
                f"{shown}: NPI {job.npi}{under} is not in this file{far}", param="--npi"
            )
        if not rows:
            notes.append(f"{job.name}: the provider is in the file, but with none of the codes")
        out.update(negotiated=rows, notes=notes)
        return out
    if "out_of_network" in keys:
        tic.check_version(header, shown, tic.SUPPORTED_MAJOR, "Transparency in Coverage")
        out["source"] = tic.source_of(header, shown, "tic-allowed-amounts", job.name)
        rows = tic.allowed_amounts(
            path, shown, job.name, codes, job.npi, job.tin, progress(0, size)
        )
        if not rows:
            raise RatesError(
                f"{shown}: NPI {job.npi} has no out-of-network allowed amounts in this file "
                "for the asked codes",
                param="--npi",
            )
        out["allowed_amounts"] = rows
        return out
    if "standard_charge_information" in keys or "hospital_name" in header:
        source, rows = hospital.read_json(
            path, shown, job.name, codes, job.npi, header, progress(0, size)
        )
        out.update(source=source, hospital=rows)
        return out
    raise RatesError(
        f"{shown}: not a Transparency in Coverage (in-network or allowed-amounts) or hospital "
        "price-transparency file",
        param="FILE",
    )


def names_for(paths: Sequence[str]) -> list[str]:
    """Each file's name in the book: its base name, or the path when two share one."""
    bases = [Path(p).name for p in paths]
    return [b if bases.count(b) == 1 else p for b, p in zip(bases, paths, strict=True)]


def run(
    paths: Sequence[str],
    *,
    npi: str,
    tin: str | None,
    codes: Sequence[str],
    jobs: int = 1,
    report: Callable[[int], Reporter] | None = None,
    done: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Extract every file. `report(i)` gives file i's byte reporter (one job at a time);
    with jobs > 1 the files run in parallel processes and `done(n)` counts finished
    files. The first failing file (in the order given) stops the run."""
    seen: set[str] = set()
    for p in paths:
        key = str(Path(p).resolve())
        if key in seen:
            raise RatesError(f"{p}: given twice", param="FILE")
        seen.add(key)
    work = [Job(p, n, tuple(codes), npi, tin) for p, n in zip(paths, names_for(paths), strict=True)]
    if jobs <= 1 or len(work) == 1:
        return [extract_file(job, report(i) if report else None) for i, job in enumerate(work)]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: dict[int, dict[str, Any]] = {}
    errors: dict[int, BaseException] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(extract_file, job): i for i, job in enumerate(work)}
        for n, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:
                errors[i] = exc
            if done is not None:
                done(n)
    if errors:
        first = errors[min(errors)]
        if isinstance(first, RatesError):
            raise RatesError(first.message, param="FILE") from None
        raise first
    return [results[i] for i in range(len(work))]


def build_book(
    parts: Sequence[dict[str, Any]],
    *,
    npi: str,
    tin: str | None,
    codes: Sequence[str],
    today: dt.date,
) -> RateBook:
    import json

    from ketacost.rates.book import validate

    def unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Files repeat a code's entry (one per arrangement or network); keep one of each."""
        seen: set[str] = set()
        out = []
        for row in rows:
            key = json.dumps(row, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.append(row)
        return out

    notes: list[str] = []
    for part in parts:
        notes.extend(n for n in part.get("notes", []) if n not in notes)
    data = {
        "rate_book": "ketacost.rates/1",
        "created": today.isoformat(),
        "npi": npi,
        "tin": tin,
        "codes": sorted(set(codes)),
        "sources": [p["source"] for p in parts],
        "negotiated": unique([r for p in parts for r in p["negotiated"]]),
        "allowed_amounts": unique([r for p in parts for r in p["allowed_amounts"]]),
        "hospital": unique([r for p in parts for r in p["hospital"]]),
        "notes": notes,
    }
    return validate(data, "the extracted rate book")
