"""The console entry point. `ketacost --version` answers before typer is imported;
everything else goes to the typer app."""

from __future__ import annotations

import contextlib
import gc
import os
import sys


def main() -> None:
    # No pydantic plugins in a CLI run: looking them up scans every installed
    # package's metadata (~12 ms) on the first model build.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    _no_plugin_loader()
    if short_run(sys.argv[1:]):
        # A one-shot command allocates many objects (modules, classes, the book) and
        # leaves little cyclic garbage: the collector's passes were ~5% of its CPU time.
        gc.disable()
    _replace_unencodable()
    if sys.argv[1:] in (["--version"], ["-V"]):
        from ketacost import __version__

        sys.stdout.write(f"ketacost {__version__}\n")
        return
    from ketacost.cli.app import main as run

    run()


# The values with which pydantic's plugin loader returns no plugins (pydantic/plugin/_loader.py).
PLUGINS_OFF = ("__all__", "1", "true")


def _no_plugin_loader() -> None:
    """With every plugin off, pydantic's plugin loader would still import
    `importlib.metadata` (and with it email, zipfile, csv: ~10 ms of CPU) when the first
    model is built, only to return no plugins. Give it a loader that returns none.
    With plugins on, or named ones off, pydantic's own loader runs."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in PLUGINS_OFF:
        return
    if "pydantic.plugin._loader" in sys.modules:
        return
    import types

    loader = types.ModuleType("pydantic.plugin._loader", "No pydantic plugins (ketacost).")
    loader.PYDANTIC_ENTRY_POINT_GROUP = "pydantic"  # type: ignore[attr-defined]
    loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
    sys.modules[loader.__name__] = loader


# Commands whose work grows with their input (a batch file, a rates file): their memory
# must stay flat, so the collector keeps running for them.
LONG_RUNS = frozenset({"batch", "rates"})


def short_run(args: list[str]) -> bool:
    return not LONG_RUNS & set(args)


def _replace_unencodable() -> None:
    """On a terminal or pipe that is not UTF-8 (PYTHONIOENCODING=ascii, a Latin-1
    locale), print what cannot be encoded ("—", "≤") as "?" instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if not encoding.startswith("utf") and reconfigure is not None:
            # A closed or detached stream is left as it is.
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
