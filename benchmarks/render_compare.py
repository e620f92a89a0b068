"""Every table screen, many scenarios, every width and colour setting: save the bytes
once (from the code before a rendering change), then check a later version against them.

    PYTHONPATH=/tmp/base/src .venv/bin/python benchmarks/render_compare.py --save /tmp/screens.json
    .venv/bin/python benchmarks/render_compare.py --check /tmp/screens.json

A rendering change must leave every screen byte for byte as it was: the goldens pin
three scenarios at 80 columns without colour; this covers the table screens of
estimate, schedule, compare, tips, prices and finance at 40 to 200 columns, without
colour and with forced 256-colour and truecolor output, in English and Spanish, and the
text `-o FILE.txt` writes. Runs in-process (typer's CliRunner), one build of the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

START = "2027-03-01"
TODAY = "2026-11-27"
WIDTHS = (40, 60, 80, 100, 140, 200)
COLOURS: dict[str, dict[str, str]] = {
    "none": {"NO_COLOR": "1", "TERM": "dumb"},
    "256": {"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    "truecolor": {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"},
}
INSURED = ["--covered", "--deductible", "2000", "--coinsurance", "20", "--oop-max", "6000"]

ESTIMATES: list[list[str]] = [
    ["iv"],
    ["spravato"],
    ["kap"],
    ["im"],
    ["oral"],
    ["nasal"],
    ["iv", "--price", "590", "--consult", "300"],
    ["iv", "--months", "60"],
    ["spravato", "--months", "36", "--dose", "84"],
    ["spravato", "--no-maintenance"],
    ["iv", "--sessions", "3", "--no-maintenance", "--consult", "0"],
    ["iv", "--discount", "package", "--discount", "prompt_pay"],
    ["kap", "--discount", "sliding_scale"],
    ["spravato", "--insurance", "commercial"],
    ["spravato", "--insurance", "commercial", "--price", "1240", "--dose", "84", *INSURED],
    ["spravato", "--insurance", "commercial", "--network", "out", *INSURED],
    ["spravato", "--insurance", "commercial", "--copay", "40", "--covered"],
    ["spravato", "--insurance", "commercial", "--observation-rebate", "--covered"],
    ["spravato", "--insurance", "commercial", "--no-assistance", "--covered"],
    ["spravato", "--insurance", "commercial", "--accumulator", "--covered"],
    ["spravato", "--insurance", "medicare"],
    ["spravato", "--insurance", "medicare", "--medigap", "N", "--price", "1240"],
    ["spravato", "--insurance", "medicare", "--medigap", "G"],
    ["spravato", "--insurance", "medicaid", "--state", "CA"],
    ["iv", "--insurance", "commercial", "--covered", "--price", "500", "--sessions", "6"],
    ["iv", "--insurance", "commercial", "--not-covered"],
    ["iv", "--insurance", "commercial", *INSURED, "--hsa"],
    ["spravato", "--insurance", "commercial", *INSURED, "--hsa", "--hsa-payroll", "--family"],
    ["iv", "--fsa", "--tax-rate", "30"],
    ["iv", "--finance", "carecredit_12"],
    ["kap", "--finance", "18@26.99"],
    ["iv", "--include-indirect", "--hourly-wage", "32"],
    ["spravato", "--include-indirect", "--finance", "carecredit_24", "--fsa"],
    ["spravato", "--insurance", "commercial", *INSURED, "--plan-year-start", "06-01"],
    ["iv", "--no-tips"],
    ["spravato", "--insurance", "commercial", "--family-deductible", "3000", "--covered"],
]
SCHEDULES: list[list[str]] = [
    ["spravato"],
    ["iv"],
    ["kap", "--months", "6"],
    ["oral"],
    ["spravato", "--insurance", "commercial", *INSURED, "--plan-year-start", "06-01"],
    ["spravato", "--months", "24", "--insurance", "medicare", "--medigap", "N"],
    ["iv", "--no-maintenance", "--price", "450"],
]
COMPARES: list[list[str]] = [
    [],
    ["--insurance", "commercial", *INSURED],
    ["--insurance", "medicare"],
    ["--treatments", "iv,spravato", "--months", "24"],
    ["--no-maintenance", "--hsa", "--insurance", "commercial", *INSURED],
]
TIPS: list[list[str]] = [
    ["iv"],
    ["spravato", "--insurance", "commercial", "--covered"],
    ["kap", "--insurance", "commercial", "--not-covered"],
    ["spravato", "--insurance", "medicare"],
    ["oral", "--finance", "carecredit_6"],
]
PRICES: list[list[str]] = [[], ["spravato"], ["iv"], ["kap"]]
FINANCES: list[list[str]] = [
    ["3000", "--months", "12"],
    ["9150", "--months", "24", "--apr", "26.99"],
    ["5000", "--months", "12", "--apr", "26.99", "--deferred", "--payment", "300"],
    ["4200", "--preset", "carecredit_18"],
]


def command_lines() -> list[tuple[str, list[str]]]:
    """(key, argv) for every screen; dated commands start on a fixed day."""
    out: list[tuple[str, list[str]]] = []
    dated = {"estimate": ESTIMATES, "schedule": SCHEDULES, "tips": TIPS}
    for cmd, cases in dated.items():
        for args in cases:
            out.append((cmd, [cmd, *args, "--start", START]))
    for args in COMPARES:
        out.append(("compare", ["compare", *args, "--start", START]))
    for args in PRICES:
        out.append(("prices", ["prices", *args]))
    for args in FINANCES:
        out.append(("finance", ["finance", *args]))
    spanish = [
        ["estimate", "spravato", "--insurance", "commercial", "--covered", "--start", START],
        ["estimate", "iv", "--finance", "carecredit_12", "--include-indirect", "--start", START],
        ["schedule", "spravato", "--start", START],
        ["tips", "iv", "--start", START],
        ["compare", "--start", START],
        ["prices", "spravato"],
    ]
    out.extend(("es", ["--lang", "es", *argv]) for argv in spanish)
    return out


def screens(quick: bool = False) -> dict[str, str]:
    """Every screen's text, by a key naming its command line, width and colour."""
    import typer.testing
    from typer.testing import CliRunner

    from ketacost.cli.app import app

    built = typer.testing._get_command(app)
    typer.testing._get_command = lambda _app: built  # build the click commands once
    runner = CliRunner()
    out: dict[str, str] = {}
    base = {"KETACOST_TODAY": TODAY, "LINES": "50", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    clear = {k: None for k in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "KETACOST_LANG")}
    tmp = Path(tempfile.mkdtemp(prefix="render-compare-"))
    config = tmp / "config.yaml"
    config.write_text("", encoding="utf-8")
    base["KETACOST_CONFIG"] = str(config)
    widths = (80,) if quick else WIDTHS
    for _, argv in command_lines():
        for width in widths:
            for colour, env in COLOURS.items():
                if quick and colour == "truecolor":
                    continue
                full: dict[str, Any] = {
                    **clear,
                    **base,
                    **env,
                    "COLUMNS": str(width),
                    "TERMINAL_WIDTH": str(width),
                }
                result = runner.invoke(app, argv, env=full)
                key = f"{' '.join(argv)} | {width} | {colour}"
                failed = result.stderr if result.exit_code else ""
                out[key] = f"exit {result.exit_code}\n{result.stdout}{failed}"
        if "prices" in argv:  # prices has no -o
            continue
        # -o FILE.txt: the text rendering, a fixed width and no colour
        target = tmp / f"screen-{len(out)}.txt"
        env = {**clear, **base, "COLUMNS": "80", "TERMINAL_WIDTH": "80"}
        result = runner.invoke(app, [*argv, "-o", str(target)], env=env)
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        out[f"{' '.join(argv)} | -o FILE.txt"] = f"exit {result.exit_code}\n{text}"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write every screen to this JSON file")
    group.add_argument("--check", type=Path, help="compare every screen with this file")
    parser.add_argument("--quick", action="store_true", help="80 columns, two colour settings")
    parser.add_argument(
        "--twice",
        action="store_true",
        help="check a second pass too, with the cache the first one filled",
    )
    args = parser.parse_args()
    os.environ["KETACOST_CACHE_DIR"] = tempfile.mkdtemp(prefix="render-compare-cache-")
    if args.twice and args.check:
        from ketacost.report import screencache

        # Keep every screen of the first pass, so the second shows each from the cache.
        screencache.KEEP = 10**6
    got = screens(quick=args.quick)
    if args.twice and args.check:
        again = screens(quick=args.quick)
        got.update({f"{k} | again": v for k, v in again.items()})
    failed = [k for k, v in got.items() if not v.startswith("exit 0\n")]
    if args.save:
        args.save.write_text(json.dumps(got, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"{len(got)} screens saved to {args.save}; {len(failed)} did not exit 0")
        for key in failed:
            print(f"  exit != 0: {key}: {got[key][:200]!r}")
        return 0
    want: dict[str, str] = json.loads(args.check.read_text(encoding="utf-8"))

    def saved(key: str) -> str | None:
        return want.get(key.removesuffix(" | again"))

    differ = [k for k in got if saved(k) is not None and got[k] != saved(k)]
    missing = [k for k in got if saved(k) is None]
    for key in differ[:10]:
        print(f"DIFFERS: {key}")
        import difflib

        lines = difflib.unified_diff(
            (saved(key) or "").splitlines(),
            got[key].splitlines(),
            "before",
            "after",
            lineterm="",
            n=1,
        )
        print("\n".join(list(lines)[:30]))
    print(
        f"{len(got) - len(differ) - len(missing)} of {len(got)} screens identical; "
        f"{len(differ)} differ; {len(missing)} not in the saved file"
    )
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
