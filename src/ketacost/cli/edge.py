"""The one edge where errors leave the program: a KetacostError becomes one short line
and its exit code, a reader that went away ends the run quietly, and anything
unexpected becomes one line, a hint and exit code 1."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from ketacost.errors import KetacostError

F = TypeVar("F", bound=Callable[..., Any])

# The exit code of a program whose reader went away (`ketacost batch big.csv | head`),
# as a shell reports one that SIGPIPE ended: 128 + 13.
BROKEN_PIPE_EXIT = 141


def reader_gone() -> None:
    """A rich console's `on_broken_pipe`: rich would end the program with status 1;
    raised here, the reader that went away ends it quietly with 141 at the edge."""
    raise BrokenPipeError


def say_error(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")


def quiet_broken_pipe() -> None:
    """The reader of stdout went away: send what is still buffered nowhere, so neither
    this run nor Python's exit prints a complaint about it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def handled(func: F) -> F:
    """Turn domain errors into one line + exit 2, and bugs into one line + exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            quiet_broken_pipe()
            raise typer.Exit(BROKEN_PIPE_EXIT) from None
        except KetacostError as exc:
            say_error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("KETACOST_DEBUG"):
                raise
            say_error(
                f"internal error ({type(exc).__name__}: {exc}). "
                "Set KETACOST_DEBUG=1 to see the traceback, and please report it."
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
