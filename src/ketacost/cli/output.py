"""Writing result files safely: atomically, and never over an existing file unasked.

The result is written to a temporary file in the target's folder, then put in place in
one step. Without --force that step is a hard link, which fails if anything (a file, a
dangling symbolic link, a file another ketacost just wrote) has appeared at the name in
the meantime, so of many writers racing for one name exactly one wins. With --force it
is a rename over the old file, which must be a regular file with no other hard links; the
new file keeps the old one's permissions. A new file gets the umask's permissions, as
any file a shell redirection creates. SIGTERM and SIGHUP, like Ctrl-C, remove the
temporary file before the program ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from ketacost.errors import KetacostError

NAME_MAX = 255  # bytes in one file name on every common Unix file system


class OutputError(KetacostError):
    """The output file could not be written; any existing file is untouched."""


def _exists(where: str) -> OutputError:
    return OutputError(f"-o {where}: already exists; add --force to replace it")


def _check_target(target: Path, force: bool) -> tuple[Path, os.stat_result | None]:
    """The folder to write in, and the existing file's status (None: nothing there)."""
    from ketacost.safeio import not_regular, shown

    where = shown(target)
    if "\x00" in str(target):
        raise OutputError(f"-o {str(target)!r}: a file name cannot contain a NUL character")
    name_bytes = len(os.fsencode(target.name))
    if name_bytes > NAME_MAX:
        raise OutputError(
            f"-o {where}: the file name is {name_bytes} bytes long; at most {NAME_MAX} are allowed"
        )
    try:
        old: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        old = None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise OutputError(f"-o {where}: a part of the path is not a folder") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(f"-o {where}: the path is too long") from None
        raise OutputError(f"-o {where}: cannot be checked ({exc.strerror or exc})") from None
    if old is not None:
        if stat.S_ISDIR(old.st_mode):
            raise OutputError(f"-o {where}: is a directory; give a file name")
        if not force:
            raise _exists(where)
        if stat.S_ISLNK(old.st_mode):
            raise OutputError(
                f"-o {where}: is a symbolic link; --force replaces only a regular file "
                "(give the path it points to)"
            )
        kind = not_regular(old.st_mode)
        if kind is not None:
            raise OutputError(f"-o {where}: {kind}; --force replaces only a regular file")
        if old.st_nlink > 1:
            raise OutputError(
                f"-o {where}: has {old.st_nlink - 1} other hard link(s), which replacing it "
                "would break; write to another name"
            )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"-o {where}: the folder {shown(folder)} does not exist")
    return folder, old


def _temp_name(target: Path) -> str:
    """`.NAME.RANDOM.tmp`, with NAME cut so the whole stays within NAME_MAX bytes."""
    stem = target.name
    while len(os.fsencode(f".{stem}.xxxxxxxxxxxxxxxx.tmp")) > NAME_MAX:
        stem = stem[:-1]
    return f".{stem}.{secrets.token_hex(8)}.tmp"


def _create_temp(folder: Path, target: Path) -> tuple[int, str]:
    """A new, empty temporary file. Mode 0666 less the umask, as a shell creates files."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = str(folder / _temp_name(target))
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name")


def _place(tmp_name: str, target: Path, old: os.stat_result | None, where: str) -> None:
    """Put the finished temporary file at `target`: never over anything without --force."""
    if old is None:
        try:
            os.link(tmp_name, target)
        except FileExistsError:
            raise _exists(where) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # No hard links here (some network or FAT file systems): a no-clobber copy.
            _copy_exclusive(tmp_name, target, where)
        os.unlink(tmp_name)
        return
    # --force: the old file's permissions, and never anything but the regular file seen.
    os.chmod(tmp_name, stat.S_IMODE(old.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0 and old.st_uid != 0:
        with contextlib.suppress(OSError):
            os.chown(tmp_name, old.st_uid, old.st_gid)
    try:
        now = os.lstat(target)
    except FileNotFoundError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (old.st_dev, old.st_ino):
        raise OutputError(f"-o {where}: changed while the result was being written; not replaced")
    os.replace(tmp_name, target)


def _copy_exclusive(tmp_name: str, target: Path, where: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, stat.S_IMODE(os.stat(tmp_name).st_mode))
    except FileExistsError:
        raise _exists(where) from None
    try:
        with os.fdopen(fd, "wb") as out, open(tmp_name, "rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived: unwind (removing temporary files) and exit 128 + N."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP unwind the stack as Ctrl-C does, so
    `finally` clauses remove temporary files. Signals the caller ignores (nohup) stay
    ignored; outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        if signal.getsignal(signum) is signal.SIG_DFL:
            saved[signum] = signal.signal(signum, _raise_terminated)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def open_atomic(path: str | Path, *, force: bool = False) -> Iterator[TextIO]:
    """A text file that appears at `path` only when the block ends without an error.

    A reader never sees half a file, a failure leaves the old file as it was, and without
    `force` nothing that exists at `path` when the block ends is replaced."""
    from ketacost.safeio import shown

    target = Path(path)
    where = shown(target)
    folder, old = _check_target(target, force)
    tmp_name = None
    try:
        with _signals_unwind():
            fd, tmp_name = _create_temp(folder, target)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            _place(tmp_name, target, old, where)
            tmp_name = None
    except PermissionError:
        raise OutputError(f"-o {where}: permission denied") from None
    except OutputError:
        raise
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
