"""Time spent printing each table screen, in a fresh process as a real run does it
(first use of rich's code included): `report.table.print_to`, and `deliver.render_text`
for `-o FILE.txt`.

    python -m compileall -q src
    .venv/bin/python benchmarks/render_timing.py --rounds 11
    PYTHONPATH=/tmp/base/src .venv/bin/python benchmarks/render_timing.py   # another tree

Each round runs every command once (interleaved); the report is the median in ms of
CPU time (process time, which moves less than wall time on a shared machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

COMMANDS: dict[str, list[str]] = {
    "estimate iv": ["estimate", "iv"],
    "estimate spravato --insurance commercial": [
        "estimate",
        "spravato",
        "--insurance",
        "commercial",
    ],
    "schedule spravato": ["schedule", "spravato"],
    "compare": ["compare"],
    "tips iv": ["tips", "iv"],
    "prices": ["prices"],
    "finance 9150 --months 24 --apr 26.99": ["finance", "9150", "--months", "24", "--apr", "26.99"],
}

# The child wraps the printing functions with a CPU-time clock (the outermost call
# counts) and reports on stderr. `prices` prints through `show_table` where it has one
# (the screen cache: reading the book's text, the key, the cached screen or laying it out).
CHILD = r"""
import sys, time
import ketacost.report.table as table
import ketacost.cli.deliver as deliver
import ketacost.cli.commands.prices as prices
spent = []
depth = [0]
def timed(fn):
    def run(*a, **k):
        depth[0] += 1
        t0 = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent.append(time.process_time() - t0)
    return run
table.print_to = timed(table.print_to)
deliver.render_text = timed(deliver.render_text)
if hasattr(prices, "show_table"):
    prices.show_table = timed(prices.show_table)
sys.argv = ["ketacost", *sys.argv[1:]]
from ketacost.launcher import main
try:
    main()
finally:
    sys.stderr.write(f"\nRENDER_MS {sum(spent) * 1000:.3f}\n")
"""


def once(args: list[str], env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True, check=True
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("RENDER_MS ")][-1]
    return float(line.split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--output", action="store_true", help="time -o FILE.txt instead")
    opts = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="render-timing-")
    config = os.path.join(tmp, "config.yaml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write("")
    env = {
        **os.environ,
        "KETACOST_CONFIG": config,
        "KETACOST_CACHE_DIR": tmp,
        "COLUMNS": "100",
        "KETACOST_TODAY": "2026-11-27",
    }
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for n in range(opts.rounds + 1):
        for name, args in COMMANDS.items():
            argv = [*args, "--start", "2027-03-01"] if args[0] in ("estimate", "schedule") else args
            if opts.output:
                if args[0] == "prices":
                    continue
                argv = [*argv, "-o", os.path.join(tmp, f"out-{n}.txt"), "--force"]
            ms = once(argv, env)
            if n:  # the first round fills the price-book cache
                times[name].append(ms)
    for name, values in times.items():
        if values:
            print(f"{name:45s} {statistics.median(values):7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
