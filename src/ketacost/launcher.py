"""The console entry point. `ketacost --version` answers before typer is imported;
everything else goes to the typer app."""

from __future__ import annotations

import os
import sys


def main() -> None:
    # No pydantic plugins in a CLI run: looking them up scans every installed
    # package's metadata (~12 ms) on the first model build.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    if sys.argv[1:] in (["--version"], ["-V"]):
        from ketacost import __version__

        sys.stdout.write(f"ketacost {__version__}\n")
        return
    from ketacost.cli import main as run

    run()
