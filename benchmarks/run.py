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
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PY = sys.executable
BIN = str(Path(PY).parent / "ketacost")
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def interleaved(cmds: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command, run round by round."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the file cache once
        timed(cmd)
    for _ in range(rounds):
        for name, cmd in cmds.items():
            times[name].append(timed(cmd))
    return {
        name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for name, v in times.items()
    }


FLOOR = "floor: import typer, rich.table, pydantic, yaml"
TYPER = "floor: import typer"
# (command, goal as a ratio to the deps floor): issue 17's table.
COMMANDS: tuple[tuple[str, float], ...] = (
    ("estimate iv", 1.15),
    ("estimate spravato --insurance commercial", 1.15),
    ("estimate iv --format json", 1.15),
    ("compare", 1.15),
    ("tips iv", 1.15),
    ("schedule spravato", 1.15),
    ("prices", 1.15),
    ("--help", 1.0),
)
VERSION_GOAL = 0.5  # `--version` against `import typer`


# The same command through `launcher.main` alone: the interpreter's usual exit, with the
# teardown the console script (`launcher.run`) skips for a one-shot command.
USUAL_EXIT = "import sys; sys.argv[0] = 'ketacost'; from ketacost.launcher import main; main()"


def startup(rounds: int) -> list[tuple[str, float, str, float, float, float, float]]:
    """(command, median, floor name, floor median, goal ratio, CPU ratio, ratio with
    the usual exit) for every start-up goal. The goal is judged on wall time; the ratio
    of CPU times moves less when other work shares the machine."""
    cmds = {
        FLOOR: [PY, "-c", "import typer, rich.table, pydantic, yaml"],
        TYPER: [PY, "-c", "import typer"],
        **{f"ketacost {c}": [BIN, *c.split()] for c, _ in COMMANDS},
        "ketacost --version": [BIN, "--version"],
        **{f"usual {c}": [PY, "-c", USUAL_EXIT, *c.split()] for c, _ in COMMANDS},
        "usual --version": [PY, "-c", USUAL_EXIT, "--version"],
    }
    med = interleaved(cmds, rounds)

    def row(command: str, floor: str, floor_name: str, goal: float) -> tuple[Any, ...]:
        (wall, cpu), (floor_wall, floor_cpu) = med[f"ketacost {command}"], med[floor]
        usual = med[f"usual {command}"][0] / floor_wall
        return (f"ketacost {command}", wall, floor_name, floor_wall, goal, cpu / floor_cpu, usual)

    rows = [row(c, FLOOR, "deps floor", g) for c, g in COMMANDS]
    rows.append(row("--version", TYPER, "import typer", VERSION_GOAL))
    return rows


def book_load(repeats: int, cache: bool = True) -> float:
    """Median seconds of `pricebook.load()` in-process: from the cache (plain records,
    no pydantic), or with the cache off (YAML parsed and validated every time)."""
    env = ENV if cache else {**ENV, "KETACOST_CACHE_DIR": "off"}
    code = (
        "import time, statistics\n"
        "from ketacost.book import pricebook\n"
        "xs = []\n"
        f"for _ in range({repeats}):\n"
        "    s = time.perf_counter(); pricebook.load(); xs.append(time.perf_counter() - s)\n"
        "print(statistics.median(xs))\n"
    )
    out = subprocess.run(
        [PY, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    return float(out)


INSURED_KINDS = ("commercial", "commercial-out", "medicare", "medicaid", "hsa", "fsa")


def make_batch(path: Path, rows: int, insured: bool, seed: int = 7) -> None:
    """Rows a counselor might send: varied prices, sessions, plans and start dates.
    Insured rows mix commercial in and out of network, Medicare (with and without a
    Medigap plan), Medicaid, and HSA/FSA money, over all six treatments."""
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
                "network",
                "deductible",
                "coinsurance",
                "oop_max",
                "medigap",
                "hsa",
                "fsa",
            ]
        )
        for i in range(rows):
            t = rnd.choice(treatments)
            price = rnd.choice(["", "", str(rnd.randrange(250, 1200, 25))])
            sessions = rnd.choice(["", "4", "6", "8"])
            months = rnd.choice(["6", "12", "12", "18"])
            start = f"2027-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            # insurance, network, deductible, coinsurance, oop_max, medigap, hsa, fsa
            plan = ["", "", "", "", "", "", "", ""]
            if insured:
                kind = rnd.choice(INSURED_KINDS)
                ded = str(rnd.randrange(0, 5000, 250))
                oop = str(int(ded) + rnd.randrange(1000, 6000, 500))
                coins = rnd.choice(["10", "20", "30"])
                if kind in ("commercial", "commercial-out"):
                    net = "out" if kind == "commercial-out" else "in"
                    plan = ["commercial", net, ded, coins, oop, "", "", ""]
                elif kind == "medicare":
                    plan = ["medicare", "", "", "", "", rnd.choice(["", "G", "N"]), "", ""]
                elif kind == "medicaid":
                    plan = ["medicaid", "", "", "", "", "", "", ""]
                else:  # pre-tax money, self-pay or with a commercial plan
                    pay = ["yes", ""] if kind == "hsa" else ["", "yes"]
                    if rnd.random() < 0.5:
                        plan = ["", "", "", "", "", "", *pay]
                    else:  # an HSA needs a high-deductible plan
                        hdhp = str(rnd.randrange(2000, 5000, 250))
                        oop = str(int(hdhp) + rnd.randrange(1000, 3000, 500))
                        plan = ["commercial", "in", hdhp, coins, oop, "", *pay]
            w.writerow([i, t, price, sessions, months, start, *plan])


def batch(rows: int, insured: bool, folder: Path) -> tuple[float, float, float, int]:
    """(rows per wall-clock second, rows per CPU second, peak MB, exit code) of one
    `ketacost batch` process. CPU seconds (user + system, from /usr/bin/time) are what
    one core of its own would take: on a shared machine the wall clock also counts the
    time the process waited for a core."""
    src = folder / f"batch-{rows}-{insured}.csv"
    make_batch(src, rows, insured)
    out = folder / "out.csv"
    cmd = ["/usr/bin/time", "-v", BIN, "batch", str(src), "-o", str(out), "--force"]
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", r.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", r.stderr)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else elapsed
    return (
        rows / elapsed,
        rows / max(cpu, 1e-9),
        int(peak.group(1)) / 1024 if peak else float("nan"),
        r.returncode,
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


SELF_PAY_GOAL = 25_000  # rows/s, including start-up
INSURED_GOAL = 15_000
MEMORY_GOAL_MB = 50.0
FLAT_MB = 5.0  # "flat": the largest run's peak within this of the smallest's


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument("--rounds", type=int, help="start-up rounds (default 21; 5 with --quick)")
    ap.add_argument("--no-batch", action="store_true", help="start-up only")
    ap.add_argument("--batch-only", action="store_true", help="batch only (no start-up, no rates)")
    ap.add_argument(
        "--rates-mb",
        type=float,
        nargs="*",
        default=None,
        help="sizes in MB for 'rates extract' (default 100; --quick: 10; e.g. 100 2000)",
    )
    args = ap.parse_args()
    rounds = args.rounds or (5 if args.quick else 21)
    self_pay_sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    insured_sizes = [10_000] if args.quick else [100_000]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    goals: list[tuple[str, str, str, bool]] = []
    if not args.batch_only:
        _startup_goals(rounds, args.quick, goals)
    if args.no_batch:
        _summary(goals)
        return
    _batch_goals(self_pay_sizes, insured_sizes, args.quick, goals)
    if args.batch_only:
        _summary(goals)
        return
    # Price-transparency extraction: benchmarks/rates_bench.py (files cached in /tmp).
    import rates_bench

    rates_mb = args.rates_mb if args.rates_mb is not None else [10.0 if args.quick else 100.0]
    if rates_mb:
        rates_bench.main(["--mb", *map(str, rates_mb)])
    _summary(goals)


def _startup_goals(rounds: int, quick: bool, goals: list[tuple[str, str, str, bool]]) -> None:
    print(f"\nStart-up, median of {rounds} interleaved runs")
    print("(usual exit: the same command with the interpreter's teardown, for comparison)")
    print(
        f"{'command':48} {'median':>8} {'against':>13} {'floor':>7} {'ratio':>6} "
        f"{'cpu':>5} {'usual':>6} {'goal':>6}"
    )
    for name, t, floor_name, floor, goal, cpu_ratio, usual in startup(rounds):
        ratio = t / floor
        print(
            f"{name:48} {t * 1000:6.0f}ms {floor_name:>13} {floor * 1000:5.0f}ms "
            f"{ratio:6.2f} {cpu_ratio:5.2f} {usual:6.2f} {goal:6.2f}  {_met(ratio <= goal)}"
        )
        goals.append(
            (
                f"`{name}` vs {floor_name}",
                f"{ratio:.2f}x (CPU {cpu_ratio:.2f}x; usual exit {usual:.2f}x)",
                f"<= {goal}x",
                ratio <= goal,
            )
        )
    print(f"load average after start-up runs: {os.getloadavg()[0]:.2f}")
    repeats = 20 if quick else 100
    cached, validated = book_load(repeats), book_load(max(5, repeats // 10), cache=False)
    print(
        f"\nPrice book load (in-process, median): {cached * 1000:.1f} ms from the cache "
        f"(records), {validated * 1000:.1f} ms parsed and validated (cache off)"
    )


def _batch_goals(
    self_pay_sizes: list[int],
    insured_sizes: list[int],
    quick: bool,
    goals: list[tuple[str, str, str, bool]],
) -> None:
    print(f"\nload average before the batch runs: {_load()}")
    print(
        "\nBatch, one process (rows/s include process start; rows per CPU second judge the"
        "\ngoals, as on a core of its own; peak memory: /usr/bin/time -v)"
    )
    print(f"{'rows':>10} {'kind':>9} {'rows/s':>10} {'rows/cpu-s':>11} {'peak MB':>8}")
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for insured, sizes in ((False, self_pay_sizes), (True, insured_sizes)):
            for rows in sizes:
                wall, rate, peak, rc = batch(rows, insured, Path(tmp))
                kind = "insured" if insured else "self-pay"
                print(
                    f"{rows:>10,} {kind:>9} {wall:>10,.0f} {rate:>11,.0f} {peak:>8.1f}"
                    + ("" if rc == 0 else f"  (exit {rc})")
                )
                if insured:
                    goals.append(
                        (
                            f"batch insured mix, {rows:,} rows",
                            f"{rate:,.0f} rows/cpu-s ({wall:,.0f} rows/s wall)",
                            f">= {INSURED_GOAL:,}",
                            rate >= INSURED_GOAL and rc == 0,
                        )
                    )
                else:
                    peaks[rows] = peak
                    if rows >= 100_000 or quick:
                        goals.append(
                            (
                                f"batch self-pay, {rows:,} rows",
                                f"{rate:,.0f} rows/cpu-s ({wall:,.0f} rows/s wall)",
                                f">= {SELF_PAY_GOAL:,}",
                                rate >= SELF_PAY_GOAL and rc == 0,
                            )
                        )
    low, high = min(peaks.values()), max(peaks.values())
    sizes_text = " / ".join(f"{p:.1f}" for p in peaks.values())
    goals.append(
        (
            f"batch peak memory, {' / '.join(f'{r:,}' for r in peaks)} rows",
            f"{sizes_text} MB",
            f"flat, <= {MEMORY_GOAL_MB:.0f} MB",
            high - low <= FLAT_MB and high <= MEMORY_GOAL_MB,
        )
    )
    print(f"load average after: {_load()}")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def _summary(goals: list[tuple[str, str, str, bool]]) -> None:
    print("\nGoals (issue 17)")
    print("| measure | result | goal | |")
    print("|---|---|---|---|")
    for name, result, goal, ok in goals:
        print(f"| {name} | {result} | {goal} | {_met(ok)} |")


if __name__ == "__main__":
    main()
