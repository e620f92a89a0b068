"""`ketacost rates extract` throughput and peak memory on synthetic TiC files.

Generates schema-valid in-network-rates files (benchmarks/tic_synth.py) of the asked
sizes, with provider references before or after the rates, and times a real
`ketacost rates extract` process on each: MB/s of uncompressed JSON (the command is
single-threaded, so this is per core) and the process's peak resident memory. The
extracted G2082/G2083 rates are checked against the generator's, so a fast wrong
answer cannot pass.

    .venv/bin/python benchmarks/rates_bench.py --mb 100 2000 [--refs after] [--gzip]

Files are generated once into --dir (default: the system temp folder) and reused;
2 GB needs about 2 GB of disk and a few minutes to generate.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import tic_synth  # noqa: E402

PY = sys.executable
BIN = str(Path(PY).parent / "ketacost")
GOAL_MBS, GOAL_PEAK_MB = 30.0, 150.0


def generated(folder: Path, mb: float, refs: str, gz: bool) -> Path:
    path = folder / f"ketacost-tic-{mb:g}mb-{refs}.json{'.gz' if gz else ''}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".part")
        if gz:
            with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as handle:
                tic_synth.write(handle, mb=mb, refs=refs)
        else:
            with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as handle:
                tic_synth.write(handle, mb=mb, refs=refs)
        tmp.rename(path)
    return path


def uncompressed_size(path: Path) -> int:
    if path.suffix != ".gz":
        return path.stat().st_size
    total = 0
    with gzip.open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            total += len(chunk)
    return total


def extract(path: Path, out: Path) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS in MB and exit code of one extraction."""
    cmd = [BIN, "rates", "extract", str(path), "--npi", str(tic_synth.TARGET_NPI)]
    cmd += ["-o", str(out), "--force"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode())
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, proc.returncode


def check(out: Path) -> bool:
    import yaml

    data = yaml.safe_load(out.read_text())
    got = {r["code"]: r["rate"] for r in data["negotiated"]}
    return all(got.get(c) == tic_synth.TARGET_RATES[c] for c in ("G2082", "G2083"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[100.0])
    ap.add_argument("--refs", choices=("before", "after", "both"), default="both")
    ap.add_argument("--gzip", action="store_true", help="also time .json.gz files")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = ap.parse_args(argv)
    refs = ("before", "after") if args.refs == "both" else (args.refs,)
    print("\nrates extract (one process, one core; MB of uncompressed JSON)")
    print(
        f"{'file':>34} {'MB':>6} {'seconds':>8} {'MB/s':>6} {'CPU s':>7} {'MB/CPU s':>8} "
        f"{'peak MB':>8} {'rates ok':>8}"
    )
    for mb in args.mb:
        for order in refs:
            for gz in (False, True) if args.gzip else (False,):
                path = generated(args.dir, mb, order, gz)
                size = uncompressed_size(path) / 1e6
                out = args.dir / "ketacost-bench-rates.yaml"
                seconds, cpu, peak, rc = extract(path, out)
                ok = rc == 0 and check(out)
                print(
                    f"{path.name:>34} {size:6.0f} {seconds:8.2f} {size / seconds:6.1f} "
                    f"{cpu:7.2f} {size / cpu:8.1f} {peak:8.1f} {'yes' if ok else 'NO':>8}"
                )
    print(
        f"goals: >= {GOAL_MBS:.0f} MB/s per core (MB per CPU second: robust on a busy "
        f"machine), <= {GOAL_PEAK_MB:.0f} MB peak"
    )


if __name__ == "__main__":
    main()
