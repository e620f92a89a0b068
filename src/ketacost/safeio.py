"""Reading input files safely: regular files only, never blocking, never unbounded.

A price book, a config file or a batch file named on the command line could be
/dev/zero, /dev/urandom, a FIFO with no writer, a socket or a folder. Each is opened
without blocking (O_NONBLOCK: opening a FIFO does not wait for a writer), checked with
fstat to be a regular file, and read only up to a limit. The reasons come back as short
phrases ("no such file", "is a named pipe (FIFO), not a regular file"); each caller adds
the file's name and raises its own error type.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class ReadError(Exception):
    """Why a file cannot be read, as a short phrase without the file's name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooBig(ReadError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"is {size:,} bytes; at most {limit:,} are allowed")
        self.size = size
        self.limit = limit


def not_regular(mode: int) -> str | None:
    """What a file is, when it is not a regular file (None when it is)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def os_reason(exc: OSError) -> str:
    """A short phrase for an OSError from opening or reading a file."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "cannot be read (permission denied)"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    if exc.errno == errno.ENOTDIR:
        return "no such file (a part of the path is not a folder)"
    if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
        return "is not a regular file"
    if exc.errno == errno.ELOOP:
        return "cannot be read (too many levels of symbolic links)"
    return f"cannot be read ({exc.strerror or exc})"


def open_regular(path: str | Path) -> int:
    """A file descriptor open for reading on `path`, which must be a regular file.

    Never blocks: a FIFO is opened non-blocking and then refused."""
    text = os.fspath(path)
    if "\x00" in text:
        raise ReadError("a file name cannot contain a NUL character")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(text, flags)
    except OSError as exc:
        raise ReadError(os_reason(exc)) from None
    try:
        kind = not_regular(os.fstat(fd).st_mode)
        if kind is not None:
            raise ReadError(kind)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_capped(path: str | Path, limit: int) -> bytes:
    """The bytes of regular file `path`; TooBig when it holds more than `limit`."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise TooBig(size, limit)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # it grew while we read it
            raise TooBig(got, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise ReadError(os_reason(exc)) from None
    finally:
        os.close(fd)


def shown(path: str | Path, width: int = 120) -> str:
    """A path for an error message: as typed, quoted when blanks would hide it, and cut
    in the middle when it is too long to read."""
    text = os.fspath(path)
    if len(text) > width:
        half = (width - 5) // 2
        text = f"{text[:half]}[...]{text[-half:]}"
    return repr(text) if not text or text != text.strip() else text
