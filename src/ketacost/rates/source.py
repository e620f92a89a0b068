"""Opening price-transparency files: plain or gzip, with a count of bytes read (for a
progress bar), and a first look that says which kind of file it is."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ketacost.rates.book import RatesError

CHUNK = 1 << 20  # 1 MiB reads: large enough for the C parser, small enough for memory
Progress = Callable[[int], None]  # called with the compressed bytes read so far


class _Counting(io.RawIOBase):
    """A raw file that reports how many bytes have been read from it."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.done += n
            if self._progress is not None:
                self._progress(self.done)
        return n or 0


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


@contextmanager
def open_bytes(path: Path, shown: str, progress: Progress | None = None) -> Iterator[IO[bytes]]:
    """The file's (decompressed) bytes; damage becomes one line naming the file."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise RatesError(f"{shown}: no such file", param="FILE") from None
    except IsADirectoryError:
        raise RatesError(f"{shown}: is a directory", param="FILE") from None
    except PermissionError:
        raise RatesError(f"{shown}: cannot be read (permission denied)", param="FILE") from None
    except OSError as exc:
        raise RatesError(f"{shown}: cannot be read ({exc.strerror or exc})", param="FILE") from None
    try:
        counting = _Counting(raw, progress)
        buffered = io.BufferedReader(counting, buffer_size=CHUNK)
        magic = buffered.peek(2)[:2]
        stream: IO[bytes] = (
            gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
            if magic == b"\x1f\x8b"
            else buffered
        )
        try:
            yield stream
        except EOFError:
            raise RatesError(
                f"{shown}: the gzip file is truncated (it ends before its end marker); "
                "download it again",
                param="FILE",
            ) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise RatesError(f"{shown}: damaged gzip data ({exc})", param="FILE") from None
    finally:
        raw.close()


def head(path: Path, shown: str, size: int = 65536) -> bytes:
    """The first decompressed bytes of a file (for telling its kind)."""
    with open_bytes(path, shown) as stream:
        return stream.read(size)


def kind_of(path: Path, shown: str) -> str:
    """'json' or 'csv', from the first non-blank byte; anything else is refused."""
    start = head(path, shown, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return "json"
    if not start:
        raise RatesError(f"{shown}: is empty; not a price-transparency file", param="FILE")
    text = start.decode("utf-8", errors="replace")
    if text and "," in text.splitlines()[0] and "hospital_name" in text.splitlines()[0]:
        return "csv"
    raise RatesError(
        f"{shown}: not a Transparency in Coverage (JSON) or hospital price-transparency "
        "(v3 CSV or JSON) file",
        param="FILE",
    )
