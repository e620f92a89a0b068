"""The cache of validated price books: plain JSON that cannot run code when read.

Parsing and validating the YAML costs ~20 ms a run; reading this cache ~3 ms. An entry
is keyed by a hash of the book's text, the national book's text, pricebook.py's source
and the version, so an edit to any of them misses the cache. It used to be a pickle,
and a pickle planted in the cache folder ran code on the next estimate (issue 15).

An entry is JSON of plain values: records as {"$m": class name, "f": fields}, decimals,
dates and non-string dict keys tagged. Reading it builds only the price book's own record
classes (an allow-list, `pricebook.RECORDS`) and imports no pydantic: no class is looked
up by a name the file chooses, no code runs. The folder and the entry must belong to
this user and be writable by no one else, so another user cannot plant a book with false
prices either; anything odd is ignored and the book rebuilt from the YAML.

The folder is the user's cache folder; KETACOST_CACHE_DIR overrides it, "off" turns the
cache off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketacost.book.pricebook import Record

SUFFIX = ".json"


def cache_dir() -> Path | None:
    env = os.environ.get("KETACOST_CACHE_DIR")
    if env == "off":
        return None
    if env:
        return Path(env)
    from ketacost.userdirs import user_cache_dir

    return Path(user_cache_dir())


def _models() -> dict[str, type[Record]]:
    """The price book's record classes, by name: the only classes an entry may build."""
    from ketacost.book import pricebook

    return pricebook.RECORDS


def encode(value: Any) -> Any:
    """Plain JSON data for a validated book (TypeError for anything unexpected)."""
    from ketacost.book.pricebook import Record

    if isinstance(value, Record):
        fields = {name: encode(getattr(value, name)) for name in value._fields}
        return {"$m": type(value).__name__, "f": fields}
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dt.datetime):
        raise TypeError("a datetime in a price book")
    if isinstance(value, dt.date):
        return {"$t": value.isoformat()}
    if isinstance(value, dict):
        return {"$k": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any, models: dict[str, type[Record]]) -> Any:
    """The book from `encode`'s data; ValueError for anything `encode` never writes."""
    return loads(json.dumps(data), models)


class _Fields(dict):  # type: ignore[type-arg]
    """An untagged JSON object: only a record's fields may be one."""


def _refuse(text: str) -> Any:
    raise ValueError(f"unexpected number {text}")  # encode writes no float, NaN or Infinity


def loads(text: str | bytes, models: dict[str, type[Record]]) -> Any:
    """The book from an entry's JSON text; ValueError for anything `encode` never writes.

    The tags are undone as the parser closes each object (innermost first), so no second
    walk over the whole book: ~1 ms rather than ~5 ms for the bundled book."""
    count = {"fields": 0, "records": 0}

    def tagged(obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            ((tag, value),) = obj.items()
            if tag == "$d" and type(value) is str:
                return Decimal(value)
            if tag == "$t" and type(value) is str:
                return dt.date.fromisoformat(value)
            if tag == "$k" and type(value) is list:
                out: dict[Any, Any] = {}
                for pair in value:
                    if type(pair) is not list or len(pair) != 2:
                        raise ValueError("unexpected mapping")
                    out[pair[0]] = pair[1]
                return out
        if len(obj) == 2 and "$m" in obj and "f" in obj:
            name, fields = obj["$m"], obj["f"]
            cls = models.get(name) if type(name) is str else None
            if cls is None or type(fields) is not _Fields or set(fields) != set(cls._fields):
                raise ValueError("unexpected model")
            count["records"] += 1
            return cls._make(fields)
        # Anything else (a stray "$" key too) must turn out to be a record's fields.
        count["fields"] += 1
        return _Fields(obj)

    book = json.loads(text, object_hook=tagged, parse_float=_refuse, parse_constant=_refuse)
    # Every untagged object was some record's fields: none stands anywhere else.
    if count["fields"] != count["records"] or isinstance(book, _Fields):
        raise ValueError("unexpected object")
    return book


def _private(st: os.stat_result) -> bool:
    """Ours, and writable by no one else."""
    mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_entry(name: str, limit: int) -> bytes | None:
    """The bytes of the cache entry `name`, or None: no cache, missing, not a regular
    file, over `limit` bytes, or the folder or the entry not ours alone (anyone else
    could have planted it)."""
    folder = cache_dir()
    if folder is None:
        return None
    from ketacost import safeio

    try:
        if not _private(os.stat(folder)):
            return None
        fd = safeio.open_regular(folder / name)
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not _private(st) or st.st_size > limit:
                return None
            data = handle.read(limit + 1)
    except Exception:  # missing or unreadable
        return None
    return data if len(data) <= limit else None


def write_entry(name: str, data: bytes) -> Path | None:
    """Keep `data` as the cache entry `name`, written atomically; the folder it went to,
    or None (no cache, or a folder others can write to). No failure stops the run."""
    folder = cache_dir()
    if folder is None:
        return None
    import tempfile

    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder)
        # Our own default folder, made group-writable by an older version under a umask
        # of 002: make it ours alone (a folder the user named stays as it is).
        named = bool(os.environ.get("KETACOST_CACHE_DIR"))
        mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        if not _private(st) and not named and mine:
            os.chmod(folder, stat.S_IMODE(st.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))
            st = os.stat(folder)
        if not _private(st):
            return None  # a folder others can write to is no place to keep what we trust
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return folder
    return None


def get(key: str | None) -> Any:
    """The cached book for `key`, or None (missing, foreign, unreadable or stale)."""
    if key is None:
        return None
    from ketacost.book import pricebook
    from ketacost.book.files import MAX_BOOK_BYTES

    raw = read_entry(f"book-{key}{SUFFIX}", 4 * MAX_BOOK_BYTES)
    if raw is None:
        return None
    try:
        book = loads(raw, _models())
    except Exception:  # foreign or stale: rebuild it
        return None
    return book if isinstance(book, pricebook.PriceBook) else None


def put(key: str | None, book: Any) -> None:
    if key is None:
        return
    try:
        text = json.dumps(encode(book), separators=(",", ":"))
    except (TypeError, ValueError):
        return
    write_entry(f"book-{key}{SUFFIX}", text.encode("utf-8"))
