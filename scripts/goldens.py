"""Write tests/golden/: three fixed scenarios in every format, compared exactly by
tests/test_golden.py. A change to a golden file is reviewed like code.

    .venv/bin/python scripts/goldens.py          # rewrite tests/golden/*
    .venv/bin/python scripts/goldens.py --check  # exit 1 if any golden is stale

Every run is pinned (KETACOST_TODAY, --start, 80 columns, no colour, no config file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
TODAY = "2026-11-27"
START = "2027-03-01"

SCENARIOS: dict[str, list[str]] = {
    "selfpay-iv": ["iv", "--price", "590", "--consult", "300"],
    "commercial-spravato": [
        "spravato",
        "--price",
        "1240",
        "--dose",
        "84",
        "--insurance",
        "commercial",
        "--covered",
        "--deductible",
        "2000",
        "--coinsurance",
        "20",
        "--oop-max",
        "6000",
    ],
    "medicare-medigap": [
        "spravato",
        "--price",
        "1240",
        "--insurance",
        "medicare",
        "--medigap",
        "N",
    ],
}
# format -> (command, extra options, file suffix)
FORMATS: dict[str, tuple[str, list[str], str]] = {
    "table": ("estimate", [], "txt"),
    "json": ("estimate", ["--format", "json"], "json"),
    "csv": ("estimate", ["--format", "csv"], "csv"),
    "markdown": ("estimate", ["--format", "markdown"], "md"),
    "html": ("estimate", ["--format", "html"], "html"),
    "gfe": ("estimate", ["--format", "gfe"], "gfe.md"),
    "ics": ("schedule", ["--format", "ics"], "ics"),
}
ENV = {
    "KETACOST_TODAY": TODAY,
    "NO_COLOR": "1",
    "COLUMNS": "80",
    "TERMINAL_WIDTH": "80",
    "TERM": "dumb",
}


def render(scenario: str, fmt: str) -> str:
    """What the CLI prints for one scenario and format."""
    from typer.testing import CliRunner

    from ketacost.cli.app import app

    command, extra, _ = FORMATS[fmt]
    given = SCENARIOS[scenario]
    if fmt == "gfe":  # a Good Faith Estimate is for self-pay patients: the same course
        given = given[: given.index("--insurance")] if "--insurance" in given else given
    args = [command, *given, "--start", START, *extra]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**ENV, "KETACOST_CONFIG": str(Path(tmp) / "config.yaml")}
        Path(env["KETACOST_CONFIG"]).write_text("", encoding="utf-8")
        result = CliRunner().invoke(app, args, env=env)
    if result.exit_code != 0:
        raise SystemExit(f"{scenario} {fmt}: exit {result.exit_code}: {result.output}")
    return result.stdout


def path_of(scenario: str, fmt: str) -> Path:
    return GOLDEN / f"{scenario}.{FORMATS[fmt][2]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    os.environ.update(ENV)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    stale = []
    for scenario in SCENARIOS:
        for fmt in FORMATS:
            text, path = render(scenario, fmt), path_of(scenario, fmt)
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    stale.append(path.name)
            else:
                path.write_text(text, encoding="utf-8")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
