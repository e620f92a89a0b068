"""Writing result files safely: atomically, and never over an existing file unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ketacost.errors import KetacostError


class OutputError(KetacostError):
    """The output file could not be written; any existing file is untouched."""


def _check_target(target: Path, force: bool) -> Path:
    where = str(target)
    if "\x00" in where:
        raise OutputError(f"-o {where!r}: a file name cannot contain a NUL character")
    if target.is_dir():
        raise OutputError(f"-o {where}: is a directory; give a file name")
    if target.exists() and not force:
        raise OutputError(f"-o {where}: already exists; add --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"-o {where}: the folder {folder} does not exist")
    return folder


@contextlib.contextmanager
def open_atomic(path: str | Path, *, force: bool = False) -> Iterator[TextIO]:
    """A text file that appears at `path` only when the block ends without an error.

    It is written as a temporary file in the same folder and renamed over `path` at the
    end, so a reader never sees half a file and a failure leaves the old file as it was."""
    target = Path(path)
    where = str(target)
    folder = _check_target(target, force)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except PermissionError:
        raise OutputError(f"-o {where}: permission denied") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"-o {where}: could not be written ({reason})") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def write_atomic(path: str | Path, data: str, *, force: bool = False) -> Path:
    """Write `data` to `path` atomically; never over an existing file without `force`."""
    with open_atomic(path, force=force) as handle:
        handle.write(data)
    return Path(path)
