"""Writing result files safely: atomically, and never over an existing file unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ketacost.errors import KetacostError


class OutputError(KetacostError):
    """The output file could not be written; any existing file is untouched."""


def write_atomic(path: str | Path, data: str | bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename,
    so a reader never sees half a file and a failure leaves the old file as it was."""
    target = Path(path)
    where = str(target)
    if target.is_dir():
        raise OutputError(f"-o {where}: is a directory; give a file name")
    if target.exists() and not force:
        raise OutputError(f"-o {where}: already exists; add --force to replace it")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"-o {where}: the folder {folder} does not exist")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
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
    return target
