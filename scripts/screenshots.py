"""Make the README's pictures: SVG screenshots of real runs, by rich's own SVG export.

    .venv/bin/python scripts/screenshots.py          # rewrite docs/*.svg
    .venv/bin/python scripts/screenshots.py --check  # exit 1 if any picture is stale

The runs are pinned (KETACOST_TODAY, --start, a fixed width, no colour from the
environment) so the same code gives the same pictures; tests/test_screenshots.py fails
when the code's output no longer matches them.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
WIDTH = 92
TODAY = "2026-11-27"

SHOTS = {
    "estimate": ["estimate", "spravato", "--insurance", "commercial", "--start", "2027-01-04"],
    "compare": ["compare", "--insurance", "commercial", "--start", "2027-01-04"],
    "tips": [
        "tips",
        "iv",
        "--insurance",
        "commercial",
        "--deductible",
        "1500",
        "--coinsurance",
        "20",
        "--oop-max",
        "5000",
        "--start",
        "2026-12-14",
    ],
}


def render(args: list[str]) -> str:
    """Run one command in-process with a recording console; return the SVG."""
    from rich.console import Console

    from ketacost.cli import app as cli
    from ketacost.cli import context

    recorder = Console(
        record=True,
        file=io.StringIO(),
        width=WIDTH,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        legacy_windows=False,
    )
    old_console, old_env = context.console, dict(os.environ)
    os.environ.update({"KETACOST_TODAY": TODAY, "COLUMNS": str(WIDTH)})
    for var in ("NO_COLOR", "FORCE_COLOR", "KETACOST_PRICING", "KETACOST_CONFIG"):
        os.environ.pop(var, None)
    # Never the user's config: an empty one of our own (a missing one is an error).
    tmp = tempfile.mkdtemp(prefix="ketacost-")
    empty = Path(tmp) / "config.yaml"
    empty.write_text("", encoding="utf-8")
    os.environ["KETACOST_CONFIG"] = str(empty)
    context.console = lambda stderr=False: recorder  # type: ignore[assignment]
    try:
        cli.app(args, standalone_mode=False)
    finally:
        empty.unlink()
        os.rmdir(tmp)
        context.console = old_console  # type: ignore[assignment]
        os.environ.clear()
        os.environ.update(old_env)
    return recorder.export_svg(title="ketacost " + " ".join(args))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    check = ap.parse_args().check
    stale = []
    for name, args in SHOTS.items():
        svg = render(args)
        path = DOCS / f"{name}.svg"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                stale.append(path.name)
        else:
            path.write_text(svg, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("stale: " + ", ".join(stale) + "; run scripts/screenshots.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
