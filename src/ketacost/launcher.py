"""The console entry point. `ketacost --version` answers before typer is imported;
everything else goes to the typer app. A one-shot command's process ends as soon as its
output is out (`run`)."""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import sys
from typing import NoReturn


def main() -> None:
    # No pydantic plugins in a CLI run: looking them up scans every installed
    # package's metadata (~12 ms) on the first model build.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    _no_plugin_loader()
    if short_run(sys.argv[1:]):
        # A one-shot command allocates many objects (modules, classes, the book) and
        # leaves little cyclic garbage: the collector's passes were ~5% of its CPU time.
        gc.disable()
    _closed_streams()
    _replace_unencodable()
    if sys.argv[1:] in (["--version"], ["-V"]):
        from ketacost import __version__

        try:
            sys.stdout.write(f"ketacost {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `ketacost --version | head -c0`: as every command does
            from ketacost.cli.edge import BROKEN_PIPE_EXIT, quiet_broken_pipe

            quiet_broken_pipe()
            sys.exit(BROKEN_PIPE_EXIT)
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


def _closed_streams() -> None:
    """A standard stream closed when the program started (`ketacost ... >&-`) is None in
    Python. A closed stdout is a reader that is not there: the first result written to
    it ends the run as when the reader goes away (exit 141, nothing printed), so a script
    never takes the run for done; a run that writes only to `-o FILE` is unaffected. A
    closed stderr swallows what is said to it."""
    if sys.stdout is None:
        sys.stdout = _NoReader()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


class _NoReader(io.TextIOBase):
    """Standard output that was closed before the program started."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "standard output is closed")


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


def run() -> NoReturn:
    """The `ketacost` command: `main`, then the end of the process.

    Tearing the interpreter down (freeing every module, class and the price book one by
    one) took 11-15 ms of a one-shot command, about a tenth of its run, and does nothing
    a user can see. Once the output is flushed and the exit handlers have run, a
    one-shot command ends at once; batch and rates, or anything left running (a thread),
    end the usual way."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = None
    if short_run(sys.argv[1:]):
        end_now(code)
    sys.exit(code)


def exit_status(code: str | int | None) -> int:
    """The process's exit status for `sys.exit(code)`, as the interpreter works it out
    (a code that is not a number is printed to stderr, and the status is 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def end_now(code: str | int | None) -> None:
    """End the process with `code` if nothing is left to do; else return."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    if not _flushed():
        return  # a closed or broken stream: the interpreter's own exit deals with it
    status = exit_status(code)
    import atexit

    # What other code asked to run at exit (coverage's data, logging's handlers) runs.
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # pragma: no cover - not CPython
        sys.exit(code)
    run_exit_handlers()
    try:
        _flushed()
    finally:
        os._exit(status)


def _flushed() -> bool:
    """Every standard stream's buffer written out (the ones Python started with too,
    should a command have swapped them); False if one could not be."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            return False
    return True
