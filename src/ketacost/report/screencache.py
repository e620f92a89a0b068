"""Finished screens kept on disk, for a screen that depends only on files and settings.

`ketacost prices` shows the price book, figure by figure: the same text for the same
book, treatment, language, terminal width and colour settings, and ~17 ms to lay out.
Its text is kept in the price-book cache folder (`book/cache.py`: the user's cache
folder, KETACOST_CACHE_DIR, "off" for none), one file a screen, named by a hash of all
it depends on: the book's and the national book's text, the source of every module that
reads the book or lays out the screen, rich's files, the arguments and the console's
settings. An edit to any of them misses the cache.

Reading an entry runs no code: it is text written to the terminal as it stands. So
that no one else can plant text there (false prices, or terminal control sequences),
the folder and the entry must belong to this user and be writable by no one else, as
for the book cache, and an entry holding anything but printable text, line breaks and
colour codes (SGR) is ignored and the screen laid out again.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PREFIX, SUFFIX = "screen-", ".txt"
MAX_BYTES = 4 << 20
KEEP = 32  # entries kept (a screen per width and colour setting): the newest
# Printable text, line breaks and SGR colour codes: nothing else reaches the terminal.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f-\x9f]|\x1b(?!\[[0-9;]*m)")

# Where the screens' text comes from, besides the book: a change to any misses.
_SOURCES = (
    "book/pricebook.py",
    "book/schema.py",
    "book/clinic.py",
    "book/freshness.py",
    "book/files.py",
    "amounts.py",
    "i18n.py",
    "report/table.py",
    "report/fasttable.py",
    "report/screencache.py",
    "cli/commands/prices.py",
    "cli/context.py",
)
_RICH = ("__init__.py", "console.py", "text.py", "segment.py", "style.py", "padding.py")


def console_settings(console: Any) -> str:
    """Every setting of `console` that changes the text it prints."""
    return repr(
        (
            console.width,
            console.color_system,
            console.no_color,
            console.is_terminal,
            console.is_dumb_terminal,
            console.legacy_windows,
            console.encoding,
            console.tab_size,
            console.soft_wrap,
            console._emoji,
            console._markup,
            console._highlight,
            console.options.ascii_only,
        )
    )


def key(parts: Iterable[str | bytes]) -> str | None:
    """A screen's key: the hash of everything its text depends on (`parts`, the
    modules that make it and rich's files); None if a file cannot be read (the
    screen is then laid out each time)."""
    import rich

    from ketacost import __version__

    try:
        # hashlib's own blake2b, without loading OpenSSL for hashlib (as pricebook.py).
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import blake2b

    h = blake2b(f"ketacost-screen-1 {__version__}\0".encode(), digest_size=32)
    package = Path(__file__).resolve().parents[1]
    folder = Path(rich.__file__).parent
    try:
        for name in _SOURCES:
            h.update((package / name).read_bytes())
        for name in _RICH:
            st = os.stat(folder / name)
            h.update(f"{folder / name} {st.st_size} {st.st_mtime_ns}\0".encode())
    except OSError:
        return None
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _safe(text: str) -> bool:
    return _UNSAFE.search(text) is None


def get(screen: str) -> str | None:
    """The screen kept under key `screen`, or None (missing, foreign, odd or unreadable):
    read as the book cache reads its entries, from a folder and file ours alone."""
    from ketacost.book.cache import read_entry

    raw = read_entry(f"{PREFIX}{screen}{SUFFIX}", MAX_BYTES)
    try:
        text = raw.decode("utf-8") if raw is not None else ""
    except UnicodeDecodeError:  # not our text: lay it out again
        return None
    return text if text and _safe(text) else None


def put(screen: str, text: str) -> None:
    """Keep `text` under key `screen`, written atomically; the oldest entries beyond
    KEEP go. Nothing is kept where others could write, and no failure stops the run."""
    from ketacost.book.cache import write_entry

    if not text or len(text) > MAX_BYTES // 4 or not _safe(text):
        return
    folder = write_entry(f"{PREFIX}{screen}{SUFFIX}", text.encode("utf-8"))
    if folder is not None:
        _prune(folder)


def _prune(folder: Path) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX):
            with contextlib.suppress(OSError):
                entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
