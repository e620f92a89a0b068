"""ketacost benchmarks: start-up against the import floor, price-book loading, batch.

Run from the repo with the project's venv:

    .venv/bin/python benchmarks/run.py            # full run (batch up to 1M rows)
    .venv/bin/python benchmarks/run.py --quick    # smoke run (CI): fewer repeats, 10k rows

Commands are interleaved round by round so machine noise hits them alike; the report
gives medians and ratios against a floor measured in the same run. Absolute times on a
shared machine mean little; the ratios are the result.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
BIN = str(Path(PY).parent / "ketacost")
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=True)
    return time.perf_counter() - start


def interleaved(cmds: dict[str, list[str]], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the file cache once
        timed(cmd)
    for _ in range(rounds):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    return {name: statistics.median(v) for name, v in times.items()}


def startup(rounds: int) -> list[tuple[str, float, str, float]]:
    cmds = {
        "floor: import typer, rich.table, pydantic, yaml": [
            PY,
            "-c",
            "import typer, rich.table, pydantic, yaml",
        ],
        "floor: import typer": [PY, "-c", "import typer"],
        "ketacost estimate iv": [BIN, "estimate", "iv"],
        "ketacost --version": [BIN, "--version"],
        "ketacost --help": [BIN, "--help"],
    }
    med = interleaved(cmds, rounds)
    full = med["floor: import typer, rich.table, pydantic, yaml"]
    typer_only = med["floor: import typer"]
    return [
        ("ketacost estimate iv", med["ketacost estimate iv"], "deps floor", full),
        ("ketacost --version", med["ketacost --version"], "import typer", typer_only),
        ("ketacost --help", med["ketacost --help"], "import typer", typer_only),
    ]


def book_load(repeats: int) -> float:
    code = (
        "import time, statistics\n"
        "from ketacost import pricebook\n"
        "xs = []\n"
        f"for _ in range({repeats}):\n"
        "    s = time.perf_counter(); pricebook.load(); xs.append(time.perf_counter() - s)\n"
        "print(statistics.median(xs))\n"
    )
    out = subprocess.run(
        [PY, "-c", code], capture_output=True, text=True, env=ENV, check=True
    ).stdout
    return float(out)


def make_batch(path: Path, rows: int, insured: bool, seed: int = 7) -> None:
    """Rows a counselor might send: varied prices, sessions, plans and start dates."""
    rnd = random.Random(seed)
    treatments = ["iv", "im", "kap", "spravato", "oral", "nasal"]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "id",
                "treatment",
                "price",
                "sessions",
                "months",
                "start",
                "insurance",
                "deductible",
                "coinsurance",
                "oop_max",
            ]
        )
        for i in range(rows):
            t = rnd.choice(treatments)
            price = rnd.choice(["", "", str(rnd.randrange(250, 1200, 25))])
            sessions = rnd.choice(["", "4", "6", "8"])
            months = rnd.choice(["6", "12", "12", "18"])
            start = f"2027-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            if insured:
                ded = str(rnd.randrange(0, 5000, 250))
                row = [
                    i,
                    t,
                    price,
                    sessions,
                    months,
                    start,
                    "commercial",
                    ded,
                    rnd.choice(["10", "20", "30"]),
                    str(int(ded) + rnd.randrange(1000, 6000, 500)),
                ]
            else:
                row = [i, t, price, sessions, months, start, "", "", "", ""]
            w.writerow(row)


def batch(rows: int, insured: bool, folder: Path) -> tuple[float, float, int]:
    src = folder / f"batch-{rows}-{insured}.csv"
    make_batch(src, rows, insured)
    out = folder / "out.csv"
    cmd = ["/usr/bin/time", "-v", BIN, "batch", str(src), "-o", str(out), "--force"]
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return rows / elapsed, int(peak.group(1)) / 1024 if peak else float("nan"), r.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument(
        "--insured-max",
        type=int,
        default=1_000_000,
        help="largest insured batch (insured rows are slow; see the README)",
    )
    ap.add_argument(
        "--rates-mb",
        type=float,
        nargs="*",
        default=None,
        help="sizes in MB for 'rates extract' (default 100; --quick: 10; e.g. 100 2000)",
    )
    args = ap.parse_args()
    rounds = 5 if args.quick else 21
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    print(f"\nStart-up, median of {rounds} interleaved runs")
    print(f"{'command':24} {'median':>9} {'against':>14} {'floor':>9} {'ratio':>6}")
    for name, t, floor_name, floor in startup(rounds):
        print(
            f"{name:24} {t * 1000:7.0f}ms {floor_name:>14} {floor * 1000:7.0f}ms {t / floor:6.2f}"
        )
    load = book_load(20 if args.quick else 100)
    print(f"\nPrice book load + validation (in-process, median): {load * 1000:.1f} ms")
    print("\nBatch (rows/s include process start; peak memory from /usr/bin/time -v)")
    print(f"{'rows':>10} {'kind':>9} {'rows/s':>10} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for insured in (False, True):
            for rows in sizes:
                if insured and rows > args.insured_max:
                    continue
                rate, peak, rc = batch(rows, insured, Path(tmp))
                kind = "insured" if insured else "self-pay"
                print(
                    f"{rows:>10,} {kind:>9} {rate:>10,.0f} {peak:>8.1f}"
                    + ("" if rc == 0 else f"  (exit {rc})")
                )
    # Price-transparency extraction: benchmarks/rates_bench.py (files cached in /tmp).
    import rates_bench

    rates_mb = args.rates_mb if args.rates_mb is not None else [10.0 if args.quick else 100.0]
    if rates_mb:
        rates_bench.main(["--mb", *map(str, rates_mb)])


if __name__ == "__main__":
    main()
